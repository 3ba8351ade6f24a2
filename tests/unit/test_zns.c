// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the zoned namespace model (ftl/zns.c), plain C.
 *
 * Same style as test_ftl: one line per test, "PASS: <name>" or "FAIL:
 * <name>: <reason>", then "N passed, N failed"; figures go to the report
 * file $ZNS_REPORT (default build/zns-report.txt) and to stderr with
 * $VERBOSE.  Every test asserts; zns_check() runs after every operation of
 * the command-level tests and of the randomized run.
 *
 * Usage: test_zns [name-substring]
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "../../ftl/zns.h"

static FILE *report;
static int verbose;

struct zctx {
	struct zns z;
	u64 now;
	u64 rng;
	u64 ops;
	char err[512];
	int failed;
};

static void info(const char *fmt, ...)
{
	va_list ap;

	if (report) {
		va_start(ap, fmt);
		vfprintf(report, fmt, ap);
		va_end(ap);
		fputc('\n', report);
		fflush(report);
	}
	if (verbose) {
		va_start(ap, fmt);
		fputs("  # ", stderr);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static void tfail(struct zctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = 1;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static u64 rnd(struct zctx *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ull;
}

static u64 rnd_below(struct zctx *c, u64 n)
{
	return (rnd(c) >> 11) % n;
}

#define CHECK(c, cond, ...) do { if (!(cond)) { tfail((c), __VA_ARGS__); return; } } while (0)
#define TRY(c, expr) do { int __r = (expr); if (__r) { tfail((c), "%s = %d", #expr, __r); return; } } while (0)
/* a command's status, then the consistency check */
#define EXPECT(c, expr, st) do {						\
		enum zns_status __s = (expr);					\
		zcheck(c);							\
		if (!(c)->failed && __s != (st))				\
			tfail((c), "line %d: %s = %#x, expected %#x", __LINE__,	\
			      #expr, __s, (st));				\
		if ((c)->failed)						\
			return;							\
	} while (0)
#define STATE(c, id, s) CHECK(c, (c)->z.zones[id].state == (s), "line %d: zone %u is %s, expected %s", \
			      __LINE__, (unsigned int)(id), zns_state_name((c)->z.zones[id].state), \
			      zns_state_name(s))

static void zcheck(struct zctx *c)
{
	char msg[256];

	c->ops++;
	if (!c->failed && zns_check(&c->z, msg, sizeof(msg)))
		tfail(c, "after op %llu: %s", (unsigned long long)c->ops, msg);
}

/* 2 ch x 2 LUN, 16 KiB pages, 8 pages/block, 16 MiB: 16 zones of 1 MiB */
static void small_params(struct ftl_params *p, u64 mib)
{
	ftl_params_default(p, "970pro", mib << 20);
	p->nr_ch = 2;
	p->luns_per_ch = 2;
	p->pg_size = 16384;
	p->pgs_per_blk = 8;
}

static int zinit(struct zctx *c, const struct ftl_params *p, const struct zns_params *zp)
{
	memset(c, 0, sizeof(*c));
	c->now = 1000;
	c->rng = 0x9E3779B97F4A7C15ull;
	return zns_init(&c->z, p, zp);
}

static int zinit_small(struct zctx *c, u64 lba_size, u64 max_open, u64 max_active)
{
	struct ftl_params p;
	struct zns_params zp;

	small_params(&p, 16);
	zns_params_default(&zp);
	zp.lba_size = lba_size;
	zp.max_open = max_open;
	zp.max_active = max_active;
	return zinit(c, &p, &zp);
}

static u64 zs(struct zctx *c, u32 id)
{
	return zns_zslba(&c->z, id);
}

static enum zns_status wr(struct zctx *c, u64 slba, u32 nlb)
{
	u64 done;
	enum zns_status s = zns_write(&c->z, slba, nlb, c->now, false, &done);

	if (done < c->now)
		tfail(c, "write completes before submission");
	c->now += 1000;
	return s;
}

static enum zns_status mg(struct zctx *c, u32 id, enum zns_action a)
{
	u64 done;

	return zns_mgmt_send(&c->z, zs(c, id), a, false, c->now, &done);
}

static enum zns_status mg_all(struct zctx *c, enum zns_action a)
{
	u64 done;

	return zns_mgmt_send(&c->z, 0, a, true, c->now, &done);
}

/* ------------------------------------------------------------------ */

static void t_params(struct zctx *c)
{
	static const struct { const char *prof; u64 size, cap; u32 zones; } want[] = {
		{ "970pro", 16ull << 20, 16ull << 20, 64 },
		{ "optane", 16ull << 20, 14ull << 20, 73 },
		{ "qlc", 16ull << 20, 16ull << 20, 64 },
	};
	struct ftl_params p;
	struct zns_params zp;
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		struct zns z;

		ftl_params_default(&p, want[i].prof, 1ull << 30);
		zns_params_default(&zp);
		TRY(c, zns_init(&z, &p, &zp));
		info("defaults %-6s 1 GiB: zone size %llu MiB, capacity %llu KiB, %u zones, stripe %u LUNs, "
		     "%u blocks per LUN per zone, metadata %zu B",
		     want[i].prof, (unsigned long long)(z.zp.zone_size >> 20),
		     (unsigned long long)(z.zp.zone_cap >> 10), z.nr_zones, z.stripe, z.bpz,
		     zns_metadata_bytes(&z));
		if (z.zp.zone_size != want[i].size || z.zp.zone_cap != want[i].cap ||
		    z.nr_zones != want[i].zones) {
			tfail(c, "%s: size %llu cap %llu zones %u", want[i].prof,
			      (unsigned long long)z.zp.zone_size, (unsigned long long)z.zp.zone_cap,
			      z.nr_zones);
			zns_exit(&z);
			return;
		}
		/* the zones' capacity fits the flash (storage indexed by zone * cap) */
		if ((u64)z.nr_zones * z.zp.zone_cap > p.capacity_bytes) {
			tfail(c, "%s: zones hold more than the flash", want[i].prof);
			zns_exit(&z);
			return;
		}
		zns_exit(&z);
	}
	for (i = 0; i < zns_param_count; i++) {
		TRY(c, zns_param_set(&zp, zns_param_table[i].name, 77 + i));
		TRY(c, zns_param_get(&zp, zns_param_table[i].name, &v));
		CHECK(c, v == 77 + i, "%s did not round-trip", zns_param_table[i].name);
	}
	CHECK(c, zns_param_set(&zp, "nonesuch", 1) == -ENOENT, "unknown param accepted");

	ftl_params_default(&p, "970pro", 1ull << 30);
	TRY(c, ftl_params_resolve(&p));
#define REFUSED(field, val) do {						\
		zns_params_default(&zp);					\
		zp.field = (val);						\
		CHECK(c, zns_params_resolve(&zp, &p) == -EINVAL, #field "=%llu accepted", \
		      (unsigned long long)(val));				\
	} while (0)
	REFUSED(lba_size, 1024);
	REFUSED(stripe_luns, 3);
	REFUSED(stripe_luns, 17);
	REFUSED(zone_cap, 1000);
	REFUSED(zone_cap, 2ull << 30);
	REFUSED(cross_read, 2);
	zns_params_default(&zp);
	zp.zone_size = 8 << 20;
	zp.zone_cap = 12 << 20;
	CHECK(c, zns_params_resolve(&zp, &p) == -EINVAL, "capacity above size accepted");
	zns_params_default(&zp);
	zp.max_open = 4;
	zp.max_active = 3;
	CHECK(c, zns_params_resolve(&zp, &p) == -EINVAL, "max_open > max_active accepted");
	zns_params_default(&zp);
	zp.zone_size = 64 << 20;
	TRY(c, zns_params_resolve(&zp, &p));
	CHECK(c, zp.zone_cap == 64 << 20, "cap from size: %llu", (unsigned long long)zp.zone_cap);
	zns_params_default(&zp);
	zp.zone_cap = 12 << 20;
	TRY(c, zns_params_resolve(&zp, &p));
	CHECK(c, zp.zone_size == 16 << 20, "size from cap: %llu", (unsigned long long)zp.zone_size);
	zns_params_default(&zp);
	zp.stripe_luns = 4;
	zp.lba_size = 512;
	TRY(c, zns_params_resolve(&zp, &p));
	CHECK(c, zp.zone_cap == 16 << 20 && zp.zone_size == 16 << 20, "stripe 4: %llu/%llu",
	      (unsigned long long)zp.zone_cap, (unsigned long long)zp.zone_size);
#undef REFUSED
}

/* put zone @id in a state: 0 empty, 1 iopen, 2 eopen (no data), 3 eopen
 * with data, 4 closed, 5 full (by writing), 6 full (by finish, no data),
 * 7 read-only, 8 offline */
#define NSETUPS 9
static const unsigned int setup_state[NSETUPS] = {
	ZNS_ZS_EMPTY, ZNS_ZS_IOPEN, ZNS_ZS_EOPEN, ZNS_ZS_EOPEN, ZNS_ZS_CLOSED, ZNS_ZS_FULL,
	ZNS_ZS_FULL, ZNS_ZS_RDONLY, ZNS_ZS_OFFLINE,
};

static void setup(struct zctx *c, u32 id, unsigned int k)
{
	u64 done;

	EXPECT(c, mg(c, id, ZNS_ZSA_RESET), (c->z.zones[id].state == ZNS_ZS_RDONLY ||
					     c->z.zones[id].state == ZNS_ZS_OFFLINE) ?
	       ZNS_SC_INVALID_TRANSITION : ZNS_OK);
	if (c->z.zones[id].state != ZNS_ZS_EMPTY) {
		/* leftovers of read-only/offline: a fresh device instead */
		tfail(c, "setup on zone %u in %s", id, zns_state_name(c->z.zones[id].state));
		return;
	}
	switch (k) {
	case 1:
		EXPECT(c, wr(c, zs(c, id), 3), ZNS_OK);
		break;
	case 2:
		EXPECT(c, mg(c, id, ZNS_ZSA_OPEN), ZNS_OK);
		break;
	case 3:
		EXPECT(c, wr(c, zs(c, id), 3), ZNS_OK);
		EXPECT(c, mg(c, id, ZNS_ZSA_OPEN), ZNS_OK);
		break;
	case 4:
		EXPECT(c, wr(c, zs(c, id), 3), ZNS_OK);
		EXPECT(c, mg(c, id, ZNS_ZSA_CLOSE), ZNS_OK);
		break;
	case 5:
		EXPECT(c, wr(c, zs(c, id), (u32)c->z.cap_lbas), ZNS_OK);
		break;
	case 6:
		EXPECT(c, mg(c, id, ZNS_ZSA_FINISH), ZNS_OK);
		break;
	case 7:
		EXPECT(c, wr(c, zs(c, id), 5), ZNS_OK);
		EXPECT(c, zns_set_state(&c->z, id, ZNS_ZS_RDONLY, c->now), ZNS_OK);
		break;
	case 8:
		EXPECT(c, zns_set_state(&c->z, id, ZNS_ZS_RDONLY, c->now), ZNS_OK);
		EXPECT(c, zns_mgmt_send(&c->z, zs(c, id), ZNS_ZSA_OFFLINE, false, c->now, &done),
		       ZNS_OK);
		break;
	}
	STATE(c, id, setup_state[k]);
}

/*
 * Every (state, action) pair of ZNS 1.1 against the expected status and
 * resulting state: Zone Management Send (open, close, finish, reset,
 * offline), Write at the write pointer and Zone Append.
 */
static void t_transitions(struct zctx *c)
{
	enum { OPEN, CLOSE, FINISH, RESET, OFFLINE, WRITE, APPEND, NACT };
	static const char *const an[NACT] = {
		"open", "close", "finish", "reset", "offline", "write", "append"
	};
	/* expected { status, state after } per setup and action; 0 state = unchanged */
	static const struct { u8 sc; u8 to; } want[NSETUPS][NACT] = {
		/* empty */
		{ { 0, ZNS_ZS_EOPEN }, { 0xbf, 0 }, { 0, ZNS_ZS_FULL }, { 0, ZNS_ZS_EMPTY },
		  { 0xbf, 0 }, { 0, ZNS_ZS_IOPEN }, { 0, ZNS_ZS_IOPEN } },
		/* implicitly opened */
		{ { 0, ZNS_ZS_EOPEN }, { 0, ZNS_ZS_CLOSED }, { 0, ZNS_ZS_FULL }, { 0, ZNS_ZS_EMPTY },
		  { 0xbf, 0 }, { 0, ZNS_ZS_IOPEN }, { 0, ZNS_ZS_IOPEN } },
		/* explicitly opened, no data: close goes back to empty */
		{ { 0, ZNS_ZS_EOPEN }, { 0, ZNS_ZS_EMPTY }, { 0, ZNS_ZS_FULL }, { 0, ZNS_ZS_EMPTY },
		  { 0xbf, 0 }, { 0, ZNS_ZS_EOPEN }, { 0, ZNS_ZS_EOPEN } },
		/* explicitly opened with data */
		{ { 0, ZNS_ZS_EOPEN }, { 0, ZNS_ZS_CLOSED }, { 0, ZNS_ZS_FULL }, { 0, ZNS_ZS_EMPTY },
		  { 0xbf, 0 }, { 0, ZNS_ZS_EOPEN }, { 0, ZNS_ZS_EOPEN } },
		/* closed */
		{ { 0, ZNS_ZS_EOPEN }, { 0, ZNS_ZS_CLOSED }, { 0, ZNS_ZS_FULL }, { 0, ZNS_ZS_EMPTY },
		  { 0xbf, 0 }, { 0, ZNS_ZS_IOPEN }, { 0, ZNS_ZS_IOPEN } },
		/* full by writing */
		{ { 0xbf, 0 }, { 0xbf, 0 }, { 0, ZNS_ZS_FULL }, { 0, ZNS_ZS_EMPTY },
		  { 0xbf, 0 }, { 0xb9, 0 }, { 0xb9, 0 } },
		/* full by finish */
		{ { 0xbf, 0 }, { 0xbf, 0 }, { 0, ZNS_ZS_FULL }, { 0, ZNS_ZS_EMPTY },
		  { 0xbf, 0 }, { 0xb9, 0 }, { 0xb9, 0 } },
		/* read-only */
		{ { 0xbf, 0 }, { 0xbf, 0 }, { 0xbf, 0 }, { 0xbf, 0 },
		  { 0, ZNS_ZS_OFFLINE }, { 0xba, 0 }, { 0xba, 0 } },
		/* offline */
		{ { 0xbf, 0 }, { 0xbf, 0 }, { 0xbf, 0 }, { 0xbf, 0 },
		  { 0, ZNS_ZS_OFFLINE }, { 0xbb, 0 }, { 0xbb, 0 } },
	};
	unsigned int k, a, pairs = 0;

	for (k = 0; k < NSETUPS; k++) {
		for (a = 0; a < NACT; a++) {
			u64 done, lba, wp0;
			u8 before;
			enum zns_status s;

			zns_exit(&c->z);
			TRY(c, zinit_small(c, 4096, 0, 0));
			setup(c, 3, k);
			if (c->failed)
				return;
			before = c->z.zones[3].state;
			wp0 = c->z.zones[3].wp;
			if (a == WRITE)
				/* at the wp, or in the zone if that is the next zone's start */
				s = zns_write(&c->z, wp0 < zs(c, 3) + c->z.cap_lbas ? wp0 : zs(c, 3), 2,
					      c->now, false, &done);
			else if (a == APPEND)
				s = zns_append(&c->z, zs(c, 3), 2, c->now, false, &lba, &done);
			else
				s = mg(c, 3, a == OPEN ? ZNS_ZSA_OPEN : a == CLOSE ? ZNS_ZSA_CLOSE :
					     a == FINISH ? ZNS_ZSA_FINISH : a == RESET ? ZNS_ZSA_RESET :
					     ZNS_ZSA_OFFLINE);
			zcheck(c);
			if (c->failed)
				return;
			CHECK(c, s == want[k][a].sc, "%s zone (setup %u): %s = %#x, expected %#x",
			      zns_state_name(setup_state[k]), k, an[a], s, want[k][a].sc);
			CHECK(c, c->z.zones[3].state == (want[k][a].to ? want[k][a].to : before),
			      "%s zone (setup %u): %s left it %s", zns_state_name(setup_state[k]), k,
			      an[a], zns_state_name(c->z.zones[3].state));
			if (!s && (a == WRITE || a == APPEND))
				CHECK(c, c->z.zones[3].wp == wp0 + 2, "wp %llu after a write at %llu",
				      (unsigned long long)c->z.zones[3].wp, (unsigned long long)wp0);
			if (!s && a == APPEND)
				CHECK(c, lba == wp0, "append wrote at %llu, wp was %llu",
				      (unsigned long long)lba, (unsigned long long)wp0);
			if (s)
				CHECK(c, c->z.zones[3].wp == wp0, "failed %s moved the wp", an[a]);
			if (!s && a == RESET)
				CHECK(c, c->z.zones[3].wp == zs(c, 3), "reset left wp %llu",
				      (unsigned long long)c->z.zones[3].wp);
			pairs++;
		}
	}
	/* the fault-injection transitions */
	zns_exit(&c->z);
	TRY(c, zinit_small(c, 4096, 0, 0));
	EXPECT(c, zns_set_state(&c->z, 0, ZNS_ZS_OFFLINE, c->now), ZNS_OK);
	EXPECT(c, zns_set_state(&c->z, 0, ZNS_ZS_RDONLY, c->now), ZNS_SC_INVALID_TRANSITION);
	EXPECT(c, zns_set_state(&c->z, 1, ZNS_ZS_FULL, c->now), ZNS_SC_INVALID_FIELD);
	info("transitions: %u (state, action) pairs checked", pairs);
}

/* every error status, provoked */
static void t_errors(struct zctx *c)
{
	u64 done, lba, nz, n = 0;
	struct zns_zone_desc d[4];
	u32 nd;

	TRY(c, zinit_small(c, 4096, 0, 0));
	n = zns_nr_lbas(&c->z);
	EXPECT(c, zns_write(&c->z, n, 1, c->now, false, &done), ZNS_SC_LBA_RANGE);
	EXPECT(c, zns_write(&c->z, n - 1, 2, c->now, false, &done), ZNS_SC_LBA_RANGE);
	EXPECT(c, zns_write(&c->z, 0, 0, c->now, false, &done), ZNS_SC_INVALID_FIELD);
	EXPECT(c, zns_read(&c->z, n, 1, c->now, &nd, &done), ZNS_SC_LBA_RANGE);
	EXPECT(c, zns_append(&c->z, n, 1, c->now, false, &lba, &done), ZNS_SC_LBA_RANGE);
	/* Zone Invalid Write: not at the write pointer */
	EXPECT(c, wr(c, 1, 1), ZNS_SC_INVALID_WRITE);
	EXPECT(c, wr(c, 0, 4), ZNS_OK);
	EXPECT(c, wr(c, 0, 1), ZNS_SC_INVALID_WRITE);
	EXPECT(c, wr(c, 5, 1), ZNS_SC_INVALID_WRITE);
	/* Zone Boundary Error: crossing the capacity, and a read across zones */
	EXPECT(c, wr(c, 4, (u32)c->z.cap_lbas), ZNS_SC_BOUNDARY);
	EXPECT(c, zns_append(&c->z, 0, (u32)c->z.cap_lbas, c->now, false, &lba, &done),
	       ZNS_SC_BOUNDARY);
	EXPECT(c, zns_read(&c->z, zs(c, 1) - 1, 2, c->now, &nd, &done), ZNS_SC_BOUNDARY);
	/* append not to a zone start: Invalid Field in Command */
	EXPECT(c, zns_append(&c->z, 1, 1, c->now, false, &lba, &done), ZNS_SC_INVALID_FIELD);
	/* Zone Is Full */
	EXPECT(c, wr(c, 4, (u32)c->z.cap_lbas - 4), ZNS_OK);
	STATE(c, 0, ZNS_ZS_FULL);
	EXPECT(c, wr(c, zs(c, 0), 1), ZNS_SC_FULL);
	EXPECT(c, wr(c, zs(c, 0) + c->z.cap_lbas - 1, 1), ZNS_SC_FULL);
	EXPECT(c, zns_append(&c->z, 0, 1, c->now, false, &lba, &done), ZNS_SC_FULL);
	/* Zone Is Read Only */
	EXPECT(c, wr(c, zs(c, 2), 1), ZNS_OK);
	EXPECT(c, zns_set_state(&c->z, 2, ZNS_ZS_RDONLY, c->now), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 2) + 1, 1), ZNS_SC_READ_ONLY);
	EXPECT(c, zns_read(&c->z, zs(c, 2), 4, c->now, &nd, &done), ZNS_OK);
	CHECK(c, nd == 1, "read-only zone reads %u LBAs of data, expected 1", nd);
	/* Zone Is Offline: writes and reads */
	EXPECT(c, mg(c, 2, ZNS_ZSA_OFFLINE), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 2) + 1, 1), ZNS_SC_OFFLINE);
	EXPECT(c, zns_read(&c->z, zs(c, 2), 1, c->now, &nd, &done), ZNS_SC_OFFLINE);
	/* a read from an online zone into an offline one crosses first */
	EXPECT(c, zns_read(&c->z, zs(c, 2) - 1, 2, c->now, &nd, &done), ZNS_SC_BOUNDARY);
	/* Invalid Zone State Transition */
	EXPECT(c, mg(c, 2, ZNS_ZSA_RESET), ZNS_SC_INVALID_TRANSITION);
	EXPECT(c, mg(c, 3, ZNS_ZSA_CLOSE), ZNS_SC_INVALID_TRANSITION);
	EXPECT(c, mg(c, 0, ZNS_ZSA_OPEN), ZNS_SC_INVALID_TRANSITION);
	/* management: not a zone start, out of range, unknown action */
	EXPECT(c, zns_mgmt_send(&c->z, 1, ZNS_ZSA_OPEN, false, c->now, &done), ZNS_SC_INVALID_FIELD);
	EXPECT(c, zns_mgmt_send(&c->z, n, ZNS_ZSA_OPEN, false, c->now, &done), ZNS_SC_LBA_RANGE);
	EXPECT(c, zns_mgmt_send(&c->z, 0, (enum zns_action)9, false, c->now, &done),
	       ZNS_SC_INVALID_FIELD);
	EXPECT(c, zns_report(&c->z, 0, (enum zns_filter)9, false, d, 4, &nz, c->now, &done),
	       ZNS_SC_INVALID_FIELD);
	EXPECT(c, zns_report(&c->z, n, ZNS_ZRAS_ALL, false, d, 4, &nz, c->now, &done),
	       ZNS_SC_LBA_RANGE);
	/* Too Many Active / Open Zones: t_limits; the status code types */
	CHECK(c, zns_status_sct(ZNS_SC_BOUNDARY) == 1 && zns_status_sct(ZNS_SC_INVALID_TRANSITION) == 1 &&
		 zns_status_sct(ZNS_SC_LBA_RANGE) == 0 && zns_status_sct(ZNS_SC_INVALID_FIELD) == 0,
	      "status code types");
	CHECK(c, c->z.st.errors >= 20, "only %llu errors counted", (unsigned long long)c->z.st.errors);
	/* reads across zones with cross_read */
	zns_exit(&c->z);
	{
		struct ftl_params p;
		struct zns_params zp;

		small_params(&p, 16);
		zns_params_default(&zp);
		zp.cross_read = 1;
		TRY(c, zinit(c, &p, &zp));
	}
	EXPECT(c, wr(c, 0, (u32)c->z.cap_lbas), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 1), 3), ZNS_OK);
	EXPECT(c, zns_read(&c->z, zs(c, 1) - 2, 8, c->now, &nd, &done), ZNS_OK);
	CHECK(c, nd == 5, "cross-zone read: %u LBAs of data, expected 5", nd);
	CHECK(c, zns_data_end(&c->z, zs(c, 1)) == zs(c, 1) + 3, "data end");
	EXPECT(c, zns_set_state(&c->z, 2, ZNS_ZS_OFFLINE, c->now), ZNS_OK);
	EXPECT(c, zns_read(&c->z, zs(c, 2) - 1, 2, c->now, &nd, &done), ZNS_SC_OFFLINE);
}

/* open and active limits, the implicit close, select-all */
static void t_limits(struct zctx *c)
{
	u64 done;

	TRY(c, zinit_small(c, 4096, 2, 3));
	EXPECT(c, wr(c, zs(c, 0), 1), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 1), 1), ZNS_OK);
	CHECK(c, c->z.nr_open == 2, "open %u", c->z.nr_open);
	/* a third write: the controller closes an implicitly opened zone */
	EXPECT(c, wr(c, zs(c, 2), 1), ZNS_OK);
	CHECK(c, c->z.st.implicit_closes == 1, "no implicit close");
	STATE(c, 0, ZNS_ZS_CLOSED);
	STATE(c, 1, ZNS_ZS_IOPEN);
	STATE(c, 2, ZNS_ZS_IOPEN);
	/* active 3 of 3: a fourth zone is refused, writes and explicit open */
	EXPECT(c, wr(c, zs(c, 3), 1), ZNS_SC_TOO_MANY_ACTIVE);
	EXPECT(c, mg(c, 3, ZNS_ZSA_OPEN), ZNS_SC_TOO_MANY_ACTIVE);
	EXPECT(c, mg(c, 3, ZNS_ZSA_FINISH), ZNS_SC_TOO_MANY_ACTIVE);
	STATE(c, 3, ZNS_ZS_EMPTY);
	/* writing the closed zone reopens it, closing another implicitly */
	EXPECT(c, wr(c, zs(c, 0) + 1, 1), ZNS_OK);
	STATE(c, 0, ZNS_ZS_IOPEN);
	CHECK(c, c->z.st.implicit_closes == 2, "implicit closes %llu",
	      (unsigned long long)c->z.st.implicit_closes);
	/* explicit opens are never closed by the controller */
	EXPECT(c, mg(c, 0, ZNS_ZSA_OPEN), ZNS_OK);
	EXPECT(c, mg(c, 1, ZNS_ZSA_OPEN), ZNS_OK);
	STATE(c, 2, ZNS_ZS_CLOSED);
	EXPECT(c, wr(c, c->z.zones[2].wp, 1), ZNS_SC_TOO_MANY_OPEN);
	EXPECT(c, mg(c, 2, ZNS_ZSA_OPEN), ZNS_SC_TOO_MANY_OPEN);
	STATE(c, 2, ZNS_ZS_CLOSED);
	/* finishing releases both resources */
	EXPECT(c, mg(c, 0, ZNS_ZSA_FINISH), ZNS_OK);
	CHECK(c, c->z.nr_open == 1 && c->z.nr_active == 2, "after finish: open %u active %u",
	      c->z.nr_open, c->z.nr_active);
	/* zone 2 reopens (1 explicit + 1 implicit), zone 3 takes the last
	 * active resource and the open one of zone 2 */
	EXPECT(c, wr(c, c->z.zones[2].wp, 1), ZNS_OK);
	STATE(c, 2, ZNS_ZS_IOPEN);
	EXPECT(c, wr(c, zs(c, 3), 1), ZNS_OK);
	STATE(c, 2, ZNS_ZS_CLOSED);
	EXPECT(c, wr(c, zs(c, 4), 1), ZNS_SC_TOO_MANY_ACTIVE);
	/* close all, then open all: all or nothing against max_open */
	EXPECT(c, mg_all(c, ZNS_ZSA_CLOSE), ZNS_OK);
	CHECK(c, c->z.nr_open == 0 && c->z.nr_active == 3, "close all: open %u active %u",
	      c->z.nr_open, c->z.nr_active);
	EXPECT(c, mg_all(c, ZNS_ZSA_OPEN), ZNS_SC_TOO_MANY_OPEN);
	STATE(c, 1, ZNS_ZS_CLOSED);
	STATE(c, 2, ZNS_ZS_CLOSED);
	STATE(c, 3, ZNS_ZS_CLOSED);
	EXPECT(c, mg(c, 3, ZNS_ZSA_FINISH), ZNS_OK);
	EXPECT(c, mg_all(c, ZNS_ZSA_OPEN), ZNS_OK);
	STATE(c, 1, ZNS_ZS_EOPEN);
	STATE(c, 2, ZNS_ZS_EOPEN);
	EXPECT(c, mg_all(c, ZNS_ZSA_CLOSE), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 4), 1), ZNS_OK);
	EXPECT(c, mg(c, 4, ZNS_ZSA_OPEN), ZNS_OK);
	EXPECT(c, mg_all(c, ZNS_ZSA_OPEN), ZNS_SC_TOO_MANY_OPEN);
	STATE(c, 1, ZNS_ZS_CLOSED);
	STATE(c, 2, ZNS_ZS_CLOSED);
	/* finish all: open and closed zones; reset all: everything */
	EXPECT(c, mg_all(c, ZNS_ZSA_FINISH), ZNS_OK);
	CHECK(c, c->z.nr_active == 0, "finish all left %u active", c->z.nr_active);
	STATE(c, 4, ZNS_ZS_FULL);
	STATE(c, 5, ZNS_ZS_EMPTY);
	EXPECT(c, mg_all(c, ZNS_ZSA_RESET), ZNS_OK);
	CHECK(c, c->z.st.resets == 5, "reset all reset %llu zones", (unsigned long long)c->z.st.resets);
	STATE(c, 0, ZNS_ZS_EMPTY);
	STATE(c, 4, ZNS_ZS_EMPTY);
	/* offline all takes the read-only zones only */
	EXPECT(c, zns_set_state(&c->z, 5, ZNS_ZS_RDONLY, c->now), ZNS_OK);
	EXPECT(c, mg_all(c, ZNS_ZSA_OFFLINE), ZNS_OK);
	STATE(c, 5, ZNS_ZS_OFFLINE);
	STATE(c, 6, ZNS_ZS_EMPTY);
	/* explicit open of an empty zone takes an active resource too */
	EXPECT(c, mg(c, 7, ZNS_ZSA_OPEN), ZNS_OK);
	EXPECT(c, mg(c, 8, ZNS_ZSA_OPEN), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 9), 1), ZNS_SC_TOO_MANY_OPEN);
	EXPECT(c, wr(c, zs(c, 7), 1), ZNS_OK);
	EXPECT(c, zns_mgmt_send(&c->z, zs(c, 7), ZNS_ZSA_CLOSE, false, c->now, &done), ZNS_OK);
	EXPECT(c, mg(c, 8, ZNS_ZSA_CLOSE), ZNS_OK);
	STATE(c, 8, ZNS_ZS_EMPTY);	/* no data: back to empty */
	CHECK(c, c->z.nr_active == 1, "active %u", c->z.nr_active);
}

/* Zone Append: returns the LBA written; 512 B LBAs */
static void t_append(struct zctx *c)
{
	u64 done, lba, expect = 0;
	u32 i;

	TRY(c, zinit_small(c, 512, 0, 0));
	for (i = 0; i < 40; i++) {
		u32 n = 1 + (u32)rnd_below(c, 17);

		EXPECT(c, zns_append(&c->z, zs(c, 4), n, c->now, false, &lba, &done), ZNS_OK);
		CHECK(c, lba == zs(c, 4) + expect, "append %u wrote at %llu, expected %llu", i,
		      (unsigned long long)lba, (unsigned long long)(zs(c, 4) + expect));
		expect += n;
		c->now = done;
	}
	CHECK(c, c->z.zones[4].wp == zs(c, 4) + expect, "wp");
	STATE(c, 4, ZNS_ZS_IOPEN);
	CHECK(c, c->z.st.appends == 40, "appends %llu", (unsigned long long)c->z.st.appends);
	/* an append that fills the zone exactly makes it full */
	EXPECT(c, zns_append(&c->z, zs(c, 4), (u32)(c->z.cap_lbas - expect), c->now, false, &lba,
			     &done), ZNS_OK);
	STATE(c, 4, ZNS_ZS_FULL);
	EXPECT(c, zns_append(&c->z, zs(c, 4), 1, c->now, false, &lba, &done), ZNS_SC_FULL);
	CHECK(c, c->z.fl.wb_used == 0 || c->z.fl.wb_n, "full zone holds buffer without programs");
}

static void check_desc(struct zctx *c, const struct zns_zone_desc *d)
{
	u32 id = zns_zone_of(&c->z, d->zslba);

	CHECK(c, d->zslba == zs(c, id), "descriptor zslba %llu", (unsigned long long)d->zslba);
	CHECK(c, d->zt == ZNS_ZT_SEQ_WRITE_REQ && d->zcap == c->z.cap_lbas, "type/capacity");
	CHECK(c, d->zs == c->z.zones[id].state, "zone %u reported %s, is %s", id,
	      zns_state_name(d->zs), zns_state_name(c->z.zones[id].state));
	if (d->zs == ZNS_ZS_FULL)
		CHECK(c, d->wp == d->zslba + c->z.cap_lbas, "full zone wp %llu", (unsigned long long)d->wp);
	else
		CHECK(c, d->wp == c->z.zones[id].wp, "zone %u wp %llu", id, (unsigned long long)d->wp);
}

/* Report Zones: each filter, start LBA in mid zone, partial reports */
static void t_report(struct zctx *c)
{
	static const struct { enum zns_filter f; u32 n; } want[] = {
		{ ZNS_ZRAS_ALL, 16 }, { ZNS_ZRAS_EMPTY, 7 }, { ZNS_ZRAS_IOPEN, 2 },
		{ ZNS_ZRAS_EOPEN, 1 }, { ZNS_ZRAS_CLOSED, 1 }, { ZNS_ZRAS_FULL, 2 },
		{ ZNS_ZRAS_RDONLY, 1 }, { ZNS_ZRAS_OFFLINE, 2 }, { ZNS_ZRAS_NOT_WP, 5 },
	};
	struct zns_zone_desc d[16];
	u64 done, nz;
	unsigned int i, k;

	TRY(c, zinit_small(c, 4096, 0, 0));
	CHECK(c, c->z.nr_zones == 16, "%u zones", c->z.nr_zones);
	/* 1, 9 iopen; 2 eopen; 3 closed; 4, 10 full; 5 read-only; 6, 12 offline */
	EXPECT(c, wr(c, zs(c, 1), 7), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 9), 1), ZNS_OK);
	EXPECT(c, mg(c, 2, ZNS_ZSA_OPEN), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 3), 2), ZNS_OK);
	EXPECT(c, mg(c, 3, ZNS_ZSA_CLOSE), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 4), (u32)c->z.cap_lbas), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 10), 9), ZNS_OK);
	EXPECT(c, mg(c, 10, ZNS_ZSA_FINISH), ZNS_OK);
	EXPECT(c, zns_set_state(&c->z, 5, ZNS_ZS_RDONLY, c->now), ZNS_OK);
	EXPECT(c, zns_set_state(&c->z, 6, ZNS_ZS_OFFLINE, c->now), ZNS_OK);
	EXPECT(c, zns_set_state(&c->z, 12, ZNS_ZS_OFFLINE, c->now), ZNS_OK);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		EXPECT(c, zns_report(&c->z, 0, want[i].f, false, d, 16, &nz, c->now, &done), ZNS_OK);
		CHECK(c, nz == want[i].n, "filter %u: %llu zones, expected %u", want[i].f,
		      (unsigned long long)nz, want[i].n);
		CHECK(c, done > c->now, "report took no time");
		for (k = 0; k < nz; k++) {
			check_desc(c, &d[k]);
			if (c->failed)
				return;
			CHECK(c, !k || d[k].zslba > d[k - 1].zslba, "descriptors out of order");
		}
		/* partial report with room for one: the header counts what was returned */
		EXPECT(c, zns_report(&c->z, 0, want[i].f, true, d, 1, &nz, c->now, &done), ZNS_OK);
		CHECK(c, nz == 1, "partial filter %u: %llu", want[i].f, (unsigned long long)nz);
		/* not partial with room for one: the header counts all matches */
		EXPECT(c, zns_report(&c->z, 0, want[i].f, false, d, 1, &nz, c->now, &done), ZNS_OK);
		CHECK(c, nz == want[i].n, "non-partial filter %u: %llu", want[i].f,
		      (unsigned long long)nz);
	}
	/* from an LBA inside zone 9: zones 9..15 */
	EXPECT(c, zns_report(&c->z, zs(c, 9) + 5, ZNS_ZRAS_ALL, false, d, 16, &nz, c->now, &done),
	       ZNS_OK);
	CHECK(c, nz == 7 && d[0].zslba == zs(c, 9), "report from zone 9: %llu zones from %llu",
	      (unsigned long long)nz, (unsigned long long)d[0].zslba);
	EXPECT(c, zns_report(&c->z, zs(c, 13), ZNS_ZRAS_FULL, false, d, 16, &nz, c->now, &done),
	       ZNS_OK);
	CHECK(c, nz == 0, "full zones after 13: %llu", (unsigned long long)nz);
	/* zero-length buffer: the count only */
	EXPECT(c, zns_report(&c->z, 0, ZNS_ZRAS_EMPTY, false, d, 0, &nz, c->now, &done), ZNS_OK);
	CHECK(c, nz == 7, "count-only report %llu", (unsigned long long)nz);
	EXPECT(c, zns_report(&c->z, 0, ZNS_ZRAS_EMPTY, true, d, 0, &nz, c->now, &done), ZNS_OK);
	CHECK(c, nz == 0, "partial count-only report %llu", (unsigned long long)nz);
	{
		struct zns_stats st;
		u64 sum = 0;

		zns_stats(&c->z, &st);
		for (i = 0; i < 16; i++)
			sum += st.zones[i];
		CHECK(c, sum == 16 && st.zones[ZNS_ZS_OFFLINE] == 2 && st.zones[ZNS_ZS_EMPTY] == 7 &&
			 st.nr_open == 3 && st.nr_active == 4, "per-state counts");
	}
}

/* capacity below size: writes stop at the capacity, the rest reads zeroes */
static void t_cap_below_size(struct zctx *c)
{
	struct ftl_params p;
	struct zns_params zp;
	u64 done;
	u32 nd;

	small_params(&p, 16);
	zns_params_default(&zp);
	zp.zone_size = 1 << 20;
	zp.zone_cap = 768 << 10;
	zp.lba_size = 512;
	TRY(c, zinit(c, &p, &zp));
	CHECK(c, c->z.zone_lbas == 2048 && c->z.cap_lbas == 1536, "geometry %llu/%llu",
	      (unsigned long long)c->z.zone_lbas, (unsigned long long)c->z.cap_lbas);
	CHECK(c, zns_nr_lbas(&c->z) == (u64)c->z.nr_zones * 2048, "namespace size");
	EXPECT(c, wr(c, zs(c, 1), 1000), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 1) + 1000, 537), ZNS_SC_BOUNDARY);
	EXPECT(c, wr(c, zs(c, 1) + 1000, 536), ZNS_OK);
	STATE(c, 1, ZNS_ZS_FULL);
	EXPECT(c, zns_read(&c->z, zs(c, 1) + 1500, 548, c->now, &nd, &done), ZNS_OK);
	CHECK(c, nd == 36, "read past the capacity: %u LBAs of data", nd);
	EXPECT(c, zns_read(&c->z, zs(c, 1) + 1600, 100, c->now, &nd, &done), ZNS_OK);
	CHECK(c, nd == 0, "LBAs beyond the capacity hold data");
	/* finish early: what was written stays readable, the rest is zeroes */
	EXPECT(c, wr(c, zs(c, 2), 10), ZNS_OK);
	EXPECT(c, mg(c, 2, ZNS_ZSA_FINISH), ZNS_OK);
	EXPECT(c, zns_read(&c->z, zs(c, 2), 20, c->now, &nd, &done), ZNS_OK);
	CHECK(c, nd == 10, "finished zone reads %u LBAs of data", nd);
}

/* ------------------------------------------------------------------ */
/* timing                                                              */

/* sequential QD1 writes of @mib MiB into zone 0, then a flush: MB/s */
static double seq_bw(struct zctx *c, u64 stripe, u64 mib)
{
	struct ftl_params p;
	struct zns_params zp;
	u64 t0, t, done, lba = 0, n;

	ftl_params_default(&p, "970pro", 1ull << 30);
	zns_params_default(&zp);
	zp.stripe_luns = stripe;
	zp.zone_size = 64 << 20;
	if (zinit(c, &p, &zp))
		return 0;
	t0 = t = 1000;
	n = (mib << 20) / 4096;
	while (lba < n) {
		if (zns_write(&c->z, lba, 32, t, false, &done))
			return 0;
		lba += 32;
		t = done;
	}
	t = zns_flush(&c->z, t);
	zcheck(c);
	return (double)(mib << 20) / 1e6 / ((double)(t - t0) / 1e9);
}

static void t_timing(struct zctx *c)
{
	double b1, b4, b16;
	u64 done, t, e;
	u32 nd;

	/* N LUNs give about N times one LUN's bandwidth */
	b1 = seq_bw(c, 1, 8);
	zns_exit(&c->z);
	b4 = seq_bw(c, 4, 32);
	zns_exit(&c->z);
	b16 = seq_bw(c, 16, 64);
	info("zone sequential write 128K QD1, 970pro: stripe 1 LUN %.0f MB/s, 4 LUNs %.0f MB/s, "
	     "16 LUNs %.0f MB/s (one LUN: 32 KiB / 185 us = %.0f MB/s)", b1, b4, b16,
	     32768 / 185e-6 / 1e6);
	CHECK(c, b1 > 0 && b4 > 0 && b16 > 0, "a write failed");
	CHECK(c, b4 / b1 > 3.5 && b4 / b1 < 4.2, "4 LUNs give %.2f x one LUN", b4 / b1);
	CHECK(c, b16 / b1 > 10, "16 LUNs give %.2f x one LUN", b16 / b1);
	CHECK(c, b1 < 32768 / 185e-6 / 1e6 * 1.02, "one LUN beats its program rate: %.0f", b1);
	/* the stripe: zone 5 of a 4-LUN stripe on 16 LUNs is in LUN group 1 */
	{
		struct zns zz;
		struct ftl_params p;
		struct zns_params zp;
		u32 pg, bad = 0;

		ftl_params_default(&p, "970pro", 1ull << 30);
		zns_params_default(&zp);
		zp.stripe_luns = 4;
		TRY(c, zns_init(&zz, &p, &zp));
		for (pg = 0; pg < 64; pg++)
			bad += zns_unit_lun(&zz, 5, pg * zz.upp) != 4 + pg % 4 ||
			       zns_unit_lun(&zz, 5, pg * zz.upp + zz.upp - 1) != 4 + pg % 4 ||
			       zns_unit_lun(&zz, 8, pg * zz.upp) != pg % 4;
		zns_exit(&zz);
		CHECK(c, !bad, "%u pages on the wrong LUN", bad);
	}
	/* a reset costs the erase of the blocks written, on every LUN in parallel */
	t = c->z.fl.lun_avail[0] + 1000000;
	for (nd = 0; nd < c->z.fl.nluns; nd++)
		t = ftl_max64(t, c->z.fl.lun_avail[nd] + 1000000);
	e = c->z.p.t_erase_ns;
	EXPECT(c, zns_mgmt_send(&c->z, 0, ZNS_ZSA_RESET, false, t, &done), ZNS_OK);
	/* 64 MiB over 16 LUNs: 4 MiB = 16 blocks of 256 KiB on each LUN */
	CHECK(c, done - t == c->z.p.fw_other_ns + 16 * e, "reset of 64 MiB took %llu ns, expected %llu",
	      (unsigned long long)(done - t), (unsigned long long)(c->z.p.fw_other_ns + 16 * e));
	CHECK(c, c->z.st.erase_blocks == 256, "erased %llu blocks", (unsigned long long)c->z.st.erase_blocks);
	t = done + 1000;
	EXPECT(c, zns_mgmt_send(&c->z, 0, ZNS_ZSA_RESET, false, t, &done), ZNS_OK);
	CHECK(c, done - t == c->z.p.fw_other_ns, "reset of an empty zone erased");
	/* a partly written zone erases only the blocks it wrote */
	EXPECT(c, zns_write(&c->z, 0, 1, t, true, &done), ZNS_OK);
	t = done + 10000000;
	EXPECT(c, zns_mgmt_send(&c->z, 0, ZNS_ZSA_RESET, false, t, &done), ZNS_OK);
	CHECK(c, done - t == c->z.p.fw_other_ns + e, "reset of one page took %llu", (unsigned long long)(done - t));
	zns_exit(&c->z);

	/* exact idle latencies: write, unwritten read, written read */
	{
		struct ftl_params p;
		struct zns_params zp;

		ftl_params_default(&p, "970pro", 1ull << 30);
		zns_params_default(&zp);
		TRY(c, zinit(c, &p, &zp));
	}
	t = 1000000;
	EXPECT(c, zns_write(&c->z, 0, 1, t, false, &done), ZNS_OK);
	CHECK(c, done - t == ftl_expected_write_latency(&c->z.p), "write latency %llu",
	      (unsigned long long)(done - t));
	/* buffered: no NAND read */
	EXPECT(c, zns_read(&c->z, 0, 1, done, &nd, &e), ZNS_OK);
	CHECK(c, c->z.fl.nand_read_pages == 0 && nd == 1, "buffered data read from NAND");
	t = zns_flush(&c->z, done);
	CHECK(c, t - done >= c->z.p.t_prog_ns, "flush did not wait for the program");
	CHECK(c, c->z.st.partial_programs == 1, "partial programs %llu",
	      (unsigned long long)c->z.st.partial_programs);
	done = zns_flush(&c->z, t + 1000);
	CHECK(c, done - (t + 1000) == c->z.p.fw_other_ns, "second flush programmed again");
	t += 10000000;
	EXPECT(c, zns_read(&c->z, 100, 1, t, &nd, &done), ZNS_OK);
	CHECK(c, nd == 0 && done - t == ftl_expected_unmapped_read_latency(&c->z.p),
	      "unwritten read %llu ns", (unsigned long long)(done - t));
	/* fill the zone's first page, let it program, read it from NAND */
	EXPECT(c, zns_write(&c->z, 1, 15, t, false, &done), ZNS_OK);
	t = done + 10000000;
	EXPECT(c, zns_read(&c->z, 3, 1, t, &nd, &done), ZNS_OK);
	CHECK(c, nd == 1 && done - t == ftl_expected_read_latency(&c->z.p),
	      "written read %llu ns, expected %llu", (unsigned long long)(done - t),
	      (unsigned long long)ftl_expected_read_latency(&c->z.p));
	CHECK(c, c->z.fl.nand_read_pages == 1, "NAND reads %llu",
	      (unsigned long long)c->z.fl.nand_read_pages);
	/* FUA waits for the program */
	t = done + 1000;
	EXPECT(c, zns_write(&c->z, 16, 1, t, true, &done), ZNS_OK);
	CHECK(c, done - t >= c->z.p.t_prog_ns, "FUA write did not wait for NAND");
	/* reading 64 unwritten LBAs is much faster than 64 written ones */
	t = done + 10000000;
	EXPECT(c, zns_read(&c->z, zs(c, 5), 64, t, &nd, &done), ZNS_OK);
	info("latency 970pro zoned QD1 4K: write %llu ns, written read %llu ns, unwritten read %llu ns, "
	     "64 unwritten LBAs %llu ns", (unsigned long long)ftl_expected_write_latency(&c->z.p),
	     (unsigned long long)ftl_expected_read_latency(&c->z.p),
	     (unsigned long long)ftl_expected_unmapped_read_latency(&c->z.p),
	     (unsigned long long)(done - t));
	CHECK(c, done - t == c->z.p.fw_read_ns + 64 * c->z.fl.pcie_unit_ns,
	      "64 unwritten LBAs: %llu ns", (unsigned long long)(done - t));
	CHECK(c, c->z.fl.nand_read_pages == 1, "unwritten read touched NAND");
}

/* the write buffer stalls bursts beyond it, even with many open zones */
static void t_buffer(struct zctx *c)
{
	struct zns_stats st;
	u64 done = 0, t = 1000;
	u32 i, k;

	TRY(c, zinit_small(c, 4096, 0, 0));
	for (k = 0; k < 64; k++)
		for (i = 0; i < 16; i++) {
			EXPECT(c, zns_write(&c->z, c->z.zones[i].wp, 3, t, false, &done), ZNS_OK);
			t += 100;
		}
	zns_stats(&c->z, &st);
	CHECK(c, st.wb_full_events > 0, "no buffer stall");
	CHECK(c, done - t > c->z.p.t_prog_ns, "burst not throttled");
	info("buffer: %llu of %llu units used after the burst, %llu stalls",
	     (unsigned long long)st.wb_used_units, (unsigned long long)st.wb_capacity_units,
	     (unsigned long long)st.wb_full_events);
	done = zns_flush(&c->z, done);
	zcheck(c);
	CHECK(c, !c->failed, "%s", c->err);
}

/* ------------------------------------------------------------------ */
/* randomized run against a reference model                            */

struct ref_zone {
	u8 st;
	u64 wp;		/* relative */
};

struct ref {
	struct ref_zone *z;
	u32 n, open, active, mo, ma;
	u64 cap, size;
	bool cross;
};

static bool r_open(unsigned int s)
{
	return s == ZNS_ZS_IOPEN || s == ZNS_ZS_EOPEN;
}

static bool r_active(unsigned int s)
{
	return r_open(s) || s == ZNS_ZS_CLOSED;
}

static void r_set(struct ref *r, u32 i, unsigned int s)
{
	r->open += r_open(s);
	r->open -= r_open(r->z[i].st);
	r->active += r_active(s);
	r->active -= r_active(r->z[i].st);
	r->z[i].st = s;
}

/* room to open zone i (empty or closed): the spec's rules, the lowest
 * numbered implicitly opened zone is the one the controller closes */
static unsigned int r_room(struct ref *r, u32 i)
{
	u32 k;

	if (r->z[i].st == ZNS_ZS_EMPTY && r->ma && r->active >= r->ma)
		return 0xbd;
	if (!r->mo || r->open < r->mo)
		return 0;
	for (k = 0; k < r->n; k++)
		if (k != i && r->z[k].st == ZNS_ZS_IOPEN) {
			r_set(r, k, ZNS_ZS_CLOSED);
			return 0;
		}
	return 0xbe;
}

static unsigned int r_write(struct ref *r, u64 slba, u32 nlb, bool append)
{
	u32 i;
	u64 rel;
	unsigned int s;

	if (!nlb)
		return 0x02;
	if (slba + nlb > (u64)r->n * r->size)
		return 0x80;
	i = (u32)(slba / r->size);
	rel = slba - (u64)i * r->size;
	if (append && rel)
		return 0x02;
	if (r->z[i].st == ZNS_ZS_FULL)
		return 0xb9;
	if (r->z[i].st == ZNS_ZS_RDONLY)
		return 0xba;
	if (r->z[i].st == ZNS_ZS_OFFLINE)
		return 0xbb;
	if (!append && rel != r->z[i].wp)
		return 0xbc;
	if (r->z[i].wp + nlb > r->cap)
		return 0xb8;
	if (r->z[i].st == ZNS_ZS_EMPTY || r->z[i].st == ZNS_ZS_CLOSED) {
		s = r_room(r, i);
		if (s)
			return s;
		r_set(r, i, ZNS_ZS_IOPEN);
	}
	r->z[i].wp += nlb;
	if (r->z[i].wp == r->cap)
		r_set(r, i, ZNS_ZS_FULL);
	return 0;
}

static unsigned int r_action(struct ref *r, u32 i, enum zns_action a)
{
	unsigned int st = r->z[i].st, s;

	switch (a) {
	case ZNS_ZSA_OPEN:
		if (st == ZNS_ZS_EMPTY || st == ZNS_ZS_CLOSED) {
			s = r_room(r, i);
			if (s)
				return s;
		} else if (!r_open(st)) {
			return 0xbf;
		}
		r_set(r, i, ZNS_ZS_EOPEN);
		return 0;
	case ZNS_ZSA_CLOSE:
		if (st == ZNS_ZS_CLOSED)
			return 0;
		if (!r_open(st))
			return 0xbf;
		r_set(r, i, r->z[i].wp ? ZNS_ZS_CLOSED : ZNS_ZS_EMPTY);
		return 0;
	case ZNS_ZSA_FINISH:
		if (st == ZNS_ZS_EMPTY && r->ma && r->active >= r->ma)
			return 0xbd;
		if (st == ZNS_ZS_RDONLY || st == ZNS_ZS_OFFLINE)
			return 0xbf;
		r_set(r, i, ZNS_ZS_FULL);
		return 0;
	case ZNS_ZSA_RESET:
		if (st == ZNS_ZS_RDONLY || st == ZNS_ZS_OFFLINE)
			return 0xbf;
		r_set(r, i, ZNS_ZS_EMPTY);
		r->z[i].wp = 0;
		return 0;
	case ZNS_ZSA_OFFLINE:
		if (st != ZNS_ZS_RDONLY && st != ZNS_ZS_OFFLINE)
			return 0xbf;
		r_set(r, i, ZNS_ZS_OFFLINE);
		return 0;
	}
	return 0x02;
}

static bool r_all_has(enum zns_action a, unsigned int st)
{
	switch (a) {
	case ZNS_ZSA_OPEN:
		return st == ZNS_ZS_CLOSED;
	case ZNS_ZSA_CLOSE:
		return r_open(st);
	case ZNS_ZSA_FINISH:
		return r_active(st);
	case ZNS_ZSA_RESET:
		return r_active(st) || st == ZNS_ZS_FULL;
	default:
		return st == ZNS_ZS_RDONLY;
	}
}

static unsigned int r_all(struct ref *r, enum zns_action a)
{
	u32 i, closed = 0;
	unsigned int s = 0;

	if (a == ZNS_ZSA_OPEN && r->mo) {
		for (i = 0; i < r->n; i++)
			closed += r->z[i].st == ZNS_ZS_CLOSED;
		if (r->open + closed > r->mo)
			return 0xbe;
	}
	for (i = 0; i < r->n && !s; i++)
		if (r_all_has(a, r->z[i].st))
			s = r_action(r, i, a);
	return s;
}

static void random_run(struct zctx *c, u64 lba_size, u32 mo, u32 ma, bool cross, u64 nops,
		       u64 seed)
{
	struct ftl_params p;
	struct zns_params zp;
	struct ref r;
	struct zns_zone_desc d[16];
	struct zns_stats st, tot;
	u64 op, done, lba, nz, t = 1000;
	u32 i;

	memset(&tot, 0, sizeof(tot));

	small_params(&p, 16);
	zns_params_default(&zp);
	zp.lba_size = lba_size;
	zp.max_open = mo;
	zp.max_active = ma;
	zp.cross_read = cross;
	if (seed & 1) {
		zp.zone_size = 1 << 20;
		zp.zone_cap = 640 << 10;
	}
	TRY(c, zinit(c, &p, &zp));
	c->rng = seed * 0x9E3779B97F4A7C15ull + 7;
	memset(&r, 0, sizeof(r));
	r.n = c->z.nr_zones;
	r.z = calloc(r.n, sizeof(*r.z));
	r.mo = mo;
	r.ma = ma;
	r.cap = c->z.cap_lbas;
	r.size = c->z.zone_lbas;
	r.cross = cross;
	for (i = 0; i < r.n; i++)
		r.z[i].st = ZNS_ZS_EMPTY;
	for (op = 0; op < nops && !c->failed; op++) {
		u64 x = rnd_below(c, 1000);
		u32 id = (u32)rnd_below(c, r.n), nlb;
		unsigned int want = 0, got = 0;
		const char *what;

		/* mostly small, sometimes up to a zone, rarely 0 or beyond */
		nlb = rnd_below(c, 10) ? 1 + (u32)rnd_below(c, 24) : (u32)rnd_below(c, r.cap + 2);
		t += rnd_below(c, 20000);
		if (x < 450) {
			bool fua = !rnd_below(c, 10);

			/* mostly at the write pointer */
			lba = (u64)id * r.size + r.z[id].wp;
			if (!rnd_below(c, 8))
				lba = rnd_below(c, (u64)r.n * r.size + 4);
			what = "write";
			want = r_write(&r, lba, nlb, false);
			got = zns_write(&c->z, lba, nlb, t, fua, &done);
		} else if (x < 650) {
			u64 at;

			lba = (u64)id * r.size + (rnd_below(c, 16) ? 0 : 1 + rnd_below(c, 4));
			at = (u64)id * r.size + r.z[id].wp;
			what = "append";
			want = r_write(&r, lba, nlb, true);
			got = zns_append(&c->z, lba, nlb, t, false, &nz, &done);
			if (!got && !want && nz != at)
				tfail(c, "op %llu: append at %llu, expected %llu",
				      (unsigned long long)op, (unsigned long long)nz,
				      (unsigned long long)at);
		} else if (x < 800) {
			u32 nd, wantd = 0, k;
			u64 pos, lim;

			lba = rnd_below(c, (u64)r.n * r.size);
			nlb = 1 + (u32)rnd_below(c, 64);
			what = "read";
			lim = lba + nlb;
			if (lim > (u64)r.n * r.size) {
				want = 0x80;
			} else {
				for (k = (u32)(lba / r.size); (u64)k * r.size < lim; k++) {
					if (k != lba / r.size && !cross) {
						want = 0xb8;
						break;
					}
					if (r.z[k].st == ZNS_ZS_OFFLINE) {
						want = 0xbb;
						break;
					}
				}
			}
			/* leading LBAs with data */
			for (pos = lba; !want && pos < lim; pos++) {
				k = (u32)(pos / r.size);
				if (pos - (u64)k * r.size >= r.z[k].wp)
					break;
				wantd++;
			}
			got = zns_read(&c->z, lba, nlb, t, &nd, &done);
			if (!got && !want && nd != wantd)
				tfail(c, "op %llu: read %llu+%u: %u LBAs of data, expected %u",
				      (unsigned long long)op, (unsigned long long)lba, nlb, nd, wantd);
		} else if (x < 950) {
			enum zns_action a = (enum zns_action)(1 + rnd_below(c, 5));
			bool all = !rnd_below(c, 12);

			what = "mgmt";
			want = all ? r_all(&r, a) : r_action(&r, id, a);
			got = zns_mgmt_send(&c->z, all ? 0 : (u64)id * r.size, a, all, t, &done);
		} else if (x < 952) {
			what = "fault";
			done = t;
			if (rnd_below(c, 4)) {
				want = r.z[id].st == ZNS_ZS_OFFLINE ? 0xbf : 0;
				if (!want)
					r_set(&r, id, ZNS_ZS_RDONLY);
				got = zns_set_state(&c->z, id, ZNS_ZS_RDONLY, t);
			} else {
				r_set(&r, id, ZNS_ZS_OFFLINE);
				got = zns_set_state(&c->z, id, ZNS_ZS_OFFLINE, t);
			}
		} else if (x < 980) {
			what = "flush";
			done = zns_flush(&c->z, t);
		} else {
			enum zns_filter f = (enum zns_filter)rnd_below(c, 9);
			bool partial = rnd_below(c, 2);
			u32 max = (u32)rnd_below(c, 17), k, match = 0, ret = 0;

			what = "report";
			lba = rnd_below(c, (u64)r.n * r.size);
			got = zns_report(&c->z, lba, f, partial, d, max, &nz, t, &done);
			for (k = (u32)(lba / r.size); k < r.n; k++) {
				unsigned int s = r.z[k].st;
				bool m = f == ZNS_ZRAS_ALL || (f == ZNS_ZRAS_NOT_WP ?
					 (s == ZNS_ZS_FULL || s == ZNS_ZS_RDONLY || s == ZNS_ZS_OFFLINE) :
					 (f == ZNS_ZRAS_EMPTY && s == ZNS_ZS_EMPTY) ||
					 (f == ZNS_ZRAS_IOPEN && s == ZNS_ZS_IOPEN) ||
					 (f == ZNS_ZRAS_EOPEN && s == ZNS_ZS_EOPEN) ||
					 (f == ZNS_ZRAS_CLOSED && s == ZNS_ZS_CLOSED) ||
					 (f == ZNS_ZRAS_FULL && s == ZNS_ZS_FULL) ||
					 (f == ZNS_ZRAS_RDONLY && s == ZNS_ZS_RDONLY) ||
					 (f == ZNS_ZRAS_OFFLINE && s == ZNS_ZS_OFFLINE));

				if (!m)
					continue;
				match++;
				if (ret < max && !got && d[ret].zslba != (u64)k * r.size)
					tfail(c, "op %llu: report descriptor %u is zone %llu, expected %u",
					      (unsigned long long)op, ret,
					      (unsigned long long)(d[ret].zslba / r.size), k);
				if (ret < max && !got && (d[ret].zs != s ||
				    (s != ZNS_ZS_FULL && d[ret].wp != (u64)k * r.size + r.z[k].wp)))
					tfail(c, "op %llu: descriptor of zone %u wrong", (unsigned long long)op, k);
				if (ret < max)
					ret++;
			}
			if (!got && nz != (partial ? ret : match))
				tfail(c, "op %llu: report counts %llu, expected %u", (unsigned long long)op,
				      (unsigned long long)nz, partial ? ret : match);
		}
		if (!c->failed && got != want)
			tfail(c, "op %llu (%s zone %u nlb %u): status %#x, reference %#x",
			      (unsigned long long)op, what, id, nlb, got, want);
		if (!c->failed && done < t)
			tfail(c, "op %llu: %s completes before submission", (unsigned long long)op, what);
		zcheck(c);
		for (i = 0; i < r.n && !c->failed; i++)
			if (c->z.zones[i].state != r.z[i].st ||
			    (r.z[i].st != ZNS_ZS_OFFLINE && c->z.zones[i].wp != (u64)i * r.size + r.z[i].wp))
				tfail(c, "op %llu (%s): zone %u %s wp +%llu, reference %s wp +%llu",
				      (unsigned long long)op, what, i, zns_state_name(c->z.zones[i].state),
				      (unsigned long long)(c->z.zones[i].wp - (u64)i * r.size),
				      zns_state_name(r.z[i].st), (unsigned long long)r.z[i].wp);
		/* a device with most zones broken has little left to test: a new one */
		{
			u32 broken = 0;

			for (i = 0; i < r.n; i++)
				broken += r.z[i].st == ZNS_ZS_OFFLINE || r.z[i].st == ZNS_ZS_RDONLY;
			if (broken > r.n / 4) {
				zns_stats(&c->z, &st);
				tot.writes += st.writes;
				tot.appends += st.appends;
				tot.resets += st.resets;
				tot.finishes += st.finishes;
				tot.implicit_closes += st.implicit_closes;
				tot.errors += st.errors;
				zns_exit(&c->z);
				TRY(c, zinit(c, &p, &zp));
				c->rng = seed * 31 + op;
				for (i = 0; i < r.n; i++) {
					r.z[i].st = ZNS_ZS_EMPTY;
					r.z[i].wp = 0;
				}
				r.open = r.active = 0;
				t = 1000;
			}
		}
	}
	{
		zns_stats(&c->z, &st);
		st.writes += tot.writes;
		st.appends += tot.appends;
		st.resets += tot.resets;
		st.finishes += tot.finishes;
		st.implicit_closes += tot.implicit_closes;
		st.errors += tot.errors;
		info("random run (LBA %llu, max open %u, active %u, cross %d, seed %llu): %llu ops, "
		     "%llu writes, %llu appends, %llu resets, %llu finishes, %llu implicit closes, "
		     "%llu errors", (unsigned long long)lba_size, mo, ma, cross,
		     (unsigned long long)seed, (unsigned long long)nops,
		     (unsigned long long)st.writes, (unsigned long long)st.appends,
		     (unsigned long long)st.resets, (unsigned long long)st.finishes,
		     (unsigned long long)st.implicit_closes, (unsigned long long)st.errors);
		if (!c->failed && (!st.writes || !st.appends || !st.resets || !st.finishes ||
				   (mo && (!ma || mo < ma) && !st.implicit_closes)))
			tfail(c, "random run did not exercise every command");
	}
	free(r.z);
}

static void t_random(struct zctx *c)
{
	static const struct { u64 lbs; u32 mo, ma; bool cross; } cfg[] = {
		{ 4096, 0, 0, false }, { 512, 3, 5, false }, { 4096, 2, 2, true },
		{ 512, 4, 0, true }, { 4096, 5, 8, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg) && !c->failed; i++) {
		if (i)
			zns_exit(&c->z);
		random_run(c, cfg[i].lbs, cfg[i].mo, cfg[i].ma, cfg[i].cross, 300000, i + 1);
	}
}

/* a 64 GiB device with one 1 GiB zone per LUN pair: reset and report scale */
static void t_large(struct zctx *c)
{
	struct ftl_params p;
	struct zns_params zp;
	struct zns_zone_desc d[8];
	u64 done, t = 1000, lba, nz;

	ftl_params_default(&p, "970pro", 64ull << 30);
	zns_params_default(&zp);
	zp.stripe_luns = 2;
	zp.zone_size = 1ull << 30;
	TRY(c, zinit(c, &p, &zp));
	info("64 GiB, stripe 2: %u zones of %llu MiB, %u blocks per LUN per zone, metadata %zu B",
	     c->z.nr_zones, (unsigned long long)(c->z.zp.zone_size >> 20), c->z.bpz,
	     zns_metadata_bytes(&c->z));
	for (lba = 0; lba < c->z.cap_lbas; lba += 256) {
		EXPECT(c, zns_write(&c->z, lba, 256, t, false, &done), ZNS_OK);
		t = done;
	}
	STATE(c, 0, ZNS_ZS_FULL);
	t = zns_flush(&c->z, t) + 100000000;
	EXPECT(c, zns_mgmt_send(&c->z, 0, ZNS_ZSA_RESET, false, t, &done), ZNS_OK);
	CHECK(c, done - t == c->z.p.fw_other_ns + (u64)c->z.bpz * c->z.p.t_erase_ns, "reset of 1 GiB took %llu ns",
	      (unsigned long long)(done - t));
	EXPECT(c, zns_report(&c->z, 0, ZNS_ZRAS_EMPTY, false, d, 8, &nz, t, &done), ZNS_OK);
	CHECK(c, nz == c->z.nr_zones, "report %llu", (unsigned long long)nz);
}

/* ------------------------------------------------------------------ */

struct test {
	const char *name;
	void (*fn)(struct zctx *c);
};

/*
 * Format: every zone empty whatever its state (read-only and offline too),
 * the written blocks erased, the write pointers in the new LBA size;
 * writes then go on in that size.  A size the zones do not divide into
 * is refused and changes nothing.
 */
static void t_format(struct zctx *c)
{
	u64 done, resets;
	u32 i, n;

	TRY(c, zinit_small(c, 4096, 0, 0));
	n = c->z.nr_zones;
	CHECK(c, n >= 6, "%u zones", n);
	EXPECT(c, wr(c, zs(c, 0), 8), ZNS_OK);			/* implicitly open */
	EXPECT(c, mg(c, 1, ZNS_ZSA_OPEN), ZNS_OK);		/* explicitly open */
	EXPECT(c, wr(c, zs(c, 2), 4), ZNS_OK);
	EXPECT(c, mg(c, 2, ZNS_ZSA_CLOSE), ZNS_OK);		/* closed */
	EXPECT(c, mg(c, 3, ZNS_ZSA_FINISH), ZNS_OK);		/* full */
	EXPECT(c, wr(c, zs(c, 4), 16), ZNS_OK);
	EXPECT(c, zns_set_state(&c->z, 4, ZNS_ZS_RDONLY, c->now), ZNS_OK);
	EXPECT(c, zns_set_state(&c->z, 5, ZNS_ZS_OFFLINE, c->now), ZNS_OK);
	resets = c->z.st.resets;
	EXPECT(c, zns_format(&c->z, 1000, c->now, &done), ZNS_SC_INVALID_FIELD);
	STATE(c, 4, ZNS_ZS_RDONLY);
	CHECK(c, c->z.lba_shift == 12, "a refused format changed the LBA size");
	EXPECT(c, zns_format(&c->z, 512, c->now, &done), ZNS_OK);
	CHECK(c, done >= c->now, "format completes before submission");
	for (i = 0; i < n; i++) {
		STATE(c, i, ZNS_ZS_EMPTY);
		CHECK(c, c->z.zones[i].wp == zs(c, i), "zone %u wp %llu", i,
		      (unsigned long long)c->z.zones[i].wp);
	}
	CHECK(c, c->z.nr_open == 0 && c->z.nr_active == 0, "open %u active %u",
	      c->z.nr_open, c->z.nr_active);
	CHECK(c, c->z.lba_shift == 9 && c->z.zone_lbas == c->z.zp.zone_size >> 9,
	      "zone of %llu LBAs after formatting to 512 B",
	      (unsigned long long)c->z.zone_lbas);
	CHECK(c, c->z.st.resets > resets, "no zone was reset");
	CHECK(c, c->z.zones[0].resets == 1 && c->z.zones[4].resets == 1,
	      "written zones not erased (%u, %u)", c->z.zones[0].resets,
	      c->z.zones[4].resets);
	/* 512 B LBAs from now on: 3 LBAs, then on at the write pointer */
	EXPECT(c, wr(c, zs(c, 1), 3), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 1) + 3, 5), ZNS_OK);
	EXPECT(c, wr(c, zs(c, 1) + 3, 1), ZNS_SC_INVALID_WRITE);
	CHECK(c, zns_nr_lbas(&c->z) == (u64)n * (c->z.zp.zone_size >> 9),
	      "namespace of %llu LBAs", (unsigned long long)zns_nr_lbas(&c->z));
	zns_exit(&c->z);
}

static const struct test tests[] = {
	{ "zns_params_and_defaults", t_params },
	{ "zns_every_transition", t_transitions },
	{ "zns_every_error_status", t_errors },
	{ "zns_open_active_limits_implicit_close", t_limits },
	{ "zns_append", t_append },
	{ "zns_report_filters_partial", t_report },
	{ "zns_capacity_below_size", t_cap_below_size },
	{ "zns_timing_stripe_reset_read", t_timing },
	{ "zns_write_buffer_stall", t_buffer },
	{ "zns_random_vs_reference_every_op_checked", t_random },
	{ "zns_large_zone_reset", t_large },
	{ "zns_format_every_state_new_lba_size", t_format },
};

int main(int argc, char **argv)
{
	const char *rp = getenv("ZNS_REPORT");
	unsigned int i, pass = 0, fail = 0;
	struct timespec t0, t1;

	verbose = getenv("VERBOSE") != NULL;
	report = fopen(rp ? rp : "build/zns-report.txt", "w");
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		static struct zctx c;

		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		memset(&c, 0, sizeof(c));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		tests[i].fn(&c);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		zns_exit(&c.z);
		info("time %s: %.2f s", tests[i].name,
		     (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		if (c.failed) {
			printf("FAIL: %s: %s\n", tests[i].name, c.err);
			fail++;
		} else {
			printf("PASS: %s\n", tests[i].name);
			pass++;
		}
		fflush(stdout);
	}
	printf("%u passed, %u failed\n", pass, fail);
	if (report)
		fclose(report);
	return fail ? 1 : 0;
}
