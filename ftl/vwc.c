// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev device model: the volatile write cache (see vwc.h and
 * Documentation/faults.rst, "Power loss").
 */
#include "vwc.h"

/* sort key: LPN ascending, then newest (highest index) first */
struct ftl_vwc_key {
	u32 lpn;
	u32 idx;
};

#define DROP	U32_MAX		/* ftl_vwc_ent.lpn of an entry to drop */

static int key_cmp(const void *a, const void *b)
{
	const struct ftl_vwc_key *x = a, *y = b;

	if (x->lpn != y->lpn)
		return x->lpn < y->lpn ? -1 : 1;
	return x->idx > y->idx ? -1 : (x->idx < y->idx);
}

static void sort_keys(struct ftl_vwc *v)
{
	u32 i;

	for (i = 0; i < v->n; i++) {
		v->scratch[i].lpn = v->e[i].lpn;
		v->scratch[i].idx = i;
	}
	ftl_sort(v->scratch, v->n, sizeof(*v->scratch), key_cmp);
}

static inline u8 *slot_of(const struct ftl_vwc *v, u32 slot)
{
	return v->slots + (size_t)slot * FTL_UNIT_SIZE;
}

/* drop the entries marked DROP, keeping the order of the others */
static void compact(struct ftl_vwc *v)
{
	u32 i, k = 0;

	for (i = 0; i < v->n; i++) {
		struct ftl_vwc_ent *x = &v->e[i];

		if (x->lpn == DROP) {
			if (x->slot != FTL_INVALID)
				v->free_slot[v->nfree++] = x->slot;
			continue;
		}
		if (k != i)
			v->e[k] = *x;
		k++;
	}
	v->n = k;
}

/*
 * Drop what no cut at or after @now can reach: per LPN, the newest entry
 * whose page is on NAND and everything older.
 */
static void prune(struct ftl_vwc *v, u64 now)
{
	u32 i = 0;

	sort_keys(v);
	while (i < v->n) {
		u32 lpn = v->scratch[i].lpn;
		bool durable = false;

		for (; i < v->n && v->scratch[i].lpn == lpn; i++) {
			struct ftl_vwc_ent *x = &v->e[v->scratch[i].idx];

			if (!durable && !ftl_tag_volatile(v->ftl, x->tag, now))
				durable = true;
			if (durable)
				x->lpn = DROP;
		}
	}
	compact(v);
	v->prunes++;
}

void ftl_vwc_before_write(struct ftl_vwc *v, u8 *data, u64 lpn, u32 nr, u64 now)
{
	struct ftl *f = v->ftl;
	u32 i;

	v->pending = 0;
	if (lpn >= f->logical_units)
		return;
	if (nr > f->logical_units - lpn)
		nr = f->logical_units - (u32)lpn;
	if (nr > v->max) {		/* larger than the journal: keep the end */
		v->overflow += nr - v->max;
		lpn += nr - v->max;
		nr = v->max;
	}
	if (v->n + nr > v->max)
		prune(v, now);
	if (v->n + nr > v->max) {	/* all pending: drop the oldest */
		u32 k = v->n + nr - v->max;

		for (i = 0; i < k; i++)
			v->e[i].lpn = DROP;
		compact(v);
		v->overflow += k;
	}
	for (i = 0; i < nr; i++) {
		struct ftl_vwc_ent *x = &v->e[v->n++];
		u32 l = (u32)lpn + i;

		x->lpn = l;
		x->tag = FTL_TAG_NONE;
		x->slot = FTL_INVALID;
		x->was_mapped = ftl_mapped(f, l);
		if (x->was_mapped && v->slots && data) {
			x->slot = v->free_slot[--v->nfree];
			v->copy(slot_of(v, x->slot),
				data + ((size_t)l << FTL_UNIT_SHIFT), FTL_UNIT_SIZE);
			v->copied++;
		}
	}
	v->pending = nr;
	v->captured += nr;
}

void ftl_vwc_after_write(struct ftl_vwc *v)
{
	u32 i;

	for (i = v->n - v->pending; i < v->n; i++)
		v->e[i].tag = ftl_unit_tag(v->ftl, v->e[i].lpn);
	v->pending = 0;
}

void ftl_vwc_forget(struct ftl_vwc *v, u64 lpn, u64 nr)
{
	bool any = false;
	u32 i;

	for (i = 0; i < v->n; i++) {
		if (v->e[i].lpn >= lpn && v->e[i].lpn - lpn < nr) {
			v->e[i].lpn = DROP;
			any = true;
		}
	}
	if (any)
		compact(v);
}

/*
 * For each LPN with a pending newest write: the entry whose old state a
 * cut at @t brings back (the oldest of the newest run of pending ones).
 * Calls @fn for each; returns how many.
 */
static u32 walk_lost(struct ftl_vwc *v, u64 t,
		     void (*fn)(struct ftl_vwc *v, struct ftl_vwc_ent *x, void *arg),
		     void *arg)
{
	u32 i = 0, lost = 0;

	sort_keys(v);
	while (i < v->n) {
		u32 lpn = v->scratch[i].lpn;
		struct ftl_vwc_ent *oldest = NULL;
		bool durable = false;

		for (; i < v->n && v->scratch[i].lpn == lpn; i++) {
			struct ftl_vwc_ent *x = &v->e[v->scratch[i].idx];

			if (durable)
				continue;
			if (!ftl_tag_volatile(v->ftl, x->tag, t))
				durable = true;
			else
				oldest = x;
		}
		if (oldest) {
			lost++;
			if (fn)
				fn(v, oldest, arg);
		}
		if (!(i & 1023))
			ftl_yield();
	}
	return lost;
}

u32 ftl_vwc_volatile(struct ftl_vwc *v, u64 t)
{
	return walk_lost(v, t, NULL, NULL);
}

static void undo(struct ftl_vwc *v, struct ftl_vwc_ent *x, void *arg)
{
	u8 *data = arg;

	if (!x->was_mapped) {
		ftl_unmap_unit(v->ftl, x->lpn);
		v->last.unmapped++;
		return;
	}
	if (x->slot != FTL_INVALID && data)
		v->copy(data + ((size_t)x->lpn << FTL_UNIT_SHIFT),
			slot_of(v, x->slot), FTL_UNIT_SIZE);
	v->last.restored++;
}

void ftl_vwc_cut(struct ftl_vwc *v, u8 *data, u64 t)
{
	u32 i;

	FTL_FN();
	memset(&v->last, 0, sizeof(v->last));
	v->last.t = t;
	v->last.entries = v->n;
	v->last.lpns = walk_lost(v, t, undo, data);
	ftl_power_cycle(v->ftl, t);
	v->n = 0;
	v->pending = 0;
	v->nfree = 0;
	if (v->slots)
		for (i = 0; i < v->max; i++)
			v->free_slot[v->nfree++] = i;
	v->cuts++;
}

size_t ftl_vwc_bytes(const struct ftl_vwc *v)
{
	size_t b = (size_t)v->max * (sizeof(*v->e) + sizeof(*v->scratch));

	if (v->slots)
		b += (size_t)v->max * (FTL_UNIT_SIZE + sizeof(u32));
	return b;
}

void ftl_vwc_exit(struct ftl_vwc *v)
{
	ftl_free(v->e);
	ftl_free(v->scratch);
	ftl_free(v->slots);
	ftl_free(v->free_slot);
	memset(v, 0, sizeof(*v));
}

static void plain_copy(void *dst, const void *src, size_t len)
{
	memcpy(dst, src, len);
}

int ftl_vwc_init(struct ftl_vwc *v, struct ftl *ftl, u32 max, bool keep_data)
{
	u32 i;

	memset(v, 0, sizeof(*v));
	v->ftl = ftl;
	v->copy = plain_copy;
	v->max = max ? max : 2 * ftl->fl.wb_cap + 1024;
	v->e = ftl_zalloc((size_t)v->max * sizeof(*v->e));
	v->scratch = ftl_zalloc((size_t)v->max * sizeof(*v->scratch));
	if (keep_data) {
		v->slots = ftl_zalloc((size_t)v->max * FTL_UNIT_SIZE);
		v->free_slot = ftl_zalloc((size_t)v->max * sizeof(u32));
	}
	if (!v->e || !v->scratch || (keep_data && (!v->slots || !v->free_slot))) {
		ftl_vwc_exit(v);
		return -ENOMEM;
	}
	if (v->slots)
		for (i = 0; i < v->max; i++)
			v->free_slot[v->nfree++] = v->max - 1 - i;
	return 0;
}
