// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev device model: flash timing layer (LUN timelines, channel and PCIe
 * links, write buffer), shared by the conventional FTL and the zoned model.
 * The timing rules are documented in Documentation/ftl.rst, "Timing model".
 */
#include "ftl.h"

#define LINK_W		(1ull << FTL_LINK_BIN_SHIFT)
#define LINK_MASK	(FTL_LINK_BINS - 1)

static void link_advance(struct ftl_link *l, u64 now)
{
	u64 nb = now >> FTL_LINK_BIN_SHIFT;

	if (nb <= l->base)
		return;
	if (nb - l->base >= FTL_LINK_BINS)
		memset(l->used, 0, sizeof(l->used));
	else
		for (; l->base < nb; l->base++)
			l->used[l->base & LINK_MASK] = 0;
	l->base = nb;
}

static inline bool bin_full(const struct ftl_link *l, u64 b)
{
	return b < l->base + FTL_LINK_BINS && l->used[b & LINK_MASK] == LINK_W;
}

/* first bin at or after @b with room (or past the horizon), union-find style */
static u64 link_next_free(struct ftl_link *l, u64 b)
{
	u64 r = b;

	while (bin_full(l, r))
		r += l->skip[r & LINK_MASK];
	while (b < r && bin_full(l, b)) {
		u64 nx = b + l->skip[b & LINK_MASK];

		l->skip[b & LINK_MASK] = (u16)(r - b);
		b = nx;
	}
	return r;
}

u64 flash_link_xfer(struct ftl_link *l, u64 ready, u64 dur)
{
	FTL_FN();
	u64 b = ready >> FTL_LINK_BIN_SHIFT, end = ready;

	if (b < l->base)
		b = l->base;
	while (dur) {
		u64 bs, s, x;
		u16 *u;

		b = link_next_free(l, b);
		bs = b << FTL_LINK_BIN_SHIFT;
		if (b >= l->base + FTL_LINK_BINS) {
			end = ftl_max64(ready, bs) + dur;	/* beyond the horizon */
			break;
		}
		u = &l->used[b & LINK_MASK];
		s = ftl_max64(ready, bs + *u);
		if (s < bs + LINK_W) {
			x = ftl_min64(bs + LINK_W - s, dur);
			*u = (u16)(s + x - bs);
			if (*u == LINK_W)
				l->skip[b & LINK_MASK] = 1;
			dur -= x;
			end = s + x;
		}
		b++;
	}
	l->last_end = ftl_max64(l->last_end, end);
	return end;
}

void flash_advance(struct flash *fl, u64 now)
{
	u32 i;

	for (i = 0; i < fl->nch; i++)
		link_advance(&fl->ch[i], now);
	link_advance(&fl->pcie[FLASH_D2H], now);
	link_advance(&fl->pcie[FLASH_H2D], now);
}

u64 flash_pcie(struct flash *fl, enum flash_dir dir, u64 t, u32 units)
{
	FTL_FN();
	return flash_link_xfer(&fl->pcie[dir], t, units * fl->pcie_unit_ns);
}

u64 flash_read(struct flash *fl, u32 lun, u32 units, u64 t)
{
	FTL_FN();
	u64 s = ftl_max64(t, fl->lun_avail[lun]);

	fl->lun_avail[lun] = s + fl->t_read_ns;
	fl->nand_read_pages++;
	return flash_link_xfer(&fl->ch[lun % fl->nch], fl->lun_avail[lun],
			       units * fl->ch_unit_ns);
}

u64 flash_prog(struct flash *fl, u32 lun, u64 addr, u64 t)
{
	FTL_FN();
	u64 xe = flash_link_xfer(&fl->ch[lun % fl->nch], t, fl->upp * fl->ch_unit_ns);
	u64 ps = ftl_max64(xe, fl->lun_avail[lun]);

	fl->lun_avail[lun] = ps + fl->t_prog_ns;
	fl->nand_prog_pages++;
	FTL_TRACE_PROGRAM(addr, ps, fl->lun_avail[lun]);
	(void)addr;	/* only the trace hook uses it */
	return fl->lun_avail[lun];
}

u64 flash_erase(struct flash *fl, u32 lun, u64 t)
{
	FTL_FN();
	u64 s = ftl_max64(t, fl->lun_avail[lun]);

	fl->lun_avail[lun] = s + fl->t_erase_ns;
	fl->nand_erases++;
	return fl->lun_avail[lun];
}

/* ------------------------------------------------------------------ */
/* write buffer                                                        */

void flash_wb_reclaim(struct flash *fl, u64 t)
{
	FTL_FN();
	u32 i = 0;

	while (i < fl->wb_n) {
		if (fl->wb[i].done_ns <= t) {
			fl->wb_used -= fl->wb[i].units;
			fl->wb[i] = fl->wb[--fl->wb_n];
		} else {
			i++;
		}
	}
}

u64 flash_wb_reserve(struct flash *fl, u64 t)
{
	FTL_FN();
	flash_wb_reclaim(fl, t);
	while (fl->wb_used >= fl->wb_cap && fl->wb_n) {
		u64 first = U64_MAX;
		u32 i;

		for (i = 0; i < fl->wb_n; i++)
			first = ftl_min64(first, fl->wb[i].done_ns);
		FTL_TRACE_BUFFER_FULL(fl->wb_used);
		fl->wb_full_events++;
		t = ftl_max64(t, first);
		flash_wb_reclaim(fl, t);
	}
	fl->wb_used++;
	return t;
}

void flash_wb_add(struct flash *fl, u64 done, u32 page, u32 units)
{
	FTL_FN();
	struct ftl_wb_prog *e;

	if (unlikely(fl->wb_n >= fl->wb_max)) {
		/* unreachable by construction (see flash_init's @wb_entries) */
		ftl_warn("write buffer table full\n");
		fl->wb_used -= units;
		return;
	}
	e = &fl->wb[fl->wb_n++];
	e->done_ns = done;
	e->page = page;
	e->units = units;
}

u64 flash_wb_last_done(const struct flash *fl)
{
	u64 last = 0;
	u32 i;

	for (i = 0; i < fl->wb_n; i++)
		last = ftl_max64(last, fl->wb[i].done_ns);
	return last;
}

bool flash_wb_pending(const struct flash *fl, u32 page, u64 t)
{
	u32 i;

	for (i = 0; i < fl->wb_n; i++)
		if (fl->wb[i].page == page && fl->wb[i].done_ns > t)
			return true;
	return false;
}

void flash_reset_time(struct flash *fl)
{
	memset(fl->lun_avail, 0, fl->nluns * sizeof(u64));
	memset(fl->ch, 0, fl->nch * sizeof(struct ftl_link));
	memset(fl->pcie, 0, 2 * sizeof(struct ftl_link));
	fl->wb_n = 0;
	fl->wb_used = 0;
}

/* ------------------------------------------------------------------ */
/* lifetime                                                            */

size_t flash_metadata_bytes(const struct flash *fl)
{
	return (size_t)fl->nluns * sizeof(u64) +
	       (size_t)(fl->nch + 2) * sizeof(struct ftl_link) +
	       (size_t)fl->wb_max * sizeof(struct ftl_wb_prog);
}

void flash_exit(struct flash *fl)
{
	ftl_free(fl->lun_avail);
	ftl_free(fl->ch);
	ftl_free(fl->pcie);
	ftl_free(fl->wb);
	memset(fl, 0, sizeof(*fl));
}

int flash_init(struct flash *fl, const struct ftl_params *p, u32 wb_entries)
{
	FTL_FN();
	memset(fl, 0, sizeof(*fl));
	fl->nch = (u32)p->nr_ch;
	fl->nluns = (u32)(p->nr_ch * p->luns_per_ch);
	fl->upp = (u32)(p->pg_size >> FTL_UNIT_SHIFT);
	fl->wb_cap = (u32)(p->wb_bytes >> FTL_UNIT_SHIFT);
	fl->wb_max = wb_entries ? wb_entries : fl->wb_cap;
	fl->t_read_ns = p->t_read_ns;
	fl->t_prog_ns = p->t_prog_ns;
	fl->t_erase_ns = p->t_erase_ns;
	fl->ch_unit_ns = ftl_div64((u64)FTL_UNIT_SIZE * 1000, p->ch_mbps);
	fl->pcie_unit_ns = ftl_div64((u64)FTL_UNIT_SIZE * 1000, p->pcie_mbps);
	fl->lun_avail = ftl_zalloc(fl->nluns * sizeof(u64));
	fl->ch = ftl_zalloc(fl->nch * sizeof(struct ftl_link));
	fl->pcie = ftl_zalloc(2 * sizeof(struct ftl_link));
	fl->wb = ftl_zalloc((size_t)fl->wb_max * sizeof(struct ftl_wb_prog));
	if (!fl->lun_avail || !fl->ch || !fl->pcie || !fl->wb) {
		flash_exit(fl);
		return -ENOMEM;
	}
	return 0;
}
