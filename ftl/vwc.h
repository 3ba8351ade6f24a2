/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev device model: the volatile write cache, for power loss.
 *
 * The controller acknowledges a write once its data is in the write
 * buffer; the data reaches NAND when the flash page holding it is
 * programmed (the page fills, or a Flush or FUA write pads it).  User data
 * lives in the reserved region and is written there at once, so a power
 * cut has to take back what had not reached NAND.  This journal keeps, for
 * every 4 KiB unit the host writes, what the unit held before (a copy of
 * the old 4 KiB, or "unmapped") and where the new data went (an FTL tag).
 * A cut at model time t finds, per LPN, the newest write whose page was
 * not programmed by t and every older one back to the newest that was;
 * the LPN gets back what it held before the oldest of those.
 *
 * Entries are dropped once a newer write of the same LPN (or the entry
 * itself) is on NAND: then no cut can reach behind it.  A Deallocate or
 * Write Zeroes of an LPN forgets its entries (those are durable at
 * completion).  Pending entries are bounded by the write buffer, so the
 * journal holds twice the buffer plus the largest command; if it is
 * full of pending entries anyway the oldest is dropped (its unit then
 * survives a cut) and counted in @overflow.
 *
 * Same contract as the FTL: single-threaded, called by the dispatcher;
 * @data is the storage of LPN 0 (unit i at data + i * 4 KiB), or NULL
 * when no data is kept (store=none): then only the mapping is undone.
 */
#ifndef NVMEV_FTL_VWC_H
#define NVMEV_FTL_VWC_H

#include "ftl.h"

struct ftl_vwc_ent {
	u64 tag;		/* ftl_unit_tag() after the write */
	u32 lpn;
	u32 slot;		/* copy of the old unit; FTL_INVALID: none */
	u32 was_mapped;		/* the LPN was mapped before this write */
};

/* What one cut did. */
struct ftl_vwc_cut {
	u64 t;			/* model time of the cut */
	u32 entries;		/* journal entries at the cut */
	u32 lpns;		/* distinct LPNs that lost data */
	u32 restored;		/* of those: old data put back */
	u32 unmapped;		/* of those: unmapped again (were never written) */
};

struct ftl_vwc {
	struct ftl *ftl;
	struct ftl_vwc_ent *e;	/* oldest first */
	u32 n, max;
	u8 *slots;		/* max copies of 4 KiB, NULL without data */
	u32 *free_slot;
	u32 nfree;
	struct ftl_vwc_key *scratch;	/* max, for sorting */
	u32 pending;		/* entries of the last ftl_vwc_before_write */
	/* 4 KiB copies; memcpy by default, the caller may set a faster one */
	void (*copy)(void *dst, const void *src, size_t len);

	/* counters */
	u64 captured;		/* units journalled */
	u64 copied;		/* of which an old 4 KiB was copied */
	u64 prunes;		/* passes that dropped settled entries */
	u64 overflow;		/* pending entries dropped to make room */
	u64 cuts;
	struct ftl_vwc_cut last;
};

/* @max entries (0: twice the write buffer + 1024); @keep_data: copies. */
int ftl_vwc_init(struct ftl_vwc *v, struct ftl *ftl, u32 max, bool keep_data);
void ftl_vwc_exit(struct ftl_vwc *v);
size_t ftl_vwc_bytes(const struct ftl_vwc *v);

/* Around ftl_write(f, lpn, nr, now, ...): before it, then after it. */
void ftl_vwc_before_write(struct ftl_vwc *v, u8 *data, u64 lpn, u32 nr, u64 now);
void ftl_vwc_after_write(struct ftl_vwc *v);
/* Deallocate / Write Zeroes / namespace delete of [lpn, lpn+nr). */
void ftl_vwc_forget(struct ftl_vwc *v, u64 lpn, u64 nr);
/* Units a cut at @t would take back (debugfs; O(n log n)). */
u32 ftl_vwc_volatile(struct ftl_vwc *v, u64 t);
/*
 * Power cut at model time @t: undo in @data and the mapping, close the
 * open pages and empty the timelines (ftl_power_cycle), empty the journal.
 */
void ftl_vwc_cut(struct ftl_vwc *v, u8 *data, u64 t);

#endif /* NVMEV_FTL_VWC_H */
