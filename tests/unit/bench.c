// SPDX-License-Identifier: GPL-2.0
/*
 * Model benchmark: what the timing model predicts for the classic fio
 * workloads, per profile, next to the profile's target (datasheet) figure.
 * Pure model time (closed-loop clients on a virtual clock), no real I/O.
 *
 * Usage: bench [profile] [capacity_MiB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../ftl/ftl.h"

struct target {
	const char *profile;
	double rr1, rr32, rr128, rw1, rw32, rw128;	/* IOPS */
	double sr, sw;			/* MB/s, 128 KiB QD32 */
	const char *src;
};

/* 0 = no published figure */
static const struct target targets[] = {
	{ "970pro", 15000, 0, 500000, 55000, 0, 500000, 3500, 2700,
	  "Samsung 970 PRO 1TB datasheet (random: QD32 x 4 threads = QD128)" },
	{ "optane", 100000, 550000, 0, 100000, 500000, 0, 2500, 2000,
	  "Intel Optane SSD 900P datasheet (10 us QD1 latency; QD16-32 random)" },
	{ "qlc", 0, 0, 0, 0, 0, 0, 0, 240,
	  "native QLC, no SLC cache: 8 dies x ~30 MB/s program (ISSCC 2020 1Tb QLC)" },
};

static u64 rng = 88172645463325252ull;

static u64 rnd(u64 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static u64 settle(struct ftl *f, u64 now)
{
	u64 t = ftl_flush(f, now);
	u32 i;

	for (i = 0; i < f->nluns; i++)
		t = ftl_max64(t, f->fl.lun_avail[i]);
	for (i = 0; i < f->p.nr_ch; i++)
		t = ftl_max64(t, f->fl.ch[i].last_end);
	return t + 1000000;
}

enum op { RR, RW, SR, SW };

/* closed loop with @qd outstanding commands; returns ops/s, mean latency */
static double run(struct ftl *f, u64 *now, enum op op, u32 qd, u32 units, u64 n, double *lat_us)
{
	u64 slot[128], start = *now, end = *now, lat_sum = 0, seq = 0, i;
	u64 L = ftl_logical_pages(f);
	u32 q;

	for (q = 0; q < qd; q++)
		slot[q] = start;
	for (i = 0; i < n; i++) {
		u32 best = 0;
		u64 t, done, lpn;

		for (q = 1; q < qd; q++)
			if (slot[q] < slot[best])
				best = q;
		t = slot[best];
		if (op == SR || op == SW) {
			lpn = seq;
			seq += units;
			if (seq + units > L)
				seq = 0;
		} else {
			lpn = rnd(L - units);
		}
		if (op == RR || op == SR)
			done = ftl_read(f, lpn, units, t);
		else
			done = ftl_write(f, lpn, units, t, false);
		lat_sum += done - t;
		slot[best] = done;
		end = ftl_max64(end, done);
	}
	*now = end;
	*lat_us = (double)lat_sum / n / 1000.0;
	return (double)n * 1e9 / (double)(end - start);
}

static void fill(struct ftl *f, u64 *now)
{
	u64 L = ftl_logical_pages(f), lpn;

	for (lpn = 0; lpn + 32 <= L; lpn += 32)
		*now = ftl_max64(*now, ftl_write(f, lpn, 32, *now, false));
	*now = settle(f, *now);
}

static void row(const char *name, double iops, double lat, double target, bool mbps, u32 units)
{
	double v = mbps ? iops * units * FTL_UNIT_SIZE / 1e6 : iops;

	printf("  %-34s %12.0f %s %9.1f us", name, v, mbps ? "MB/s" : "IOPS", lat);
	if (target > 0)
		printf("   %12.0f   %5.2f\n", target, v / target);
	else
		printf("   %12s   %5s\n", "-", "-");
}

static int bench_profile(const char *name, u64 mib)
{
	const struct target *tg = NULL;
	struct ftl_params p;
	struct ftl f;
	struct ftl_stats st, st0;
	double iops, lat;
	u64 now = 1000, L, n;
	unsigned int i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(targets[i].profile, name))
			tg = &targets[i];
	if (ftl_params_default(&p, name, mib << 20) || ftl_init(&f, &p)) {
		fprintf(stderr, "bad profile %s\n", name);
		return 1;
	}
	L = ftl_logical_pages(&f);
	printf("\nprofile %s, %llu MiB (%u lines x %u units, %llu logical units); targets: %s\n",
	       name, (unsigned long long)mib, f.nlines, f.upl, (unsigned long long)L,
	       tg ? tg->src : "-");
	printf("  %-34s %17s %12s   %12s   %5s\n", "workload", "model", "mean lat", "target",
	       "ratio");

	/* reads on a full, idle device */
	fill(&f, &now);
	iops = run(&f, &now, RR, 1, 1, 20000, &lat);
	row("4K random read QD1", iops, lat, tg ? tg->rr1 : 0, false, 1);
	printf("  %-34s %12llu ns (idle-device formula, exact)\n", "  expected QD1 read latency",
	       (unsigned long long)ftl_expected_read_latency(&f.p));
	now = settle(&f, now);
	iops = run(&f, &now, RR, 32, 1, 200000, &lat);
	row("4K random read QD32", iops, lat, tg ? tg->rr32 : 0, false, 1);
	now = settle(&f, now);
	iops = run(&f, &now, RR, 128, 1, 200000, &lat);
	row("4K random read QD128", iops, lat, tg ? tg->rr128 : 0, false, 1);
	now = settle(&f, now);
	iops = run(&f, &now, SR, 32, 32, 20000, &lat);
	row("128K sequential read QD32", iops, lat, tg ? tg->sr : 0, true, 32);
	ftl_exit(&f);

	/* writes on a fresh device (no GC yet) */
	ftl_init(&f, &p);
	now = 1000;
	n = L / 8;
	iops = run(&f, &now, RW, 1, 1, n, &lat);
	row("4K random write QD1", iops, lat, tg ? tg->rw1 : 0, false, 1);
	now = settle(&f, now);
	iops = run(&f, &now, RW, 32, 1, n, &lat);
	row("4K random write QD32", iops, lat, tg ? tg->rw32 : 0, false, 1);
	ftl_exit(&f);
	ftl_init(&f, &p);
	now = 1000;
	iops = run(&f, &now, RW, 128, 1, n, &lat);
	row("4K random write QD128", iops, lat, tg ? tg->rw128 : 0, false, 1);
	ftl_exit(&f);
	ftl_init(&f, &p);
	now = 1000;
	iops = run(&f, &now, SW, 32, 32, L / 32 / 2, &lat);
	row("128K sequential write QD32", iops, lat, tg ? tg->sw : 0, true, 32);

	/* sustained random write through GC: fill, 2x warm-up, measure 1x */
	fill(&f, &now);
	run(&f, &now, RW, 32, 1, 2 * L, &lat);
	ftl_stats(&f, &st0);
	iops = run(&f, &now, RW, 32, 1, L, &lat);
	ftl_stats(&f, &st);
	row("4K random write QD32 sustained", iops, lat, 0, false, 1);
	printf("  %-34s %12.3f (gc runs %llu, moved %llu, erase min/avg/max %llu/%.2f/%llu)\n",
	       "  write amplification (sustained)",
	       (double)(st.nand_write_units - st0.nand_write_units) /
		       (double)(st.host_write_units - st0.host_write_units),
	       (unsigned long long)(st.gc_runs - st0.gc_runs),
	       (unsigned long long)(st.gc_write_units - st0.gc_write_units),
	       (unsigned long long)st.erase_min, st.erase_avg_milli / 1000.0,
	       (unsigned long long)st.erase_max);
	printf("  %-34s %12.3f B per logical 4 KiB unit (%zu B)\n", "  FTL metadata",
	       (double)ftl_metadata_bytes(&f) / L, ftl_metadata_bytes(&f));
	ftl_exit(&f);
	return 0;
}

int main(int argc, char **argv)
{
	u64 mib = argc > 2 ? strtoull(argv[2], NULL, 0) : 1024;
	unsigned int i;
	int ret = 0;

	printf("nvmev FTL model benchmark (model time; closed-loop clients; %llu MiB)\n",
	       (unsigned long long)mib);
	if (argc > 1 && argv[1][0])
		return bench_profile(argv[1], mib);
	for (i = 0; i < ftl_profile_count; i++)
		ret |= bench_profile(ftl_profile_names[i], mib);
	return ret;
}
