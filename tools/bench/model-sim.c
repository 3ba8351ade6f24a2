// SPDX-License-Identifier: GPL-2.0
/*
 * model-sim: what the nvmev device model predicts for the workloads of a
 * bench run, replayed on the model alone (ftl/, user-space build) with the
 * exact parameters the device in the VM reported.
 *
 * Same method as tests/unit/bench.c: closed-loop clients on a virtual clock,
 * QD commands always outstanding, zero host overhead (a new command is
 * issued the instant one completes).  The model's state carries over from
 * step to step in the order given, as on the real device (the
 * preconditioning fill, then the rows), and between steps the device is
 * left idle for a while (background GC may run, as in the VM).
 *
 * Usage: model-sim PARAMS STEP...
 *   PARAMS  "name value" lines as in /sys/kernel/debug/nvmev/model
 *           (profile first; unknown names such as expected_* are ignored)
 *   STEP    name:rw:bs_bytes:qd:region_bytes:ops
 *           rw = randread | randwrite | read | write; region_bytes 0 = the
 *           whole exported capacity; ops = number of commands (from the
 *           device's own command count of that fio run)
 * Prints CSV: name,rw,bs,qd,ops,iops,mib_s,lat_mean_us,lat_p99_us,
 *             wa,gc_runs,lines_free
 * (wa: NAND units written / host units written during the step.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../ftl/ftl.h"

#define MAX_QD 256

static u64 rng = 88172645463325252ull;

static u64 rnd(u64 n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Let the device sit idle for @ns of model time: background GC steps. */
static u64 idle(struct ftl *f, u64 now, u64 ns)
{
	u64 end = now + ns, t = now;
	u32 i;

	for (i = 0; i < f->nluns; i++)
		t = ftl_max64(t, f->fl.lun_avail[i]);
	for (; t < end; t += 100000)
		ftl_idle(f, t);
	return ftl_max64(end, t);
}

static int load_params(const char *path, struct ftl_params *p)
{
	char line[256], name[128], prof[64] = "970pro";
	unsigned long long v, cap = 0;
	FILE *fp = fopen(path, "r");

	if (!fp) {
		perror(path);
		return -1;
	}
	/* profile and capacity first: they set the defaults */
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "profile %63s", prof) == 1)
			continue;
		if (sscanf(line, "capacity_bytes %llu", &cap) == 1)
			continue;
	}
	if (!cap || ftl_params_default(p, prof, cap)) {
		fprintf(stderr, "model-sim: bad profile '%s' or capacity %llu in %s\n", prof, cap,
			path);
		fclose(fp);
		return -1;
	}
	rewind(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "%127s %llu", name, &v) != 2 || !strcmp(name, "profile"))
			continue;
		if (!strncmp(name, "expected_", 9))
			continue;
		if (ftl_param_set(p, name, v))
			fprintf(stderr, "model-sim: note: parameter '%s' unknown to this model build\n",
				name);
	}
	fclose(fp);
	return 0;
}

struct step {
	char name[64], rw[16];
	u64 bs, qd, region, ops;
};

static int parse_step(const char *s, struct step *st)
{
	unsigned long long bs, qd, region, ops;

	memset(st, 0, sizeof(*st));
	if (sscanf(s, "%63[^:]:%15[^:]:%llu:%llu:%llu:%llu", st->name, st->rw, &bs, &qd, &region,
		   &ops) != 6)
		return -1;
	if (bs < FTL_UNIT_SIZE || bs % FTL_UNIT_SIZE || !qd || qd > MAX_QD)
		return -1;
	if (strcmp(st->rw, "randread") && strcmp(st->rw, "randwrite") && strcmp(st->rw, "read") &&
	    strcmp(st->rw, "write"))
		return -1;
	st->bs = bs;
	st->qd = qd;
	st->region = region;
	st->ops = ops;
	return 0;
}

static void run_step(struct ftl *f, u64 *now, const struct step *s)
{
	u64 slot[MAX_QD], start = *now, end = *now, lat_sum = 0, seq = 0, i;
	u32 units = (u32)(s->bs / FTL_UNIT_SIZE);
	u64 L = ftl_logical_pages(f), R = s->region ? s->region / FTL_UNIT_SIZE : L;
	bool rd = !strcmp(s->rw, "read") || !strcmp(s->rw, "randread");
	bool rand = !strncmp(s->rw, "rand", 4);
	struct ftl_stats a, b;
	u64 *lat;
	u32 q;
	double iops, wa;

	if (R > L)
		R = L;
	if (R < units)
		R = units;
	lat = calloc(s->ops ? s->ops : 1, sizeof(*lat));
	if (!lat) {
		fprintf(stderr, "model-sim: out of memory\n");
		exit(1);
	}
	ftl_stats(f, &a);
	for (q = 0; q < s->qd; q++)
		slot[q] = start;
	for (i = 0; i < s->ops; i++) {
		u32 best = 0;
		u64 t, done, lpn;

		for (q = 1; q < s->qd; q++)
			if (slot[q] < slot[best])
				best = q;
		t = slot[best];
		if (rand) {
			lpn = rnd(R / units) * units;	/* bs-aligned, like fio */
		} else {
			lpn = seq;
			seq += units;
			if (seq + units > R)
				seq = 0;
		}
		done = rd ? ftl_read(f, lpn, units, t) : ftl_write(f, lpn, units, t, false);
		lat[i] = done - t;
		lat_sum += done - t;
		slot[best] = done;
		end = ftl_max64(end, done);
	}
	ftl_stats(f, &b);
	*now = end;
	iops = end > start ? (double)s->ops * 1e9 / (double)(end - start) : 0;
	wa = b.host_write_units > a.host_write_units ?
		     (double)(b.nand_write_units - a.nand_write_units) /
			     (double)(b.host_write_units - a.host_write_units) :
		     0;
	qsort(lat, s->ops, sizeof(*lat), cmp_u64);
	printf("%s,%s,%llu,%llu,%llu,%.0f,%.1f,%.1f,%.1f,%.3f,%llu,%llu\n", s->name, s->rw,
	       (unsigned long long)s->bs, (unsigned long long)s->qd,
	       (unsigned long long)s->ops, iops, iops * s->bs / 1048576.0,
	       s->ops ? (double)lat_sum / s->ops / 1000.0 : 0,
	       s->ops ? lat[(s->ops * 99 + 99) / 100 - 1] / 1000.0 : 0, wa,
	       (unsigned long long)(b.gc_runs - a.gc_runs), (unsigned long long)b.lines_free);
	free(lat);
}

int main(int argc, char **argv)
{
	struct ftl_params p;
	struct ftl f;
	struct step s;
	u64 now = 1000;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PARAMS name:rw:bs:qd:region:ops ...\n", argv[0]);
		return 2;
	}
	if (load_params(argv[1], &p) || ftl_init(&f, &p)) {
		fprintf(stderr, "model-sim: cannot build the model from %s\n", argv[1]);
		return 1;
	}
	printf("# profile %s, %llu logical units, %u lines x %u units, expected QD1 read %llu ns, write %llu ns\n",
	       f.p.profile, (unsigned long long)ftl_logical_pages(&f), f.nlines, f.upl,
	       (unsigned long long)ftl_expected_read_latency(&f.p),
	       (unsigned long long)ftl_expected_write_latency(&f.p));
	printf("name,rw,bs,qd,ops,iops,mib_s,lat_mean_us,lat_p99_us,wa,gc_runs,lines_free\n");
	for (i = 2; i < argc; i++) {
		if (parse_step(argv[i], &s)) {
			fprintf(stderr, "model-sim: bad step '%s'\n", argv[i]);
			return 2;
		}
		run_step(&f, &now, &s);
		fflush(stdout);
		now = idle(&f, now, 2000000000ull);	/* ~2 s between fio runs */
	}
	ftl_exit(&f);
	return 0;
}
