// SPDX-License-Identifier: GPL-2.0
/*
 * NVM command set I/O commands: Read, Write, Flush, Compare, Write Zeroes
 * and Dataset Management.  nvmev_io_prepare() runs on the dispatcher at
 * fetch time: it validates the command (every error is reported at once,
 * with DNR set) and asks the device model when the command completes.
 * nvmev_io_execute() runs on a worker and moves the data.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/slab.h>
#include <linux/string.h>

#include "../core/nvmev.h"
#include "../trace/nvmev_trace.h"
#include "../trace/events.h"

#define RW_FUA		BIT(30)
#define DSM_AD		BIT(2)

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

static u16 check_range(struct nvmev_ctrl *ctrl, u64 slba, u64 nlb)
{
	if (slba >= ctrl->nr_lbas || nlb > ctrl->nr_lbas - slba)
		return SC_LBA_RANGE;
	return SC_SUCCESS;
}

static u16 prepare_rw(struct nvmev_ctrl *ctrl, struct nvmev_io *io,
		      bool has_data)
{
	const struct nvme_command *c = &io->cmd;
	u64 slba = cmd_slba(c);
	u32 nlb = cmd_nlb(c);
	u16 st;

	st = check_range(ctrl, slba, nlb);
	if (st)
		return st;
	if (has_data) {
		if (c->common.flags & NVME_CMD_SGL_ALL)
			return SC_INVALID_FIELD;	/* PRPs only */
		if (((u64)nlb << ctrl->lba_shift) >
		    ((u64)NVMEV_PAGE_SIZE << ctrl->mdts))
			return SC_INVALID_FIELD;	/* beyond MDTS */
	}
	return SC_SUCCESS;
}

/* Read the DSM range list and check every range; dispatcher and worker. */
static u16 read_dsm_ranges(struct nvmev_ctrl *ctrl, const struct nvme_command *c,
			   struct nvme_dsm_range *r, unsigned int nr)
{
	unsigned int i;
	u16 st;

	st = nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), nr * sizeof(*r), r,
			    NVMEV_FROM_HOST);
	for (i = 0; !st && i < nr; i++)
		st = check_range(ctrl, le64_to_cpu(r[i].slba),
				 le32_to_cpu(r[i].nlb));
	return st;
}

static u16 prepare_dsm(struct nvmev_ctrl *ctrl, struct nvmev_io *io, u64 *t)
{
	const struct nvme_command *c = &io->cmd;
	unsigned int nr = (cdw(c, 10) & 0xff) + 1, i;
	struct nvme_dsm_range *r;
	u16 st;

	if (c->common.flags & NVME_CMD_SGL_ALL)
		return SC_INVALID_FIELD;
	if (!(cdw(c, 11) & DSM_AD)) {	/* hints only */
		*t = nvmev_model_rw(ctrl, nvme_cmd_dsm, 0, 0, false, io->t_fetch);
		return SC_SUCCESS;
	}
	r = ctrl->dsm_buf;	/* dispatcher-private */
	st = read_dsm_ranges(ctrl, c, r, nr);
	if (st)
		return st;
	*t = io->t_fetch;
	for (i = 0; i < nr; i++) {
		u32 nlb = le32_to_cpu(r[i].nlb);

		if (nlb)
			*t = max(*t, nvmev_model_rw(ctrl, nvme_cmd_dsm,
						    le64_to_cpu(r[i].slba),
						    nlb, false, io->t_fetch));
	}
	return SC_SUCCESS;
}

u16 nvmev_io_prepare(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	u8 op = c->common.opcode;
	u32 nsid = le32_to_cpu(c->common.nsid);
	u64 t = io->t_fetch, bytes = 0;
	u16 st;

	NVMEV_FN();
	switch (op) {
	case nvme_cmd_flush:
		st = (nsid == NVMEV_NSID || nsid == 0xffffffff) ?
		     SC_SUCCESS : SC_INVALID_NS;
		if (!st)
			t = nvmev_model_rw(ctrl, op, 0, 0, false, io->t_fetch);
		break;
	case nvme_cmd_read:
	case nvme_cmd_compare:
	case nvme_cmd_write:
	case nvme_cmd_write_zeroes:
		if (nsid != NVMEV_NSID) {
			st = SC_INVALID_NS;
			break;
		}
		st = prepare_rw(ctrl, io, op != nvme_cmd_write_zeroes);
		bytes = (u64)cmd_nlb(c) << ctrl->lba_shift;
		if (!st)
			t = nvmev_model_rw(ctrl, op, cmd_slba(c), cmd_nlb(c),
					   cdw(c, 12) & RW_FUA, io->t_fetch);
		break;
	case nvme_cmd_dsm:
		st = nsid == NVMEV_NSID ? prepare_dsm(ctrl, io, &t) :
					  SC_INVALID_NS;
		break;
	default:
		st = SC_INVALID_OPCODE;
		break;
	}
	trace_nvmev_cmd_fetch(io->sqid, c->common.command_id, op, nsid,
			      nsid == NVMEV_NSID ? cmd_slba(c) : 0, bytes);
	if (st) {
		/* errors complete at once, never retried by the model */
		io->t_target = io->t_fetch;
		return st;
	}
	if (op == nvme_cmd_read) {
		atomic64_inc(&ctrl->stats.host_read_cmds);
		atomic64_add(bytes >> 9, &ctrl->stats.data_units_read);
	} else if (op == nvme_cmd_write) {
		atomic64_inc(&ctrl->stats.host_write_cmds);
		atomic64_add(bytes >> 9, &ctrl->stats.data_units_written);
	}
	io->t_target = max(t, io->t_fetch);
	atomic64_add(io->t_target - io->t_fetch, &ctrl->stats.busy_ns);
	return SC_SUCCESS;
}

/* ---- data phase --------------------------------------------------------- */

/* Compare: walks the host buffer against the storage, @priv the cursor. */
static int compare_fn(void *host, size_t len, void *priv)
{
	u8 **dev = priv;
	int diff = memcmp(host, *dev, len);

	*dev += len;
	return diff ? SC_COMPARE_FAILED : 0;
}

static u16 do_rw(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	size_t len = (size_t)cmd_nlb(c) << ctrl->lba_shift;
	u8 *dev = ctrl->storage + (cmd_slba(c) << ctrl->lba_shift);

	NVMEV_FN();
	switch (c->common.opcode) {
	case nvme_cmd_read:
		return nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), len, dev,
				      NVMEV_TO_HOST);
	case nvme_cmd_write:
		return nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), len, dev,
				      NVMEV_FROM_HOST);
	default:	/* compare reads host memory */
		return nvmev_prp_walk(ctrl, cmd_prp1(c), cmd_prp2(c), len,
				      NVMEV_FROM_HOST, compare_fn, &dev);
	}
}

static u16 do_write_zeroes(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;

	NVMEV_FN();
	memset(ctrl->storage + (cmd_slba(c) << ctrl->lba_shift), 0,
	       (size_t)cmd_nlb(c) << ctrl->lba_shift);
	return SC_SUCCESS;
}

static u16 do_dsm(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	unsigned int nr = (cdw(c, 10) & 0xff) + 1, i;
	struct nvme_dsm_range *r;
	u16 st;

	NVMEV_FN();
	if (!(cdw(c, 11) & DSM_AD))
		return SC_SUCCESS;	/* hints only: nothing to do */
	r = kmalloc_array(nr, sizeof(*r), GFP_KERNEL);
	if (!r)
		return SC_INTERNAL;
	/* the host must not change the list while the command is in flight */
	st = read_dsm_ranges(ctrl, c, r, nr);
	/* deallocated blocks read back as zeroes (DLFEAT = 1) */
	for (i = 0; !st && i < nr; i++)
		memset(ctrl->storage +
		       (le64_to_cpu(r[i].slba) << ctrl->lba_shift), 0,
		       (size_t)le32_to_cpu(r[i].nlb) << ctrl->lba_shift);
	kfree(r);
	return st;
}

void nvmev_io_execute(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	u16 st = io->status;

	NVMEV_FN();
	if (!st) {
		switch (c->common.opcode) {
		case nvme_cmd_read:
		case nvme_cmd_write:
		case nvme_cmd_compare:
			st = do_rw(ctrl, io);
			break;
		case nvme_cmd_write_zeroes:
			st = do_write_zeroes(ctrl, io);
			break;
		case nvme_cmd_dsm:
			st = do_dsm(ctrl, io);
			break;
		default:	/* flush: storage is the reserved region */
			break;
		}
	}
	io->status = st;
	if (st)
		nvmev_record_error(ctrl, io->sqid, c->common.command_id, st,
				   cmd_slba(c), le32_to_cpu(c->common.nsid));
}
