/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev device model: conventional page-mapped FTL + SSD timing model.
 *
 * The FTL keeps only metadata and model time; user data lives in the
 * reserved memory region, indexed by LBA, and is never touched here.
 *
 * Contract with the controller (see Documentation/ftl.rst):
 *  - single-threaded: every function is called from the dispatcher thread,
 *    there is no locking inside;
 *  - time is u64 nanoseconds supplied by the caller (`now`); each command
 *    returns the model completion time of that command (>= now);
 *  - the mapping unit (LPN) is 4 KiB: the caller converts LBAs to LPNs and
 *    rounds partial units outward (a write touching part of a 4 KiB unit is
 *    a write of the whole unit; the data merge happens in the caller's
 *    storage, which is byte addressable);
 *  - LPN ranges are clamped to ftl_logical_pages(); the caller validates
 *    ranges against the namespace size before calling.
 */
#ifndef NVMEV_FTL_H
#define NVMEV_FTL_H

#include "compat.h"
#include "flash.h"

#define FTL_UNIT_SHIFT		12
#define FTL_UNIT_SIZE		(1u << FTL_UNIT_SHIFT)	/* mapping unit: 4 KiB */
#define FTL_INVALID		U32_MAX	/* unmapped LPN / invalid PPA sentinel */
#define FTL_PROFILE_LEN		16
#define FTL_VHIST_BUCKETS	10	/* valid-count histogram: 10% steps */

/* ---- trace hooks (bound to tracepoints by trace/, empty by default) ---- */
#ifndef FTL_TRACE_WRITE
#define FTL_TRACE_WRITE(lpn, ppa)		do { } while (0)	/* host unit placed */
#endif
#ifndef FTL_TRACE_READ
#define FTL_TRACE_READ(lpn, ppa)		do { } while (0)	/* ppa FTL_INVALID: unmapped */
#endif
#ifndef FTL_TRACE_GC_MOVE
#define FTL_TRACE_GC_MOVE(lpn, from, to)	do { } while (0)
#endif
#ifndef FTL_TRACE_GC_START
#define FTL_TRACE_GC_START(victim, valid)	do { } while (0)
#endif
#ifndef FTL_TRACE_GC_END
#define FTL_TRACE_GC_END(victim, moved)		do { } while (0)
#endif
#ifndef FTL_TRACE_ERASE
#define FTL_TRACE_ERASE(line)			do { } while (0)
#endif
#ifndef FTL_TRACE_LINE_STATE
#define FTL_TRACE_LINE_STATE(line, state)	do { } while (0)
#endif
#ifndef FTL_TRACE_BUFFER_FULL
#define FTL_TRACE_BUFFER_FULL(occupancy)	do { } while (0)
#endif
#ifndef FTL_TRACE_PROGRAM
#define FTL_TRACE_PROGRAM(ppa, start, done)	do { } while (0)
#endif
/* zoned model (zns.c): state is enum zns_state, wp an LBA */
#ifndef FTL_TRACE_ZONE_STATE
#define FTL_TRACE_ZONE_STATE(zone, from, to)	do { } while (0)
#endif
#ifndef FTL_TRACE_ZONE_RESET
#define FTL_TRACE_ZONE_RESET(zone, wp)		do { } while (0)	/* wp before */
#endif

enum ftl_gc_policy {
	FTL_GC_GREEDY = 0,		/* min valid count, O(log n) heap */
	FTL_GC_COST_BENEFIT = 1,	/* (1-u)*age/(1+u), O(n) scan per victim */
};

enum ftl_cell {
	FTL_CELL_SLC = 1,
	FTL_CELL_MLC = 2,
	FTL_CELL_TLC = 3,
	FTL_CELL_QLC = 4,
	FTL_CELL_XPOINT = 9,
};

/*
 * Load-time parameters.  Every field is a u64 so that the generic name
 * table (ftl_param_table) can set any of them; fields marked "0 = auto"
 * are derived by ftl_params_resolve() (called by ftl_init()).
 */
struct ftl_params {
	char profile[FTL_PROFILE_LEN];

	u64 capacity_bytes;	/* physical flash = memmap storage size */

	/* geometry */
	u64 nr_ch;		/* channels */
	u64 luns_per_ch;	/* LUNs (dies) per channel */
	u64 pls_per_lun;	/* planes per LUN (geometry only) */
	u64 blks_per_pl;	/* blocks per plane = lines; 0 = auto */
	u64 pgs_per_blk;	/* flash pages per block; 0 = auto */
	u64 pg_size;		/* flash page bytes, multiple of 4 KiB */
	u64 op_permille;	/* over-provisioning (phys-logical)/logical */

	/* NAND / media timing (ns) */
	u64 cell_type;		/* enum ftl_cell, informational */
	u64 t_read_ns;		/* page read (sense) */
	u64 t_prog_ns;		/* page program */
	u64 t_erase_ns;		/* block erase */
	u64 ch_mbps;		/* channel transfer, MB/s (10^6 B/s) */
	u64 pcie_mbps;		/* PCIe link, MB/s, per direction */

	/* controller firmware / buffer (ns) */
	u64 fw_read_ns;		/* per read command */
	u64 fw_write_ns;	/* per write command */
	u64 fw_other_ns;	/* per flush / trim / write-zeroes */
	u64 wb_copy_ns;		/* per 4 KiB into the write buffer */
	u64 wb_bytes;		/* write buffer size; 0 = auto (2 pages/LUN) */
	u64 pe_cycles;		/* rated P/E cycles (SMART percentage used) */

	/* garbage collection */
	u64 gc_policy;		/* enum ftl_gc_policy */
	u64 gc_low_lines;	/* foreground GC at free <= this; 0 = auto */
	u64 gc_high_lines;	/* background GC at free < this; 0 = auto */
	u64 gc_step_units;	/* background GC budget per ftl_idle() */
};

/* Generic parameter table: name -> u64 field of struct ftl_params. */
struct ftl_param_desc {
	const char *name;
	size_t offset;
	const char *help;
};
extern const struct ftl_param_desc ftl_param_table[];
extern const unsigned int ftl_param_count;

/* Profiles known to ftl_params_default(): "970pro" (default), "optane", "qlc". */
extern const char *const ftl_profile_names[];
extern const unsigned int ftl_profile_count;

enum ftl_line_state {
	FTL_LINE_FREE = 0,
	FTL_LINE_HOST_OPEN,
	FTL_LINE_GC_OPEN,
	FTL_LINE_FULL,
	FTL_LINE_VICTIM,
};

struct ftl_line {
	u32 vpc;		/* valid units */
	u32 ipc;		/* invalid units (written - valid) */
	u32 erase_cnt;		/* erases of every block of this line */
	u32 pos;		/* index in full-line heap (FULL only) */
	u8 state;		/* enum ftl_line_state */
	u64 close_ns;		/* when it became full (cost-benefit age) */
};

struct ftl_wp {
	u32 line;		/* FTL_INVALID: none open */
	u32 off;		/* next unit offset inside the line */
	u64 ready_ns;		/* data of the open flash page ready (GC) */
};

struct ftl_stats {
	u64 host_read_units;
	u64 host_write_units;
	u64 trim_units;
	u64 nand_read_pages;
	u64 nand_prog_pages;
	u64 nand_write_units;	/* host + gc + pad units programmed */
	u64 gc_write_units;	/* pages moved by GC */
	u64 pad_units;		/* filler units (flush/FUA of partial page) */
	u64 wa_milli;		/* write amplification x1000 */
	u64 gc_runs;		/* victims collected */
	u64 gc_fg_runs;
	u64 gc_bg_runs;
	u64 erase_blocks;	/* total block erases */
	u64 erase_min, erase_max, erase_avg_milli;	/* per block */
	u64 lines_total, lines_free, lines_full;
	u64 vhist[FTL_VHIST_BUCKETS];	/* non-free lines by valid %, 10% steps */
	u64 wb_used_units, wb_capacity_units, wb_full_events;
	u64 mapped_units, logical_units, physical_units;
	u64 metadata_bytes;
	u64 percentage_used;	/* SMART: avg erases / rated P/E, capped 255 */
};

/*
 * Out-of-band area of one 4 KiB unit (the flash page's spare bytes), kept
 * where it persists (the reserved region) when the caller attaches one:
 * written when the unit is programmed, cleared when its block is erased.
 * STALE is set when the FTL invalidates the unit (overwritten, moved by
 * GC, deallocated): it stands in for the validity bitmap real firmware
 * persists with its mapping checkpoints, so a scan finds exactly one
 * valid unit per mapped LPN (the sequence number breaks a tie anyway).
 */
struct ftl_oob {
	u32 lpn;		/* FTL_INVALID: filler (padding) */
	u32 flags;		/* FTL_OOB_* */
	u64 seq;		/* programming order, from 1 */
};
#define FTL_OOB_PROG	0x1	/* programmed since the last erase */
#define FTL_OOB_STALE	0x2	/* invalidated */

/* What ftl_recover() found. */
struct ftl_recovery {
	u64 units_programmed;	/* units with OOB written */
	u64 mapped;		/* LPNs mapped again */
	u64 stale;		/* invalid units (stale, filler) */
	u64 conflicts;		/* two valid units of one LPN: older made stale */
	u32 lines_used;		/* lines holding programmed units (now full) */
	u32 lines_partial;	/* of which not completely programmed */
	u64 max_seq;
};

struct ftl {
	struct ftl_params p;

	/* derived geometry */
	u32 upp;		/* units per flash page */
	u32 nluns;		/* total LUNs */
	u32 stripe;		/* flash pages across ch*lun*pl (one row) */
	u32 upb;		/* units per block */
	u32 upl;		/* units per line */
	u32 nlines;
	u32 blks_per_line;	/* nluns * planes */
	u32 phys_units;
	u32 logical_units;
	u32 low_wm, high_wm;

	/* mapping: 4 + 4 bytes per unit */
	u32 *map;		/* LPN -> PPA */
	u32 *rmap;		/* PPA -> LPN */
	u16 *blk_vpc;		/* valid units per block */
	struct ftl_line *lines;

	/* line lists: FIFO of free lines, min-heap (by vpc) of full lines */
	u32 *free_q;
	u32 free_head, free_cnt;
	u32 *heap;
	u32 heap_cnt;

	struct ftl_wp host_wp, gc_wp;
	u32 victim;		/* line being collected, FTL_INVALID if none */
	u32 victim_cur;		/* next unit offset to scan */
	u32 victim_moved;
	u64 victim_done_ns;	/* latest completion of this victim's ops */
	bool victim_fg;

	/* timelines and write buffer (ftl/flash.h) */
	struct flash fl;

	u32 mapped;
	/* running counters (derived fields and the flash's filled in ftl_stats) */
	struct ftl_stats st;

	/* persistent OOB (ftl_attach_oob), NULL: not kept */
	struct ftl_oob *oob;	/* per PPA */
	u32 *oob_erase;		/* per line: erase count */
	u64 seq;		/* last sequence number given */

	/* optional observers for tests: data placed/moved, line erased */
	void (*hook_place)(void *arg, u32 lpn, u32 from, u32 to);
	void (*hook_erase)(void *arg, u32 first_ppa, u32 nr);
	void *hook_arg;
};

/* ---- parameters ---- */
int ftl_params_default(struct ftl_params *p, const char *profile, u64 capacity_bytes);
int ftl_param_set(struct ftl_params *p, const char *name, u64 value);
int ftl_param_get(const struct ftl_params *p, const char *name, u64 *value);
/* Fill "auto" fields and validate; idempotent.  ftl_init() calls it. */
int ftl_params_resolve(struct ftl_params *p);

/* ---- lifetime ---- */
int ftl_init(struct ftl *ftl, const struct ftl_params *p);
void ftl_exit(struct ftl *ftl);
u64 ftl_logical_pages(const struct ftl *ftl);	/* exported 4 KiB units */

/* ---- commands: return the model completion time (ns) ---- */
u64 ftl_read(struct ftl *ftl, u64 lpn, u32 nr_lpn, u64 now);
u64 ftl_write(struct ftl *ftl, u64 lpn, u32 nr_lpn, u64 now, bool fua);
u64 ftl_flush(struct ftl *ftl, u64 now);
/* Deallocate and Write Zeroes: unmap (the caller zero-fills the data). */
u64 ftl_trim(struct ftl *ftl, u64 lpn, u32 nr_lpn, u64 now);
bool ftl_mapped(const struct ftl *ftl, u64 lpn);

/*
 * Power loss (ftl/vwc.c builds the volatile write cache on these).
 * A tag names where an LPN's data went: its unit and the erase count of
 * that unit's line, so a tag outlives the line's reuse.
 */
#define FTL_TAG_NONE		U64_MAX
u64 ftl_unit_tag(const struct ftl *ftl, u64 lpn);
/* Is the unit of @tag still only in the write buffer (not on NAND) at @t? */
bool ftl_tag_volatile(const struct ftl *ftl, u64 tag, u64 t);
/* Unmap one LPN without a command's accounting (a write undone by a cut). */
void ftl_unmap_unit(struct ftl *ftl, u64 lpn);
/*
 * Power comes back: nothing is in flight.  The open flash pages are
 * closed (what they held was undone or is kept as programmed), the
 * timelines and the write buffer are empty.
 */
void ftl_power_cycle(struct ftl *ftl, u64 now);
/* Dispatcher idle: one small step of background GC if below high_wm. */
void ftl_idle(struct ftl *ftl, u64 now);
/* Has ftl_idle() work to do (background GC below high_wm, a victim open)? */
bool ftl_idle_pending(const struct ftl *ftl);

/* ---- persistence ---- */
/* bytes of the OOB area: struct ftl_oob per unit + u32 per line */
size_t ftl_oob_bytes(const struct ftl *ftl);
/*
 * Keep OOB at @area (ftl_oob_bytes() long): from now on every program and
 * erase writes it.  Call ftl_oob_format() or ftl_recover() next.
 */
void ftl_attach_oob(struct ftl *ftl, void *area);
/*
 * Detached (@area NULL) the FTL keeps no OOB; attached again, this marks
 * stale what was invalidated meanwhile (a namespace deleted while the
 * region was not mapped).  Returns how many.
 */
u32 ftl_oob_sync(struct ftl *ftl);
/* A fresh model on a fresh area: everything erased (erase counts kept). */
void ftl_oob_format(struct ftl *ftl);
/*
 * Power-on: rebuild the mapping, valid counts and line lists from the OOB
 * area by scanning every unit, the way SSD firmware does; lines holding
 * programmed units become full (the open ones are closed), the others
 * free; erase counts come from the area.  Model time and write buffer
 * start empty; counters (ftl_stats) are kept.
 */
void ftl_recover(struct ftl *ftl, struct ftl_recovery *r);

/* ---- observability ---- */
void ftl_stats(const struct ftl *ftl, struct ftl_stats *st);
size_t ftl_metadata_bytes(const struct ftl *ftl);
/* QD1 4 KiB read on an idle device: mapped data on NAND / unmapped LPN. */
u64 ftl_expected_read_latency(const struct ftl_params *p);
u64 ftl_expected_unmapped_read_latency(const struct ftl_params *p);
/* QD1 4 KiB write (non-FUA) on an idle device with buffer space. */
u64 ftl_expected_write_latency(const struct ftl_params *p);

/* Page state of a PPA. */
enum ftl_page_state { FTL_PAGE_FREE, FTL_PAGE_VALID, FTL_PAGE_INVALID };
enum ftl_page_state ftl_page_state(const struct ftl *ftl, u32 ppa);
const char *ftl_line_state_name(unsigned int state);

/*
 * Full consistency check (O(units)); returns 0 or -EINVAL and a message.
 * Used after every operation by the unit tests; safe to call in the kernel.
 */
int ftl_check(const struct ftl *ftl, char *msg, size_t len);

#endif /* NVMEV_FTL_H */
