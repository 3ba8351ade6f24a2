/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev device model: the flash timing layer shared by the conventional
 * FTL (ftl.c) and the zoned namespace model (zns.c).
 *
 * It owns the model's resources and nothing of the mapping: a timeline per
 * LUN (NAND read, program, erase), a transfer link per channel and per PCIe
 * direction, and the controller's write buffer (slots held from the host
 * transfer until the flash page holding them is programmed).  Callers name
 * the LUN of every NAND operation; how logical data lands on LUNs (lines,
 * zones) is theirs.  Same contract as the FTL: single-threaded, `now` and
 * every returned time in ns of model time.
 */
#ifndef NVMEV_FTL_FLASH_H
#define NVMEV_FTL_FLASH_H

#include "compat.h"

struct ftl_params;

/*
 * A transfer link (NAND channel, PCIe direction) as a calendar of 2 us bins
 * over a 4 ms horizon: a transfer takes the earliest free link time at or
 * after its data is ready, so a transfer queued behind a busy LUN does not
 * block later-issued ones that are ready sooner (no head-of-line blocking),
 * while the bandwidth limit holds.  Beyond the horizon, no contention.
 */
#define FTL_LINK_BIN_SHIFT	11		/* 2048 ns per bin */
#define FTL_LINK_BINS		2048		/* power of two */
struct ftl_link {
	u64 base;			/* first bin of the window */
	u64 last_end;			/* latest transfer end scheduled */
	u16 used[FTL_LINK_BINS];	/* ns of each bin taken, as a prefix */
	u16 skip[FTL_LINK_BINS];	/* full bin: bins to jump (path-compressed) */
};

/* a flash page program in flight, holding write-buffer slots */
struct ftl_wb_prog {
	u64 done_ns;		/* program completes, buffer slots released */
	u32 page;		/* caller's flash page id (for flash_wb_pending) */
	u32 units;		/* buffer slots held */
};

enum flash_dir {
	FLASH_D2H = 0,		/* device to host: read data */
	FLASH_H2D = 1,		/* host to device: write data */
};

struct flash {
	/* geometry and timing, from the resolved struct ftl_params */
	u32 nch;		/* channels */
	u32 nluns;		/* LUNs in all; LUN l is on channel l % nch */
	u32 upp;		/* 4 KiB units per flash page (program unit) */
	u32 wb_cap;		/* write buffer capacity, units */
	u32 wb_max;		/* entries of wb[] */
	u64 t_read_ns, t_prog_ns, t_erase_ns;
	u64 ch_unit_ns;		/* 4 KiB over a channel */
	u64 pcie_unit_ns;	/* 4 KiB over PCIe */

	/* timelines */
	u64 *lun_avail;		/* per LUN: busy until */
	struct ftl_link *ch;	/* per channel */
	struct ftl_link *pcie;	/* [FLASH_D2H], [FLASH_H2D] */

	/* write buffer: programs in flight; the caller's open pages count too */
	struct ftl_wb_prog *wb;
	u32 wb_n;
	u32 wb_used;		/* units held: programs in flight + open pages */

	/* counters */
	u64 nand_read_pages;
	u64 nand_prog_pages;
	u64 nand_erases;	/* per-LUN (multi-plane) erase operations */
	u64 wb_full_events;
};

/*
 * @p must be resolved (ftl_params_resolve).  @wb_entries sizes the table of
 * programs in flight: 0 = the buffer capacity in units, enough when every
 * program holds at least one slot and the buffer never over-commits.
 */
int flash_init(struct flash *fl, const struct ftl_params *p, u32 wb_entries);
void flash_exit(struct flash *fl);
/* bytes of the timelines, link calendars and buffer table */
size_t flash_metadata_bytes(const struct flash *fl);

/* Slide every link window up to @now (call once per command). */
void flash_advance(struct flash *fl, u64 now);
/* Occupy @dur ns of @l at or after @ready; returns the end. */
u64 flash_link_xfer(struct ftl_link *l, u64 ready, u64 dur);
/* @units 4 KiB units over PCIe in direction @dir, ready at @t: the end. */
u64 flash_pcie(struct flash *fl, enum flash_dir dir, u64 t, u32 units);

/* Sense a page on @lun at or after @t, then move @units over its channel. */
u64 flash_read(struct flash *fl, u32 lun, u32 units, u64 t);
/*
 * Program a page on @lun whose data is in the controller at @t; @addr is
 * the caller's address of the page's first unit (FTL_TRACE_PROGRAM).
 */
u64 flash_prog(struct flash *fl, u32 lun, u64 addr, u64 t);
/* One (multi-plane) block erase on @lun at or after @t; returns its end. */
u64 flash_erase(struct flash *fl, u32 lun, u64 t);

/* Release the slots of programs complete at @t. */
void flash_wb_reclaim(struct flash *fl, u64 t);
/* Take one buffer slot at or after @t; returns when it was available. */
u64 flash_wb_reserve(struct flash *fl, u64 t);
/* Record the program of @page, done at @done, holding @units slots. */
void flash_wb_add(struct flash *fl, u64 done, u32 page, u32 units);
/* Latest completion of the programs in flight (0 if none). */
u64 flash_wb_last_done(const struct flash *fl);
/* Power cycle: no transfer, program or erase in flight, buffer empty. */
void flash_reset_time(struct flash *fl);
/* Is a program of @page still in flight at @t (its data in DRAM)? */
bool flash_wb_pending(const struct flash *fl, u32 page, u64 t);

#endif /* NVMEV_FTL_FLASH_H */
