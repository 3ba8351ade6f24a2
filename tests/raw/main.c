// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev-raw: command line.
 *
 *   nvmev-raw regs                      BAR0 registers (function stays bound)
 *   nvmev-raw list                      the named cases
 *   nvmev-raw case NAME                 unbind, run the case, rebind
 *   nvmev-raw fuzz --seed S --count N [--seconds T] [--strict]
 *                                       seeded fuzzer (stops after T s), then rebind;
 *                                       --strict: no doorbell nonsense, and every
 *                                       command must complete exactly once
 *
 * Options: --bdf DDDD:BB:DD.F (default 1000:00:00.0), --no-rebind,
 * --timeout-ms N (default wait for one completion), -v.
 *
 * Every check prints "raw-ok: ..." or "raw-FAIL: ...";
 * tests/vm/raw_lib.sh turns those into lib.sh assertions.  Exit status:
 * 0 all checks held, 1 a check failed, 2 usage or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "raw.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: nvmev-raw [--bdf BDF] [--no-rebind] [--timeout-ms N] [-v] regs|list|case NAME|fuzz [--seed S] [--count N] [--seconds T] [--strict]\n");
	exit(2);
}

static int cmd_regs(const char *bdf)
{
	struct raw_dev d;

	memset(&d, 0, sizeof(d));
	if (raw_map_bar(&d, bdf))
		return 2;
	printf("CAP=0x%016llx\n", (unsigned long long)raw_r64(&d, REG_CAP));
	printf("VS=0x%08x\n", raw_r32(&d, REG_VS));
	printf("INTMS=0x%08x\n", raw_r32(&d, REG_INTMS));
	printf("CC=0x%08x\n", raw_r32(&d, REG_CC));
	printf("CSTS=0x%08x\n", raw_r32(&d, REG_CSTS));
	printf("NSSR=0x%08x\n", raw_r32(&d, REG_NSSR));
	printf("AQA=0x%08x\n", raw_r32(&d, REG_AQA));
	printf("ASQ=0x%016llx\n", (unsigned long long)raw_r64(&d, REG_ASQ));
	printf("ACQ=0x%016llx\n", (unsigned long long)raw_r64(&d, REG_ACQ));
	return 0;
}

int main(int argc, char **argv)
{
	const char *bdf = RAW_BDF, *name = NULL;
	uint64_t seed = 0;
	unsigned long count = 2000;
	unsigned int seconds = 0;
	bool rebind = true, have_seed = false, strict = false;
	uint32_t tmo = 0;
	struct raw_dev d;
	const struct raw_case *c;
	int i, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--bdf") && i + 1 < argc)
			bdf = argv[++i];
		else if (!strcmp(argv[i], "--no-rebind"))
			rebind = false;
		else if (!strcmp(argv[i], "--timeout-ms") && i + 1 < argc)
			tmo = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-v"))
			raw_verbose = 1;
		else
			usage();
	}
	if (i >= argc)
		usage();
	if (!strcmp(argv[i], "regs"))
		return cmd_regs(bdf);
	if (!strcmp(argv[i], "list")) {
		for (c = raw_cases; c->name; c++)
			printf("%-20s %s\n", c->name, c->what);
		return 0;
	}
	if (!strcmp(argv[i], "case")) {
		if (i + 1 >= argc)
			usage();
		name = argv[i + 1];
		for (c = raw_cases; c->name; c++)
			if (!strcmp(c->name, name))
				break;
		if (!c->name) {
			fprintf(stderr, "nvmev-raw: no case '%s' (nvmev-raw list)\n",
				name);
			return 2;
		}
		raw_open(&d, bdf);
		if (tmo)
			d.timeout_ms = tmo;
		printf("== case %s: %s\n", c->name, c->what);
		if (raw_reset(&d))
			raw_die("controller does not come up (CSTS 0x%x)",
				raw_r32(&d, REG_CSTS));
		raw_ok("controller enabled, Identify: MDTS %u KiB, %llu LBAs of %u B",
		       d.mdts_bytes >> 10, (unsigned long long)d.nsze,
		       1u << d.lba_shift);
		ret = c->fn(&d);
		if (ret && !raw_failed)
			raw_fail("case %s returned %d", c->name, ret);
		raw_close(&d, rebind);
		printf("== case %s: %s\n", c->name, raw_failed ? "FAILED" : "passed");
		return raw_failed ? 1 : 0;
	}
	if (!strcmp(argv[i], "fuzz")) {
		for (i++; i < argc; i++) {
			if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
				seed = strtoull(argv[++i], NULL, 0);
				have_seed = true;
			} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
				count = strtoul(argv[++i], NULL, 0);
			} else if (!strcmp(argv[i], "--strict")) {
				strict = true;
			} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
				seconds = strtoul(argv[++i], NULL, 0);
			} else {
				usage();
			}
		}
		if (!have_seed) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			seed = (uint64_t)ts.tv_sec * 1000003u ^ ts.tv_nsec ^ getpid();
		}
		printf("== fuzz: seed %llu count %lu%s (replay: nvmev-raw fuzz --seed %llu --count %lu%s)\n",
		       (unsigned long long)seed, count, strict ? " strict" : "",
		       (unsigned long long)seed, count,
		       strict ? " --strict" : "");
		raw_open(&d, bdf);
		if (tmo)
			d.timeout_ms = tmo;
		if (raw_reset(&d))
			raw_die("controller does not come up (CSTS 0x%x)",
				raw_r32(&d, REG_CSTS));
		ret = raw_fuzz(&d, seed, count, seconds, strict);
		if (ret && !raw_failed)
			raw_fail("fuzz returned %d", ret);
		raw_close(&d, rebind);
		printf("== fuzz seed %llu: %s\n", (unsigned long long)seed,
		       raw_failed ? "FAILED" : "passed");
		return raw_failed ? 1 : 0;
	}
	usage();
	return 2;
}
