// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev-raw cases.  Each starts with the controller enabled (admin queues
 * of 32 entries, Number of Queues granted) and no I/O queue; main.c
 * disables the controller and rebinds the function afterwards.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw.h"

#define SC_INVALID_FIELD	ST(0, 0x02)
#define SC_DATA_XFER		ST(0, 0x04)
#define SC_CMD_SEQ_ERROR	ST(0, 0x0c)
#define SC_PRP_OFFSET		ST(0, 0x13)
#define SC_INVALID_QDELETE	ST(1, 0x0c)

/* LBAs the cases use (512-byte LBAs; far from what the shell tests write) */
#define LBA_A	1200000
#define LBA_B	1300000
#define LBA_C	1400000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void fill_random(void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)rnd();
}

static size_t first_diff(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	size_t i;

	for (i = 0; i < len; i++)
		if (x[i] != y[i])
			return i;
	return len;
}

/* one CQ i and SQ i -> CQ i for i = 1..n */
static void setup_io(struct raw_dev *d, unsigned int n, uint32_t size)
{
	unsigned int i;
	uint16_t st;

	for (i = 1; i <= n; i++) {
		st = raw_new_cq(d, i, size);
		if (st)
			raw_die("Create I/O CQ %u (%u entries): %s", i, size,
				raw_status_str(st));
		st = raw_new_sq(d, i, i, size);
		if (st)
			raw_die("Create I/O SQ %u (%u entries): %s", i, size,
				raw_status_str(st));
	}
}

/* the controller still answers an Identify */
static bool identify_ok(struct raw_dev *d, const char *when)
{
	struct raw_mem id = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	uint16_t st = raw_identify(d, 1, 0, &id);

	return raw_check(!st && !memcmp((char *)id.va + 24, "nvmev", 5),
		     "Identify Controller answers %s (%s)", when,
		     raw_status_str(st));
}

/* write random data at slba through a plain buffer and read it back */
static bool round_trip(struct raw_dev *d, uint16_t qid, uint64_t slba,
		       size_t len, const char *when)
{
	struct raw_mem w = raw_alloc(d, len, RAW_PAGE);
	struct raw_mem r = raw_alloc(d, len, RAW_PAGE);
	uint16_t st;

	fill_random(w.va, len);
	st = raw_rw(d, qid, IO_WRITE, slba, &w, len);
	if (st) {
		raw_fail("write %zu B at LBA %llu %s: %s", len,
			 (unsigned long long)slba, when, raw_status_str(st));
		return false;
	}
	st = raw_rw(d, qid, IO_READ, slba, &r, len);
	if (st) {
		raw_fail("read %zu B at LBA %llu %s: %s", len,
			 (unsigned long long)slba, when, raw_status_str(st));
		return false;
	}
	return raw_check(!memcmp(w.va, r.va, len),
		     "write/read %zu B at LBA %llu on SQ %u %s: data identical",
		     len, (unsigned long long)slba, qid, when);
}

static uint16_t io_cmd(struct raw_dev *d, uint16_t qid, uint8_t op,
		       uint64_t slba, size_t len, uint64_t prp1, uint64_t prp2)
{
	struct raw_cmd c;

	raw_rw_cmd(&c, op, slba, len >> d->lba_shift, prp1, prp2);
	return raw_cmd_sync(d, qid, &c, NULL, 0);
}

static uint64_t region_start(struct raw_dev *d)
{
	char path[200];
	unsigned long long s = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/resource", d->sysdir);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llx", &s) != 1)
		raw_die("cannot read %s", path);
	fclose(f);
	return s;
}

/* ---- the driver itself: every command it has, on sane input --------- */

static int case_basic_io(struct raw_dev *d)
{
	const size_t len = 64 * 1024;
	struct raw_mem w = raw_alloc(d, len, RAW_PAGE);
	struct raw_mem r = raw_alloc(d, len, RAW_PAGE);
	struct raw_mem lp = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_mem rng = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	uint64_t *range = rng.va, writes0, writes1;
	const uint64_t nlb = len >> d->lba_shift;
	struct raw_cmd c;
	uint32_t res;
	uint16_t st;
	size_t i;

	setup_io(d, 2, 64);
	st = raw_get_log(d, 2, &lp, 512);
	raw_check(!st, "Get Log Page SMART (512 B): %s", raw_status_str(st));
	memcpy(&writes0, (uint8_t *)lp.va + 80, 8);	/* Host Write Commands */
	round_trip(d, 1, LBA_A, len, "(64 KiB)");
	round_trip(d, 2, LBA_A + nlb, 4096, "(4 KiB, second queue pair)");
	/* Compare: equal, then one byte off */
	fill_random(w.va, len);
	st = raw_rw(d, 1, IO_WRITE, LBA_B, &w, len);
	raw_check(!st, "write 64 KiB at LBA %u: %s", LBA_B, raw_status_str(st));
	st = raw_rw(d, 1, IO_COMPARE, LBA_B, &w, len);
	raw_check(!st, "Compare with the same data: %s", raw_status_str(st));
	((uint8_t *)w.va)[len - 1] ^= 1;
	st = raw_rw(d, 1, IO_COMPARE, LBA_B, &w, len);
	raw_check_status(st, ST(2, 0x85), "Compare with the last byte flipped");
	/* Flush */
	memset(&c, 0, sizeof(c));
	c.opcode = IO_FLUSH;
	c.nsid = 1;
	st = raw_cmd_sync(d, 1, &c, NULL, 0);
	raw_check(!st, "Flush namespace 1: %s", raw_status_str(st));
	c.nsid = 0xffffffff;
	st = raw_cmd_sync(d, 2, &c, NULL, 0);
	raw_check(!st, "Flush all namespaces: %s", raw_status_str(st));
	/* Dataset Management, deallocate: reads as zeroes */
	range[0] = (uint64_t)(nlb / 2) << 32;		/* attributes 0, nlb */
	range[1] = LBA_B;
	memset(&c, 0, sizeof(c));
	c.opcode = IO_DSM;
	c.nsid = 1;
	c.prp1 = rng.pa;
	c.cdw10 = 0;			/* one range */
	c.cdw11 = 1u << 2;		/* deallocate */
	st = raw_cmd_sync(d, 1, &c, NULL, 0);
	raw_check(!st, "DSM deallocate the first half: %s", raw_status_str(st));
	memset(r.va, 0xee, len);
	st = raw_rw(d, 1, IO_READ, LBA_B, &r, len);
	for (i = 0; i < len / 2 && !((uint8_t *)r.va)[i]; i++)
		;
	raw_check(!st && i == len / 2 &&
		  !memcmp((uint8_t *)r.va + len / 2, (uint8_t *)w.va + len / 2,
			  len / 2 - 1),
		  "read back: deallocated half zeroes, the rest unchanged (%s)",
		  raw_status_str(st));
	/* Write Zeroes */
	raw_rw_cmd(&c, IO_WRITE_ZEROES, LBA_B + nlb / 2, nlb / 2, 0, 0);
	st = raw_cmd_sync(d, 2, &c, NULL, 0);
	raw_check(!st, "Write Zeroes on the second half: %s", raw_status_str(st));
	memset(r.va, 0xee, len);
	st = raw_rw(d, 1, IO_READ, LBA_B, &r, len);
	for (i = 0; i < len && !((uint8_t *)r.va)[i]; i++)
		;
	raw_check(!st && i == len, "read back: all 64 KiB zeroes (%s)",
		  raw_status_str(st));
	/* features and logs */
	st = raw_get_features(d, 0x06, 0, &res);
	raw_check(!st && (res & 1), "Get Features Volatile Write Cache: enabled (%s, 0x%x)",
		  raw_status_str(st), res);
	st = raw_get_features(d, 0x07, 0, &res);
	raw_check(!st && (res & 0xffff) >= 1 && (res >> 16) >= 1,
		  "Get Features Number of Queues: 0x%08x (%s)", res,
		  raw_status_str(st));
	st = raw_get_log(d, 1, &lp, RAW_PAGE);
	raw_check(!st, "Get Log Page Error Information (4 KiB): %s",
		  raw_status_str(st));
	st = raw_get_log(d, 2, &lp, 512);
	memcpy(&writes1, (uint8_t *)lp.va + 80, 8);
	raw_check(!st && writes1 > writes0,
		  "SMART Host Write Commands counted the writes (%llu -> %llu)",
		  (unsigned long long)writes0, (unsigned long long)writes1);
	raw_check(!raw_delete_sq(d, 2) && !raw_delete_cq(d, 2) &&
		  !raw_delete_sq(d, 1) && !raw_delete_cq(d, 1),
		  "Delete SQ 2, CQ 2, SQ 1, CQ 1");
	identify_ok(d, "at the end");
	return 0;
}

/* ---- PRP offsets ------------------------------------------------------------ */

static int case_prp_offset(struct raw_dev *d)
{
	struct raw_mem buf = raw_alloc(d, 8 * RAW_PAGE, RAW_PAGE);
	struct raw_mem list = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_mem ref = raw_alloc(d, 2 * RAW_PAGE, RAW_PAGE);
	uint64_t *e = list.va, b = buf.pa;
	uint16_t st;

	setup_io(d, 1, 64);
	st = io_cmd(d, 1, IO_READ, LBA_A, 4096, b + 2, b + RAW_PAGE);
	raw_check_status(st, SC_PRP_OFFSET, "read, PRP1 not dword aligned (+2)");
	st = io_cmd(d, 1, IO_WRITE, LBA_A, 4096, b + 0x801, b + RAW_PAGE);
	raw_check_status(st, SC_PRP_OFFSET, "write, PRP1 not dword aligned (+0x801)");
	st = io_cmd(d, 1, IO_READ, LBA_A, 8192, b, b + RAW_PAGE + 0x200);
	raw_check_status(st, SC_PRP_OFFSET, "read 8 KiB, PRP2 (data) not page aligned");
	st = io_cmd(d, 1, IO_WRITE, LBA_A, 8192, b, b + RAW_PAGE + 4);
	raw_check_status(st, SC_PRP_OFFSET, "write 8 KiB, PRP2 (data) not page aligned");
	e[0] = b + RAW_PAGE;
	e[1] = b + 2 * RAW_PAGE + 0x100;
	e[2] = b + 3 * RAW_PAGE;
	st = io_cmd(d, 1, IO_READ, LBA_A, 4 * RAW_PAGE, b, list.pa);
	raw_check_status(st, SC_PRP_OFFSET, "read 16 KiB, 2nd list entry not page aligned");
	e[1] = b + 2 * RAW_PAGE;
	e[2] = b + 3 * RAW_PAGE + 8;
	st = io_cmd(d, 1, IO_WRITE, LBA_A, 4 * RAW_PAGE, b, list.pa);
	raw_check_status(st, SC_PRP_OFFSET, "write 16 KiB, last list entry not page aligned");
	e[2] = b + 3 * RAW_PAGE;
	st = io_cmd(d, 1, IO_READ, LBA_A, 4 * RAW_PAGE, b, list.pa + 4);
	raw_check_status(st, SC_PRP_OFFSET, "read 16 KiB, PRP list pointer not qword aligned");
	/* a list that starts mid-page and chains to a misaligned page */
	e[510] = b + RAW_PAGE;
	e[511] = b + 4 * RAW_PAGE + 0x10;	/* chain pointer */
	st = io_cmd(d, 1, IO_READ, LBA_A, 4 * RAW_PAGE, b, list.pa + 510 * 8);
	raw_check_status(st, SC_PRP_OFFSET, "read 16 KiB, chain pointer not page aligned");

	/* the valid variants of the same layouts */
	fill_random(ref.va, 2 * RAW_PAGE);
	st = raw_rw(d, 1, IO_WRITE, LBA_A, &ref, 2 * RAW_PAGE);
	raw_check(!st, "write 8 KiB reference data: %s", raw_status_str(st));
	memset(buf.va, 0, 8 * RAW_PAGE);
	st = io_cmd(d, 1, IO_READ, LBA_A, 4096, b + 0x204, b + RAW_PAGE);
	raw_check(!st && !memcmp((char *)buf.va + 0x204, ref.va, 4096),
	      "read 4 KiB into PRP1 +0x204 (dword aligned, crosses a page): %s, data %s",
	      raw_status_str(st),
	      memcmp((char *)buf.va + 0x204, ref.va, 4096) ? "differs" : "identical");
	identify_ok(d, "after the bad PRPs");
	return 0;
}

/* ---- chained PRP lists ---------------------------------------------------- */

struct seg {
	uint8_t *va;
	uint64_t pa;
	uint32_t len;
};

/*
 * Build PRP1/PRP2 for segs[0..n-1] (segs[0] may start mid-page, the rest
 * are full pages but the last).  The list starts at `lists[0] + off` and
 * chains into lists[1], lists[2]... when a list page runs out.
 */
static void build_chain(struct seg *s, unsigned int n, struct raw_mem *lists,
			size_t off, uint64_t *prp1, uint64_t *prp2)
{
	unsigned int i = 1, l = 0, slot = off / 8;
	uint64_t *e = lists[0].va;

	*prp1 = s[0].pa;
	*prp2 = 0;
	if (n == 1)
		return;
	if (n == 2) {
		*prp2 = s[1].pa;
		return;
	}
	*prp2 = lists[0].pa + off;
	while (i < n) {
		if (slot == 511 && n - i > 1) {
			e[511] = lists[l + 1].pa;	/* chain */
			l++;
			e = lists[l].va;
			slot = 0;
			continue;
		}
		e[slot++] = s[i++].pa;
	}
}

static void gather(struct seg *s, unsigned int n, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(out, s[i].va, s[i].len);
		out += s[i].len;
	}
}

static void scatter(struct seg *s, unsigned int n, const uint8_t *in)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		memcpy(s[i].va, in, s[i].len);
		in += s[i].len;
	}
}

static int chain_variant(struct raw_dev *d, size_t first_off, size_t list_off,
			 uint64_t slba)
{
	const size_t len = 256 * 1024;
	struct raw_mem pages = raw_alloc(d, 70 * RAW_PAGE, RAW_PAGE);
	struct raw_mem lists[3], flat, data, back;
	unsigned int perm[70], i, n;
	struct seg s[70];
	uint64_t p1, p2;
	size_t left = len, diff;
	uint16_t st;

	for (i = 0; i < 3; i++)
		lists[i] = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	flat = raw_alloc(d, len, RAW_PAGE);
	data = raw_alloc(d, len, RAW_PAGE);
	back = raw_alloc(d, len, RAW_PAGE);
	/* data pages in a shuffled order, so a wrong entry shows */
	for (i = 0; i < 70; i++)
		perm[i] = i;
	for (i = 69; i > 0; i--) {
		unsigned int j = rnd() % (i + 1), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (n = 0; left; n++) {
		size_t off = n ? 0 : first_off;

		s[n].va = (uint8_t *)pages.va + perm[n] * RAW_PAGE + off;
		s[n].pa = pages.pa + perm[n] * RAW_PAGE + off;
		s[n].len = left < RAW_PAGE - off ? left : RAW_PAGE - off;
		left -= s[n].len;
	}
	build_chain(s, n, lists, list_off, &p1, &p2);
	raw_log("256 KiB in %u PRP segments, PRP1 +0x%zx, list at +0x%zx (%zu entries in the first list page, then a chain)",
		n, first_off, list_off, (RAW_PAGE - list_off) / 8);
	fill_random(data.va, len);
	scatter(s, n, data.va);
	st = io_cmd(d, 1, IO_WRITE, slba, len, p1, p2);
	raw_check(!st, "write 256 KiB through the chained list: %s",
	      raw_status_str(st));
	st = raw_rw(d, 1, IO_READ, slba, &flat, len);
	diff = first_diff(flat.va, data.va, len);
	raw_check(!st && diff == len,
	      "read back through a plain list: %s, %s", raw_status_str(st),
	      diff == len ? "identical" : "differs");
	if (diff != len)
		raw_log("first difference at byte %zu", diff);
	memset(pages.va, 0, pages.len);
	st = io_cmd(d, 1, IO_READ, slba, len, p1, p2);
	gather(s, n, back.va);
	diff = first_diff(back.va, data.va, len);
	raw_check(!st && diff == len,
	      "read 256 KiB through the chained list: %s, data %s",
	      raw_status_str(st), diff == len ? "identical" : "differs");
	if (diff != len)
		raw_log("first difference at byte %zu", diff);
	return 0;
}

static int case_prp_chain(struct raw_dev *d)
{
	setup_io(d, 1, 64);
	if (d->mdts_bytes < 256 * 1024)
		raw_die("MDTS %u KiB < 256 KiB", d->mdts_bytes >> 10);
	/* 4 slots: 3 data entries, then the chain pointer */
	chain_variant(d, 0, RAW_PAGE - 32, LBA_A);
	/* PRP1 mid-page (65 segments); the first list page holds only the chain */
	chain_variant(d, 0x800, RAW_PAGE - 8, LBA_A + 1024);
	/* PRP1 at a dword offset; 2 slots */
	chain_variant(d, 0x1fc, RAW_PAGE - 16, LBA_A + 2048);
	identify_ok(d, "after the chained transfers");
	return 0;
}

/* ---- PRPs into forbidden memory --------------------------------------------- */

static uint64_t ram_end(void)
{
	char line[256];
	unsigned long long a, b, end = 0;
	FILE *f = fopen("/proc/iomem", "r");

	while (f && fgets(line, sizeof(line), f))
		if (line[0] != ' ' && strstr(line, ": System RAM") &&
		    sscanf(line, "%llx-%llx", &a, &b) == 2 && b > end)
			end = b;
	if (f)
		fclose(f);
	return end + 1;
}

static int case_prp_forbidden(struct raw_dev *d)
{
	struct raw_mem buf = raw_alloc(d, 4 * RAW_PAGE, RAW_PAGE);
	struct raw_mem list = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_mem pat = raw_alloc(d, 2 * RAW_PAGE, RAW_PAGE);
	struct raw_mem chk = raw_alloc(d, 2 * RAW_PAGE, RAW_PAGE);
	uint64_t rs = region_start(d), *e = list.va;
	uint64_t end = (ram_end() + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	struct {
		const char *name;
		uint64_t pa;
	} t[] = {
		{ "nvmev storage (reserved region)", rs + (1 << 20) + (uint64_t)LBA_B * 512 },
		{ "nvmev BAR0 page", rs },
		{ "LAPIC 0xfee00000 (not RAM)", 0xfee00000ULL },
		{ "beyond the end of RAM", end + (1ULL << 30) },
	};
	uint32_t cap_lo = raw_r32(d, REG_CAP), vs = raw_r32(d, REG_VS);
	unsigned int i;
	uint16_t st;

	setup_io(d, 1, 64);
	/* what the reserved region holds at LBA_B: must not change */
	fill_random(pat.va, pat.len);
	st = raw_rw(d, 1, IO_WRITE, LBA_B, &pat, pat.len);
	raw_check(!st, "write 8 KiB pattern at LBA %u (storage pa 0x%llx): %s",
	      LBA_B, (unsigned long long)t[0].pa, raw_status_str(st));
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		uint64_t x = t[i].pa;
		char what[160];

		raw_log("target: %s, pa 0x%llx", t[i].name, (unsigned long long)x);
		snprintf(what, sizeof(what), "read 8 KiB, PRP2 -> %s", t[i].name);
		raw_check_status(io_cmd(d, 1, IO_READ, LBA_C, 8192, buf.pa, x),
				 SC_DATA_XFER, what);
		snprintf(what, sizeof(what), "read 4 KiB, PRP1 -> %s", t[i].name);
		raw_check_status(io_cmd(d, 1, IO_READ, LBA_C, 4096, x, 0),
				 SC_DATA_XFER, what);
		e[0] = buf.pa + RAW_PAGE;
		e[1] = x;
		e[2] = buf.pa + 3 * RAW_PAGE;
		snprintf(what, sizeof(what), "read 16 KiB, list entry -> %s", t[i].name);
		raw_check_status(io_cmd(d, 1, IO_READ, LBA_C, 16384, buf.pa, list.pa),
				 SC_DATA_XFER, what);
		snprintf(what, sizeof(what), "read 16 KiB, list pointer -> %s", t[i].name);
		raw_check_status(io_cmd(d, 1, IO_READ, LBA_C, 16384, buf.pa, x),
				 SC_DATA_XFER, what);
		snprintf(what, sizeof(what), "write 8 KiB, PRP2 -> %s", t[i].name);
		raw_check_status(io_cmd(d, 1, IO_WRITE, LBA_C, 8192, buf.pa, x),
				 SC_DATA_XFER, what);
	}
	st = raw_rw(d, 1, IO_READ, LBA_B, &chk, chk.len);
	raw_check(!st && !memcmp(chk.va, pat.va, pat.len),
	      "reserved region at LBA %u unchanged by the refused reads: %s, %s",
	      LBA_B, raw_status_str(st),
	      memcmp(chk.va, pat.va, pat.len) ? "CHANGED" : "identical");
	raw_check(raw_r32(d, REG_CAP) == cap_lo && raw_r32(d, REG_VS) == vs,
	      "BAR0 registers unchanged (CAP low 0x%08x, VS 0x%08x)",
	      raw_r32(d, REG_CAP), raw_r32(d, REG_VS));
	round_trip(d, 1, LBA_C, 8192, "afterwards");
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- doorbells beyond the queue ------------------------------------------ */

static bool wait_cfs(struct raw_dev *d, const char *what)
{
	int r = raw_wait_csts(d, CSTS_CFS, CSTS_CFS, 3000);

	return raw_check(!r, "%s: CSTS.CFS set (CSTS 0x%x)", what,
		     raw_r32(d, REG_CSTS));
}

static bool recover(struct raw_dev *d, const char *what)
{
	int r = raw_reset(d);
	uint32_t csts = raw_r32(d, REG_CSTS);

	return raw_check(!r && (csts & 3) == CSTS_RDY,
		     "%s: CC.EN 0->1 recovers (CSTS 0x%x, Identify %s)", what,
		     csts, r ? "failed" : "ok");
}

static int case_doorbell_oob(struct raw_dev *d)
{
	setup_io(d, 1, 16);
	raw_w32(d, raw_sq_db(d, 1), 16);
	wait_cfs(d, "I/O SQ 1 tail doorbell = 16 (queue of 16)");
	recover(d, "after SQ tail");
	setup_io(d, 1, 16);
	round_trip(d, 1, LBA_A, 4096, "after the reset");

	raw_w32(d, raw_cq_db(d, 1), 0x10000);
	wait_cfs(d, "I/O CQ 1 head doorbell = 0x10000");
	recover(d, "after CQ head");
	setup_io(d, 1, 16);
	round_trip(d, 1, LBA_A, 4096, "after the reset");

	raw_w32(d, raw_sq_db(d, 0), RAW_ADMIN_DEPTH);
	wait_cfs(d, "admin SQ tail doorbell = 32 (queue of 32)");
	recover(d, "after admin SQ tail");

	raw_w32(d, raw_cq_db(d, 0), 0xffffffff);
	wait_cfs(d, "admin CQ head doorbell = 0xffffffff");
	recover(d, "after admin CQ head");
	setup_io(d, 1, 16);
	round_trip(d, 1, LBA_A, 4096, "at the end");
	return 0;
}

/* ---- delete an SQ with commands in flight ------------------------------------ */

/*
 * The CQ (64 entries) is smaller than what is submitted (1000), so most
 * commands are still in flight at the delete whatever the timing: in the
 * SQ, the dispatcher's ring or a worker, waiting for CQ space.
 */
static int case_delete_inflight(struct raw_dev *d)
{
	struct raw_mem buf = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	static uint8_t seen[1024];
	const unsigned int n = 1000;
	struct raw_cmd c;
	struct raw_cqe e;
	unsigned int i, posted, later, bad = 0, dup = 0;
	uint64_t end;
	uint16_t st;

	st = raw_new_cq(d, 1, 64);
	raw_check(!st, "Create CQ 1 (64 entries): %s", raw_status_str(st));
	st = raw_new_sq(d, 1, 1, 1024);
	raw_check(!st, "Create SQ 1 (1024 entries): %s", raw_status_str(st));
	for (i = 0; i < n; i++) {
		raw_rw_cmd(&c, IO_READ, LBA_A + 8 * i, 8, buf.pa, 0);
		c.cid = 0x8000 + i;
		raw_sq_put(d, 1, &c);
	}
	raw_sq_ring(d, 1);
	/* let the CQ fill, so the delete hits the queue mid-stream */
	end = raw_now_ms() + 5000;
	while (raw_cq_pending(d, 1) < 63 && raw_now_ms() < end)
		raw_sleep_ms(1);
	st = raw_delete_sq(d, 1);
	raw_check(!st, "Delete SQ 1 with %u reads submitted: %s", n,
		  raw_status_str(st));
	posted = raw_cq_pending(d, 1);
	raw_check(posted < n,
		  "the delete caught commands in flight (%u of %u had completed)",
		  posted, n);
	while (raw_cq_peek(d, 1, &e)) {
		raw_cq_advance(d, 1);
		if (e.sq_id != 1 || e.cid < 0x8000 || e.cid >= 0x8000 + n)
			bad++;
		else if (seen[e.cid - 0x8000]++)
			dup++;
	}
	raw_check(!bad && !dup,
		  "the %u completions posted are SQ 1's, each once (%u foreign, %u duplicate)",
		  posted, bad, dup);
	/* CQ space again: nothing of the deleted SQ may arrive now */
	raw_cq_ring(d, 1);
	raw_sleep_ms(500);
	later = raw_cq_pending(d, 1);
	raw_check(later == 0,
		  "no completion for SQ 1 after its deletion, CQ head freed, 500 ms (%u appeared)",
		  later);
	st = raw_delete_cq(d, 1);
	raw_check(!st, "Delete CQ 1: %s", raw_status_str(st));
	setup_io(d, 1, 64);
	round_trip(d, 1, LBA_A, 65536, "on the re-created queue");
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- SQ 2 -> CQ 1 --------------------------------------------------------------- */

static int case_sq_cq_bind(struct raw_dev *d)
{
	struct raw_mem w = raw_alloc(d, 8192, RAW_PAGE);
	struct raw_mem r = raw_alloc(d, 8 * RAW_PAGE, RAW_PAGE);
	struct raw_cmd c;
	struct raw_cqe e;
	unsigned int i, got = 0, wrong = 0;
	uint16_t st;

	st = raw_new_cq(d, 1, 64);
	raw_check(!st, "Create CQ 1: %s", raw_status_str(st));
	st = raw_new_sq(d, 1, 1, 64);
	raw_check(!st, "Create SQ 1 -> CQ 1: %s", raw_status_str(st));
	st = raw_new_sq(d, 2, 1, 64);
	raw_check(!st, "Create SQ 2 -> CQ 1: %s", raw_status_str(st));
	fill_random(w.va, w.len);
	raw_rw_cmd(&c, IO_WRITE, LBA_A, 16, w.pa, w.pa + RAW_PAGE);
	st = raw_cmd_sync(d, 2, &c, &e, 0);
	raw_check(!st && e.sq_id == 2 && e.sq_head == d->sq[2].tail,
	      "write on SQ 2 completes on CQ 1 with sqid %u, sq_head %u: %s",
	      e.sq_id, e.sq_head, raw_status_str(st));
	/* interleave: 4 reads on each SQ, one doorbell each, 8 completions */
	for (i = 0; i < 8; i++) {
		raw_rw_cmd(&c, IO_READ, LBA_A, 1, r.pa + i * RAW_PAGE, 0);
		c.cid = 0x8000 + i;
		raw_sq_put(d, 1 + (i & 1), &c);
	}
	raw_sq_ring(d, 1);
	raw_sq_ring(d, 2);
	while (got < 8 && raw_cq_wait(d, 1, &e, 5000)) {
		unsigned int k = e.cid - 0x8000;

		if (k >= 8 || e.sq_id != 1 + (k & 1) || (e.status >> 1))
			wrong++;
		got++;
	}
	raw_check(got == 8 && !wrong,
	      "8 reads on SQ 1 and SQ 2: %u completions on CQ 1, %u with a wrong sqid/cid/status",
	      got, wrong);
	for (i = 0; i < 8; i++)
		if (memcmp((char *)r.va + i * RAW_PAGE, w.va, 512))
			break;
	raw_check(i == 8, "all 8 reads returned what SQ 2 wrote");
	st = raw_delete_cq(d, 1);
	raw_check_status(st, SC_INVALID_QDELETE, "Delete CQ 1 while SQs use it");
	raw_check(!raw_delete_sq(d, 2) && !raw_delete_sq(d, 1) && !raw_delete_cq(d, 1),
	      "Delete SQ 2, SQ 1, then CQ 1");
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- controller reset during long PRP walks ------------------------------------ */

static int case_reset_walk(struct raw_dev *d)
{
	const size_t len = 256 * 1024;
	struct raw_mem buf = raw_alloc(d, len, RAW_PAGE);
	struct raw_mem list = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	static uint8_t snap[4][16384];
	struct raw_cmd c;
	unsigned int q, i, posted;
	uint64_t p1, p2, t0;
	int r;

	setup_io(d, 2, 256);
	raw_prps(&buf, 0, len, &list, &p1, &p2);
	for (q = 1; q <= 2; q++) {
		for (i = 0; i < 255; i++) {
			raw_rw_cmd(&c, q == 1 ? IO_READ : IO_WRITE,
				   LBA_A + (uint64_t)i * 512, len >> d->lba_shift,
				   p1, p2);
			c.cid = 0x8000 + i;
			raw_sq_put(d, q, &c);
		}
	}
	raw_sq_ring(d, 1);
	raw_sq_ring(d, 2);
	raw_sleep_ms(5);
	t0 = raw_now_ms();
	raw_w32(d, REG_CC, raw_r32(d, REG_CC) & ~1u);
	r = raw_wait_csts(d, CSTS_RDY, 0, 30000);
	raw_check(!r, "CC.EN=0 with 510 x 256 KiB in flight: RDY drops (%llu ms, CSTS 0x%x)",
	      (unsigned long long)(raw_now_ms() - t0), raw_r32(d, REG_CSTS));
	posted = raw_cq_pending(d, 1) + raw_cq_pending(d, 2);
	raw_log("%u of 510 commands completed before the reset", posted);
	memcpy(snap[0], d->cq[1].mem.va, 4096);
	memcpy(snap[1], d->cq[2].mem.va, 4096);
	memcpy(snap[2], buf.va, 16384);
	raw_sleep_ms(300);
	raw_check(!memcmp(snap[0], d->cq[1].mem.va, 4096) &&
	      !memcmp(snap[1], d->cq[2].mem.va, 4096) &&
	      !memcmp(snap[2], buf.va, 16384),
	      "device quiet after RDY=0: CQ memory and data buffer unchanged over 300 ms");
	recover(d, "re-enable");
	setup_io(d, 1, 64);
	round_trip(d, 1, LBA_A, len, "after the reset");
	return 0;
}

/* ---- D4: Create I/O CQ x must not clear SQ x's tail doorbell --------------- */

static int case_d4_create_cq_db(struct raw_dev *d)
{
	struct raw_mem buf = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_cmd c;
	struct raw_cqe e;
	unsigned int i, n, mine = 0, other = 0;
	uint16_t st, cid;

	st = raw_new_cq(d, 1, 16);
	raw_check(!st, "Create CQ 1: %s", raw_status_str(st));
	st = raw_new_sq(d, 2, 1, 16);
	raw_check(!st, "Create SQ 2 -> CQ 1: %s", raw_status_str(st));
	for (i = 0; i < 3; i++) {
		raw_rw_cmd(&c, IO_READ, LBA_A + i, 1, buf.pa, 0);
		st = raw_cmd_sync(d, 2, &c, NULL, 0);
		raw_check(!st, "read #%u on SQ 2 completes on CQ 1: %s", i + 1,
		      raw_status_str(st));
	}
	st = raw_new_cq(d, 2, 16);
	raw_check(!st, "Create CQ 2 (SQ 2's tail doorbell is 3): %s",
	      raw_status_str(st));
	raw_sleep_ms(300);
	n = raw_cq_pending(d, 1);
	if (n && raw_cq_peek(d, 1, &e))
		raw_log("first stray completion: sqid %u cid 0x%x sq_head %u status %s",
			e.sq_id, e.cid, e.sq_head, raw_status_str(e.status >> 1));
	raw_check(n == 0, "no completion on CQ 1 after Create CQ 2 (%u appeared)", n);
	while (raw_cq_peek(d, 1, &e))
		raw_cq_advance(d, 1);
	raw_cq_ring(d, 1);
	/* the next command on SQ 2: exactly one completion, with its cid */
	raw_rw_cmd(&c, IO_READ, LBA_A, 1, buf.pa, 0);
	cid = c.cid = 0x8123;
	raw_sq_put(d, 2, &c);
	raw_sq_ring(d, 2);
	raw_sleep_ms(300);
	while (raw_cq_wait(d, 1, &e, 1000)) {
		if (e.sq_id == 2 && e.cid == cid)
			mine++;
		else
			other++;
	}
	raw_check(mine == 1 && other == 0,
	      "next command on SQ 2 completes once with its cid (%u with it, %u others)",
	      mine, other);
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- D5: Get Log Page bounded by MDTS --------------------------------------- */

static int case_d5_log_mdts(struct raw_dev *d)
{
	struct raw_mem data = raw_alloc(d, 1 << 20, RAW_HUGE);
	struct raw_mem list = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_mem self = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_mem dpage = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	uint64_t *e = list.va, *s = self.va, t0;
	struct raw_cmd c;
	uint16_t st;
	unsigned int i;

	raw_log("MDTS %u KiB", d->mdts_bytes >> 10);
	/* 512 KiB with a valid list: 1 + 127 pages */
	for (i = 0; i < 127; i++)
		e[i] = data.pa + (i + 1) * RAW_PAGE;
	raw_get_log_cmd(&c, 2, 2 * d->mdts_bytes, data.pa, list.pa);
	st = raw_admin(d, &c, NULL);
	raw_check_status(st, SC_INVALID_FIELD,
			 "Get Log Page SMART, NUMD for 2 x MDTS (512 KiB)");
	raw_check(st != ST_TIMEOUT && ST_DNR(st), "... with DNR set (%s)",
	      raw_status_str(st));
	identify_ok(d, "after the oversized Get Log Page");

	/* 256 KiB; the list starts in its last slot, which chains to itself */
	for (i = 0; i < 511; i++)
		s[i] = self.pa;			/* data lands on the list */
	s[511] = self.pa;
	raw_get_log_cmd(&c, 2, d->mdts_bytes, data.pa, self.pa + 511 * 8);
	t0 = raw_now_ms();
	st = raw_cmd_sync(d, 0, &c, NULL, 10000);
	raw_check(st != ST_TIMEOUT,
	      "Get Log Page 256 KiB, self-referencing PRP list: completes (%s, %llu ms)",
	      raw_status_str(st), (unsigned long long)(raw_now_ms() - t0));
	identify_ok(d, "right after the self-referencing list");

	/* a list page chaining to itself with a separate data page */
	for (i = 0; i < 511; i++)
		s[i] = dpage.pa;
	s[511] = self.pa;
	raw_get_log_cmd(&c, 2, d->mdts_bytes, data.pa, self.pa);
	t0 = raw_now_ms();
	st = raw_cmd_sync(d, 0, &c, NULL, 10000);
	raw_check(st != ST_TIMEOUT,
	      "Get Log Page 256 KiB, list page chaining to itself: completes (%s, %llu ms)",
	      raw_status_str(st), (unsigned long long)(raw_now_ms() - t0));
	raw_get_log_cmd(&c, 2, 64ULL << 20, data.pa, self.pa);
	t0 = raw_now_ms();
	st = raw_cmd_sync(d, 0, &c, NULL, 60000);
	raw_check_status(st, SC_INVALID_FIELD,
			 "Get Log Page 64 MiB over a self-chaining list");
	raw_log("(took %llu ms)", (unsigned long long)(raw_now_ms() - t0));
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- D7: a full worker pool must not drop live commands ---------------------- */

#define D7_Q	8
#define D7_MAX	4096

static int case_d7_pool_full(struct raw_dev *d)
{
	struct raw_mem buf = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	static uint8_t seen[D7_Q + 1][D7_MAX];
	unsigned int sub[D7_Q + 1] = { 0 }, done[D7_Q + 1] = { 0 };
	unsigned int q, i, total = 0, missing = 0, dup = 0, foreign = 0;
	uint64_t last, t0;
	struct raw_cmd c;
	struct raw_cqe e;
	bool progress;
	uint16_t st;

	setup_io(d, D7_Q, 1024);
	raw_log("%u SQ/CQ pairs of 1024 entries", D7_Q);
	/* fill SQs; read CQEs without ringing CQ heads, refill from sq_head */
	last = t0 = raw_now_ms();
	do {
		progress = false;
		for (q = 1; q <= D7_Q; q++) {
			while (raw_cq_peek(d, q, &e)) {
				raw_cq_advance(d, q);
				if (e.sq_id == q && e.cid < D7_MAX) {
					seen[q][e.cid]++;
					d->sq[q].head = e.sq_head;
					done[q]++;
				} else {
					foreign++;
				}
				progress = true;
			}
			while (raw_sq_room(d, q) && sub[q] < 2 * 1023) {
				raw_rw_cmd(&c, IO_READ, LBA_A + sub[q] % 1024, 1,
					   buf.pa, 0);
				c.cid = sub[q]++;
				raw_sq_put(d, q, &c);
				progress = true;
			}
			raw_sq_ring(d, q);
		}
		if (progress)
			last = raw_now_ms();
		else
			raw_sleep_ms(10);
	} while (raw_now_ms() - last < 2000 && raw_now_ms() - t0 < 120000);
	for (q = 1; q <= D7_Q; q++)
		total += sub[q];
	raw_log("submitted %u reads, %u completed before the CQs filled up",
		total, total ? done[1] + done[2] + done[3] + done[4] + done[5] +
		done[6] + done[7] + done[8] : 0);
	st = raw_delete_sq(d, 1);
	raw_check(!st, "Delete SQ 1 while the CQs are full: %s", raw_status_str(st));
	st = raw_delete_cq(d, 1);
	raw_check(!st, "Delete CQ 1: %s", raw_status_str(st));
	/* drain the survivors, ringing CQ heads now */
	last = raw_now_ms();
	while (raw_now_ms() - last < 10000) {
		unsigned int left = 0;

		progress = false;
		for (q = 2; q <= D7_Q; q++) {
			while (raw_cq_peek(d, q, &e)) {
				raw_cq_advance(d, q);
				if (e.sq_id == q && e.cid < D7_MAX) {
					seen[q][e.cid]++;
					done[q]++;
				} else {
					foreign++;
				}
				progress = true;
			}
			raw_cq_ring(d, q);
			left += sub[q] - (done[q] < sub[q] ? done[q] : sub[q]);
		}
		if (progress)
			last = raw_now_ms();
		if (!left)
			break;
		if (!progress)
			raw_sleep_ms(5);
	}
	for (q = 2; q <= D7_Q; q++) {
		unsigned int m = 0;

		for (i = 0; i < sub[q]; i++) {
			if (!seen[q][i])
				m++;
			else if (seen[q][i] > 1)
				dup++;
		}
		if (m)
			raw_log("SQ %u: %u of %u commands never completed", q, m,
				sub[q]);
		missing += m;
	}
	raw_check(!missing && !dup && !foreign,
	      "every command on SQ 2..%u completed exactly once (%u missing, %u duplicated, %u foreign)",
	      D7_Q, missing, dup, foreign);
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- D8a: Number of Queues after queues exist ----------------------------- */

static int case_d8a_nr_queues(struct raw_dev *d)
{
	uint32_t res;
	uint16_t st;

	st = raw_new_cq(d, 1, 16);
	raw_check(!st, "Create CQ 1: %s", raw_status_str(st));
	st = raw_set_features(d, 0x07, 3u << 16 | 3u, &res);
	raw_check_status(st, SC_CMD_SEQ_ERROR,
			 "Set Features Number of Queues after an I/O CQ exists");
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- D8b: an AER raised by Set Features with one admin CQ slot free ------- */

static int case_d8b_aer_cq_full(struct raw_dev *d)
{
	struct raw_cmd c;
	struct raw_cqe e;
	bool got_sf = false, got_aer = false;
	uint32_t aer_res = 0;
	uint16_t st, sf_st = ST_TIMEOUT;
	uint64_t end;
	unsigned int n;

	if (raw_disable(d, 10000) || raw_enable(d, 8, 4))
		raw_die("re-enable with an admin CQ of 4 entries failed");
	raw_ok("admin SQ 8 entries, admin CQ 4 entries (3 usable)");
	st = raw_set_features(d, 0x0b, 1u << 1, NULL);
	raw_check(!st, "Async Event Configuration: temperature warnings on: %s",
	      raw_status_str(st));
	memset(&c, 0, sizeof(c));
	c.opcode = ADM_AER;
	c.cid = 0xa001;
	raw_sq_put(d, 0, &c);
	for (n = 0; n < 2; n++) {
		memset(&c, 0, sizeof(c));
		c.opcode = ADM_GET_FEAT;
		c.cdw10 = 0x07;
		c.cid = 0x8001 + n;
		raw_sq_put(d, 0, &c);
	}
	raw_sq_ring(d, 0);
	end = raw_now_ms() + 5000;
	while ((n = raw_cq_pending(d, 0)) < 2 && raw_now_ms() < end)
		raw_sleep_ms(1);
	raw_check(n == 2, "AER outstanding, 2 Get Features completed, not consumed: one CQ slot left (%u pending)",
	      n);
	memset(&c, 0, sizeof(c));
	c.opcode = ADM_SET_FEAT;
	c.cdw10 = 0x04;
	c.cdw11 = 300;			/* over-temperature threshold 300 K */
	c.cid = 0x8010;
	raw_sq_put(d, 0, &c);
	raw_sq_ring(d, 0);
	raw_sleep_ms(300);
	raw_log("%u completions pending before the host frees the CQ",
		raw_cq_pending(d, 0));
	end = raw_now_ms() + 5000;
	while (raw_now_ms() < end && !(got_sf && got_aer)) {
		if (!raw_cq_wait(d, 0, &e, 200))
			continue;
		if (e.cid == 0x8010) {
			got_sf = true;
			sf_st = e.status >> 1;
		} else if (e.cid == 0xa001) {
			got_aer = true;
			aer_res = e.dw0;
		}
	}
	raw_check(got_sf && !sf_st, "Set Features (threshold 300 K) completion arrived: %s",
	      got_sf ? raw_status_str(sf_st) : "LOST");
	raw_check(got_aer && (aer_res & 0xffffff) == 0x020101,
	      "AER completion arrived: %s, result 0x%06x (want type 1 SMART, info 1, log 2)",
	      got_aer ? "yes" : "LOST", aer_res & 0xffffff);
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- D8c: Bus Master Enable ------------------------------------------------ */

static int case_d8c_bme(struct raw_dev *d)
{
	struct raw_mem buf = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_mem idb = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	struct raw_mem w = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	static uint8_t cq1[4096], cq0[4096];
	struct raw_cmd c;
	struct raw_cqe e;
	bool ok1, ok0;
	uint16_t st;

	setup_io(d, 1, 16);
	fill_random(w.va, RAW_PAGE);
	st = raw_rw(d, 1, IO_WRITE, LBA_A, &w, RAW_PAGE);
	raw_check(!st, "write 4 KiB reference: %s", raw_status_str(st));
	memset(buf.va, 0xaa, RAW_PAGE);
	memset(idb.va, 0xaa, RAW_PAGE);
	raw_set_bme(d, false);
	raw_ok("Bus Master Enable cleared (PCI command 0x%04x)",
	       raw_cfg_read16(d, 4));
	memcpy(cq1, d->cq[1].mem.va, 4096);
	memcpy(cq0, d->cq[0].mem.va, 4096);
	raw_rw_cmd(&c, IO_READ, LBA_A, 8, buf.pa, 0);
	c.cid = 0x8001;
	raw_sq_put(d, 1, &c);
	raw_sq_ring(d, 1);
	memset(&c, 0, sizeof(c));
	c.opcode = ADM_IDENTIFY;
	c.cdw10 = 1;
	c.prp1 = idb.pa;
	c.cid = 0x8002;
	raw_sq_put(d, 0, &c);
	raw_sq_ring(d, 0);
	raw_sleep_ms(200);
	ok1 = !memcmp(cq1, d->cq[1].mem.va, 4096);
	ok0 = !memcmp(cq0, d->cq[0].mem.va, 4096);
	raw_check(ok1 && ok0, "BME=0, doorbells rung, 200 ms: I/O CQ %s, admin CQ %s",
	      ok1 ? "unchanged" : "WRITTEN", ok0 ? "unchanged" : "WRITTEN");
	raw_check(((uint8_t *)buf.va)[0] == 0xaa && ((uint8_t *)idb.va)[0] == 0xaa &&
	      !memcmp(buf.va, (uint8_t *)buf.va + 1, RAW_PAGE - 1) &&
	      !memcmp(idb.va, (uint8_t *)idb.va + 1, RAW_PAGE - 1),
	      "BME=0: read and Identify buffers untouched");
	raw_set_bme(d, true);
	raw_ok("Bus Master Enable set again");
	ok1 = raw_cq_wait(d, 1, &e, 5000) && e.cid == 0x8001 && !(e.status >> 1);
	raw_check(ok1 && !memcmp(buf.va, w.va, RAW_PAGE),
	      "after BME=1 the read completes with the data");
	ok0 = raw_cq_wait(d, 0, &e, 5000) && e.cid == 0x8002 && !(e.status >> 1);
	raw_check(ok0 && !memcmp((char *)idb.va + 24, "nvmev", 5),
	      "after BME=1 the Identify completes");
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- D8d: queues in reserved RAM ------------------------------------------ */

static int case_d8d_queue_reserved(struct raw_dev *d)
{
	uint64_t kend = 0, kc = raw_iomem_find("Kernel code", &kend);
	static uint8_t before[2][16384], after[16384];
	struct {
		const char *name;
		uint64_t pa;
	} t[2] = {
		{ "\"Kernel code\" (/proc/iomem)", kc },
		{ "first-MiB page 0x8000 (System RAM, reserved)", 0x8000 },
	};
	bool kcore[2];
	unsigned int i;
	uint16_t st;

	if (!kc)
		raw_die("no \"Kernel code\" line in /proc/iomem");
	st = raw_new_cq(d, 1, 16);
	raw_check(!st, "Create CQ 1 (normal memory): %s", raw_status_str(st));
	for (i = 0; i < 2; i++) {
		char what[160];

		kcore[i] = !raw_kcore_read(t[i].pa, before[i], 16384);
		raw_log("target %s at pa 0x%llx (%s)", t[i].name,
			(unsigned long long)t[i].pa,
			kcore[i] ? "contents read via /proc/kcore" :
				   "/proc/kcore not readable there");
		snprintf(what, sizeof(what), "Create I/O CQ 2 in %s", t[i].name);
		st = raw_create_cq(d, 2, 16, t[i].pa, false, 0);
		raw_check_status(st, SC_INVALID_FIELD, what);
		if (!st)
			raw_delete_cq(d, 2);
		snprintf(what, sizeof(what), "Create I/O SQ 2 in %s", t[i].name);
		st = raw_create_sq(d, 2, 16, t[i].pa, 1);
		raw_check_status(st, SC_INVALID_FIELD, what);
		if (!st)
			raw_delete_sq(d, 2);
	}
	for (i = 0; i < 2; i++) {
		if (!kcore[i] || raw_kcore_read(t[i].pa, after, 16384))
			continue;
		raw_check(!memcmp(before[i], after, 16384),
		      "%s: first 16 KiB unchanged", t[i].name);
	}
	identify_ok(d, "afterwards");
	return 0;
}

/* ---- D8e: invalid doorbell writes with an AER outstanding ------------------ */

static void submit_aer(struct raw_dev *d, uint16_t cid)
{
	struct raw_cmd c = { .opcode = ADM_AER, .cid = cid };

	raw_sq_put(d, 0, &c);
	raw_sq_ring(d, 0);
}

/* An AER completes within @ms with result (type, info, log page) @want. */
static void expect_aer(struct raw_dev *d, uint32_t want, int ms, const char *what)
{
	struct raw_cqe e;
	bool got = raw_take_aer(d, &e, ms);

	raw_check(got && (e.dw0 & 0xffffff) == want,
		  "%s (%s, result 0x%06x, want 0x%06x)", what,
		  got ? "completed" : "NO AER", got ? e.dw0 & 0xffffff : 0, want);
}

static int case_d8e_doorbell_aer(struct raw_dev *d)
{
	struct raw_mem log = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	uint16_t st;

	setup_io(d, 1, 16);
	submit_aer(d, 0xa001);
	raw_sleep_ms(50);
	raw_w32(d, raw_sq_db(d, 1), 100);
	raw_log("AER outstanding; SQ 1 (16 entries) tail doorbell = 100");
	expect_aer(d, 0x010100, 3000,
		   "AER: Error status, Invalid Doorbell Write Value, log 1");
	raw_log("CSTS 0x%x after the invalid doorbell", raw_r32(d, REG_CSTS));
	if (raw_r32(d, REG_CSTS) & CSTS_CFS) {
		raw_log("controller fatal: resetting for the second part");
		if (raw_reset(d))
			raw_die("reset failed");
		setup_io(d, 1, 16);
	} else {
		/* a queue with an invalid doorbell is ignored until re-created */
		st = raw_delete_sq(d, 1);
		raw_check(!st, "Delete SQ 1 (its doorbell was invalid): %s",
			  raw_status_str(st));
		st = raw_new_sq(d, 1, 1, 16);
		raw_check(!st, "Create SQ 1 again: %s", raw_status_str(st));
	}
	st = raw_get_log(d, 1, &log, RAW_PAGE);
	raw_check(!st, "Get Log Page Error Information (unmasks error events): %s",
	      raw_status_str(st));
	submit_aer(d, 0xa002);
	raw_sleep_ms(50);
	raw_w32(d, raw_sq_db(d, 5), 1);
	raw_log("AER outstanding; tail doorbell of SQ 5, which does not exist = 1");
	expect_aer(d, 0x010000, 3000,
		   "AER: Error status, Write to Invalid Doorbell Register, log 1");
	raw_w32(d, raw_sq_db(d, 5), 0);
	if (raw_r32(d, REG_CSTS) & CSTS_CFS) {
		if (raw_reset(d))
			raw_die("reset failed");
		setup_io(d, 1, 16);
	}
	round_trip(d, 1, LBA_A, 4096, "afterwards");
	return 0;
}

/* ---- invalid doorbell writes after an idle period --------------------- */

/*
 * The same invalid writes as d8e_doorbell_aer and doorbell_oob, but each
 * after 2.5 s without a command, when the dispatcher may be asleep (deep
 * idle after idle_deep_ms): the device must still notice them.
 */
static int case_idle_doorbell(struct raw_dev *d)
{
	int r;

	setup_io(d, 1, 16);
	submit_aer(d, 0xa001);
	raw_sleep_ms(2500);
	raw_w32(d, raw_sq_db(d, 5), 1);
	raw_log("idle 2.5 s, AER outstanding; tail doorbell of SQ 5 (no such queue) = 1");
	expect_aer(d, 0x010000, 5000,
		   "after idle: AER Write to Invalid Doorbell Register");
	if (raw_reset(d))
		raw_die("reset failed");
	setup_io(d, 1, 16);
	raw_sleep_ms(2500);
	raw_w32(d, raw_cq_db(d, 1), 0x10000);
	raw_log("idle 2.5 s, no AER outstanding; CQ 1 head doorbell = 0x10000");
	r = raw_wait_csts(d, CSTS_CFS, CSTS_CFS, 5000);
	raw_check(!r, "after idle: invalid CQ head doorbell sets CSTS.CFS (CSTS 0x%x)",
		  raw_r32(d, REG_CSTS));
	recover(d, "after the CQ head");
	setup_io(d, 1, 16);
	raw_sleep_ms(2500);
	raw_w32(d, raw_sq_db(d, 1), 16);
	raw_log("idle 2.5 s, no AER outstanding; SQ 1 tail doorbell = 16 (queue of 16)");
	r = raw_wait_csts(d, CSTS_CFS, CSTS_CFS, 5000);
	raw_check(!r, "after idle: invalid SQ tail doorbell sets CSTS.CFS (CSTS 0x%x)",
		  raw_r32(d, REG_CSTS));
	recover(d, "after the SQ tail");
	setup_io(d, 1, 16);
	round_trip(d, 1, LBA_A, 4096, "at the end");
	return 0;
}

const struct raw_case raw_cases[] = {
	{ "basic_io", "Read/Write/Compare/Flush/DSM/Write Zeroes, features, logs on two queue pairs", case_basic_io },
	{ "prp_offset", "PRP1/PRP2/list entries misaligned: PRP Offset Invalid", case_prp_offset },
	{ "prp_chain", "256 KiB through chained PRP lists starting mid-page", case_prp_chain },
	{ "prp_forbidden", "PRPs into nvmev's region, MMIO, beyond RAM: Data Transfer Error", case_prp_forbidden },
	{ "doorbell_oob", "SQ tail / CQ head doorbells beyond the queue: CFS, reset recovers", case_doorbell_oob },
	{ "delete_inflight", "Delete SQ with 1000 reads in flight", case_delete_inflight },
	{ "sq_cq_bind", "SQ 2 -> CQ 1: completions carry sqid 2", case_sq_cq_bind },
	{ "reset_walk", "CC.EN=0 during 510 x 256 KiB transfers", case_reset_walk },
	{ "d4_create_cq_db", "D4: Create CQ x must not clear SQ x's tail doorbell", case_d4_create_cq_db },
	{ "d5_log_mdts", "D5: Get Log Page longer than MDTS; self-referencing lists", case_d5_log_mdts },
	{ "d7_pool_full", "D7: deleting an SQ with a full worker pool loses no live command", case_d7_pool_full },
	{ "d8a_nr_queues", "D8a: Number of Queues after queue creation: Command Sequence Error", case_d8a_nr_queues },
	{ "d8b_aer_cq_full", "D8b: Set Features + AER with one admin CQ slot free: both complete", case_d8b_aer_cq_full },
	{ "d8c_bme", "D8c: no DMA while Bus Master Enable is clear", case_d8c_bme },
	{ "d8d_queue_reserved", "D8d: queues in reserved System RAM are refused", case_d8d_queue_reserved },
	{ "d8e_doorbell_aer", "D8e: invalid doorbell writes raise error AERs", case_d8e_doorbell_aer },
	{ "idle_doorbell", "invalid doorbell writes after 2.5 s idle are still noticed", case_idle_doorbell },
	{ NULL, NULL, NULL },
};
