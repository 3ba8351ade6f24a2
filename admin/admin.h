/* SPDX-License-Identifier: GPL-2.0 */
/* Between the admin command files: admin/admin.c and admin/ns.c. */
#ifndef _NVMEV_ADMIN_H
#define _NVMEV_ADMIN_H

u16 nvmev_identify_ns(struct nvmev_ctrl *ctrl, u8 cns, u8 csi, u32 nsid,
		      void *buf);
u16 nvmev_admin_ns_mgmt(struct nvmev_ctrl *ctrl, const struct nvme_command *c,
			u32 *result);
u16 nvmev_admin_ns_attach(struct nvmev_ctrl *ctrl, const struct nvme_command *c);
u16 nvmev_admin_format(struct nvmev_ctrl *ctrl, const struct nvme_command *c);
size_t nvmev_log_changed_ns(struct nvmev_ctrl *ctrl, void *buf, bool rae);

#endif
