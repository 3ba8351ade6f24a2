/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev device model: zoned namespace (NVMe ZNS 1.1) over the flash timing
 * layer (ftl/flash.h) shared with the conventional FTL.
 *
 * Same contract as the FTL (Documentation/ftl.rst): single-threaded, time
 * in ns supplied by the caller, every command returns its model completion
 * time; metadata and time only, the data stays in the caller's storage.
 * Addresses are LBAs of the namespace (512 B or 4 KiB, chosen at init);
 * write pointers are LBAs.  No device GC: a zone reset is the only reclaim.
 *
 * Stripe (NVMeVirt's and ConfZNS's zone-to-die mapping): a zone spans
 * stripe_luns LUNs, the LUN group (zone % groups), groups = nluns /
 * stripe_luns, i.e. LUNs [g * stripe_luns, (g + 1) * stripe_luns); its
 * consecutive flash pages (program units) rotate over those LUNs, page k
 * on LUN g * stripe_luns + k % stripe_luns.  LUN l is on channel
 * l % nr_ch, so a group's LUNs take the channels in turn.  On each of its
 * LUNs a zone owns whole (multi-plane) blocks: blocks [(zone / groups) *
 * bpz, + bpz) with bpz the blocks per LUN its capacity needs.
 */
#ifndef NVMEV_FTL_ZNS_H
#define NVMEV_FTL_ZNS_H

#include "ftl.h"

/* Zone State values (ZS field of a zone descriptor, bits 7:4). */
enum zns_state {
	ZNS_ZS_EMPTY = 0x1,
	ZNS_ZS_IOPEN = 0x2,	/* implicitly opened */
	ZNS_ZS_EOPEN = 0x3,	/* explicitly opened */
	ZNS_ZS_CLOSED = 0x4,
	ZNS_ZS_RDONLY = 0xd,
	ZNS_ZS_FULL = 0xe,
	ZNS_ZS_OFFLINE = 0xf,
};

#define ZNS_ZT_SEQ_WRITE_REQ	0x2	/* Zone Type: sequential write required */
#define ZNS_ZA_ZFC		0x01	/* Zone Attributes: finished by controller */

/*
 * Command status.  ZNS_OK is success; the ZNS codes (B8h..BFh) are of
 * Status Code Type 1h (command specific), ZNS_SC_LBA_RANGE (80h) and
 * ZNS_SC_INVALID_FIELD (02h) of type 0h (generic): zns_status_sct().
 */
enum zns_status {
	ZNS_OK = 0,
	ZNS_SC_INVALID_FIELD = 0x02,	/* Invalid Field in Command */
	ZNS_SC_LBA_RANGE = 0x80,	/* LBA Out of Range */
	ZNS_SC_BOUNDARY = 0xb8,		/* Zone Boundary Error */
	ZNS_SC_FULL = 0xb9,		/* Zone Is Full */
	ZNS_SC_READ_ONLY = 0xba,	/* Zone Is Read Only */
	ZNS_SC_OFFLINE = 0xbb,		/* Zone Is Offline */
	ZNS_SC_INVALID_WRITE = 0xbc,	/* Zone Invalid Write */
	ZNS_SC_TOO_MANY_ACTIVE = 0xbd,	/* Too Many Active Zones */
	ZNS_SC_TOO_MANY_OPEN = 0xbe,	/* Too Many Open Zones */
	ZNS_SC_INVALID_TRANSITION = 0xbf, /* Invalid Zone State Transition */
};

static inline unsigned int zns_status_sct(enum zns_status s)
{
	return s >= ZNS_SC_BOUNDARY ? 1 : 0;
}

/* Zone Send Action values of Zone Management Send. */
enum zns_action {
	ZNS_ZSA_CLOSE = 0x1,
	ZNS_ZSA_FINISH = 0x2,
	ZNS_ZSA_OPEN = 0x3,
	ZNS_ZSA_RESET = 0x4,
	ZNS_ZSA_OFFLINE = 0x5,
};

/* Zone Receive Action Specific field of Report Zones: the state filter. */
enum zns_filter {
	ZNS_ZRAS_ALL = 0x0,
	ZNS_ZRAS_EMPTY = 0x1,
	ZNS_ZRAS_IOPEN = 0x2,
	ZNS_ZRAS_EOPEN = 0x3,
	ZNS_ZRAS_CLOSED = 0x4,
	ZNS_ZRAS_FULL = 0x5,
	ZNS_ZRAS_RDONLY = 0x6,
	ZNS_ZRAS_OFFLINE = 0x7,
	ZNS_ZRAS_NOT_WP = 0x8,	/* no valid write pointer: full, read-only, offline */
};

/* Zone parameters; all u64 so zns_param_table can set them by name. */
struct zns_params {
	u64 zone_size;		/* bytes; 0 = auto (see zns_params_resolve) */
	u64 zone_cap;		/* bytes, <= zone_size; 0 = auto */
	u64 max_open;		/* open zones; 0 = no limit */
	u64 max_active;		/* open + closed zones; 0 = no limit */
	u64 stripe_luns;	/* LUNs a zone spans, divides all LUNs; 0 = all */
	u64 lba_size;		/* 512 or 4096; 0 = 4096 */
	u64 cross_read;		/* 1: reads may cross zone boundaries */
};

extern const struct ftl_param_desc zns_param_table[];
extern const unsigned int zns_param_count;

struct zns_zone {
	u64 wp;			/* write pointer; for full/ro/offline: end of data */
	u8 state;		/* enum zns_state */
	u8 za;			/* zone attributes */
	u32 resets;		/* resets that erased (wear) */
	u32 synced;		/* units made durable by a flush of the open page */
};

/* a zone descriptor as Report Zones returns it (the caller encodes it) */
struct zns_zone_desc {
	u8 zt;			/* ZNS_ZT_SEQ_WRITE_REQ */
	u8 zs;			/* enum zns_state (the caller shifts it to 7:4) */
	u8 za;
	u64 zcap;		/* LBAs */
	u64 zslba;
	u64 wp;
};

struct zns_stats {
	u64 host_write_lbas, host_read_lbas;
	u64 writes, appends, reads, flushes;
	u64 opens, closes, finishes, resets, offlines;	/* per zone */
	u64 implicit_opens, implicit_closes;
	u64 errors;			/* commands refused */
	u64 nand_read_pages, nand_prog_pages, partial_programs;
	u64 erase_blocks;		/* multi-plane blocks erased */
	u64 wb_used_units, wb_capacity_units, wb_full_events;
	u64 nr_open, nr_active;
	u64 zones[16];			/* zones per state, indexed by enum zns_state */
	u64 metadata_bytes;
};

struct zns {
	struct ftl_params p;	/* the flash, resolved */
	struct zns_params zp;	/* resolved */
	struct flash fl;

	/* geometry */
	u32 nr_zones;
	u32 lbas_per_unit;	/* 4 KiB / lba_size */
	u32 lba_shift;
	u64 zone_lbas;		/* zone size in LBAs */
	u64 cap_lbas;		/* zone capacity in LBAs */
	u32 cap_units;		/* 4 KiB units of a zone's capacity */
	u32 zone_pages;		/* flash pages of a zone's capacity */
	u32 upp;		/* units per flash page */
	u32 stripe;		/* LUNs per zone */
	u32 groups;		/* LUN groups: nluns / stripe */
	u32 pgs_per_lun_blk;	/* pages of one (multi-plane) block on one LUN */
	u32 bpz;		/* blocks per LUN per zone */

	struct zns_zone *zones;
	u32 nr_open, nr_active;
	struct zns_stats st;	/* running counters; zns_stats() fills the rest */
};

/* ---- parameters and lifetime ---- */
void zns_params_default(struct zns_params *zp);
int zns_param_set(struct zns_params *zp, const char *name, u64 value);
int zns_param_get(const struct zns_params *zp, const char *name, u64 *value);
/* Fill the auto fields from the (resolved) flash geometry and validate. */
int zns_params_resolve(struct zns_params *zp, const struct ftl_params *p);
int zns_init(struct zns *z, const struct ftl_params *p, const struct zns_params *zp);
void zns_exit(struct zns *z);
u64 zns_nr_lbas(const struct zns *z);		/* namespace size: zones * zone size */

/* ---- I/O: status; *done = completion time (also on errors) ---- */
enum zns_status zns_write(struct zns *z, u64 slba, u32 nlb, u64 now, bool fua, u64 *done);
/* @zslba must be a zone start; *lba = first LBA written */
enum zns_status zns_append(struct zns *z, u64 zslba, u32 nlb, u64 now, bool fua,
			   u64 *lba, u64 *done);
/*
 * Read.  LBAs at or beyond a zone's data end (zns_data_end) read as
 * zeroes: *nlb_data (if not NULL) = how many LBAs from @slba hold data
 * before the first that does not (enough when the read is in one zone).
 */
enum zns_status zns_read(struct zns *z, u64 slba, u32 nlb, u64 now, u32 *nlb_data, u64 *done);
u64 zns_flush(struct zns *z, u64 now);
/* end (exclusive) of the data of the zone holding @lba */
u64 zns_data_end(const struct zns *z, u64 lba);

/* ---- zone management ---- */
enum zns_status zns_mgmt_send(struct zns *z, u64 slba, enum zns_action act, bool all,
			      u64 now, u64 *done);
/*
 * Report Zones from the zone holding @slba: fills up to @max descriptors of
 * zones matching @filter; *nr_zones = the header's Number of Zones (all
 * matching zones from there, or with @partial only those returned).
 */
enum zns_status zns_report(struct zns *z, u64 slba, enum zns_filter filter, bool partial,
			   struct zns_zone_desc *desc, u32 max, u64 *nr_zones, u64 now,
			   u64 *done);
/* every zone reset (read-only/offline ones too), then LBAs of @lba_size */
enum zns_status zns_format(struct zns *z, u32 lba_size, u64 now, u64 *done);
/* fault injection: put a zone in read-only or offline state */
enum zns_status zns_set_state(struct zns *z, u32 zone, enum zns_state s, u64 now);

/* ---- observability ---- */
u32 zns_zone_of(const struct zns *z, u64 lba);
u64 zns_zslba(const struct zns *z, u32 zone);
void zns_zone_desc(const struct zns *z, u32 zone, struct zns_zone_desc *d);
/* LUN of the flash page holding zone-relative 4 KiB unit @unit of @zone */
u32 zns_unit_lun(const struct zns *z, u32 zone, u32 unit);
void zns_stats(const struct zns *z, struct zns_stats *st);
size_t zns_metadata_bytes(const struct zns *z);
/* empty, iopen, eopen, closed, rdonly, full, offline; "?" for others */
const char *zns_state_name(unsigned int s);
/* Full consistency check (O(zones)); 0 or -EINVAL and a message. */
int zns_check(const struct zns *z, char *msg, size_t len);

#endif /* NVMEV_FTL_ZNS_H */
