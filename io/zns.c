// SPDX-License-Identifier: GPL-2.0
/*
 * Zoned Namespace Command Set I/O (NVMe ZNS 1.1): the commands of a
 * zoned namespace (kind=zns).  As in io/io.c, nvmev_zns_prepare() runs on
 * the dispatcher at fetch time: the zoned model (ftl/zns.c) checks the
 * command against the zone states and write pointers, moves them and
 * says when the command completes; a refused command completes at once
 * with the model's status (Zone Invalid Write, Zone Boundary Error, Zone
 * Is Full, Too Many Open/Active Zones, Invalid Zone State Transition...).
 * nvmev_zns_execute() runs on a worker and moves the data.
 *
 * Data placement: zone i's capacity is stored at i * zone_cap in the
 * controller's storage; LBAs at or past a zone's write pointer hold no
 * data and read as zeroes (the storage behind them is never cleared: a
 * reset only moves the write pointer).
 *
 * Commands: Read, Write, Write Zeroes (a write of zeroes at the write
 * pointer), Compare, Verify, Flush, Zone Management Send (close, finish,
 * open, reset, offline; one zone or Select All), Zone Management Receive
 * (Report Zones with the state filters 0h-7h and Partial Report) and Zone
 * Append (the LBA written in DW0-1 of the completion).  No Dataset
 * Management, no Copy, no zone descriptor extensions.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sched.h>

#include "../core/nvmev.h"
#include "../core/model.h"
#include "../trace/nvmev_trace.h"
#include "io.h"

/* CC.CSS selected the NVM command set only: no zoned I/O (NVMe 2.0) */
#define SC_INVALID_IOCS		NVMEV_ERR(NVMEV_SCT_GENERIC, 0x2c)

#define ZONE_DESC_BYTES		64
#define REPORT_HDR_BYTES	64

static u16 zstatus(enum zns_status s)
{
	return s == ZNS_OK ? SC_SUCCESS : NVMEV_ERR(zns_status_sct(s), s);
}

/* Storage offset of LBA @lba: zone i's capacity at i * zone_cap. */
static u64 zoff(const struct zns *z, u64 lba)
{
	u32 zone = zns_zone_of(z, lba);

	return (u64)zone * z->zp.zone_cap +
	       ((lba - zns_zslba(z, zone)) << z->lba_shift);
}

/* Zone Management Send: one zone (SLBA its first LBA) or Select All. */
static u16 zone_send(struct zns *z, const struct nvmev_io *io, u64 *t)
{
	const struct nvme_command *c = &io->cmd;
	u8 zsa = c->zms.zsa;
	bool all = c->zms.select_all & 1;

	/* Set Zone Descriptor Extension: none offered (ZDES 0) */
	if (zsa < NVME_ZONE_CLOSE || zsa > NVME_ZONE_OFFLINE)
		return SC_INVALID_FIELD;
	return zstatus(zns_mgmt_send(z, cmd_slba(c), zsa, all, io->t_fetch, t));
}

static void put_desc(u8 *p, const struct zns_zone_desc *d)
{
	struct nvme_zone_descriptor *e = (void *)p;

	e->zt = d->zt;
	e->zs = d->zs << 4;
	e->za = d->za;
	e->zcap = cpu_to_le64(d->zcap);
	e->zslba = cpu_to_le64(d->zslba);
	e->wp = cpu_to_le64(d->wp);
}

/*
 * Zone Management Receive, Report Zones: built here on the dispatcher, so
 * that it shows the zones as they were when the command was fetched, and
 * sent to the host at once (MDTS bounds it).  The header's Number of
 * Zones counts every matching zone from SLBA on, or with Partial Report
 * those in the buffer.  Filters 0h-7h (all, or one zone state); the
 * Extended Report (ZRA 1h) needs descriptor extensions, which there are
 * none of.
 */
static u16 zone_recv(struct nvmev_ctrl *ctrl, struct zns *z,
		     const struct nvmev_io *io, u64 *t)
{
	const struct nvme_command *c = &io->cmd;
	u64 bytes = ((u64)le32_to_cpu(c->zmr.numd) + 1) * 4, nr_zones = 0;
	u32 max, i;
	struct zns_zone_desc *d;
	enum zns_status zs;
	size_t len;
	u8 *buf;
	u16 st;

	if (c->common.flags & NVME_CMD_SGL_ALL)
		return SC_INVALID_FIELD;
	if (c->zmr.zra != NVME_ZRA_ZONE_REPORT ||
	    c->zmr.zrasf > NVME_ZRASF_ZONE_STATE_OFFLINE)
		return SC_INVALID_FIELD;
	if (nvmev_io_beyond_mdts(ctrl, bytes))
		return SC_INVALID_FIELD;
	max = bytes > REPORT_HDR_BYTES ?
	      (bytes - REPORT_HDR_BYTES) / ZONE_DESC_BYTES : 0;
	max = min(max, z->nr_zones);
	len = round_up(max_t(u64, bytes, REPORT_HDR_BYTES), ZONE_DESC_BYTES);
	buf = kvzalloc(len, GFP_KERNEL);
	d = kvmalloc_array(max_t(u32, max, 1), sizeof(*d), GFP_KERNEL);
	if (!buf || !d) {
		st = SC_INTERNAL;
		goto out;
	}
	zs = zns_report(z, cmd_slba(c), c->zmr.zrasf, c->zmr.pr & 1, d, max,
			&nr_zones, io->t_fetch, t);
	st = zstatus(zs);
	if (st)
		goto out;
	*(__le64 *)buf = cpu_to_le64(nr_zones);
	for (i = 0; i < max && i < nr_zones; i++)
		put_desc(buf + REPORT_HDR_BYTES + i * ZONE_DESC_BYTES, &d[i]);
	st = nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), bytes, buf,
			    NVMEV_TO_HOST);
out:
	kvfree(d);
	kvfree(buf);
	return st;
}

/* A data transfer: PRPs only, within MDTS (and ZASL = MDTS). */
static u16 check_xfer(struct nvmev_ctrl *ctrl, const struct nvmev_io *io)
{
	if (io->cmd.common.flags & NVME_CMD_SGL_ALL)
		return SC_INVALID_FIELD;
	if (nvmev_io_beyond_mdts(ctrl, (u64)cmd_nlb(&io->cmd) <<
					io->ns->lba_shift))
		return SC_INVALID_FIELD;
	return SC_SUCCESS;
}

/*
 * Dispatcher, at fetch, every I/O command of a zoned controller (io->ns
 * NULL: no such active namespace): validate against the zones, run the
 * model.  *t: model completion time; *bytes: data bytes (trace).
 */
u16 nvmev_zns_prepare(struct nvmev_ctrl *ctrl, struct nvmev_io *io, u64 *t,
		      u64 *bytes)
{
	const struct nvme_command *c = &io->cmd;
	struct zns *z = nvmev_zns(ctrl);
	u64 slba = cmd_slba(c), now = io->t_fetch, lba;
	u32 nlb = cmd_nlb(c);
	bool fua = cdw(c, 12) & RW_FUA;
	enum zns_status zs;
	u16 st;

	NVMEV_FN();
	*t = now;
	if (!io->ns) {		/* a flush may name every namespace */
		if (c->common.opcode == nvme_cmd_flush &&
		    le32_to_cpu(c->common.nsid) == 0xffffffff) {
			*t = zns_flush(z, now);
			return SC_SUCCESS;
		}
		return SC_INVALID_NS;
	}
	if (!ctrl->iocs_all)
		return SC_INVALID_IOCS;
	switch (c->common.opcode) {
	case nvme_cmd_flush:
		*t = zns_flush(z, now);
		return SC_SUCCESS;
	case nvme_cmd_verify:
		/* nothing to the host; VSL = MDTS, as on the NVM set */
		if (nvmev_io_beyond_mdts(ctrl, (u64)nlb << z->lba_shift))
			return SC_INVALID_FIELD;
		*bytes = (u64)nlb << z->lba_shift;
		zs = zns_read(z, slba, nlb, now, NULL, t);
		return zs ? zstatus(zs) : nvmev_io_bad_read(ctrl, io, slba, nlb);
	case nvme_cmd_read:
	case nvme_cmd_compare:
		st = check_xfer(ctrl, io);
		if (st)
			return st;
		*bytes = (u64)nlb << z->lba_shift;
		zs = zns_read(z, slba, nlb, now, &io->data_lbas, t);
		return zs ? zstatus(zs) : nvmev_io_bad_read(ctrl, io, slba, nlb);
	case nvme_cmd_write:
		st = check_xfer(ctrl, io);
		if (st)
			return st;
		fallthrough;
	case nvme_cmd_write_zeroes:
		*bytes = (u64)nlb << z->lba_shift;
		zs = zns_write(z, slba, nlb, now, fua, t);
		if (zs == ZNS_OK)
			nvmev_io_rewritten(io->ns, slba, nlb);
		return zstatus(zs);
	case nvme_cmd_zone_append:
		st = check_xfer(ctrl, io);
		if (st)
			return st;
		*bytes = (u64)nlb << z->lba_shift;
		zs = zns_append(z, slba, nlb, now, fua, &lba, t);
		if (zs == ZNS_OK) {
			io->result = lba;
			nvmev_io_rewritten(io->ns, lba, nlb);
		}
		return zstatus(zs);
	case nvme_cmd_zone_mgmt_send:
		return zone_send(z, io, t);
	case nvme_cmd_zone_mgmt_recv:
		return zone_recv(ctrl, z, io, t);
	default:	/* Dataset Management, Copy: not on a zoned namespace */
		return SC_INVALID_OPCODE;
	}
}

/* ---- data phase ----------------------------------------------------------- */

/* Read or compare: @data bytes from the storage, zeroes after them. */
struct zread {
	const u8 *dev;
	u64 data;		/* bytes that hold data, left */
	bool compare;
};

static int zread_fn(void *host, size_t len, void *priv)
{
	struct zread *x = priv;
	size_t n = min_t(u64, len, x->data);

	if (x->compare) {
		if ((n && memcmp(host, x->dev, n)) ||
		    (len > n && memchr_inv(host + n, 0, len - n)))
			return SC_COMPARE_FAILED;
	} else {
		if (n)
			nvmev_copy(host, x->dev, n);
		if (len > n)
			nvmev_zero(host + n, len - n);
	}
	x->dev += n;
	x->data -= n;
	return 0;
}

/* Zeroes into the storage, 1 MiB at a time (up to a zone's capacity). */
static void zero_storage(u8 *dst, u64 len)
{
	while (len) {
		size_t n = min_t(u64, len, SZ_1M);

		nvmev_zero(dst, n);
		dst += n;
		len -= n;
		cond_resched();
	}
}

/* Worker: the data of a command nvmev_zns_prepare() accepted. */
u16 nvmev_zns_execute(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	const struct nvme_command *c = &io->cmd;
	const struct zns *z = nvmev_zns(ctrl);
	u64 len = (u64)cmd_nlb(c) << z->lba_shift;
	u64 slba = cmd_slba(c);
	struct zread x = { };

	NVMEV_FN();
	switch (c->common.opcode) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
		x.dev = ctrl->storage + zoff(z, slba);
		x.data = min_t(u64, io->data_lbas, cmd_nlb(c)) << z->lba_shift;
		x.compare = c->common.opcode == nvme_cmd_compare;
		return nvmev_prp_walk(ctrl, cmd_prp1(c), cmd_prp2(c), len,
				      x.compare ? NVMEV_FROM_HOST : NVMEV_TO_HOST,
				      zread_fn, &x);
	case nvme_cmd_write:
		return nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), len,
				      ctrl->storage + zoff(z, slba),
				      NVMEV_FROM_HOST);
	case nvme_cmd_zone_append:
		return nvmev_prp_xfer(ctrl, cmd_prp1(c), cmd_prp2(c), len,
				      ctrl->storage + zoff(z, io->result),
				      NVMEV_FROM_HOST);
	case nvme_cmd_write_zeroes:
		zero_storage(ctrl->storage + zoff(z, slba), len);
		return SC_SUCCESS;
	default:	/* flush, verify, zone management: done at fetch */
		return SC_SUCCESS;
	}
}
