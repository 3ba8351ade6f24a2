// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded media and controller faults (configfs <controller>/faults/, see
 * Documentation/faults.rst, "Injected faults").
 *
 * Every decision is drawn on the dispatcher, in the order commands are
 * fetched, from one xorshift64* generator per controller: the same seed
 * and the same command sequence give the same faults.  Writing the seed
 * restarts the generator.  Nothing here costs anything while every knob is
 * 0 (one test of ctrl->faults.on per command).
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/kernel.h>

#include "nvmev.h"
#include "../io/io.h"

#define SC_WRITE_FAULT		NVMEV_ERR(NVMEV_SCT_MEDIA, 0x80)

static u64 next(struct nvmev_faults *f)
{
	u64 x = f->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* true with probability @ppm / 10^6 */
static bool draw(struct nvmev_faults *f, u32 ppm)
{
	return ppm && (u32)((next(f) >> 32) % 1000000) < ppm;
}

void nvmev_faults_reseed(struct nvmev_faults *f)
{
	f->rng = f->seed ? f->seed : 0x9E3779B97F4A7C15ULL;
}

/* Recompute the one flag the I/O path tests. */
void nvmev_faults_update(struct nvmev_faults *f)
{
	WRITE_ONCE(f->on, f->read_error_ppm || f->write_error_ppm ||
		   f->latency_ppm || atomic64_read(&f->read_error_after) ||
		   atomic64_read(&f->stuck_after));
}

/* counts down; true when this one is the Nth */
static bool countdown(atomic64_t *c)
{
	return atomic64_read(c) && atomic64_dec_if_positive(c) == 0;
}

static u16 media_error(struct nvmev_ctrl *ctrl, struct nvmev_io *io, u64 lba,
		       u16 status)
{
	io->err_lba = lba;
	io->flags |= NVMEV_IO_ERR_LBA;
	atomic64_inc(&ctrl->stats.media_errors);
	return status;
}

/*
 * Before the command runs (dispatcher): an injected read error or write
 * fault, or 0.  Only for commands that would otherwise go ahead on a
 * namespace, inside its range: a failed write changes nothing.
 */
u16 nvmev_fault_pre(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	struct nvmev_faults *f = &ctrl->faults;
	const struct nvme_command *c = &io->cmd;
	u8 op = c->common.opcode;
	u64 slba = cmd_slba(c), lba;
	u32 nlb = cmd_nlb(c);
	bool rd = op == nvme_cmd_read || op == nvme_cmd_compare ||
		  op == nvme_cmd_verify;
	bool fire;

	if (!io->ns || (!rd && op != nvme_cmd_write) || !nlb ||
	    slba >= io->ns->nr_lbas || nlb > io->ns->nr_lbas - slba)
		return SC_SUCCESS;
	if (rd) {
		/* both draws happen, so one knob does not shift the other */
		fire = countdown(&f->read_error_after);
		fire |= draw(f, f->read_error_ppm);
		if (!fire)
			return SC_SUCCESS;
		lba = slba + (next(f) >> 33) % nlb;
		if (f->sticky)	/* as real media: bad until rewritten */
			badblocks_set(&io->ns->bb, lba, 1, 0);
		f->read_errors++;
		return media_error(ctrl, io, lba, SC_UNRECOVERED_READ);
	}
	if (!draw(f, f->write_error_ppm))
		return SC_SUCCESS;
	f->write_errors++;
	f->retired_pages++;	/* the page that failed to program */
	return media_error(ctrl, io, slba, SC_WRITE_FAULT);
}

/* After a command was prepared: a latency outlier, a lost command. */
void nvmev_fault_post(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	struct nvmev_faults *f = &ctrl->faults;

	if (draw(f, f->latency_ppm)) {
		u64 base = (u64)f->latency_us * 1000;

		/* uniform in [latency_us, 2 * latency_us) */
		io->t_target += base + (next(f) >> 32) % (base ? base : 1);
		f->delayed++;
	}
	if (countdown(&f->stuck_after)) {
		io->flags |= NVMEV_IO_STUCK;
		f->stuck++;
		pr_info("%s: injected: command %u on SQ %u will never complete\n",
			ctrl->name, io->cmd.common.command_id, io->sqid);
	}
}
