// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev FTL: page-mapped FTL, line-based GC and the SSD timing model.
 *
 * Physical address (PPA) layout, in 4 KiB units:
 *   ppa = line * upl + off,   off = row * (stripe * upp) + r * upp + sub
 * where r in [0, stripe) names the block of the line (channel fastest, then
 * LUN, then plane), row is the flash page inside the block and sub the
 * 4 KiB unit inside the flash page.  A write pointer advancing `off` thus
 * stripes consecutive flash pages over channels first, then LUNs.
 */
#include "ftl.h"

/* ------------------------------------------------------------------ */
/* geometry helpers                                                    */

static inline u32 ppa_line(const struct ftl *f, u32 ppa)
{
	return ppa / f->upl;
}

/* block index inside the line, 0..stripe-1 */
static inline u32 ppa_blk(const struct ftl *f, u32 ppa)
{
	return ((ppa % f->upl) / f->upp) % f->stripe;
}

static inline u32 blk_lun(const struct ftl *f, u32 r)
{
	return r % f->nluns;
}

static void line_set_state(struct ftl *f, u32 id, enum ftl_line_state s)
{
	f->lines[id].state = s;
	FTL_TRACE_LINE_STATE(id, s);
}

/* ------------------------------------------------------------------ */
/* full-line min-heap keyed by valid count                             */

static inline u32 hkey(const struct ftl *f, u32 i)
{
	return f->lines[f->heap[i]].vpc;
}

static inline void hswap(struct ftl *f, u32 a, u32 b)
{
	u32 t = f->heap[a];

	f->heap[a] = f->heap[b];
	f->heap[b] = t;
	f->lines[f->heap[a]].pos = a;
	f->lines[f->heap[b]].pos = b;
}

static void heap_up(struct ftl *f, u32 i)
{
	while (i > 0) {
		u32 parent = (i - 1) / 2;

		if (hkey(f, parent) <= hkey(f, i))
			break;
		hswap(f, parent, i);
		i = parent;
	}
}

static void heap_down(struct ftl *f, u32 i)
{
	for (;;) {
		u32 l = 2 * i + 1, r = l + 1, m = i;

		if (l < f->heap_cnt && hkey(f, l) < hkey(f, m))
			m = l;
		if (r < f->heap_cnt && hkey(f, r) < hkey(f, m))
			m = r;
		if (m == i)
			break;
		hswap(f, i, m);
		i = m;
	}
}

static void heap_insert(struct ftl *f, u32 id)
{
	u32 i = f->heap_cnt++;

	f->heap[i] = id;
	f->lines[id].pos = i;
	heap_up(f, i);
}

static void heap_remove(struct ftl *f, u32 id)
{
	u32 i = f->lines[id].pos;
	u32 last = --f->heap_cnt;

	if (i != last) {
		f->heap[i] = f->heap[last];
		f->lines[f->heap[i]].pos = i;
		heap_down(f, i);
		heap_up(f, i);
	}
	f->lines[id].pos = FTL_INVALID;
}

/* ------------------------------------------------------------------ */
/* free lines (FIFO: spreads erases evenly)                            */

static void free_push(struct ftl *f, u32 id)
{
	u32 slot = f->free_head + f->free_cnt;

	if (slot >= f->nlines)
		slot -= f->nlines;
	f->free_q[slot] = id;
	f->free_cnt++;
	line_set_state(f, id, FTL_LINE_FREE);
}

static u32 free_pop(struct ftl *f, enum ftl_line_state s)
{
	FTL_FN();
	u32 id;

	if (unlikely(!f->free_cnt)) {
		/* unreachable by construction (see ftl_params_resolve bound) */
		ftl_warn("out of free lines\n");
		return FTL_INVALID;
	}
	id = f->free_q[f->free_head];
	if (++f->free_head == f->nlines)
		f->free_head = 0;
	f->free_cnt--;
	f->lines[id].vpc = 0;
	f->lines[id].ipc = 0;
	line_set_state(f, id, s);
	return id;
}

static void line_close(struct ftl *f, u32 id, u64 t)
{
	FTL_FN();
	f->lines[id].close_ns = t;
	line_set_state(f, id, FTL_LINE_FULL);
	heap_insert(f, id);
}

/* ------------------------------------------------------------------ */
/* NAND operations on the flash timing layer (ftl/flash.c)             */

static u64 nand_read(struct ftl *f, u32 ppa, u32 units, u64 t)
{
	FTL_FN();
	return flash_read(&f->fl, blk_lun(f, ppa_blk(f, ppa)), units, t);
}

/* program the flash page starting at @ppa; data in controller at @t */
static u64 nand_prog(struct ftl *f, u32 ppa, u64 t)
{
	FTL_FN();
	return flash_prog(&f->fl, blk_lun(f, ppa_blk(f, ppa)), ppa, t);
}

/* erase every block of a line: one (multi-plane) erase per LUN */
static u64 nand_erase_line(struct ftl *f, u32 id, u64 t)
{
	u64 done = t;
	u32 lun;

	FTL_FN();
	for (lun = 0; lun < f->nluns; lun++)
		done = ftl_max64(done, flash_erase(&f->fl, lun, t));
	f->lines[id].erase_cnt++;
	if (f->oob) {
		memset(&f->oob[(size_t)id * f->upl], 0, (size_t)f->upl * sizeof(*f->oob));
		f->oob_erase[id] = f->lines[id].erase_cnt;
	}
	f->st.erase_blocks += f->blks_per_line;
	FTL_TRACE_ERASE(id);
	if (f->hook_erase)
		f->hook_erase(f->hook_arg, id * f->upl, f->upl);
	return done;
}

/* ------------------------------------------------------------------ */
/* write buffer                                                        */

static bool wp_partial_has(const struct ftl *f, const struct ftl_wp *wp, u32 ppa)
{
	u32 base;

	if (wp->line == FTL_INVALID || !(wp->off % f->upp))
		return false;
	base = wp->line * f->upl + wp->off;
	return ppa < base && ppa >= base - wp->off % f->upp;
}

/* is the unit at @ppa still in controller DRAM (not yet on NAND) at @t? */
static bool in_buffer(const struct ftl *f, u32 ppa, u64 t)
{
	if (wp_partial_has(f, &f->host_wp, ppa) || wp_partial_has(f, &f->gc_wp, ppa))
		return true;
	return flash_wb_pending(&f->fl, ppa / f->upp, t);
}

/* ------------------------------------------------------------------ */
/* mapping                                                             */

static void invalidate(struct ftl *f, u32 ppa)
{
	FTL_FN();
	u32 id = ppa_line(f, ppa);
	struct ftl_line *l = &f->lines[id];

	f->rmap[ppa] = FTL_INVALID;
	if (f->oob)
		f->oob[ppa].flags |= FTL_OOB_STALE;
	l->vpc--;
	l->ipc++;
	f->blk_vpc[id * f->blks_per_line + ppa_blk(f, ppa)]--;
	if (l->state == FTL_LINE_FULL)
		heap_up(f, l->pos);
}

static u32 place(struct ftl *f, struct ftl_wp *wp, u32 lpn)
{
	FTL_FN();
	u32 ppa = wp->line * f->upl + wp->off;

	f->map[lpn] = ppa;
	f->rmap[ppa] = lpn;
	if (f->oob) {
		f->oob[ppa].lpn = lpn;
		f->oob[ppa].flags = FTL_OOB_PROG;
		f->oob[ppa].seq = ++f->seq;
	}
	f->lines[wp->line].vpc++;
	f->blk_vpc[wp->line * f->blks_per_line + ppa_blk(f, ppa)]++;
	wp->off++;
	f->st.nand_write_units++;
	return ppa;
}

/* @n units from @ppa programmed with filler: no LPN, invalid */
static void oob_filler(struct ftl *f, u32 ppa, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		f->oob[ppa + i].lpn = FTL_INVALID;
		f->oob[ppa + i].flags = FTL_OOB_PROG | FTL_OOB_STALE;
		f->oob[ppa + i].seq = ++f->seq;
	}
}

/* fill the open flash page of @wp with invalid filler; returns units padded */
static u32 wp_pad(struct ftl *f, struct ftl_wp *wp)
{
	FTL_FN();
	u32 n;

	if (wp->line == FTL_INVALID || !(wp->off % f->upp))
		return 0;
	n = f->upp - wp->off % f->upp;
	if (f->oob)
		oob_filler(f, wp->line * f->upl + wp->off, n);
	f->lines[wp->line].ipc += n;
	wp->off += n;
	f->st.pad_units += n;
	f->st.nand_write_units += n;
	return n;
}

/* ------------------------------------------------------------------ */
/* garbage collection                                                  */

static bool gc_candidate(const struct ftl *f, u32 id)
{
	/* collecting must gain at least one unit after padding */
	return f->lines[id].vpc + f->upp < f->upl;
}

static bool gc_pick(struct ftl *f, u64 now)
{
	u32 id = FTL_INVALID;

	FTL_FN();
	if (!f->heap_cnt)
		return false;
	if (f->p.gc_policy == FTL_GC_COST_BENEFIT) {
		u64 best = 0;
		u32 i;

		for (i = 0; i < f->heap_cnt; i++) {
			u32 c = f->heap[i];
			const struct ftl_line *l = &f->lines[c];
			u64 age, score;

			if (!gc_candidate(f, c))
				continue;
			age = now > l->close_ns ? (now - l->close_ns) >> 10 : 0;
			age = ftl_min64(age, 1ull << 38) + 1;
			score = ftl_div64((u64)(f->upl - l->vpc) * age, f->upl + l->vpc);
			if (id == FTL_INVALID || score > best) {
				best = score;
				id = c;
			}
		}
		if (id == FTL_INVALID)
			return false;
	} else {
		id = f->heap[0];
		if (!gc_candidate(f, id))
			return false;
	}
	heap_remove(f, id);
	line_set_state(f, id, FTL_LINE_VICTIM);
	f->victim = id;
	f->victim_cur = 0;
	f->victim_moved = 0;
	f->victim_done_ns = now;
	FTL_TRACE_GC_START(id, f->lines[id].vpc);
	return true;
}

static void gc_wp_flush(struct ftl *f)
{
	FTL_FN();
	struct ftl_wp *wp = &f->gc_wp;
	u32 first = wp->line * f->upl + wp->off - f->upp;

	f->victim_done_ns = ftl_max64(f->victim_done_ns, nand_prog(f, first, wp->ready_ns));
	wp->ready_ns = 0;
	if (wp->off == f->upl) {
		line_close(f, wp->line, f->victim_done_ns);
		wp->line = FTL_INVALID;
	}
}

static void gc_move(struct ftl *f, u32 lpn, u32 from, u64 ready)
{
	FTL_FN();
	struct ftl_wp *wp = &f->gc_wp;
	u32 to;

	if (wp->line == FTL_INVALID) {
		wp->line = free_pop(f, FTL_LINE_GC_OPEN);
		wp->off = 0;
		wp->ready_ns = 0;
	}
	invalidate(f, from);
	to = place(f, wp, lpn);
	wp->ready_ns = ftl_max64(wp->ready_ns, ready);
	f->st.gc_write_units++;
	f->victim_moved++;
	FTL_TRACE_GC_MOVE(lpn, from, to);
	if (f->hook_place)
		f->hook_place(f->hook_arg, lpn, from, to);
	if (!(wp->off % f->upp))
		gc_wp_flush(f);
}

static void gc_finish(struct ftl *f, u64 t)
{
	u32 id = f->victim;

	FTL_FN();
	if (wp_pad(f, &f->gc_wp))
		gc_wp_flush(f);
	nand_erase_line(f, id, ftl_max64(t, f->victim_done_ns));
	f->lines[id].vpc = 0;
	f->lines[id].ipc = 0;
	free_push(f, id);
	f->victim = FTL_INVALID;
	f->st.gc_runs++;
	if (f->victim_fg)
		f->st.gc_fg_runs++;
	else
		f->st.gc_bg_runs++;
	FTL_TRACE_GC_END(id, f->victim_moved);
}

/* move up to @budget valid units of the victim (whole flash pages) */
static void gc_work(struct ftl *f, u64 t, u32 budget)
{
	u32 base = f->victim * f->upl;

	FTL_FN();
	while (f->victim_cur < f->upl && budget) {
		u32 first = base + f->victim_cur, n = 0, u;
		u64 rdone;

		for (u = 0; u < f->upp; u++)
			n += f->rmap[first + u] != FTL_INVALID;
		f->victim_cur += f->upp;
		if (!n)
			continue;
		rdone = nand_read(f, first, n, t);
		for (u = 0; u < f->upp; u++) {
			u32 lpn = f->rmap[first + u];

			if (lpn != FTL_INVALID)
				gc_move(f, lpn, first + u, rdone);
		}
		budget -= ftl_min64(budget, n);
	}
	if (f->victim_cur >= f->upl)
		gc_finish(f, t);
}

/* one GC increment; false if there is nothing worth collecting */
static bool gc_advance(struct ftl *f, u64 t, u32 budget, bool fg)
{
	FTL_FN();
	if (f->victim == FTL_INVALID && !gc_pick(f, t))
		return false;
	f->victim_fg = fg;
	gc_work(f, t, budget);
	return true;
}

static void gc_foreground(struct ftl *f, u64 t)
{
	FTL_FN();
	while (f->free_cnt <= f->low_wm)
		if (!gc_advance(f, t, U32_MAX, true))
			break;
}

/* ------------------------------------------------------------------ */
/* host path                                                           */

static void host_line(struct ftl *f, u64 t)
{
	FTL_FN();
	struct ftl_wp *wp = &f->host_wp;

	if (wp->line != FTL_INVALID)
		return;
	gc_foreground(f, t);
	wp->line = free_pop(f, FTL_LINE_HOST_OPEN);
	wp->off = 0;
}

/* issue the program of the host's open page (full or padded) */
static u64 host_prog(struct ftl *f, u64 t, u32 units_in_buffer)
{
	FTL_FN();
	struct ftl_wp *wp = &f->host_wp;
	u32 first = wp->line * f->upl + wp->off - f->upp;
	u64 done = nand_prog(f, first, t);

	flash_wb_add(&f->fl, done, first / f->upp, units_in_buffer);
	if (wp->off == f->upl) {
		line_close(f, wp->line, t);
		wp->line = FTL_INVALID;
	}
	return done;
}

static u64 host_place(struct ftl *f, u32 lpn, u64 t)
{
	FTL_FN();
	struct ftl_wp *wp = &f->host_wp;
	u32 old, ppa;

	host_line(f, t);
	old = f->map[lpn];	/* after GC: it may have moved it */
	if (old != FTL_INVALID)
		invalidate(f, old);
	else
		f->mapped++;
	ppa = place(f, wp, lpn);
	f->st.host_write_units++;
	FTL_TRACE_WRITE(lpn, ppa);
	if (f->hook_place)
		f->hook_place(f->hook_arg, lpn, FTL_INVALID, ppa);
	if (!(wp->off % f->upp))
		return host_prog(f, t, f->upp);
	return 0;
}

/* program the host's partial page now (flush / FUA) */
static u64 host_pad(struct ftl *f, u64 t)
{
	FTL_FN();
	struct ftl_wp *wp = &f->host_wp;
	u32 have;

	if (wp->line == FTL_INVALID || !(wp->off % f->upp))
		return 0;
	have = wp->off % f->upp;
	wp_pad(f, wp);
	return host_prog(f, t, have);
}

static u32 clamp_nr(const struct ftl *f, u64 lpn, u32 nr)
{
	if (lpn >= f->logical_units)
		return 0;
	if (nr > f->logical_units - lpn)
		nr = f->logical_units - (u32)lpn;
	return nr;
}

u64 ftl_write(struct ftl *f, u64 lpn, u32 nr, u64 now, bool fua)
{
	u64 t = now + f->p.fw_write_ns, last = 0;
	u32 i;

	FTL_FN();
	nr = clamp_nr(f, lpn, nr);
	flash_advance(&f->fl, now);
	for (i = 0; i < nr; i++) {
		t = flash_wb_reserve(&f->fl, t);
		t = flash_pcie(&f->fl, FLASH_H2D, t, 1) + f->p.wb_copy_ns;
		last = ftl_max64(last, host_place(f, (u32)lpn + i, t));
	}
	if (fua && nr) {
		last = ftl_max64(last, host_pad(f, t));
		t = ftl_max64(t, last);
	}
	return t;
}

u64 ftl_read(struct ftl *f, u64 lpn, u32 nr, u64 now)
{
	u64 t = now + f->p.fw_read_ns, end = t;
	u32 i = 0;

	FTL_FN();
	nr = clamp_nr(f, lpn, nr);
	flash_advance(&f->fl, now);
	flash_wb_reclaim(&f->fl, t);
	while (i < nr) {
		u32 ppa = f->map[lpn + i], n = 1;
		u64 ready = t;

		FTL_TRACE_READ(lpn + i, ppa);
		if (ppa != FTL_INVALID && !in_buffer(f, ppa, t)) {
			u32 page = ppa / f->upp;

			while (i + n < nr && f->map[lpn + i + n] == ppa + n &&
			       (ppa + n) / f->upp == page)
				n++;
			ready = nand_read(f, ppa, n, t);
		}
		end = ftl_max64(end, flash_pcie(&f->fl, FLASH_D2H, ready, n));
		i += n;
	}
	f->st.host_read_units += nr;
	return end;
}

u64 ftl_flush(struct ftl *f, u64 now)
{
	u64 t = now + f->p.fw_other_ns;

	FTL_FN();
	flash_advance(&f->fl, now);
	host_pad(f, t);
	flash_wb_reclaim(&f->fl, t);
	return ftl_max64(t, flash_wb_last_done(&f->fl));
}

u64 ftl_trim(struct ftl *f, u64 lpn, u32 nr, u64 now)
{
	u32 i;

	FTL_FN();
	nr = clamp_nr(f, lpn, nr);
	for (i = 0; i < nr; i++) {
		u32 ppa = f->map[lpn + i];

		/* a whole-device trim is millions of units: yield now and then */
		if (!((i + 1) & 0xffff))
			ftl_yield();
		if (ppa == FTL_INVALID)
			continue;
		invalidate(f, ppa);
		f->map[lpn + i] = FTL_INVALID;
		f->mapped--;
	}
	f->st.trim_units += nr;
	return now + f->p.fw_other_ns;
}

bool ftl_mapped(const struct ftl *f, u64 lpn)
{
	return lpn < f->logical_units && f->map[lpn] != FTL_INVALID;
}

/* ------------------------------------------------------------------ */
/* power loss                                                          */

u64 ftl_unit_tag(const struct ftl *f, u64 lpn)
{
	u32 ppa;

	if (lpn >= f->logical_units || f->map[lpn] == FTL_INVALID)
		return FTL_TAG_NONE;
	ppa = f->map[lpn];
	return (u64)f->lines[ppa_line(f, ppa)].erase_cnt << 32 | ppa;
}

bool ftl_tag_volatile(const struct ftl *f, u64 tag, u64 t)
{
	u32 ppa = (u32)tag;

	if (tag == FTL_TAG_NONE || ppa >= f->phys_units)
		return false;
	/* erased since: the line was collected, so its pages were on NAND */
	if (f->lines[ppa_line(f, ppa)].erase_cnt != (u32)(tag >> 32))
		return false;
	return in_buffer(f, ppa, t);
}

void ftl_unmap_unit(struct ftl *f, u64 lpn)
{
	u32 ppa;

	if (lpn >= f->logical_units || f->map[lpn] == FTL_INVALID)
		return;
	ppa = f->map[lpn];
	invalidate(f, ppa);
	f->map[lpn] = FTL_INVALID;
	f->mapped--;
}

void ftl_power_cycle(struct ftl *f, u64 now)
{
	FTL_FN();
	wp_pad(f, &f->host_wp);
	if (f->host_wp.line != FTL_INVALID && f->host_wp.off == f->upl) {
		line_close(f, f->host_wp.line, now);
		f->host_wp.line = FTL_INVALID;
	}
	wp_pad(f, &f->gc_wp);
	if (f->gc_wp.line != FTL_INVALID && f->gc_wp.off == f->upl) {
		line_close(f, f->gc_wp.line, now);
		f->gc_wp.line = FTL_INVALID;
	}
	f->gc_wp.ready_ns = 0;
	f->victim_done_ns = 0;
	flash_reset_time(&f->fl);
}

/* ------------------------------------------------------------------ */
/* persistence: OOB area and power-on scan                             */

size_t ftl_oob_bytes(const struct ftl *f)
{
	return (size_t)f->phys_units * sizeof(struct ftl_oob) +
	       (size_t)f->nlines * sizeof(u32);
}

void ftl_attach_oob(struct ftl *f, void *area)
{
	f->oob = area;
	f->oob_erase = area ? (u32 *)((u8 *)area + (size_t)f->phys_units *
				      sizeof(struct ftl_oob)) : NULL;
}

u32 ftl_oob_sync(struct ftl *f)
{
	u32 ppa, n = 0;

	for (ppa = 0; ppa < f->phys_units; ppa++) {
		struct ftl_oob *o = &f->oob[ppa];

		if (f->rmap[ppa] == FTL_INVALID && (o->flags & FTL_OOB_PROG) &&
		    !(o->flags & FTL_OOB_STALE) && o->lpn != FTL_INVALID) {
			o->flags |= FTL_OOB_STALE;
			n++;
		}
		if (!(ppa & 0xffff))
			ftl_yield();
	}
	return n;
}

void ftl_oob_format(struct ftl *f)
{
	u32 i;

	for (i = 0; i < f->nlines; i++) {
		memset(&f->oob[(size_t)i * f->upl], 0, (size_t)f->upl * sizeof(*f->oob));
		f->oob_erase[i] = f->lines[i].erase_cnt;
		ftl_yield();
	}
	f->seq = 0;
}

void ftl_recover(struct ftl *f, struct ftl_recovery *r)
{
	u32 id, u;

	FTL_FN();
	memset(r, 0, sizeof(*r));
	memset(f->map, 0xff, (size_t)f->logical_units * sizeof(u32));
	memset(f->rmap, 0xff, (size_t)f->phys_units * sizeof(u32));
	memset(f->blk_vpc, 0, (size_t)f->nlines * f->blks_per_line * sizeof(u16));
	f->free_head = 0;
	f->free_cnt = 0;
	f->heap_cnt = 0;
	f->mapped = 0;
	f->host_wp.line = FTL_INVALID;
	f->gc_wp.line = FTL_INVALID;
	f->gc_wp.ready_ns = 0;
	f->victim = FTL_INVALID;
	f->victim_done_ns = 0;
	flash_reset_time(&f->fl);
	for (id = 0; id < f->nlines; id++) {
		struct ftl_line *l = &f->lines[id];
		u32 used = 0;

		l->vpc = 0;
		l->ipc = 0;
		l->pos = FTL_INVALID;
		l->close_ns = 0;
		l->state = FTL_LINE_FREE;
		l->erase_cnt = f->oob_erase[id];
		for (u = 0; u < f->upl; u++) {
			u32 ppa = id * f->upl + u;
			struct ftl_oob *o = &f->oob[ppa];
			u32 old;

			if (!(o->flags & FTL_OOB_PROG))
				continue;
			used++;
			r->max_seq = ftl_max64(r->max_seq, o->seq);
			if ((o->flags & FTL_OOB_STALE) || o->lpn >= f->logical_units) {
				l->ipc++;
				continue;
			}
			old = f->map[o->lpn];
			if (old != FTL_INVALID) {
				r->conflicts++;
				if (f->oob[old].seq > o->seq) {
					o->flags |= FTL_OOB_STALE;
					l->ipc++;
					continue;
				}
				invalidate(f, old);	/* marks it stale */
				f->mapped--;
			}
			f->map[o->lpn] = ppa;
			f->rmap[ppa] = o->lpn;
			l->vpc++;
			f->blk_vpc[id * f->blks_per_line + ppa_blk(f, ppa)]++;
			f->mapped++;
		}
		if (!used) {
			free_push(f, id);
		} else {
			r->lines_used++;
			if (used < f->upl) {	/* closed: the rest is filler */
				r->lines_partial++;
				for (u = 0; u < f->upl; u++) {
					u32 ppa = id * f->upl + u;

					if (!(f->oob[ppa].flags & FTL_OOB_PROG))
						oob_filler(f, ppa, 1);
				}
				l->ipc += f->upl - used;
			}
			line_close(f, id, 0);
		}
		r->units_programmed += used;
		ftl_yield();
	}
	r->mapped = f->mapped;
	for (id = 0; id < f->nlines; id++)
		r->stale += f->lines[id].ipc;
	f->seq = ftl_max64(f->seq, r->max_seq);
}

/* One step of background GC; traced, unlike the checks in ftl_idle(). */
static void idle_gc(struct ftl *f, u64 now)
{
	FTL_FN();
	gc_advance(f, now, (u32)f->p.gc_step_units, false);
}

bool ftl_idle_pending(const struct ftl *f)
{
	return f->victim != FTL_INVALID || f->free_cnt < f->high_wm;
}

void ftl_idle(struct ftl *f, u64 now)
{
	u32 i;

	/* called from the dispatcher's idle loop: cheap and untraced when
	 * there is nothing to do */
	if (f->victim == FTL_INVALID && f->free_cnt >= f->high_wm)
		return;
	flash_advance(&f->fl, now);
	/* only when the model device is idle too: never run ahead of time */
	for (i = 0; i < f->nluns; i++)
		if (f->fl.lun_avail[i] > now)
			return;
	idle_gc(f, now);
}

u64 ftl_logical_pages(const struct ftl *f)
{
	return f->logical_units;
}

/* ------------------------------------------------------------------ */
/* lifetime                                                            */

static size_t meta_sizes(const struct ftl *f, size_t *map, size_t *rmap, size_t *blk,
			 size_t *lines, size_t *lists, size_t *fl)
{
	*map = (size_t)f->logical_units * sizeof(u32);
	*rmap = (size_t)f->phys_units * sizeof(u32);
	*blk = (size_t)f->nlines * f->blks_per_line * sizeof(u16);
	*lines = (size_t)f->nlines * sizeof(struct ftl_line);
	*lists = (size_t)f->nlines * sizeof(u32) * 2;
	*fl = flash_metadata_bytes(&f->fl);
	return *map + *rmap + *blk + *lines + *lists + *fl + sizeof(*f);
}

size_t ftl_metadata_bytes(const struct ftl *f)
{
	size_t a, b, c, d, e, g;

	return meta_sizes(f, &a, &b, &c, &d, &e, &g);
}

void ftl_exit(struct ftl *f)
{
	ftl_free(f->map);
	ftl_free(f->rmap);
	ftl_free(f->blk_vpc);
	ftl_free(f->lines);
	ftl_free(f->free_q);
	ftl_free(f->heap);
	flash_exit(&f->fl);
	memset(f, 0, sizeof(*f));
}

int ftl_init(struct ftl *f, const struct ftl_params *params)
{
	size_t smap, srmap, sblk, slines, slists, sfl;
	u64 by_op, bound;
	u32 i;
	int ret;

	FTL_FN();
	memset(f, 0, sizeof(*f));
	f->p = *params;
	ret = ftl_params_resolve(&f->p);
	if (ret)
		return ret;

	f->upp = (u32)(f->p.pg_size >> FTL_UNIT_SHIFT);
	f->nluns = (u32)(f->p.nr_ch * f->p.luns_per_ch);
	f->stripe = f->nluns * (u32)f->p.pls_per_lun;
	f->blks_per_line = f->stripe;
	f->upb = (u32)f->p.pgs_per_blk * f->upp;
	f->upl = f->upb * f->stripe;
	f->nlines = (u32)f->p.blks_per_pl;
	f->phys_units = f->upl * f->nlines;
	f->low_wm = (u32)f->p.gc_low_lines;
	f->high_wm = (u32)f->p.gc_high_lines;

	/*
	 * Exported capacity: the OP share, and never more than GC can always
	 * make progress with: with at most (lines - low_wm - 3) lines' worth
	 * of valid data (less one page per line for padding), the emptiest
	 * full line gains at least one unit whenever GC runs below low_wm.
	 */
	/* resolve bounded all of it; the narrowed copies must agree */
	if ((u64)f->upb != f->p.pgs_per_blk * (f->p.pg_size >> FTL_UNIT_SHIFT) ||
	    (u64)f->upl * f->nlines != (u64)f->phys_units ||
	    f->nlines != f->p.blks_per_pl || f->low_wm != f->p.gc_low_lines ||
	    f->high_wm != f->p.gc_high_lines || f->nlines < f->low_wm + 4) {
		ftl_warn("geometry does not fit 32 bits\n");
		return -EINVAL;
	}
	by_op = ftl_div64((u64)f->phys_units * 1000, 1000 + f->p.op_permille);
	bound = (u64)(f->nlines - f->low_wm - 3) * f->upl;
	if (bound <= (u64)f->nlines * f->upp) {
		ftl_warn("gc_low_lines=%u leaves no capacity\n", f->low_wm);
		return -EINVAL;
	}
	bound -= (u64)f->nlines * f->upp;
	f->logical_units = (u32)ftl_min64(by_op, bound);
	if (!f->logical_units)
		return -EINVAL;

	ret = flash_init(&f->fl, &f->p, 0);
	if (ret)
		return ret;
	meta_sizes(f, &smap, &srmap, &sblk, &slines, &slists, &sfl);
	f->map = ftl_zalloc(smap);
	f->rmap = ftl_zalloc(srmap);
	f->blk_vpc = ftl_zalloc(sblk);
	f->lines = ftl_zalloc(slines);
	f->free_q = ftl_zalloc(slists / 2);
	f->heap = ftl_zalloc(slists / 2);
	if (!f->map || !f->rmap || !f->blk_vpc || !f->lines || !f->free_q ||
	    !f->heap) {
		ftl_exit(f);
		return -ENOMEM;
	}
	memset(f->map, 0xff, smap);
	memset(f->rmap, 0xff, srmap);
	for (i = 0; i < f->nlines; i++) {
		f->lines[i].pos = FTL_INVALID;
		free_push(f, i);
	}
	f->host_wp.line = FTL_INVALID;
	f->gc_wp.line = FTL_INVALID;
	f->victim = FTL_INVALID;
	return 0;
}

/* ------------------------------------------------------------------ */
/* observability                                                       */

enum ftl_page_state ftl_page_state(const struct ftl *f, u32 ppa)
{
	u32 id = ppa_line(f, ppa), off = ppa % f->upl;
	const struct ftl_line *l = &f->lines[id];

	if (f->rmap[ppa] != FTL_INVALID)
		return FTL_PAGE_VALID;
	if (l->state == FTL_LINE_FREE)
		return FTL_PAGE_FREE;
	if (l->state == FTL_LINE_HOST_OPEN && off >= f->host_wp.off)
		return FTL_PAGE_FREE;
	if (l->state == FTL_LINE_GC_OPEN && off >= f->gc_wp.off)
		return FTL_PAGE_FREE;
	return FTL_PAGE_INVALID;
}

const char *ftl_line_state_name(unsigned int s)
{
	static const char *const names[] = { "free", "host-open", "gc-open", "full", "victim" };

	return s < ARRAY_SIZE(names) ? names[s] : "?";
}

void ftl_stats(const struct ftl *f, struct ftl_stats *st)
{
	u64 sum = 0, mn = U64_MAX, mx = 0, pe;
	u32 i;

	FTL_FN();
	*st = f->st;
	for (i = 0; i < f->nlines; i++) {
		const struct ftl_line *l = &f->lines[i];
		u64 e = l->erase_cnt;

		sum += e;
		mn = ftl_min64(mn, e);
		mx = ftl_max64(mx, e);
		if (l->state != FTL_LINE_FREE) {
			u32 b = (u32)ftl_div64((u64)l->vpc * FTL_VHIST_BUCKETS, f->upl);

			st->vhist[b >= FTL_VHIST_BUCKETS ? FTL_VHIST_BUCKETS - 1 : b]++;
		}
		if (l->state == FTL_LINE_FULL)
			st->lines_full++;
	}
	st->erase_min = f->nlines ? mn : 0;
	st->erase_max = mx;
	st->erase_avg_milli = f->nlines ? ftl_div64(sum * 1000, f->nlines) : 0;
	st->wa_milli = st->host_write_units ?
		ftl_div64(st->nand_write_units * 1000, st->host_write_units) : 0;
	st->lines_total = f->nlines;
	st->lines_free = f->free_cnt;
	st->nand_read_pages = f->fl.nand_read_pages;
	st->nand_prog_pages = f->fl.nand_prog_pages;
	st->wb_full_events = f->fl.wb_full_events;
	st->wb_used_units = f->fl.wb_used;
	st->wb_capacity_units = f->fl.wb_cap;
	st->mapped_units = f->mapped;
	st->logical_units = f->logical_units;
	st->physical_units = f->phys_units;
	st->metadata_bytes = ftl_metadata_bytes(f);
	pe = f->p.pe_cycles ? f->p.pe_cycles : 1;
	st->percentage_used = ftl_min64(255, ftl_div64(sum * 100, pe * (f->nlines ? f->nlines : 1)));
}
