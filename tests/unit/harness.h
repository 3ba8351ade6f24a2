/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space harness around the FTL: a virtual clock, a shadow copy of the
 * "data" on every PPA (which LPN and which version of it the unit holds)
 * kept up to date through the FTL's place/erase hooks, and a per-LPN
 * version.  verify() then proves that every mapped LPN points at a unit
 * holding its latest version, so a wrong GC move is detected.
 */
#ifndef NVMEV_TEST_HARNESS_H
#define NVMEV_TEST_HARNESS_H

#include <stdarg.h>
#include <stdio.h>
#include "../../ftl/ftl.h"

struct shadow {
	u32 lpn;
	u32 ver;
};

struct tctx {
	struct ftl f;
	u32 *ver;		/* latest version written per LPN */
	u8 *live;		/* 1: written and not trimmed */
	struct shadow *sh;	/* per PPA */
	u64 now;
	u64 ops;
	u64 check_every;	/* full check every N ops (1 = every op) */
	u64 checks;
	u64 rng;
	char err[512];
	int failed;
};

static inline u64 rnd(struct tctx *c)
{
	/* xorshift64* */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ull;
}

static inline u64 rnd_below(struct tctx *c, u64 n)
{
	return (rnd(c) >> 11) % n;
}

static inline void tfail(struct tctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = 1;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static void hook_place(void *arg, u32 lpn, u32 from, u32 to)
{
	struct tctx *c = arg;

	if (c->sh[to].lpn != FTL_INVALID)
		tfail(c, "ppa %u programmed twice without erase", to);
	if (from == FTL_INVALID) {
		/* host write: this is the moment the new version exists */
		c->ver[lpn]++;
		c->sh[to].lpn = lpn;
		c->sh[to].ver = c->ver[lpn];
		return;
	}
	if (c->sh[from].lpn != lpn || c->sh[from].ver != c->ver[lpn])
		tfail(c, "GC moved ppa %u holding lpn %u v%u as lpn %u (latest v%u)", from,
		      c->sh[from].lpn, c->sh[from].ver, lpn, c->ver[lpn]);
	c->sh[to] = c->sh[from];
}

static void hook_erase(void *arg, u32 first, u32 nr)
{
	struct tctx *c = arg;
	u32 i;

	for (i = 0; i < nr; i++) {
		c->sh[first + i].lpn = FTL_INVALID;
		c->sh[first + i].ver = 0;
	}
}

static inline int tinit(struct tctx *c, const struct ftl_params *p, u64 seed)
{
	int ret;

	memset(c, 0, sizeof(*c));
	ret = ftl_init(&c->f, p);
	if (ret)
		return ret;
	c->ver = calloc(c->f.logical_units, sizeof(u32));
	c->live = calloc(c->f.logical_units, 1);
	c->sh = malloc((size_t)c->f.phys_units * sizeof(*c->sh));
	if (!c->ver || !c->live || !c->sh)
		return -ENOMEM;
	memset(c->sh, 0xff, (size_t)c->f.phys_units * sizeof(*c->sh));
	c->f.hook_place = hook_place;
	c->f.hook_erase = hook_erase;
	c->f.hook_arg = c;
	c->check_every = 1;
	c->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	c->now = 1000;
	return 0;
}

static inline void tfree(struct tctx *c)
{
	ftl_exit(&c->f);
	free(c->ver);
	free(c->live);
	free(c->sh);
	c->ver = NULL;
	c->live = NULL;
	c->sh = NULL;
}

/* map/rmap/lists invariants plus the data-version check */
static inline void tverify(struct tctx *c)
{
	char msg[256];
	u32 lpn;

	c->checks++;
	if (ftl_check(&c->f, msg, sizeof(msg))) {
		tfail(c, "after op %llu: %s", (unsigned long long)c->ops, msg);
		return;
	}
	for (lpn = 0; lpn < c->f.logical_units; lpn++) {
		u32 ppa = c->f.map[lpn];

		if (!c->live[lpn]) {
			if (ppa != FTL_INVALID) {
				tfail(c, "op %llu: trimmed/unwritten lpn %u is mapped",
				      (unsigned long long)c->ops, lpn);
				return;
			}
			continue;
		}
		if (ppa == FTL_INVALID) {
			tfail(c, "op %llu: lpn %u lost (unmapped)", (unsigned long long)c->ops, lpn);
			return;
		}
		if (c->sh[ppa].lpn != lpn || c->sh[ppa].ver != c->ver[lpn]) {
			tfail(c, "op %llu: lpn %u v%u reads ppa %u holding lpn %u v%u",
			      (unsigned long long)c->ops, lpn, c->ver[lpn], ppa, c->sh[ppa].lpn,
			      c->sh[ppa].ver);
			return;
		}
	}
}

static inline void tdone(struct tctx *c)
{
	c->ops++;
	if (c->check_every && !(c->ops % c->check_every))
		tverify(c);
}

static inline u64 twrite(struct tctx *c, u32 lpn, u32 nr, bool fua)
{
	u64 done;
	u32 i;

	for (i = 0; i < nr; i++)
		c->live[lpn + i] = 1;
	done = ftl_write(&c->f, lpn, nr, c->now, fua);
	if (done < c->now)
		tfail(c, "write completes before submission");
	tdone(c);
	return done;
}

static inline u64 ttrim(struct tctx *c, u32 lpn, u32 nr)
{
	u64 done;
	u32 i;

	for (i = 0; i < nr; i++)
		c->live[lpn + i] = 0;
	done = ftl_trim(&c->f, lpn, nr, c->now);
	tdone(c);
	return done;
}

static inline u64 tread(struct tctx *c, u32 lpn, u32 nr)
{
	u64 done = ftl_read(&c->f, lpn, nr, c->now);
	u32 i;

	for (i = 0; i < nr; i++)
		if (ftl_mapped(&c->f, lpn + i) != !!c->live[lpn + i])
			tfail(c, "lpn %u mapped state wrong on read", lpn + i);
	if (done < c->now)
		tfail(c, "read completes before submission");
	tdone(c);
	return done;
}

#endif /* NVMEV_TEST_HARNESS_H */
