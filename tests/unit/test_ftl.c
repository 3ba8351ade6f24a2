// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the nvmev device model (ftl/), built as plain C.
 *
 * Prints exactly one line per test, "PASS: <name>" or "FAIL: <name>:
 * <reason>", then "N passed, N failed".  Figures (metadata bytes per unit,
 * WA measured vs analytic, ...) go to the report file given by $FTL_REPORT
 * (default build/unit-report.txt) and to stderr when $VERBOSE is set.
 *
 * Usage: test_ftl [name-substring]
 */
#include <math.h>
#include <time.h>
#include "harness.h"
#include "../../ftl/vwc.h"

static FILE *report;
static int verbose;

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

#define CHECK(c, cond, ...) do { if (!(cond)) { tfail((c), __VA_ARGS__); return; } } while (0)
#define TRY(c, expr) do { int __r = (expr); if (__r) { tfail((c), "%s = %d", #expr, __r); return; } } while (0)

/* small geometry: 2 ch x 2 LUN, 16 KiB pages, 8 pages/block: 128-unit lines */
static void small_params(struct ftl_params *p, u64 mib)
{
	ftl_params_default(p, "970pro", mib << 20);
	p->nr_ch = 2;
	p->luns_per_ch = 2;
	p->pg_size = 16384;
	p->pgs_per_blk = 8;
	p->wb_bytes = 256 << 10;
}

/* ------------------------------------------------------------------ */

static void t_params(struct tctx *c)
{
	struct ftl_params p, q;
	unsigned int i;
	u64 v;

	for (i = 0; i < ftl_profile_count; i++) {
		TRY(c, ftl_params_default(&p, ftl_profile_names[i], 1ull << 30));
		TRY(c, ftl_params_resolve(&p));
	}
	CHECK(c, ftl_params_default(&p, "nonesuch", 1ull << 30) == -EINVAL, "unknown profile accepted");
	TRY(c, ftl_params_default(&p, NULL, 1ull << 30));
	CHECK(c, !strcmp(p.profile, "970pro"), "default profile is %s", p.profile);
	for (i = 0; i < ftl_param_count; i++) {
		const char *n = ftl_param_table[i].name;

		TRY(c, ftl_param_set(&p, n, 1000 + i));
		TRY(c, ftl_param_get(&p, n, &v));
		CHECK(c, v == 1000 + i, "param %s did not round-trip", n);
		CHECK(c, ftl_param_table[i].help && ftl_param_table[i].help[0], "no help for %s", n);
	}
	CHECK(c, ftl_param_set(&p, "nonesuch", 1) == -ENOENT, "unknown param accepted");
	ftl_params_default(&q, "970pro", 1ull << 30);
	q.pg_size = 5000;
	CHECK(c, ftl_params_resolve(&q) == -EINVAL, "page size 5000 accepted");
	ftl_params_default(&q, "970pro", 1ull << 20);
	CHECK(c, ftl_params_resolve(&q) == -EINVAL, "1 MiB device accepted");
	ftl_params_default(&q, "970pro", 1ull << 30);
	q.ch_mbps = 0;
	CHECK(c, ftl_params_resolve(&q) == -EINVAL, "zero bandwidth accepted");
	/* overrides by name take effect */
	ftl_params_default(&q, "qlc", 1ull << 30);
	TRY(c, ftl_param_set(&q, "t_read_ns", 77000));
	CHECK(c, q.t_read_ns == 77000, "override lost");
}

/*
 * Hostile parameters: any combination either is refused by resolve/init
 * or gives a device that survives filling and overwriting it, with every
 * invariant checked.  Regressions: gc_low_lines near the line count
 * wrapped the capacity bound (writes past rmap[]), and pgs_per_blk=2^61
 * wrapped the 64-bit checks into a division by zero.
 */
static int hostile_run(struct tctx *c, const struct ftl_params *p, u64 seed)
{
	struct tctx t;
	u32 n, i;

	if (tinit(&t, p, seed)) {
		tfree(&t);
		return 0;	/* refused: fine */
	}
	t.check_every = 0;
	n = t.f.logical_units;
	if (!n) {
		tfree(&t);
		tfail(c, "seed %llu: device with no logical units accepted",
		      (unsigned long long)seed);
		return -1;
	}
	for (i = 0; i < n && !t.failed; i += 8)
		twrite(&t, i, n - i < 8 ? n - i : 8, false);
	for (i = 0; i < 2 * n && !t.failed; i++)
		twrite(&t, (u32)rnd_below(&t, n), 1, false);
	tverify(&t);
	if (t.failed) {
		tfail(c, "seed %llu: %s", (unsigned long long)seed, t.err);
		tfree(&t);
		return -1;
	}
	tfree(&t);
	return 1;
}

static void t_params_hostile(struct tctx *c)
{
	static const u64 vals[] = {
		0, 1, 2, 3, 4, 7, 8, 16, 255, 256, 502, 503, 4096, 65535, 65536,
		(1ull << 31), (1ull << 32) - 1, (1ull << 32), (1ull << 61),
		(1ull << 63), U64_MAX,
	};
	struct ftl_params p;
	unsigned int i, k, worked = 0, refused = 0;
	int r;

	/* the reproducer: 1 GiB region, 511 lines */
	ftl_params_default(&p, "970pro", (1ull << 30) - (1ull << 20));
	p.op_permille = 0;
	p.gc_low_lines = 502;
	p.gc_high_lines = 503;
	if (hostile_run(c, &p, 1) < 0)
		return;
	ftl_params_default(&p, "970pro", (1ull << 30) - (1ull << 20));
	p.pgs_per_blk = 2305843009213693952ull;
	CHECK(c, ftl_params_resolve(&p) == -EINVAL, "pgs_per_blk=2^61 accepted");

	c->rng = 12345;
	for (i = 0; i < 3000 && !c->failed; i++) {
		u64 mib = 16 + rnd_below(c, 240);
		unsigned int nov = 1 + (unsigned int)rnd_below(c, 4);

		ftl_params_default(&p, ftl_profile_names[rnd_below(c, ftl_profile_count)],
				   mib << 20);
		for (k = 0; k < nov; k++) {
			const struct ftl_param_desc *d;
			u64 v;

			do
				d = &ftl_param_table[rnd_below(c, ftl_param_count)];
			while (!strcmp(d->name, "capacity_bytes"));
			switch (rnd_below(c, 3)) {
			case 0:
				v = vals[rnd_below(c, ARRAY_SIZE(vals))];
				break;
			case 1:
				v = rnd(c);
				break;
			default:
				v = rnd_below(c, 1024);
				break;
			}
			ftl_param_set(&p, d->name, v);
		}
		r = hostile_run(c, &p, i);
		if (r < 0)
			return;
		if (r)
			worked++;
		else
			refused++;
	}
	info("hostile params: %u combinations worked, %u refused", worked, refused);
	CHECK(c, worked > 50 && refused > 50, "too one-sided: %u worked, %u refused",
	      worked, refused);
}

static void t_geometry(struct tctx *c)
{
	static const u64 sizes[] = { 64ull << 20, 1ull << 30, 8ull << 30, 64ull << 30 };
	unsigned int i, k;

	for (k = 0; k < ftl_profile_count; k++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			struct ftl_params p;
			struct ftl f;
			double per_unit, per_phys;

			ftl_params_default(&p, ftl_profile_names[k], sizes[i]);
			if (ftl_init(&f, &p)) {
				if (sizes[i] < (1ull << 30))
					continue;	/* too small for this geometry: fine */
				tfail(c, "%s %llu MiB: init failed", ftl_profile_names[k],
				      (unsigned long long)(sizes[i] >> 20));
				return;
			}
			per_unit = (double)ftl_metadata_bytes(&f) / f.logical_units;
			per_phys = (double)ftl_metadata_bytes(&f) / f.phys_units;
			info("geometry %-6s %6llu MiB: ch %llu lun %llu pg %llu pgs/blk %llu lines %u "
			     "units/line %u phys %u logical %u (%.2f%% OP eff) wb %u units; "
			     "metadata %zu B = %.3f B/logical unit, %.3f B/physical unit",
			     ftl_profile_names[k], (unsigned long long)(sizes[i] >> 20),
			     (unsigned long long)f.p.nr_ch, (unsigned long long)f.p.luns_per_ch,
			     (unsigned long long)f.p.pg_size, (unsigned long long)f.p.pgs_per_blk,
			     f.nlines, f.upl, f.phys_units, f.logical_units,
			     100.0 * ((double)f.phys_units / f.logical_units - 1), f.fl.wb_cap,
			     ftl_metadata_bytes(&f), per_unit, per_phys);
			if (per_unit > 16.0) {
				tfail(c, "%s %llu MiB: %.2f metadata bytes per unit", ftl_profile_names[k],
				      (unsigned long long)(sizes[i] >> 20), per_unit);
				ftl_exit(&f);
				return;
			}
			if ((u64)f.logical_units * FTL_UNIT_SIZE > sizes[i] ||
			    f.logical_units >= f.phys_units) {
				tfail(c, "logical capacity not below physical");
				ftl_exit(&f);
				return;
			}
			ftl_exit(&f);
		}
	}
}

/* exact QD1 latencies on an idle device, every profile */
static void t_latency_exact(struct tctx *c)
{
	unsigned int k;

	for (k = 0; k < ftl_profile_count; k++) {
		struct ftl_params p;
		struct ftl f;
		u64 now = 1000000, done, lat;

		ftl_params_default(&p, ftl_profile_names[k], 1ull << 30);
		TRY(c, ftl_init(&f, &p));
		/* unmapped read */
		done = ftl_read(&f, 5, 1, now);
		CHECK(c, done - now == ftl_expected_unmapped_read_latency(&f.p),
		      "%s unmapped read %llu", ftl_profile_names[k], (unsigned long long)(done - now));
		/* write to an idle device */
		done = ftl_write(&f, 5, 1, now, false);
		lat = done - now;
		CHECK(c, lat == ftl_expected_write_latency(&f.p), "%s write latency %llu != %llu",
		      ftl_profile_names[k], (unsigned long long)lat,
		      (unsigned long long)ftl_expected_write_latency(&f.p));
		/* make it durable, let the device go idle, read it back */
		done = ftl_flush(&f, done);
		now = done + 10000000;
		for (int rep = 0; rep < 3; rep++) {
			done = ftl_read(&f, 5, 1, now);
			CHECK(c, done - now == ftl_expected_read_latency(&f.p),
			      "%s read latency %llu != expected %llu", ftl_profile_names[k],
			      (unsigned long long)(done - now),
			      (unsigned long long)ftl_expected_read_latency(&f.p));
			now = done + 1000;
		}
		info("latency %-6s QD1 4K: read %llu ns, unmapped read %llu ns, write %llu ns",
		     ftl_profile_names[k], (unsigned long long)ftl_expected_read_latency(&f.p),
		     (unsigned long long)ftl_expected_unmapped_read_latency(&f.p),
		     (unsigned long long)ftl_expected_write_latency(&f.p));
		ftl_exit(&f);
	}
}

/* early completion vs FUA vs flush; reads from the buffer */
static void t_fua_flush(struct tctx *c)
{
	struct ftl_params p;
	struct ftl f;
	u64 now = 1000, d, prog;

	ftl_params_default(&p, "970pro", 1ull << 30);
	TRY(c, ftl_init(&f, &p));
	prog = f.p.t_prog_ns;
	d = ftl_write(&f, 0, 1, now, false);
	CHECK(c, d - now < prog, "non-FUA write waited for NAND (%llu)", (unsigned long long)(d - now));
	/* data still in the buffer: read served without NAND */
	d = ftl_read(&f, 0, 1, d);
	CHECK(c, f.fl.nand_read_pages == 0, "buffered data read from NAND");
	d = ftl_flush(&f, d);
	CHECK(c, d - now >= prog, "flush did not wait for the program");
	CHECK(c, f.st.pad_units == f.upp - 1, "flush padded %llu units", (unsigned long long)f.st.pad_units);
	now = d + 1000;
	d = ftl_flush(&f, now);
	CHECK(c, d - now == f.p.fw_other_ns, "empty flush took %llu", (unsigned long long)(d - now));
	d = ftl_write(&f, 1, 2, now, true);
	CHECK(c, d - now >= prog, "FUA write completed before program");
	now = d + 1000;
	/* a full page of FUA needs no padding */
	{
		u64 pad = f.st.pad_units;

		d = ftl_write(&f, 100, f.upp, now, true);
		CHECK(c, f.st.pad_units == pad, "aligned FUA padded");
		CHECK(c, d - now >= prog, "FUA write completed before program");
	}
	ftl_exit(&f);
}

/* a burst beyond the write buffer stalls on NAND programs */
static void t_buffer_full(struct tctx *c)
{
	struct ftl_params p;
	struct ftl f;
	struct ftl_stats st;
	u64 now = 1000, d = 0;
	u32 i, n;

	ftl_params_default(&p, "970pro", 1ull << 30);
	TRY(c, ftl_init(&f, &p));
	n = f.fl.wb_cap * 4;
	for (i = 0; i < n; i++) {
		d = ftl_write(&f, i, 1, now, false);
		CHECK(c, f.fl.wb_used <= f.fl.wb_cap, "buffer over capacity");
	}
	ftl_stats(&f, &st);
	CHECK(c, st.wb_full_events > 0, "no buffer-full stall");
	/* programs of 3 buffers' worth must have completed before the last ack */
	CHECK(c, d - now >= f.p.t_prog_ns, "burst not throttled (%llu ns)", (unsigned long long)(d - now));
	CHECK(c, st.wb_used_units <= st.wb_capacity_units, "occupancy");
	ftl_exit(&f);
}

/* ------------------------------------------------------------------ */
/* randomised workloads with the shadow-data check                     */

enum wl { WL_UNIFORM, WL_SEQ, WL_HOTCOLD, WL_MIXED };

struct run {
	enum wl wl;
	u64 total_writes;	/* units */
	u32 max_len;
	u32 trim_pct, read_pct, fua_pct, flush_pct, idle_pct;
	u64 gap_ns;		/* virtual time between commands */
};

static void workload(struct tctx *c, const struct run *r)
{
	u32 L = c->f.logical_units;
	u64 written = 0, seq = 0;

	while (written < r->total_writes && !c->failed) {
		u64 x = rnd_below(c, 100);
		u32 len = r->max_len > 1 ? 1 + (u32)rnd_below(c, r->max_len) : 1;
		u32 lpn;

		switch (r->wl) {
		case WL_SEQ:
			lpn = (u32)(seq % L);
			break;
		case WL_HOTCOLD:
			/* 90% of the writes go to 10% of the space */
			if (rnd_below(c, 100) < 90)
				lpn = (u32)rnd_below(c, L / 10);
			else
				lpn = L / 10 + (u32)rnd_below(c, L - L / 10);
			break;
		default:
			lpn = (u32)rnd_below(c, L);
			break;
		}
		if (lpn + len > L)
			len = L - lpn;
		c->now += r->gap_ns;
		if (x < r->trim_pct) {
			ttrim(c, lpn, len);
		} else if (x < r->trim_pct + r->read_pct) {
			tread(c, lpn, len);
		} else if (x < r->trim_pct + r->read_pct + r->flush_pct) {
			ftl_flush(&c->f, c->now);
			tdone(c);
		} else if (x < r->trim_pct + r->read_pct + r->flush_pct + r->idle_pct) {
			c->now += 5000000;
			ftl_idle(&c->f, c->now);
			tdone(c);
		} else {
			bool fua = rnd_below(c, 100) < r->fua_pct;

			twrite(c, lpn, len, fua);
			written += len;
			seq += len;
		}
	}
	if (!c->failed)
		tverify(c);
}

static void stats_consistent(struct tctx *c)
{
	struct ftl_stats st;
	u64 hist = 0;
	unsigned int i;

	ftl_stats(&c->f, &st);
	CHECK(c, st.nand_write_units == st.host_write_units + st.gc_write_units + st.pad_units,
	      "nand writes %llu != host %llu + gc %llu + pad %llu",
	      (unsigned long long)st.nand_write_units, (unsigned long long)st.host_write_units,
	      (unsigned long long)st.gc_write_units, (unsigned long long)st.pad_units);
	for (i = 0; i < FTL_VHIST_BUCKETS; i++)
		hist += st.vhist[i];
	CHECK(c, hist == st.lines_total - st.lines_free, "histogram covers %llu lines",
	      (unsigned long long)hist);
	CHECK(c, st.erase_min <= st.erase_max && st.erase_avg_milli <= st.erase_max * 1000 &&
		 st.erase_avg_milli >= st.erase_min * 1000, "erase min/avg/max inconsistent");
	CHECK(c, st.gc_runs == st.gc_fg_runs + st.gc_bg_runs, "gc run counters");
	CHECK(c, st.erase_blocks == st.gc_runs * c->f.blks_per_line, "erase count %llu vs gc runs %llu",
	      (unsigned long long)st.erase_blocks, (unsigned long long)st.gc_runs);
	CHECK(c, st.mapped_units == c->f.mapped, "mapped");
	{
		u64 sum = 0, pct;

		for (i = 0; i < c->f.nlines; i++)
			sum += c->f.lines[i].erase_cnt;
		pct = sum * 100 / (c->f.p.pe_cycles * c->f.nlines);
		CHECK(c, st.percentage_used == (pct > 255 ? 255 : pct), "percentage used %llu != %llu",
		      (unsigned long long)st.percentage_used, (unsigned long long)pct);
	}
}

static void run_small(struct tctx *c, u64 mib, u32 op, const struct run *r, u64 seed, u64 every)
{
	struct ftl_params p;

	small_params(&p, mib);
	p.op_permille = op;
	TRY(c, tinit(c, &p, seed));
	c->check_every = every;
	workload(c, r);
	if (!c->failed)
		stats_consistent(c);
}

/* every op checked: 16 MiB device, mixed sizes, trims, FUA, flush, idle */
static void t_mixed_every_op(struct tctx *c)
{
	struct run r = { .wl = WL_MIXED, .max_len = 16, .trim_pct = 10, .read_pct = 15,
			 .fua_pct = 10, .flush_pct = 3, .idle_pct = 3, .gap_ns = 2000 };

	r.total_writes = 12ull * (16 << 20) / FTL_UNIT_SIZE;
	run_small(c, 16, 70, &r, 1, 1);
}

static void t_uniform_every_op(struct tctx *c)
{
	struct run r = { .wl = WL_UNIFORM, .max_len = 1, .gap_ns = 1000 };

	r.total_writes = 10ull * (16 << 20) / FTL_UNIT_SIZE;
	run_small(c, 16, 70, &r, 2, 1);
}

static void t_min_op_every_op(struct tctx *c)
{
	struct run r = { .wl = WL_UNIFORM, .max_len = 4, .fua_pct = 20, .gap_ns = 1000 };

	/* op 0: only the reserve that guarantees GC progress is spare */
	r.total_writes = 10ull * (16 << 20) / FTL_UNIT_SIZE;
	run_small(c, 16, 0, &r, 3, 1);
	if (!c->failed)
		info("min-OP 16 MiB: logical %u of %u units (%.2f%% spare), WA %.2f",
		     c->f.logical_units, c->f.phys_units,
		     100.0 * ((double)c->f.phys_units / c->f.logical_units - 1),
		     (double)c->f.st.nand_write_units / c->f.st.host_write_units);
}

/* fill completely, then overwrite the whole device sequentially 10 times */
static void t_seq_fill_overwrite(struct tctx *c)
{
	struct ftl_params p;
	struct run r = { .wl = WL_SEQ, .max_len = 32, .gap_ns = 5000 };
	struct ftl_stats st;

	ftl_params_default(&p, "970pro", 256ull << 20);
	p.op_permille = 0;	/* the hardest case: a peer locks up here */
	TRY(c, tinit(c, &p, 4));
	c->check_every = 500;
	r.total_writes = 11ull * c->f.logical_units;
	workload(c, &r);
	if (c->failed)
		return;
	stats_consistent(c);
	ftl_stats(&c->f, &st);
	info("seq fill + 10x overwrite, 256 MiB, op 0: WA %.3f, gc runs %llu, moved %llu",
	     st.wa_milli / 1000.0, (unsigned long long)st.gc_runs,
	     (unsigned long long)st.gc_write_units);
	CHECK(c, st.wa_milli < 1100, "sequential WA %.3f", st.wa_milli / 1000.0);
}

/* uniform random 4K overwrites of 10x capacity, 1 GiB (2.6M ops) */
static void t_uniform_10x(struct tctx *c)
{
	struct ftl_params p;
	struct run r = { .wl = WL_UNIFORM, .max_len = 1, .gap_ns = 1000, .trim_pct = 1,
			 .read_pct = 5 };

	ftl_params_default(&p, "970pro", 1ull << 30);
	TRY(c, tinit(c, &p, 5));
	c->check_every = 20000;
	r.total_writes = 10ull * c->f.logical_units;
	workload(c, &r);
	if (!c->failed)
		stats_consistent(c);
	if (!c->failed)
		info("uniform 10x 1 GiB: %llu ops, %llu full checks, WA %.3f", (unsigned long long)c->ops,
		     (unsigned long long)c->checks,
		     (double)c->f.st.nand_write_units / c->f.st.host_write_units);
}

static void t_hot_cold(struct tctx *c)
{
	struct ftl_params p;
	struct run r = { .wl = WL_HOTCOLD, .max_len = 8, .gap_ns = 1000, .trim_pct = 2,
			 .fua_pct = 2 };
	double wa_g, wa_cb;

	ftl_params_default(&p, "970pro", 256ull << 20);
	TRY(c, tinit(c, &p, 6));
	c->check_every = 5000;
	r.total_writes = 10ull * c->f.logical_units;
	workload(c, &r);
	if (c->failed)
		return;
	stats_consistent(c);
	wa_g = (double)c->f.st.nand_write_units / c->f.st.host_write_units;
	tfree(c);
	p.gc_policy = FTL_GC_COST_BENEFIT;
	TRY(c, tinit(c, &p, 6));
	c->check_every = 5000;
	workload(c, &r);
	if (c->failed)
		return;
	stats_consistent(c);
	wa_cb = (double)c->f.st.nand_write_units / c->f.st.host_write_units;
	info("hot/cold 90/10, 256 MiB, 7%% OP: WA greedy %.3f, cost-benefit %.3f", wa_g, wa_cb);
}

/* background GC on idle raises free lines to the high watermark */
static void t_background_gc(struct tctx *c)
{
	struct ftl_params p;
	struct run r = { .wl = WL_UNIFORM, .max_len = 1, .gap_ns = 1000 };
	u32 i;

	small_params(&p, 32);
	TRY(c, tinit(c, &p, 7));
	c->check_every = 1000;
	r.total_writes = 3ull * c->f.logical_units;
	workload(c, &r);
	if (c->failed)
		return;
	CHECK(c, c->f.free_cnt < c->f.high_wm, "no GC pressure (free %u)", c->f.free_cnt);
	for (i = 0; i < 100000 && (c->f.free_cnt < c->f.high_wm || c->f.victim != FTL_INVALID); i++) {
		c->now += 200000;
		ftl_idle(&c->f, c->now);
		tdone(c);
	}
	tverify(c);
	CHECK(c, c->f.free_cnt >= c->f.high_wm, "background GC stopped at %u free (< %u)",
	      c->f.free_cnt, c->f.high_wm);
	CHECK(c, c->f.st.gc_bg_runs > 0, "no background GC run");
}

/* trimmed LBAs are unmapped, GC sees them as invalid */
static void t_trim(struct tctx *c)
{
	struct ftl_params p;
	u32 L, i;

	small_params(&p, 16);
	TRY(c, tinit(c, &p, 8));
	L = c->f.logical_units;
	for (i = 0; i < L; i += 16)
		twrite(c, i, ftl_min64(16, L - i), false);
	CHECK(c, c->f.mapped == L, "not fully mapped");
	ttrim(c, 0, L / 2);
	CHECK(c, c->f.mapped == L - L / 2, "trim left %u mapped", c->f.mapped);
	for (i = 0; i < L / 2; i++)
		CHECK(c, !ftl_mapped(&c->f, i), "lpn %u still mapped", i);
	/* trimmed space is reclaimed without moving it */
	{
		u64 moved = c->f.st.gc_write_units;

		for (i = L / 2; i < L; i++)
			twrite(c, i, 1, false);
		for (i = L / 2; i < L; i++)
			twrite(c, i, 1, false);
		CHECK(c, c->f.st.gc_write_units - moved < L / 8,
		      "GC moved %llu units with half the device trimmed",
		      (unsigned long long)(c->f.st.gc_write_units - moved));
	}
	/* trim beyond the end is clamped */
	ftl_trim(&c->f, L - 1, 100, c->now);
	CHECK(c, !ftl_mapped(&c->f, L - 1), "last lpn mapped");
	c->live[L - 1] = 0;
	tverify(c);
}

/* GC charges NAND reads, programs and erases to the timelines */
static void t_gc_timing(struct tctx *c)
{
	struct ftl_params p;
	u64 t0, d = 0, reads, i, n;

	small_params(&p, 16);
	TRY(c, tinit(c, &p, 9));
	c->check_every = 0;
	n = c->f.logical_units;
	for (i = 0; i < n; i++)
		d = twrite(c, (u32)i, 1, false);
	c->now = d + 100000000;
	reads = c->f.fl.nand_read_pages;
	t0 = c->now;
	/* random overwrites at full speed until GC has run several times */
	while (c->f.st.gc_runs < 20) {
		d = twrite(c, (u32)rnd_below(c, n), 1, false);
		c->now += 100;
	}
	tverify(c);
	CHECK(c, c->f.fl.nand_read_pages > reads, "GC did no NAND reads");
	/* throughput must be limited by NAND, i.e. completions far behind arrivals */
	CHECK(c, d > c->now, "GC cost nothing");
	{
		u64 maxl = 0;
		u32 l;

		for (l = 0; l < c->f.nluns; l++)
			maxl = ftl_max64(maxl, c->f.fl.lun_avail[l]);
		CHECK(c, maxl > t0 + c->f.p.t_erase_ns, "no erase time charged");
	}
}

/* write amplification vs the analytic value for greedy/uniform random */
static double lambert_w0(double z)
{
	double w = z < -0.3 ? -0.5 : z;
	int i;

	for (i = 0; i < 100; i++) {
		double ew = exp(w), f = w * ew - z;
		double nw = w - f / (ew * (w + 1) - (w + 2) * f / (2 * w + 2));

		if (fabs(nw - w) < 1e-14)
			return nw;
		w = nw;
	}
	return w;
}

/* Xiang & Kurkoski 2012: A = x / (x + W0(-x e^-x)), x = T/U = 1 + rho */
static double wa_analytic(double x)
{
	return x / (x + lambert_w0(-x * exp(-x)));
}

static void wa_case(struct tctx *c, u32 op, double tol)
{
	struct ftl_params p;
	u64 i, n, warm, host0, nand0, free_sum = 0, samples = 0;
	double wa, x, xt, an, ant;

	ftl_params_default(&p, "970pro", 1ull << 30);
	p.op_permille = op;
	TRY(c, tinit(c, &p, 10 + op));
	c->check_every = 0;
	n = c->f.logical_units;
	for (i = 0; i < n; i++)
		twrite(c, (u32)i, 1, false);
	warm = 3 * n;
	for (i = 0; i < warm; i++)
		twrite(c, (u32)rnd_below(c, n), 1, false);
	host0 = c->f.st.host_write_units;
	nand0 = c->f.st.nand_write_units;
	for (i = 0; i < 8 * n; i++) {
		twrite(c, (u32)rnd_below(c, n), 1, false);
		free_sum += c->f.free_cnt;
		samples++;
	}
	tverify(c);
	if (c->failed)
		return;
	wa = (double)(c->f.st.nand_write_units - nand0) / (c->f.st.host_write_units - host0);
	/*
	 * Spare space that takes part in GC: physical minus the free-line pool
	 * (measured mean) minus one line for the two open lines (host and GC
	 * write frontiers, each half written on average).
	 */
	x = ((double)c->f.nlines - (double)free_sum / samples - 1) * c->f.upl / n;
	xt = (double)c->f.phys_units / n;
	an = wa_analytic(x);
	ant = wa_analytic(xt);
	info("WA greedy uniform 4K, 1 GiB, op %u permille: measured %.3f; analytic %.3f at "
	     "effective T/U %.4f (free pool %.2f lines + 1 open line excluded), %.3f at raw T/U %.4f; "
	     "ratio %.3f, tolerance %.0f%%",
	     op, wa, an, x, (double)free_sum / samples, ant, xt, wa / an, tol * 100);
	CHECK(c, fabs(wa / an - 1) <= tol, "op %u: WA %.3f vs analytic %.3f (T/U %.4f)", op, wa, an, x);
}

static void t_wa_analytic(struct tctx *c)
{
	static const u32 ops[] = { 70, 150, 280 };
	unsigned int i;

	/* the paper's own check value: rho = 0.3 gives 2.36 */
	CHECK(c, fabs(wa_analytic(1.3) - 2.36) < 0.005, "formula gives %.4f at rho 0.3",
	      wa_analytic(1.3));

	for (i = 0; i < ARRAY_SIZE(ops) && (!c->failed || getenv("WA_ALL")); i++) {
		wa_case(c, ops[i], 0.10);
		if (i + 1 < ARRAY_SIZE(ops))
			tfree(c);
	}
}

/* millions of operations, every one checked, on a tiny device */
static void t_stress_tiny(struct tctx *c)
{
	static const struct {
		u32 op, policy;
		enum wl wl;
	} cfg[] = {
		{ 0, FTL_GC_GREEDY, WL_MIXED },
		{ 0, FTL_GC_COST_BENEFIT, WL_HOTCOLD },
		{ 70, FTL_GC_COST_BENEFIT, WL_MIXED },
		{ 30, FTL_GC_GREEDY, WL_HOTCOLD },
	};
	u64 total = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg) && !c->failed; i++) {
		struct ftl_params p;
		struct run r = { .wl = cfg[i].wl, .max_len = 8, .trim_pct = 8, .read_pct = 20,
				 .fua_pct = 5, .flush_pct = 2, .idle_pct = 2, .gap_ns = 3000 };

		small_params(&p, 8);
		p.op_permille = cfg[i].op;
		p.gc_policy = cfg[i].policy;
		if (i)
			tfree(c);
		TRY(c, tinit(c, &p, 100 + i));
		r.total_writes = 600ull * c->f.logical_units;
		workload(c, &r);
		if (!c->failed)
			stats_consistent(c);
		total += c->ops;
	}
	info("stress tiny (8 MiB, 16 lines): %llu ops, every one fully checked", (unsigned long long)total);
	CHECK(c, total >= 1000000, "only %llu ops", (unsigned long long)total);
}

/* random overwrites at zero OP on 256 MiB: no lock-up, GC always progresses */
static void t_random_op0(struct tctx *c)
{
	struct ftl_params p;
	struct run r = { .wl = WL_UNIFORM, .max_len = 1, .gap_ns = 1000 };

	ftl_params_default(&p, "970pro", 256ull << 20);
	p.op_permille = 0;
	TRY(c, tinit(c, &p, 12));
	c->check_every = 100000;
	r.total_writes = 5ull * c->f.logical_units;
	workload(c, &r);
	if (!c->failed)
		stats_consistent(c);
	if (!c->failed)
		info("uniform random 5x, 256 MiB, op 0: logical %u of %u units (%.2f%% spare), WA %.2f",
		     c->f.logical_units, c->f.phys_units,
		     100.0 * ((double)c->f.phys_units / c->f.logical_units - 1),
		     (double)c->f.st.nand_write_units / c->f.st.host_write_units);
}

/* 64 GiB device: init, 1M random writes, metadata budget */
static void t_large(struct tctx *c)
{
	struct ftl_params p;
	u64 i;
	double per;

	ftl_params_default(&p, "970pro", 64ull << 30);
	TRY(c, tinit(c, &p, 11));
	c->check_every = 0;
	for (i = 0; i < 1000000; i++)
		twrite(c, (u32)rnd_below(c, c->f.logical_units - 8), 1 + (u32)rnd_below(c, 8), false);
	for (i = 0; i < 100000; i++)
		tread(c, (u32)rnd_below(c, c->f.logical_units - 64), 64);
	tverify(c);
	per = (double)ftl_metadata_bytes(&c->f) / c->f.logical_units;
	info("64 GiB: %u lines x %u units, metadata %.1f MiB = %.3f B/unit", c->f.nlines, c->f.upl,
	     ftl_metadata_bytes(&c->f) / 1048576.0, per);
	CHECK(c, per <= 16.0, "%.2f B/unit", per);
}

/* ------------------------------------------------------------------ */

struct test {
	const char *name;
	void (*fn)(struct tctx *c);
};

/* ------------------------------------------------------------------ */
/* power loss: the volatile write cache (ftl/vwc.c)                    */

/* unit @lpn of @data holds version @v (its first 4 bytes; 0 = never) */
static inline u32 dver(const u8 *data, u32 lpn)
{
	u32 v;

	memcpy(&v, data + ((size_t)lpn << FTL_UNIT_SHIFT), sizeof(v));
	return v;
}

/* a host write as nvmev does it: journal, model, data into storage */
static u64 vwrite(struct ftl_vwc *v, u8 *data, u32 lpn, u32 nr, u32 ver, u64 now, bool fua)
{
	u64 d;
	u32 i;

	ftl_vwc_before_write(v, data, lpn, nr, now);
	d = ftl_write(v->ftl, lpn, nr, now, fua);
	ftl_vwc_after_write(v);
	for (i = 0; i < nr; i++)
		memcpy(data + ((size_t)(lpn + i) << FTL_UNIT_SHIFT), &ver, sizeof(ver));
	return d;
}

static void t_vwc_cut(struct tctx *c)
{
	struct ftl_params p;
	struct ftl f;
	struct ftl_vwc v;
	u64 now = 1000, d;
	char msg[256];
	u8 *data;
	u32 i, upp;

	small_params(&p, 64);
	TRY(c, ftl_init(&f, &p));
	TRY(c, ftl_vwc_init(&v, &f, 0, true));
	data = calloc(f.logical_units, FTL_UNIT_SIZE);
	CHECK(c, data, "no memory");
	upp = f.upp;
	/* 2 pages at version 1, flushed: on NAND */
	d = vwrite(&v, data, 0, 2 * upp, 1, now, false);
	now = ftl_flush(&f, d) + 1;
	CHECK(c, ftl_vwc_volatile(&v, now) == 0, "flushed data counted volatile");
	/* overwrite 3 units twice without flush, plus 2 never-written units */
	d = vwrite(&v, data, 0, 3, 2, now, false);
	d = vwrite(&v, data, 1, 1, 3, d, false);
	d = vwrite(&v, data, 1000, 2, 4, d, false);
	now = d + 1;
	CHECK(c, ftl_vwc_volatile(&v, now) == 5, "%u volatile units, expected 5",
	      ftl_vwc_volatile(&v, now));
	/* a trimmed unit is durable at once */
	ftl_vwc_forget(&v, 1001, 1);
	ftl_trim(&f, 1001, 1, now);
	memset(data + (1001ull << FTL_UNIT_SHIFT), 0, FTL_UNIT_SIZE);
	ftl_vwc_cut(&v, data, now);
	CHECK(c, v.last.lpns == 4 && v.last.restored == 3 && v.last.unmapped == 1,
	      "cut: %u lpns, %u restored, %u unmapped", v.last.lpns, v.last.restored,
	      v.last.unmapped);
	for (i = 0; i < 2 * upp; i++)
		CHECK(c, dver(data, i) == 1 && ftl_mapped(&f, i), "lpn %u: v%u after the cut", i,
		      dver(data, i));
	CHECK(c, !ftl_mapped(&f, 1000) && !ftl_mapped(&f, 1001), "unwritten units mapped after the cut");
	CHECK(c, !ftl_check(&f, msg, sizeof(msg)), "after the cut: %s", msg);
	CHECK(c, f.fl.wb_used == 0 && f.fl.wb_n == 0, "buffer not empty after the cut");
	/* FUA survives a cut at its completion, not one before its program */
	d = vwrite(&v, data, 10, 1, 5, now, true);
	CHECK(c, ftl_vwc_volatile(&v, d - 1) == 1, "FUA unit not volatile before its program");
	CHECK(c, ftl_vwc_volatile(&v, d) == 0, "FUA unit volatile at its completion");
	ftl_vwc_cut(&v, data, d);
	CHECK(c, dver(data, 10) == 5 && ftl_mapped(&f, 10), "FUA write lost");
	/* a full page is on NAND once programmed, and not before */
	now = d + 1;
	d = vwrite(&v, data, 200, upp, 6, now, false);
	CHECK(c, ftl_vwc_volatile(&v, d) == upp, "full page durable at the buffer ack");
	CHECK(c, ftl_vwc_volatile(&v, d + f.p.t_prog_ns + 1000000) == 0,
	      "full page still volatile 1 ms after its program");
	ftl_vwc_cut(&v, data, d);
	CHECK(c, v.last.unmapped == upp && !ftl_mapped(&f, 200), "page cut before its program kept");
	CHECK(c, !ftl_check(&f, msg, sizeof(msg)), "after the cut: %s", msg);
	info("vwc: journal %u entries, %zu bytes", v.max, ftl_vwc_bytes(&v));
	free(data);
	ftl_vwc_exit(&v);
	ftl_exit(&f);
}

/*
 * Random writes, trims, flushes and FUA with GC on a tiny device, cut at
 * random times: after each cut every LPN holds a version written at or
 * after its last durable point (flush or FUA that completed before the
 * cut), never older and never one written after the cut; a unit is mapped
 * iff it holds a version; the FTL is consistent.  The journal must also
 * never overflow.
 */
static void t_vwc_random(struct tctx *c)
{
	struct ftl_params p;
	struct ftl f;
	struct ftl_vwc v;
	u64 now = 1000, rng = 77, cuts = 0, lost = 0, ops = 0;
	u32 *floor_ver, ver = 0, nl;
	void *area;
	char msg[256];
	u8 *data;

	small_params(&p, 8);
	TRY(c, ftl_init(&f, &p));
	TRY(c, ftl_vwc_init(&v, &f, 0, true));
	nl = f.logical_units;
	data = calloc(nl, FTL_UNIT_SIZE);
	floor_ver = calloc(nl, sizeof(u32));
	area = calloc(1, ftl_oob_bytes(&f));
	CHECK(c, data && floor_ver && area, "no memory");
	ftl_attach_oob(&f, area);
	ftl_oob_format(&f);
	while (ops < 400000 && !c->failed) {
		u32 r, lpn, nr, i;
		u64 d;

		rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
		r = (u32)((rng * 2685821657736338717ull) >> 33);
		lpn = r % nl;
		nr = 1 + (r >> 20) % 8;
		if (lpn + nr > nl)
			nr = nl - lpn;
		ops++;
		switch ((r >> 8) % 100) {
		case 0 ... 79:	/* write, 5% FUA */
			d = vwrite(&v, data, lpn, nr, ++ver, now, (r >> 16) % 20 == 0);
			if ((r >> 16) % 20 == 0)
				for (i = 0; i < nr; i++)
					floor_ver[lpn + i] = ver;	/* durable at d */
			now = d;
			break;
		case 80 ... 87:	/* trim: durable at once */
			ftl_vwc_forget(&v, lpn, nr);
			now = ftl_trim(&f, lpn, nr, now);
			for (i = 0; i < nr; i++) {
				memset(data + ((size_t)(lpn + i) << FTL_UNIT_SHIFT), 0, 4);
				floor_ver[lpn + i] = 0;
			}
			break;
		case 88 ... 90:	/* flush: everything written is durable */
			now = ftl_flush(&f, now);
			for (i = 0; i < nl; i++)
				floor_ver[i] = ftl_mapped(&f, i) ? dver(data, i) : 0;
			break;
		case 91 ... 98:
			now += 1 + (r >> 16) % 2000000;	/* time passes */
			ftl_idle(&f, now);
			break;
		default: {	/* cut */
			u64 t = now;

			ftl_vwc_cut(&v, data, t);
			cuts++;
			lost += v.last.lpns;
			for (i = 0; i < nl && !c->failed; i++) {
				/* an unmapped unit reads as zeroes, whatever the storage */
				u32 dv = ftl_mapped(&f, i) ? dver(data, i) : 0;

				CHECK(c, dv >= floor_ver[i],
				      "cut %llu: lpn %u holds v%u, older than its durable v%u",
				      (unsigned long long)cuts, i, dv, floor_ver[i]);
				CHECK(c, dv || !ftl_mapped(&f, i),
				      "cut %llu: lpn %u mapped but never written",
				      (unsigned long long)cuts, i);
				floor_ver[i] = dv;	/* after the cut: what is there is durable */
			}
			CHECK(c, !ftl_check(&f, msg, sizeof(msg)), "after cut %llu: %s",
			      (unsigned long long)cuts, msg);
			if (!(cuts % 16)) {	/* power-on scan finds the same mapping */
				struct ftl g;
				struct ftl_recovery rec;

				TRY(c, ftl_init(&g, &p));
				ftl_attach_oob(&g, area);
				ftl_recover(&g, &rec);
				for (i = 0; i < nl; i++)
					CHECK(c, g.map[i] == f.map[i], "cut %llu: lpn %u recovered at %u, not %u",
					      (unsigned long long)cuts, i, g.map[i], f.map[i]);
				CHECK(c, !ftl_check(&g, msg, sizeof(msg)), "recovered after cut %llu: %s",
				      (unsigned long long)cuts, msg);
				ftl_exit(&g);
			}
			break;
		}
		}
	}
	CHECK(c, v.overflow == 0, "journal overflowed %llu times", (unsigned long long)v.overflow);
	CHECK(c, cuts > 1000 && lost > 0, "%llu cuts lost %llu units", (unsigned long long)cuts,
	      (unsigned long long)lost);
	info("vwc random: %llu ops, %llu cuts, %llu units taken back, %llu GC runs, %llu prunes",
	     (unsigned long long)ops, (unsigned long long)cuts, (unsigned long long)lost,
	     (unsigned long long)f.st.gc_runs, (unsigned long long)v.prunes);
	free(data);
	free(floor_ver);
	free(area);
	ftl_vwc_exit(&v);
	ftl_exit(&f);
}

/*
 * Persistence: with an OOB area attached, a second FTL rebuilt from it by
 * ftl_recover() (a reload, or power-on) maps every LPN exactly where the
 * first one did, passes ftl_check, and carries on the workload (the
 * harness's version check proves no data moved wrongly).  10 reloads
 * under a mixed workload with GC, trims, FUA and flushes.
 */
static void t_oob_recover(struct tctx *c)
{
	struct ftl_params p;
	struct run r = { .wl = WL_MIXED, .max_len = 8, .trim_pct = 8, .read_pct = 10,
			 .fua_pct = 5, .flush_pct = 2, .idle_pct = 2, .gap_ns = 3000 };
	struct ftl_recovery rec;
	u64 conflicts = 0, partial = 0;
	void *area;
	char msg[256];
	int round;

	small_params(&p, 8);
	TRY(c, tinit(c, &p, 9));
	area = calloc(1, ftl_oob_bytes(&c->f));
	CHECK(c, area, "no memory");
	ftl_attach_oob(&c->f, area);
	ftl_oob_format(&c->f);
	r.total_writes = 30ull * c->f.logical_units;
	for (round = 0; round < 10 && !c->failed; round++) {
		struct ftl g;
		u32 lpn;

		workload(c, &r);
		if (c->failed)
			break;
		if (round == 5) {	/* trims while detached, then synced */
			ftl_attach_oob(&c->f, NULL);
			ttrim(c, 0, c->f.logical_units / 4);
			ftl_attach_oob(&c->f, area);
			CHECK(c, ftl_oob_sync(&c->f) > 0, "nothing to sync after trims");
			tverify(c);
		}
		TRY(c, ftl_init(&g, &p));
		ftl_attach_oob(&g, area);
		ftl_recover(&g, &rec);
		conflicts += rec.conflicts;
		partial += rec.lines_partial;
		for (lpn = 0; lpn < g.logical_units; lpn++)
			CHECK(c, g.map[lpn] == c->f.map[lpn],
			      "round %d: lpn %u recovered at %u, was at %u", round, lpn,
			      g.map[lpn], c->f.map[lpn]);
		CHECK(c, rec.mapped == c->f.mapped, "round %d: %llu mapped, was %u", round,
		      (unsigned long long)rec.mapped, c->f.mapped);
		CHECK(c, !ftl_check(&g, msg, sizeof(msg)), "round %d after recovery: %s", round, msg);
		for (lpn = 0; lpn < g.nlines; lpn++)
			CHECK(c, g.lines[lpn].erase_cnt == c->f.lines[lpn].erase_cnt,
			      "line %u erase count not kept", lpn);
		/* the rebuilt FTL carries on: it becomes the harness's */
		g.st = c->f.st;
		g.hook_place = c->f.hook_place;
		g.hook_erase = c->f.hook_erase;
		g.hook_arg = c->f.hook_arg;
		ftl_exit(&c->f);
		c->f = g;
		tverify(c);
	}
	CHECK(c, conflicts == 0, "%llu conflicting valid units", (unsigned long long)conflicts);
	info("oob: 10 reloads under GC, %llu partial lines closed, OOB %zu bytes for %u units",
	     (unsigned long long)partial, ftl_oob_bytes(&c->f), c->f.phys_units);
	free(area);
}

static const struct test tests[] = {
	{ "params_table", t_params },
	{ "params_hostile_refused_or_working", t_params_hostile },
	{ "geometry_and_metadata_budget", t_geometry },
	{ "qd1_latency_exact", t_latency_exact },
	{ "fua_flush_early_completion", t_fua_flush },
	{ "write_buffer_full", t_buffer_full },
	{ "trim_unmaps_and_gc_skips", t_trim },
	{ "gc_charges_timelines", t_gc_timing },
	{ "mixed_every_op_checked", t_mixed_every_op },
	{ "uniform_every_op_checked", t_uniform_every_op },
	{ "min_op_every_op_checked", t_min_op_every_op },
	{ "seq_fill_overwrite_10x_op0", t_seq_fill_overwrite },
	{ "uniform_random_10x_capacity", t_uniform_10x },
	{ "hot_cold_greedy_and_cost_benefit", t_hot_cold },
	{ "background_gc_idle", t_background_gc },
	{ "wa_vs_analytic_greedy", t_wa_analytic },
	{ "random_overwrite_op0", t_random_op0 },
	{ "stress_tiny_every_op_checked", t_stress_tiny },
	{ "large_64g", t_large },
	{ "oob_recover_10_reloads", t_oob_recover },
	{ "vwc_cut_undoes_unflushed", t_vwc_cut },
	{ "vwc_random_cuts_with_gc", t_vwc_random },
};

int main(int argc, char **argv)
{
	const char *rp = getenv("FTL_REPORT");
	unsigned int i, pass = 0, fail = 0;
	struct timespec t0, t1;

	verbose = getenv("VERBOSE") != NULL;
	report = fopen(rp ? rp : "build/unit-report.txt", "w");
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		static struct tctx c;

		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		memset(&c, 0, sizeof(c));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		tests[i].fn(&c);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (c.ver || c.f.map)
			tfree(&c);
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
