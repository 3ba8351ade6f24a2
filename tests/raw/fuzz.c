// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded fuzzer over the raw driver.  Every random choice comes from one
 * xorshift64* generator seeded with --seed, so a run is replayed by giving
 * the same seed and count (the device's own timing can still differ, so a
 * replay takes the same decisions but may see other completions).
 *
 * What it does, per step: submit a random I/O command on a random live
 * SQ, or a random admin command, create or delete queues, write a random
 * value into a doorbell, toggle CC.EN or Bus Master Enable, or consume
 * completions.  Fields are random; PRPs point only into memory the fuzzer
 * owns: data pages for data, list pages for PRP lists.  Every list page is
 * full of data-page addresses and chains to another list page, and a PRP2
 * is taken from the list pages only when the device will read it as a
 * list, so the device never writes into a list page and no walk can leave
 * the fuzzer's memory.
 *
 * The fuzzer fails when the controller cannot be brought back (CC.EN 0->1
 * does not give RDY), and prints counts of what it saw: statuses,
 * timeouts, fatal states, completions it cannot match.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw.h"

#define FZ_QUEUES	8
#define FZ_DATA_PAGES	256		/* 1 MiB of data pages */
#define FZ_LIST_PAGES	16

struct fz {
	struct raw_dev *d;
	uint64_t s;			/* PRNG state */
	struct raw_mem data, lists;
	/* outstanding cids per SQ (cid -> 1), to match completions */
	uint8_t out[FZ_QUEUES + 1][65536 / 8];
	uint16_t next_cid;
	bool bme_off;
	unsigned long bme_on_at;	/* step at which BME goes on again */
	unsigned long n_io, n_admin, n_cqe, n_err, n_unmatched, n_timeout,
		      n_cfs, n_resets, n_doorbell, n_create, n_delete, n_bme;
	unsigned long st_hist[8];
};

static uint64_t r64(struct fz *f)
{
	uint64_t x = f->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	f->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t rn(struct fz *f, uint32_t n)	/* [0, n) */
{
	return n ? (uint32_t)(r64(f) % n) : 0;
}

static bool chance(struct fz *f, unsigned int pct)
{
	return rn(f, 100) < pct;
}

static void out_set(struct fz *f, unsigned int q, uint16_t cid, bool on)
{
	if (on)
		f->out[q][cid / 8] |= 1 << (cid % 8);
	else
		f->out[q][cid / 8] &= ~(1 << (cid % 8));
}

static bool out_test(struct fz *f, unsigned int q, uint16_t cid)
{
	return f->out[q][cid / 8] & (1 << (cid % 8));
}

/* a data address: page aligned mostly, sometimes any dword, rarely odd */
static uint64_t data_addr(struct fz *f)
{
	uint64_t pa = f->data.pa + (uint64_t)rn(f, FZ_DATA_PAGES) * RAW_PAGE;

	if (chance(f, 70))
		return pa;
	if (chance(f, 80))
		return pa + rn(f, RAW_PAGE / 4) * 4;
	return pa + rn(f, RAW_PAGE);
}

static uint64_t list_addr(struct fz *f)
{
	uint64_t pa = f->lists.pa + (uint64_t)rn(f, FZ_LIST_PAGES) * RAW_PAGE;

	if (chance(f, 50))
		return pa;
	if (chance(f, 90))
		return pa + rn(f, RAW_PAGE / 8) * 8;
	return pa + rn(f, RAW_PAGE);
}

/* (re)fill the list pages: data addresses, slot 511 chains onwards */
static void fill_lists(struct fz *f)
{
	unsigned int p, i;

	for (p = 0; p < FZ_LIST_PAGES; p++) {
		uint64_t *e = (uint64_t *)((uint8_t *)f->lists.va + p * RAW_PAGE);

		for (i = 0; i < 511; i++) {
			e[i] = f->data.pa + (uint64_t)rn(f, FZ_DATA_PAGES) * RAW_PAGE;
			if (chance(f, 1))
				e[i] += 4 * (1 + rn(f, 1023));	/* misaligned */
		}
		e[511] = f->lists.pa + (uint64_t)rn(f, FZ_LIST_PAGES) * RAW_PAGE;
	}
}

/* PRP1/PRP2 for a transfer of len bytes, as the device will read them */
static void prps(struct fz *f, uint64_t len, uint64_t *p1, uint64_t *p2)
{
	uint64_t first;

	*p1 = data_addr(f);
	first = RAW_PAGE - (*p1 & (RAW_PAGE - 1));
	if (chance(f, 3)) {
		*p2 = chance(f, 50) ? 0 : data_addr(f);
		if (len > first + RAW_PAGE)
			*p2 = list_addr(f);	/* the device reads a list */
		return;
	}
	if (len <= first)
		*p2 = chance(f, 90) ? 0 : data_addr(f);
	else if (len <= first + RAW_PAGE)
		*p2 = data_addr(f);
	else
		*p2 = list_addr(f);
}

static uint16_t cid_for(struct fz *f, unsigned int q)
{
	unsigned int tries;

	for (tries = 0; tries < 8; tries++) {
		uint16_t cid = f->next_cid++;

		/* 0xa0xx is the library's AER range */
		if ((cid & 0xff00) == 0xa000 || out_test(f, q, cid))
			continue;
		return cid;
	}
	return f->next_cid++;
}

/* consume every visible completion of CQ q; match it against outstanding */
static void reap(struct fz *f, unsigned int q)
{
	struct raw_dev *d = f->d;
	struct raw_cqe e;
	unsigned int n = 0;

	if (!d->cq[q].live)
		return;
	while (n < d->cq[q].size && raw_cq_peek(d, q, &e)) {
		uint16_t st = e.status >> 1;

		raw_cq_advance(d, q);
		n++;
		f->n_cqe++;
		f->st_hist[ST_SCT(st)]++;
		if (st)
			f->n_err++;
		if (e.sq_id <= FZ_QUEUES && out_test(f, e.sq_id, e.cid)) {
			out_set(f, e.sq_id, e.cid, false);
			if (e.sq_head < d->sq[e.sq_id].size)
				d->sq[e.sq_id].head = e.sq_head;
		} else if (!(q == 0 && (e.cid & 0xff00) == 0xa000)) {
			f->n_unmatched++;
			if (f->n_unmatched <= 5)
				raw_log("unmatched completion on CQ %u: sqid %u cid 0x%x status %s",
					q, e.sq_id, e.cid, raw_status_str(st));
		}
	}
	if (n)
		raw_cq_ring(d, q);
}

static void reap_all(struct fz *f)
{
	unsigned int q;

	for (q = 0; q <= FZ_QUEUES; q++)
		reap(f, q);
}

static void forget_all(struct fz *f)
{
	memset(f->out, 0, sizeof(f->out));
}

/* CC.EN 0 -> 1, Number of Queues, a few queues; false if it won't come up */
static bool restart(struct fz *f, const char *why)
{
	struct raw_dev *d = f->d;
	unsigned int q, nq;

	f->n_resets++;
	if (raw_verbose)
		raw_log("reset (%s), CSTS 0x%x", why, raw_r32(d, REG_CSTS));
	if (f->bme_off) {
		raw_set_bme(d, true);
		f->bme_off = false;
	}
	forget_all(f);
	if (raw_reset(d)) {
		raw_fail("controller does not come back after a reset (%s): CSTS 0x%x",
			 why, raw_r32(d, REG_CSTS));
		return false;
	}
	nq = 1 + rn(f, FZ_QUEUES);
	for (q = 1; q <= nq; q++) {
		uint32_t size = chance(f, 50) ? 2 + rn(f, 63) : 2 + rn(f, 1023);

		if (raw_new_cq(d, q, size) == 0)
			raw_new_sq(d, q, q, size);
	}
	return true;
}

static void io_cmd(struct fz *f)
{
	struct raw_dev *d = f->d;
	static const uint8_t ops[] = { IO_READ, IO_WRITE, IO_READ, IO_WRITE,
				       IO_FLUSH, IO_COMPARE, IO_WRITE_ZEROES,
				       IO_DSM };
	unsigned int q = 1 + rn(f, FZ_QUEUES), nlb;
	struct raw_cmd c;
	uint64_t len, p1, p2;
	uint32_t dw[16];
	unsigned int i;

	if (!d->sq[q].live)
		return;
	if (!raw_sq_room(d, q)) {
		reap(f, d->sq[q].cqid);
		if (!raw_sq_room(d, q))
			return;
	}
	memset(&c, 0, sizeof(c));
	c.opcode = chance(f, 95) ? ops[rn(f, sizeof(ops))] : (uint8_t)rn(f, 256);
	c.nsid = chance(f, 95) ? 1 : (chance(f, 50) ? 0xffffffff : (uint32_t)r64(f));
	if (chance(f, 90)) {
		nlb = chance(f, 70) ? 1 + rn(f, 64) :
		      1 + rn(f, (d->mdts_bytes >> d->lba_shift) + 16);
		c.cdw10 = rn(f, (uint32_t)(d->nsze - nlb + 1));
		if (chance(f, 3))
			c.cdw10 = (uint32_t)(d->nsze - rn(f, 8));
	} else {
		nlb = 1 + (r64(f) & 0xffff);
		c.cdw10 = (uint32_t)r64(f);
		c.cdw11 = chance(f, 50) ? 0 : (uint32_t)r64(f);
	}
	c.cdw12 = nlb - 1;
	if (chance(f, 5))
		c.cdw12 |= (uint32_t)r64(f) & 0xffff0000;	/* FUA, PRINFO... */
	len = (uint64_t)nlb << d->lba_shift;
	if (c.opcode == IO_DSM) {
		c.cdw10 = rn(f, 256);			/* ranges - 1 */
		c.cdw11 = chance(f, 80) ? 4 : (uint32_t)r64(f);
		len = (c.cdw10 + 1) * 16;
		/* the range list is read from a data page: make it plausible */
		for (i = 0; i < 8; i++) {
			uint64_t *rg = (uint64_t *)((uint8_t *)f->data.va +
				       rn(f, FZ_DATA_PAGES) * RAW_PAGE + rn(f, 256) * 16);

			rg[0] = (uint64_t)rn(f, 65536) << 32;	/* attr, nlb */
			rg[1] = rn(f, (uint32_t)d->nsze);
		}
	}
	prps(f, len, &p1, &p2);
	c.prp1 = p1;
	c.prp2 = p2;
	if (chance(f, 2))
		c.flags = (uint8_t)r64(f);		/* SGL bits, fused */
	if (chance(f, 2)) {
		memcpy(dw, &c, sizeof(dw));
		dw[rn(f, 16) < 2 ? 2 + rn(f, 2) : 13 + rn(f, 3)] = (uint32_t)r64(f);
		memcpy(&c, dw, sizeof(dw));
	}
	c.cid = cid_for(f, q);
	out_set(f, q, c.cid, true);
	raw_sq_put(d, q, &c);
	if (chance(f, 70))
		raw_sq_ring(d, q);
	f->n_io++;
}

static void admin_cmd(struct fz *f)
{
	struct raw_dev *d = f->d;
	static const uint8_t ops[] = { ADM_IDENTIFY, ADM_GET_FEAT, ADM_SET_FEAT,
				       ADM_GET_LOG, ADM_ABORT, ADM_AER,
				       ADM_IDENTIFY, ADM_GET_LOG };
	struct raw_cmd c;
	uint64_t len = 0, p1, p2;
	uint16_t st;

	if (f->bme_off)		/* it would only time out */
		return;
	memset(&c, 0, sizeof(c));
	c.opcode = chance(f, 95) ? ops[rn(f, sizeof(ops))] : (uint8_t)rn(f, 256);
	c.nsid = chance(f, 80) ? rn(f, 3) : (uint32_t)r64(f);
	switch (c.opcode) {
	case ADM_IDENTIFY:
		c.cdw10 = chance(f, 80) ? rn(f, 8) : (uint32_t)r64(f);
		c.cdw11 = chance(f, 80) ? 0 : (uint32_t)r64(f);
		len = 4096;
		break;
	case ADM_GET_FEAT:
		c.cdw10 = rn(f, 16) | (rn(f, 5) << 8);
		c.cdw11 = chance(f, 70) ? rn(f, 70) : (uint32_t)r64(f);
		break;
	case ADM_SET_FEAT:
		c.cdw10 = rn(f, 16) | (chance(f, 5) ? 1u << 31 : 0);
		/* Number of Queues re-grants: keep it mostly sane */
		c.cdw11 = chance(f, 50) ? rn(f, 400) : (uint32_t)r64(f);
		break;
	case ADM_GET_LOG: {
		uint64_t bytes = chance(f, 80) ? 4 * (1 + rn(f, 1024)) :
				 4 * (1 + rn(f, d->mdts_bytes / 2));

		raw_get_log_cmd(&c, chance(f, 80) ? rn(f, 6) : rn(f, 256), bytes, 0, 0);
		if (chance(f, 20))
			c.cdw12 = rn(f, 1024) * 4;	/* offset */
		if (chance(f, 30))
			c.cdw10 |= 1u << 15;		/* RAE */
		len = bytes;
		break;
	}
	case ADM_AER:
		/* a few may be outstanding: the library holds their cids */
		c.cid = 0xa000 | rn(f, 256);
		raw_sq_put(d, 0, &c);
		raw_sq_ring(d, 0);
		f->n_admin++;
		return;
	default:
		c.cdw10 = (uint32_t)r64(f);
		c.cdw11 = (uint32_t)r64(f);
		/*
		 * no data phase is expected for what the device rejects; a
		 * queue or log opcode drawn here gets safe pointers below
		 */
		len = RAW_PAGE;
		break;
	}
	prps(f, len, &p1, &p2);
	c.prp1 = p1;
	c.prp2 = p2;
	if (c.opcode == ADM_CREATE_SQ || c.opcode == ADM_CREATE_CQ ||
	    c.opcode == ADM_DELETE_SQ || c.opcode == ADM_DELETE_CQ) {
		/* queue management only through queue_op(): keep state known */
		c.opcode = ADM_GET_FEAT;
	}
	st = raw_admin(d, &c, NULL);
	f->n_admin++;
	if (st == ST_TIMEOUT)
		f->n_timeout++;
}

static void queue_op(struct fz *f)
{
	struct raw_dev *d = f->d;
	unsigned int q = 1 + rn(f, FZ_QUEUES), cq = 1 + rn(f, FZ_QUEUES);
	uint32_t size = chance(f, 50) ? 2 + rn(f, 63) : 2 + rn(f, 1023);
	uint16_t st;

	if (f->bme_off)		/* admin commands would only time out */
		return;
	if (chance(f, 5))
		size = 1 + rn(f, 2000);		/* invalid sizes too */
	if (d->sq[q].live && chance(f, 60)) {
		uint16_t cqid = d->sq[q].cqid;

		st = raw_delete_sq(d, q);
		f->n_delete++;
		if (!st) {
			/* what was posted before the delete completed is there */
			reap(f, cqid);
			memset(f->out[q], 0, sizeof(f->out[q]));
		}
	} else if (!d->sq[q].live && d->cq[cq].live && chance(f, 70)) {
		if (size > 1024)
			size = 1024;
		raw_new_sq(d, q, cq, size < 2 ? 2 : size);
		f->n_create++;
	} else if (d->cq[q].live) {
		st = raw_delete_cq(d, q);	/* refused while SQs use it */
		f->n_delete++;
		(void)st;
	} else {
		if (size > 1024)
			size = 1024;
		raw_new_cq(d, q, size < 2 ? 2 : size);
		f->n_create++;
	}
}

static void doorbell_op(struct fz *f)
{
	struct raw_dev *d = f->d;
	unsigned int q = rn(f, FZ_QUEUES + 2);
	bool cq = chance(f, 50);
	uint32_t v;

	/* mostly the right value (a no-op), sometimes nonsense */
	if (q <= FZ_QUEUES && chance(f, 50))
		v = cq ? d->cq[q].head : d->sq[q].tail;
	else if (chance(f, 50))
		v = rn(f, 1100);
	else
		v = (uint32_t)r64(f);
	raw_w32(d, cq ? raw_cq_db(d, q) : raw_sq_db(d, q), v);
	f->n_doorbell++;
	/* put the real value back after a moment, as a confused host might */
	raw_sleep_ms(rn(f, 3));
	if (q <= FZ_QUEUES)
		raw_w32(d, cq ? raw_cq_db(d, q) : raw_sq_db(d, q),
			cq ? d->cq[q].head : d->sq[q].tail);
}

/*
 * Strict mode: ring every SQ, turn Bus Master on and wait until every
 * command on a live SQ has completed; returns how many never did.
 */
static unsigned long drain(struct fz *f)
{
	struct raw_dev *d = f->d;
	uint64_t last = raw_now_ms();
	unsigned long left = 0, prev = ~0UL;
	unsigned int q, k;

	if (f->bme_off) {
		raw_set_bme(d, true);
		f->bme_off = false;
	}
	for (q = 1; q <= FZ_QUEUES; q++)
		if (d->sq[q].live)
			raw_sq_ring(d, q);
	while (raw_now_ms() - last < 10000) {
		reap_all(f);
		left = 0;
		for (q = 1; q <= FZ_QUEUES; q++)
			for (k = 0; k < sizeof(f->out[q]); k++)
				left += __builtin_popcount(f->out[q][k]);
		if (!left)
			break;
		if (left != prev)
			last = raw_now_ms();
		prev = left;
		raw_sleep_ms(2);
	}
	return left;
}

int raw_fuzz(struct raw_dev *d, uint64_t seed, unsigned long count,
	     unsigned int seconds, bool strict)
{
	struct fz *f = calloc(1, sizeof(*f));
	unsigned long i;
	uint64_t t0 = raw_now_ms();

	if (!f)
		raw_die("out of memory");
	f->d = d;
	f->s = seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	if (!f->s)
		f->s = 1;
	d->timeout_ms = 2000;
	f->data = raw_alloc(d, FZ_DATA_PAGES * RAW_PAGE, RAW_PAGE);
	f->lists = raw_alloc(d, FZ_LIST_PAGES * RAW_PAGE, RAW_PAGE);
	fill_lists(f);
	if (!restart(f, "start"))
		return 1;
	for (i = 0; i < count && !raw_failed; i++) {
		uint32_t r = rn(f, 1000);

		if (seconds && raw_now_ms() - t0 > seconds * 1000ULL) {
			raw_log("time limit of %u s reached after %lu steps",
				seconds, i);
			break;
		}

		if (f->bme_off && i >= f->bme_on_at) {
			f->bme_off = false;
			raw_set_bme(d, true);
		}
		if (raw_r32(d, REG_CSTS) & CSTS_CFS) {
			f->n_cfs++;
			if (!restart(f, "CSTS.CFS"))
				break;
			continue;
		}
		if (r < 600) {
			io_cmd(f);
		} else if (r < 720) {
			admin_cmd(f);
		} else if (r < 760) {
			queue_op(f);
		} else if (r < 790) {
			if (strict)
				reap_all(f);
			else
				doorbell_op(f);
		} else if (r < 796) {
			if (!restart(f, "random CC.EN 0->1"))
				break;
		} else if (r < 800) {
			/* Bus Master off for a few steps */
			if (!f->bme_off) {
				f->bme_off = true;
				f->bme_on_at = i + 1 + rn(f, 40);
				raw_set_bme(d, false);
				f->n_bme++;
			}
		} else if (r < 803) {
			fill_lists(f);
		} else {
			unsigned int q;

			for (q = 1; q <= FZ_QUEUES; q++)
				if (d->sq[q].live)
					raw_sq_ring(d, q);
			reap_all(f);
		}
		if (i % 500 == 499)
			raw_log("step %lu: %lu I/O, %lu admin, %lu completions, %lu resets",
				i + 1, f->n_io, f->n_admin, f->n_cqe, f->n_resets);
	}
	if (strict && !raw_failed) {
		unsigned long lost = drain(f);

		raw_check(!lost, "strict: every I/O command on a live SQ completed (%lu never did)",
			  lost);
		raw_check(!f->n_unmatched && !raw_stray,
			  "strict: no completion without its command (%lu on I/O CQs, %lu on the admin CQ)",
			  f->n_unmatched, raw_stray);
		raw_check(!f->n_cfs && !f->n_timeout,
			  "strict: no fatal state, no admin timeout (%lu CFS, %lu timeouts)",
			  f->n_cfs, f->n_timeout);
	}
	if (f->bme_off)
		raw_set_bme(d, true);
	/* the end: a clean controller must still do I/O */
	if (!raw_failed && restart(f, "final")) {
		struct raw_mem b = raw_alloc(d, RAW_PAGE, RAW_PAGE);

		if (!d->sq[1].live) {
			raw_new_cq(d, 1, 16);
			raw_new_sq(d, 1, 1, 16);
		}
		memset(b.va, 0x5a, RAW_PAGE);
		raw_check(!raw_rw(d, 1, IO_WRITE, 1500000, &b, RAW_PAGE) &&
		      !raw_rw(d, 1, IO_READ, 1500000, &b, RAW_PAGE) &&
		      ((uint8_t *)b.va)[4095] == 0x5a,
		      "after the fuzz run a clean controller writes and reads");
	}
	raw_log("seed %llu: %lu steps in %llu ms", (unsigned long long)seed, i,
		(unsigned long long)(raw_now_ms() - t0));
	raw_log("  %lu I/O and %lu admin commands, %lu completions (%lu with an error status: SCT0 %lu SCT1 %lu SCT2 %lu)",
		f->n_io, f->n_admin, f->n_cqe, f->n_err, f->st_hist[0] - (f->n_cqe - f->n_err),
		f->st_hist[1], f->st_hist[2]);
	raw_log("  %lu admin timeouts, %lu fatal states (CFS), %lu resets, %lu doorbell writes, %lu creates, %lu deletes, %lu Bus Master off periods, %lu unmatched completions",
		f->n_timeout, f->n_cfs, f->n_resets, f->n_doorbell, f->n_create,
		f->n_delete, f->n_bme, f->n_unmatched);
	raw_check(!raw_failed, "fuzz seed %llu: %lu steps, controller recovered every time",
	      (unsigned long long)seed, i);
	free(f);
	return raw_failed;
}
