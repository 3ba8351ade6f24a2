/* SPDX-License-Identifier: GPL-2.0 */
/* Between the I/O command files: io/io.c (NVM) and io/zns.c (zoned). */
#ifndef _NVMEV_IO_H
#define _NVMEV_IO_H

#include "../core/nvmev.h"

#define RW_FUA		BIT(30)

static inline u32 cdw(const struct nvme_command *c, int n)
{
	const __le32 *dw = (const __le32 *)c;

	return le32_to_cpu(dw[n]);
}

static inline u64 cmd_slba(const struct nvme_command *c)
{
	return ((u64)cdw(c, 11) << 32) | cdw(c, 10);
}

static inline u32 cmd_nlb(const struct nvme_command *c)
{
	return (cdw(c, 12) & 0xffff) + 1;
}

static inline u64 cmd_prp1(const struct nvme_command *c)
{
	return le64_to_cpu(c->common.dptr.prp1);
}

static inline u64 cmd_prp2(const struct nvme_command *c)
{
	return le64_to_cpu(c->common.dptr.prp2);
}

#endif /* _NVMEV_IO_H */
