// SPDX-License-Identifier: GPL-2.0
/*
 * NVM command set I/O commands: Read, Write, Flush, Compare, Write Zeroes,
 * Dataset Management, Verify and Copy.  nvmev_io_prepare() runs on the
 * dispatcher at fetch time: it validates the command (every error is
 * reported at once, with DNR set) and asks the device model when the
 * command completes.  nvmev_io_execute() runs on a worker and moves the
 * data.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sort.h>

#include "../core/nvmev.h"
#include "io.h"
#include "../trace/nvmev_trace.h"
#include "../trace/events.h"

#define DSM_AD		BIT(2)
#define COPY_DESFMT(dw12)	(((dw12) >> 8) & 0xf)
#define UNIT		4096ULL		/* the model's mapping unit */

/* Copy: Source Range Entries, descriptor format 0h (NVM Command Set 1.0) */
struct copy_range0 {
	__le64 rsvd0;
	__le64 slba;
	__le16 nlb;		/* 0's based */
	__le16 rsvd18;
	__le32 rsvd20;
	__le32 eilbrt;		/* protection information: no PI here */
	__le16 elbat;
	__le16 elbatm;
};

static u16 check_range(const struct nvmev_ns *ns, u64 slba, u64 nlb)
{
	if (slba >= ns->nr_lbas || nlb > ns->nr_lbas - slba)
		return SC_LBA_RANGE;
	return SC_SUCCESS;
}

/* Controller logical byte of LBA @lba of @ns. */
static inline u64 ns_off(const struct nvmev_ns *ns, u64 lba)
{
	return ns->base + (lba << ns->lba_shift);
}

/* A transfer (or, for Verify, VSL = MDTS) beyond MDTS is refused. */
bool nvmev_io_beyond_mdts(struct nvmev_ctrl *ctrl, u64 bytes)
{
	return bytes > ((u64)NVMEV_PAGE_SIZE << ctrl->mdts);
}

static inline bool beyond_mdts(struct nvmev_ctrl *ctrl, const struct nvmev_io *io)
{
	return nvmev_io_beyond_mdts(ctrl, (u64)cmd_nlb(&io->cmd) << io->ns->lba_shift);
}

/*
 * Injected media errors (namespace badblocks): a read, compare or verify
 * that touches a bad LBA fails with Unrecovered Read Error, the error log
 * naming the first bad LBA, SMART counting a media error.  Dispatcher.
 */
u16 nvmev_io_bad_read(struct nvmev_ctrl *ctrl, struct nvmev_io *io, u64 slba,
		      u32 nlb)
{
	sector_t first;
	int n;

	if (likely(!READ_ONCE(io->ns->bb.count)) ||
	    !badblocks_check(&io->ns->bb, slba, nlb, &first, &n))
		return SC_SUCCESS;
	io->err_lba = first;
	io->flags |= NVMEV_IO_ERR_LBA;
	atomic64_inc(&ctrl->stats.media_errors);
	return SC_UNRECOVERED_READ;
}

/* Written LBAs are good again (as a drive remaps them on the rewrite). */
void nvmev_io_rewritten(struct nvmev_ns *ns, u64 slba, u32 nlb)
{
	if (unlikely(READ_ONCE(ns->bb.count)))
		badblocks_clear(&ns->bb, slba, nlb);
}

static u16 prepare_rw(struct nvmev_ctrl *ctrl, struct nvmev_io *io,
		      bool has_data)
{
	const struct nvme_command *c = &io->cmd;
	u16 st;

	st = check_range(io->ns, cmd_slba(c), cmd_nlb(c));
	if (st)
		return st;
	if (has_data) {
		if (c->common.flags & NVME_CMD_SGL_ALL)
			return SC_INVALID_FIELD;	/* PRPs only */
		if (beyond_mdts(ctrl, io))
			return SC_INVALID_FIELD;
	}
	if (c->common.opcode == nvme_cmd_read ||
	    c->common.opcode == nvme_cmd_compare)
		return nvmev_io_bad_read(ctrl, io, cmd_slba(c), cmd_nlb(c));
	nvmev_io_rewritten(io->ns, cmd_slba(c), cmd_nlb(c));
	return SC_SUCCESS;
}

/* Read the DSM range list and check every range; dispatcher and worker. */
static u16 read_dsm_ranges(struct nvmev_ctrl *ctrl, const struct nvmev_io *io,
			   struct nvme_dsm_range *r, unsigned int nr)
{
	const struct nvme_command *c = &io->cmd;
	unsigned int i;
	u16 st;

	st = nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), nr * sizeof(*r), r,
			    NVMEV_FROM_HOST);
	for (i = 0; !st && i < nr; i++)
		st = check_range(io->ns, le64_to_cpu(r[i].slba),
				 le32_to_cpu(r[i].nlb));
	return st;
}

static int dsm_cmp(const void *a, const void *b)
{
	u64 x = le64_to_cpu(((const struct nvme_dsm_range *)a)->slba);
	u64 y = le64_to_cpu(((const struct nvme_dsm_range *)b)->slba);

	return x < y ? -1 : x > y;
}

/*
 * Sort the ranges and merge those that overlap or touch, in place; empty
 * ranges go.  256 ranges may each cover the whole namespace: merged, the
 * model never walks an LBA twice for one command.  Returns the count.
 */
static unsigned int dsm_merge(struct nvme_dsm_range *r, unsigned int nr)
{
	unsigned int i, n = 0;
	u64 cur_s = 0, cur_e = 0;

	sort(r, nr, sizeof(*r), dsm_cmp, NULL);
	for (i = 0; i < nr; i++) {
		u64 s = le64_to_cpu(r[i].slba);
		u64 e = s + le32_to_cpu(r[i].nlb);	/* checked: no overflow */

		if (e == s)
			continue;
		if (n && s <= cur_e) {
			cur_e = max(cur_e, e);
			continue;
		}
		if (n) {
			r[n - 1].slba = cpu_to_le64(cur_s);
			r[n - 1].nlb = cpu_to_le32((u32)min_t(u64, cur_e - cur_s, U32_MAX));
		}
		cur_s = s;
		cur_e = e;
		n++;
	}
	if (n) {
		r[n - 1].slba = cpu_to_le64(cur_s);
		r[n - 1].nlb = cpu_to_le32((u32)min_t(u64, cur_e - cur_s, U32_MAX));
	}
	return n;
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
	st = read_dsm_ranges(ctrl, io, r, nr);
	if (st)
		return st;
	nr = dsm_merge(r, nr);
	*t = io->t_fetch;
	for (i = 0; i < nr; i++) {
		u32 nlb = le32_to_cpu(r[i].nlb);

		if (nlb)
			*t = max(*t, nvmev_model_rw(ctrl, nvme_cmd_dsm,
						    ns_off(io->ns, le64_to_cpu(r[i].slba)),
						    (u64)nlb << io->ns->lba_shift,
						    false, io->t_fetch));
	}
	return SC_SUCCESS;
}

/* Zero the part of the unit holding @off that lies outside [lo, hi). */
static void zero_unit_outside(struct nvmev_ctrl *ctrl, u64 off, u64 lo, u64 hi)
{
	u64 us = off & ~(UNIT - 1), ue = us + UNIT;

	if (lo > us)
		nvmev_zero(ctrl->storage + us, lo - us);
	if (hi < ue)
		nvmev_zero(ctrl->storage + max(hi, us), ue - max(hi, us));
}

/*
 * Unmapped 4 KiB units hold no data: the storage behind them is never
 * zeroed (not at load, not by a deallocate), so
 * - a read or compare learns here which units of its range are unmapped
 *   and treats them as zeroes;
 * - a write that covers only part of an unmapped unit has the rest of that
 *   unit zeroed here, at fetch, since the unit becomes mapped as a whole.
 *   Here and not in the data phase: a second partial write into the same
 *   unit, fetched next and run by another worker, finds the unit mapped
 *   and must not have its bytes zeroed by the first one's data phase.
 * A Copy is both: its sources are read, its destination written.
 */
static void write_edges(struct nvmev_ctrl *ctrl, u64 off, u64 len)
{
	u64 end = off + len;

	if (ctrl->dataless)	/* store=none: no storage to keep right */
		return;
	if ((off & (UNIT - 1)) && !nvmev_model_unit_mapped(ctrl, off))
		zero_unit_outside(ctrl, off, off, end);
	if ((end & (UNIT - 1)) && !nvmev_model_unit_mapped(ctrl, end - 1))
		zero_unit_outside(ctrl, end - 1, off, end);
}

static void prepare_holes(struct nvmev_ctrl *ctrl, struct nvmev_io *io,
			  u64 off, u64 len)
{
	if (ctrl->dataless)	/* every read is zeroes */
		return;
	switch (io->cmd.common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
		bitmap_zero(io->unmapped, NVMEV_MAX_XFER_UNITS);
		if (nvmev_model_unmapped(ctrl, off, len, io->unmapped,
					 NVMEV_MAX_XFER_UNITS))
			io->flags |= NVMEV_IO_HOLES;
		break;
	case nvme_cmd_write:
		write_edges(ctrl, off, len);
		break;
	default:
		break;
	}
}

/*
 * Verify: the range is read and checked on the device, nothing goes to
 * the host, so its model time is that of a Read of the range.  Protection
 * information (PRINFO) does not exist here; Limited Retry changes
 * nothing.  VSL = MDTS (Identify, I/O Command Set specific controller
 * data): a Verify costs the model no more than the largest Read.
 */
static u16 prepare_verify(struct nvmev_ctrl *ctrl, struct nvmev_io *io,
			  u64 *t)
{
	const struct nvme_command *c = &io->cmd;
	u64 slba = cmd_slba(c);
	u32 nlb = cmd_nlb(c);
	u16 st;

	st = check_range(io->ns, slba, nlb);
	if (st)
		return st;
	if (beyond_mdts(ctrl, io))
		return SC_INVALID_FIELD;	/* beyond VSL */
	st = nvmev_io_bad_read(ctrl, io, slba, nlb);
	if (st)
		return st;
	*t = nvmev_model_rw(ctrl, nvme_cmd_read, ns_off(io->ns, slba),
			    (u64)nlb << io->ns->lba_shift, cdw(c, 12) & RW_FUA,
			    io->t_fetch);
	return SC_SUCCESS;
}

static inline u64 copy_slba(const struct copy_range0 *r)
{
	return le64_to_cpu(r->slba);
}

static inline u32 copy_nlb(const struct copy_range0 *r)
{
	return le16_to_cpu(r->nlb) + 1;
}

/*
 * Read the Copy source ranges (format 0) and check each against the
 * namespace and MSSRL, and their sum against MCL; dispatcher and worker.
 * *total: the LBAs they hold.
 */
static u16 read_copy_ranges(struct nvmev_ctrl *ctrl, const struct nvmev_io *io,
			    struct copy_range0 *r, unsigned int nr, u64 *total)
{
	const struct nvme_command *c = &io->cmd;
	u64 max = NVMEV_COPY_MAX_BYTES >> io->ns->lba_shift, sum = 0;
	unsigned int i;
	u16 st;

	st = nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), nr * sizeof(*r), r,
			    NVMEV_FROM_HOST);
	for (i = 0; !st && i < nr; i++) {
		if (copy_nlb(&r[i]) > max)
			st = SC_CMD_SIZE_LIMIT;		/* MSSRL */
		else
			st = check_range(io->ns, copy_slba(&r[i]),
					 copy_nlb(&r[i]));
		sum += copy_nlb(&r[i]);
	}
	if (!st && sum > max)
		st = SC_CMD_SIZE_LIMIT;			/* MCL */
	*total = sum;
	return st;
}

/* The 4 KiB units [first, first + n) a source range touches. */
static void copy_units(const struct nvmev_ns *ns, const struct copy_range0 *r,
		       u64 *first, unsigned int *n)
{
	u64 off = ns_off(ns, copy_slba(r));
	u64 end = off + ((u64)copy_nlb(r) << ns->lba_shift);

	*first = off / UNIT;
	*n = (end - 1) / UNIT - *first + 1;
}

/* Which units of the source ranges are unmapped: see io->unmapped. */
static void copy_holes(struct nvmev_ctrl *ctrl, struct nvmev_io *io,
		       const struct copy_range0 *r, unsigned int nr)
{
	unsigned int i, j, n, bit = 0;
	u64 first;

	bitmap_zero(io->unmapped, NVMEV_MAX_XFER_UNITS);
	for (i = 0; i < nr; i++) {
		copy_units(io->ns, &r[i], &first, &n);
		for (j = 0; j < n; j++, bit++) {
			if (!nvmev_model_unit_mapped(ctrl, (first + j) * UNIT)) {
				__set_bit(bit, io->unmapped);
				io->flags |= NVMEV_IO_HOLES;
			}
		}
	}
}

/*
 * Copy, descriptor format 0: up to NVMEV_COPY_MAX_RANGES source ranges to
 * one destination range at SDLBA, all within the limits Identify
 * advertises.  The model reads the sources and writes the destination.
 * It only ever takes the present as its clock (it advances its link
 * timelines to it), so both are modelled from fetch time, and the write's
 * duration is added after the last read: the device writes the
 * destination once it has read the sources.
 */
static u16 prepare_copy(struct nvmev_ctrl *ctrl, struct nvmev_io *io,
			u64 *t, u64 *bytes)
{
	const struct nvme_command *c = &io->cmd;
	struct copy_range0 *r = (void *)ctrl->dsm_buf;	/* dispatcher-private */
	u32 dw12 = cdw(c, 12);
	unsigned int nr = (dw12 & 0xff) + 1, i;
	u64 total, t_read, t_write;
	u16 st;

	BUILD_BUG_ON(NVMEV_COPY_MAX_RANGES * sizeof(*r) >
		     256 * sizeof(struct nvme_dsm_range));
	BUILD_BUG_ON(sizeof(*r) != 32);
	BUILD_BUG_ON(NVMEV_COPY_MAX_BYTES / UNIT + 2 * NVMEV_COPY_MAX_RANGES >
		     NVMEV_MAX_XFER_UNITS);
	if (c->common.flags & NVME_CMD_SGL_ALL)
		return SC_INVALID_FIELD;	/* PRPs only */
	if (COPY_DESFMT(dw12) != 0)
		return SC_INVALID_FIELD;	/* OCFS: format 0 only */
	if (nr > NVMEV_COPY_MAX_RANGES)
		return SC_CMD_SIZE_LIMIT;	/* MSRC */
	st = read_copy_ranges(ctrl, io, r, nr, &total);
	if (!st)
		st = check_range(io->ns, cmd_slba(c), total);
	for (i = 0; !st && i < nr; i++)
		st = nvmev_io_bad_read(ctrl, io, copy_slba(&r[i]),
				       copy_nlb(&r[i]));
	if (st)
		return st;
	nvmev_io_rewritten(io->ns, cmd_slba(c), total);
	*bytes = total << io->ns->lba_shift;
	/*
	 * Before the model calls: the write maps what it covers.  Holes
	 * first: a source in an edge unit of the destination that is
	 * unmapped reads as zeroes, whatever write_edges() leaves there.
	 */
	copy_holes(ctrl, io, r, nr);
	write_edges(ctrl, ns_off(io->ns, cmd_slba(c)), *bytes);
	t_read = io->t_fetch;
	for (i = 0; i < nr; i++)
		t_read = max(t_read, nvmev_model_rw(ctrl, nvme_cmd_read,
						    ns_off(io->ns, copy_slba(&r[i])),
						    (u64)copy_nlb(&r[i]) << io->ns->lba_shift,
						    false, io->t_fetch));
	t_write = nvmev_model_rw(ctrl, nvme_cmd_write,
				 ns_off(io->ns, cmd_slba(c)), *bytes,
				 dw12 & RW_FUA, io->t_fetch);
	*t = t_read + (max(t_write, io->t_fetch) - io->t_fetch);
	return SC_SUCCESS;
}

u16 nvmev_io_prepare(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	u8 op = c->common.opcode;
	u32 nsid = le32_to_cpu(c->common.nsid);
	struct nvmev_ns *ns = nvmev_ns_active(ctrl, nsid);
	u64 t = io->t_fetch, bytes = 0;
	u16 st;

	NVMEV_FN();
	io->ns = ns;
	if (ctrl->zoned) {	/* every command: the model is not an FTL */
		st = nvmev_zns_prepare(ctrl, io, &t, &bytes);
		if (op == nvme_cmd_zone_append)
			op = nvme_cmd_write;	/* counted as one */
		goto done;
	}
	if (unlikely(READ_ONCE(ctrl->faults.on))) {
		st = nvmev_fault_pre(ctrl, io);
		if (st) {
			bytes = ns ? (u64)cmd_nlb(c) << ns->lba_shift : 0;
			goto done;
		}
	}
	switch (op) {
	case nvme_cmd_flush:
		/* the write cache is the controller's: one flush for all */
		st = (ns || nsid == 0xffffffff) ? SC_SUCCESS : SC_INVALID_NS;
		if (!st)
			t = nvmev_model_rw(ctrl, op, 0, 0, false, io->t_fetch);
		break;
	case nvme_cmd_read:
	case nvme_cmd_compare:
	case nvme_cmd_write:
	case nvme_cmd_write_zeroes:
		if (!ns) {
			st = SC_INVALID_NS;
			break;
		}
		st = prepare_rw(ctrl, io, op != nvme_cmd_write_zeroes);
		bytes = (u64)cmd_nlb(c) << ns->lba_shift;
		if (st)
			break;
		/* before the model call: a write maps what it covers */
		prepare_holes(ctrl, io, ns_off(ns, cmd_slba(c)), bytes);
		/* write cache disabled (feature 06h): every write is FUA */
		t = nvmev_model_rw(ctrl, op, ns_off(ns, cmd_slba(c)), bytes,
				   (cdw(c, 12) & RW_FUA) || !ctrl->feat.vwc,
				   io->t_fetch);
		break;
	case nvme_cmd_dsm:
		st = ns ? prepare_dsm(ctrl, io, &t) : SC_INVALID_NS;
		break;
	case nvme_cmd_verify:
		st = ns ? prepare_verify(ctrl, io, &t) : SC_INVALID_NS;
		if (ns)
			bytes = (u64)cmd_nlb(c) << ns->lba_shift;
		break;
	case NVMEV_CMD_COPY:
		st = ns ? prepare_copy(ctrl, io, &t, &bytes) : SC_INVALID_NS;
		break;
	default:
		st = SC_INVALID_OPCODE;
		break;
	}
done:
	trace_nvmev_cmd_fetch(io->sqid, c->common.command_id,
			      c->common.opcode, nsid, ns ? cmd_slba(c) : 0,
			      bytes);
	if (st) {
		if (ns)
			ns->stats.errors++;
		/* errors complete at once, never retried by the model */
		io->t_target = io->t_fetch;
		return st;
	}
	if (op == nvme_cmd_read) {
		atomic64_inc(&ctrl->stats.host_read_cmds);
		atomic64_add(bytes >> 9, &ctrl->stats.data_units_read);
		ns->stats.read_cmds++;
		ns->stats.read_bytes += bytes;
	} else if (op == nvme_cmd_write) {
		atomic64_inc(&ctrl->stats.host_write_cmds);
		atomic64_add(bytes >> 9, &ctrl->stats.data_units_written);
		ns->stats.write_cmds++;
		ns->stats.write_bytes += bytes;
	} else if (ns) {
		ns->stats.other_cmds++;
	}
	io->t_target = max(t, io->t_fetch);
	if (unlikely(READ_ONCE(ctrl->faults.on)))
		nvmev_fault_post(ctrl, io);
	atomic64_add(io->t_target - io->t_fetch, &ctrl->stats.busy_ns);
	return SC_SUCCESS;
}

/* ---- data phase --------------------------------------------------------- */

/*
 * Data phase of a read or compare over storage with holes: @priv is the
 * cursor; host chunks are split at unit boundaries, and unmapped units
 * are zeroes.
 */
struct hole_xfer {
	struct nvmev_ctrl *ctrl;
	const struct nvmev_io *io;
	u64 off;		/* storage offset of the next byte */
	u64 first_unit;
	bool compare;
};

static int hole_fn(void *host, size_t len, void *priv)
{
	struct hole_xfer *x = priv;

	while (len) {
		u64 unit = x->off / UNIT;
		size_t n = min_t(u64, len, UNIT - (x->off & (UNIT - 1)));
		bool hole = (x->io->flags & NVMEV_IO_HOLES) &&
			    test_bit(unit - x->first_unit, x->io->unmapped);
		u8 *dev = x->ctrl->storage + x->off;

		if (x->compare) {
			if (hole ? memchr_inv(host, 0, n) != NULL :
				   memcmp(host, dev, n) != 0)
				return SC_COMPARE_FAILED;
		} else if (hole) {
			nvmev_zero(host, n);
		} else {
			nvmev_copy(host, dev, n);
		}
		host += n;
		len -= n;
		x->off += n;
	}
	return 0;
}

static u16 do_rw(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	size_t len = (size_t)cmd_nlb(c) << io->ns->lba_shift;
	u64 off = ns_off(io->ns, cmd_slba(c));
	struct hole_xfer x = {
		.ctrl = ctrl, .io = io, .off = off, .first_unit = off / UNIT,
	};

	NVMEV_FN();
	switch (c->common.opcode) {
	case nvme_cmd_read:
		if (io->flags & NVMEV_IO_HOLES)
			return nvmev_prp_walk(ctrl, cmd_prp1(c), cmd_prp2(c),
					      len, NVMEV_TO_HOST, hole_fn, &x);
		return nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), len,
				      ctrl->storage + off, NVMEV_TO_HOST);
	case nvme_cmd_write:
		return nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), len,
				      ctrl->storage + off, NVMEV_FROM_HOST);
	default:	/* compare reads host memory */
		x.compare = true;
		return nvmev_prp_walk(ctrl, cmd_prp1(c), cmd_prp2(c), len,
				      NVMEV_FROM_HOST, hole_fn, &x);
	}
}

/*
 * Deallocate or zero [off, off+len): the model unmapped the whole units
 * inside (they read as zeroes from now on); the partial units at either
 * end stay mapped, so their covered bytes are zeroed in the storage.  At
 * most two units' worth of memset, whatever the length.
 */
static void zero_partial_units(struct nvmev_ctrl *ctrl, u64 off, u64 len)
{
	u64 end = off + len;
	u64 head_end = min(end, round_up(off, UNIT));
	u64 tail_start = max(round_down(end, UNIT), head_end);

	if (off < head_end)
		nvmev_zero(ctrl->storage + off, head_end - off);
	if (tail_start < end)
		nvmev_zero(ctrl->storage + tail_start, end - tail_start);
}

static u16 do_write_zeroes(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;

	NVMEV_FN();
	zero_partial_units(ctrl, ns_off(io->ns, cmd_slba(c)),
			   (u64)cmd_nlb(c) << io->ns->lba_shift);
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
	st = read_dsm_ranges(ctrl, io, r, nr);
	/* deallocated blocks read back as zeroes (DLFEAT = 1) */
	for (i = 0; !st && i < nr; i++)
		zero_partial_units(ctrl, ns_off(io->ns, le64_to_cpu(r[i].slba)),
				   (u64)le32_to_cpu(r[i].nlb) << io->ns->lba_shift);
	kfree(r);
	return st;
}

/*
 * Gather the Copy sources, in order, to @dst: each as the dispatcher saw
 * it at fetch time (an unmapped unit reads as zeroes).
 */
static void copy_gather(struct nvmev_ctrl *ctrl, const struct nvmev_io *io,
			const struct copy_range0 *r, unsigned int nr, u8 *dst)
{
	unsigned int i, n, base = 0;
	u64 first;

	for (i = 0; i < nr; i++) {
		u64 off = ns_off(io->ns, copy_slba(&r[i]));
		u64 len = (u64)copy_nlb(&r[i]) << io->ns->lba_shift;

		copy_units(io->ns, &r[i], &first, &n);
		while (len) {
			size_t k = min_t(u64, len, UNIT - (off & (UNIT - 1)));
			unsigned int bit = base + (off / UNIT - first);

			if ((io->flags & NVMEV_IO_HOLES) &&
			    bit < NVMEV_MAX_XFER_UNITS &&
			    test_bit(bit, io->unmapped))
				nvmev_zero(dst, k);
			else
				nvmev_copy(dst, ctrl->storage + off, k);
			dst += k;
			off += k;
			len -= k;
		}
		base += n;
	}
}

/*
 * Copy's data phase, storage to storage.  The destination's edge units
 * that were unmapped have the rest zeroed, as a Write's have.  When a
 * source overlaps the destination, every source is read (into a bounce
 * buffer) before the destination is written: the NVMe specification
 * leaves overlap undefined, nvmev copies as memmove() would, over the
 * whole command.  MCL bounds the work: at most 1 MiB moved, twice when
 * bounced.
 */
static u16 do_copy(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	unsigned int nr = (cdw(c, 12) & 0xff) + 1, i;
	u64 doff = ns_off(io->ns, cmd_slba(c)), dend, total;
	struct copy_range0 *r;
	u8 *bounce = NULL;
	u16 st;

	NVMEV_FN();
	r = kmalloc_array(nr, sizeof(*r), GFP_KERNEL);
	if (!r)
		return SC_INTERNAL;
	/*
	 * The host must not change the list while the command is in flight;
	 * checked again all the same, so storage stays within bounds.
	 */
	st = read_copy_ranges(ctrl, io, r, nr, &total);
	if (!st)
		st = check_range(io->ns, cmd_slba(c), total);
	if (st)
		goto out;
	dend = doff + (total << io->ns->lba_shift);
	for (i = 0; i < nr && !bounce; i++) {
		u64 s = ns_off(io->ns, copy_slba(&r[i]));
		u64 e = s + ((u64)copy_nlb(&r[i]) << io->ns->lba_shift);

		if (s < dend && doff < e) {
			bounce = kvmalloc(dend - doff, GFP_KERNEL);
			if (!bounce) {
				st = SC_INTERNAL;
				goto out;
			}
			copy_gather(ctrl, io, r, nr, bounce);
		}
	}
	if (bounce)
		nvmev_copy(ctrl->storage + doff, bounce, dend - doff);
	else
		copy_gather(ctrl, io, r, nr, ctrl->storage + doff);
	kvfree(bounce);
out:
	kfree(r);
	return st;
}

/* store=none: what goes to the host is zeroes, what comes is dropped. */
static int dataless_fn(void *host, size_t len, void *priv)
{
	switch (*(u8 *)priv) {
	case nvme_cmd_read:
		nvmev_zero(host, len);
		return 0;
	case nvme_cmd_compare:
		return memchr_inv(host, 0, len) ? SC_COMPARE_FAILED : 0;
	default:		/* write, zone append: the PRPs are walked all the same */
		return 0;
	}
}

/*
 * The data phase without storage (store=none): the host's buffers are
 * walked as the command describes them (a bad PRP fails as it would with
 * data), reads fill them with zeroes, compares compare with zeroes, writes
 * keep nothing; Write Zeroes, Dataset Management and Copy have nothing to
 * do.
 */
static u16 dataless_execute(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	u8 op = c->common.opcode;
	enum nvmev_dir dir = op == nvme_cmd_read ? NVMEV_TO_HOST : NVMEV_FROM_HOST;

	switch (op) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
	case nvme_cmd_write:
	case nvme_cmd_zone_append:
		return nvmev_prp_walk(ctrl, cmd_prp1(c), cmd_prp2(c),
				      (size_t)cmd_nlb(c) << io->ns->lba_shift,
				      dir, dataless_fn, &op);
	default:
		return SC_SUCCESS;
	}
}

void nvmev_io_execute(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	u16 st = io->status;

	NVMEV_FN();
	if (!st && ctrl->dataless) {
		st = dataless_execute(ctrl, io);
	} else if (!st && io->ns && io->ns->zoned) {
		st = nvmev_zns_execute(ctrl, io);
	} else if (!st) {
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
		case NVMEV_CMD_COPY:
			st = do_copy(ctrl, io);
			break;
		default:	/* flush: storage is the reserved region; verify */
			break;
		}
	}
	io->status = st;
	if (st)
		nvmev_record_error(ctrl, io->sqid, c->common.command_id, st,
				   io->flags & NVMEV_IO_ERR_LBA ? io->err_lba :
								 cmd_slba(c),
				   le32_to_cpu(c->common.nsid));
}
