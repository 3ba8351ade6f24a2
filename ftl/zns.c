// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev device model: zoned namespace (NVMe ZNS 1.1) on the shared flash
 * timing layer.  See ftl/zns.h for the stripe and Documentation/ftl.rst,
 * "Zoned namespaces", for the model.
 *
 * Write buffer: a zone's units enter the write buffer as the host writes
 * them; a flash page is programmed on its LUN when the zone's write pointer
 * passes the end of the page (every LBA of it written), or when the zone
 * becomes full (its last, partial page).  Until then the open page of each
 * active zone holds its buffer slots.  FUA and Flush program the open
 * partial page now (the data is durable once that program is done) and
 * keep it buffered: the page is programmed again, whole, when it fills.
 */
#include "zns.h"

#define ZNS_MIB			(1ull << 20)
#define ZNS_AUTO_ZONE		(16 * ZNS_MIB)	/* auto zone capacity target */
#define ZNS_YIELD_MASK		0xfff		/* long loops: ftl_yield() this often */

#define P(field, help) { #field, offsetof(struct zns_params, field), help }
const struct ftl_param_desc zns_param_table[] = {
	P(zone_size, "zone size in bytes (0 = auto: capacity rounded up to a power of two)"),
	P(zone_cap, "zone capacity in bytes, <= zone_size (0 = auto)"),
	P(max_open, "maximum open zones (0 = no limit)"),
	P(max_active, "maximum active (open or closed) zones (0 = no limit)"),
	P(stripe_luns, "LUNs a zone is striped over, divides all LUNs (0 = all)"),
	P(lba_size, "LBA size, 512 or 4096 (0 = 4096)"),
	P(cross_read, "1: reads may cross zone boundaries"),
};
#undef P
const unsigned int zns_param_count = ARRAY_SIZE(zns_param_table);

void zns_params_default(struct zns_params *zp)
{
	memset(zp, 0, sizeof(*zp));
}

static const struct ftl_param_desc *find_param(const char *name)
{
	unsigned int i;

	for (i = 0; i < zns_param_count; i++)
		if (!ftl_strcmp(zns_param_table[i].name, name))
			return &zns_param_table[i];
	return NULL;
}

int zns_param_set(struct zns_params *zp, const char *name, u64 value)
{
	const struct ftl_param_desc *d = find_param(name);

	if (!d)
		return -ENOENT;
	*(u64 *)((char *)zp + d->offset) = value;
	return 0;
}

int zns_param_get(const struct zns_params *zp, const char *name, u64 *value)
{
	const struct ftl_param_desc *d = find_param(name);

	if (!d)
		return -ENOENT;
	*value = *(const u64 *)((const char *)zp + d->offset);
	return 0;
}

static int refuse(const char *name, u64 v, const char *why)
{
	ftl_warn("%s=%llu: %s\n", name, (unsigned long long)v, why);
	return -EINVAL;
}

static u64 pow2_roundup(u64 v)
{
	u64 r = 1;

	while (r < v)
		r <<= 1;
	return r;
}

/*
 * Auto fields, from the flash (@p resolved):
 *  - stripe_luns: every LUN;
 *  - the zone's erase stripe es = stripe_luns * planes * pages/block *
 *    page size (one multi-plane block on each of its LUNs);
 *  - neither size nor capacity given: capacity = the largest multiple of
 *    es not above min(16 MiB, flash / 16), at least es; size = capacity
 *    rounded up to a power of two (Linux wants power-of-two zones);
 *  - only the size: capacity = size rounded down to a multiple of es (the
 *    size itself if smaller than es); only the capacity: size = capacity
 *    rounded up to a power of two.
 * 970pro, 1 GiB: 16 LUNs, es = 4 MiB, 16 MiB zones, capacity 16 MiB, 64
 * zones; optane: es = 3.5 MiB, capacity 14 MiB, size 16 MiB, 73 zones.
 */
int zns_params_resolve(struct zns_params *zp, const struct ftl_params *p)
{
	u64 nluns = p->nr_ch * p->luns_per_ch, blk, es, bpz, target;

	FTL_FN();
	if (!zp->lba_size)
		zp->lba_size = 4096;
	if (zp->lba_size != 512 && zp->lba_size != 4096)
		return refuse("lba_size", zp->lba_size, "must be 512 or 4096");
	if (!zp->stripe_luns)
		zp->stripe_luns = nluns;
	if (zp->stripe_luns > nluns || ftl_mod64(nluns, zp->stripe_luns))
		return refuse("stripe_luns", zp->stripe_luns, "must divide the number of LUNs");
	if (zp->cross_read > 1)
		return refuse("cross_read", zp->cross_read, "must be 0 or 1");
	blk = p->pls_per_lun * p->pgs_per_blk * p->pg_size;
	es = zp->stripe_luns * blk;
	if (!zp->zone_size && !zp->zone_cap) {
		target = ftl_min64(ZNS_AUTO_ZONE, p->capacity_bytes >> 4);
		zp->zone_cap = ftl_max64(1, ftl_div64(target, es)) * es;
		zp->zone_size = pow2_roundup(zp->zone_cap);
	} else if (!zp->zone_cap) {
		zp->zone_cap = zp->zone_size >= es ? zp->zone_size - ftl_mod64(zp->zone_size, es) :
			       zp->zone_size;
	} else if (!zp->zone_size) {
		if (zp->zone_cap > (1ull << 50))
			return refuse("zone_cap", zp->zone_cap, "larger than any flash");
		zp->zone_size = pow2_roundup(zp->zone_cap);
	}
	if (!zp->zone_cap || ftl_mod64(zp->zone_cap, zp->lba_size))
		return refuse("zone_cap", zp->zone_cap, "must be a non-zero multiple of the LBA size");
	if (ftl_mod64(zp->zone_size, zp->lba_size))
		return refuse("zone_size", zp->zone_size, "must be a multiple of the LBA size");
	if (zp->zone_cap > zp->zone_size)
		return refuse("zone_cap", zp->zone_cap, "more than zone_size");
	if (zp->zone_size > (1ull << 50))
		return refuse("zone_size", zp->zone_size, "larger than any flash");
	bpz = ftl_div64(zp->zone_cap + es - 1, es);
	if (bpz > p->blks_per_pl)
		return refuse("zone_cap", zp->zone_cap, "more than the flash of its LUNs");
	if (zp->max_active && zp->max_open > zp->max_active)
		return refuse("max_open", zp->max_open, "more than max_active");
	if (zp->max_open > U32_MAX || zp->max_active > U32_MAX)
		return refuse("max_active", zp->max_active, "out of range");
	return 0;
}

/* ------------------------------------------------------------------ */
/* geometry                                                            */

u32 zns_zone_of(const struct zns *z, u64 lba)
{
	return (u32)ftl_div64(lba, z->zone_lbas);
}

u64 zns_zslba(const struct zns *z, u32 zone)
{
	return (u64)zone * z->zone_lbas;
}

u64 zns_nr_lbas(const struct zns *z)
{
	return (u64)z->nr_zones * z->zone_lbas;
}

u32 zns_unit_lun(const struct zns *z, u32 zone, u32 unit)
{
	return (zone % z->groups) * z->stripe + (unit / z->upp) % z->stripe;
}

static inline u64 wp_rel(const struct zns *z, u32 id)
{
	return z->zones[id].wp - zns_zslba(z, id);
}

/* 4 KiB units touched by the first @rel LBAs of a zone */
static inline u32 units_of(const struct zns *z, u64 rel)
{
	return (u32)((rel + z->lbas_per_unit - 1) >> (FTL_UNIT_SHIFT - z->lba_shift));
}

/* flash pages of the zone whose every LBA is written */
static inline u32 full_pages(const struct zns *z, u64 rel)
{
	return (u32)ftl_div64(rel, (u64)z->upp * z->lbas_per_unit);
}

static inline bool st_open(unsigned int s)
{
	return s == ZNS_ZS_IOPEN || s == ZNS_ZS_EOPEN;
}

static inline bool st_active(unsigned int s)
{
	return st_open(s) || s == ZNS_ZS_CLOSED;
}

/* buffer slots held by the zone's open page */
static u32 open_units(const struct zns *z, u32 id)
{
	u64 rel;

	if (!st_active(z->zones[id].state))
		return 0;
	rel = wp_rel(z, id);
	return units_of(z, rel) - full_pages(z, rel) * z->upp;
}

static inline u32 page_id(const struct zns *z, u32 zone, u32 pg)
{
	return zone * z->zone_pages + pg;
}

static void zone_set(struct zns *z, u32 id, enum zns_state s)
{
	struct zns_zone *zn = &z->zones[id];
	unsigned int old = zn->state;

	if (old == s)
		return;
	z->nr_open += st_open(s);
	z->nr_open -= st_open(old);
	z->nr_active += st_active(s);
	z->nr_active -= st_active(old);
	zn->state = s;
	FTL_TRACE_ZONE_STATE(id, old, s);
}

/* ------------------------------------------------------------------ */
/* flash operations of a zone                                          */

static u64 prog_page(struct zns *z, u32 id, u32 pg, u64 t)
{
	FTL_FN();
	u64 addr = zns_zslba(z, id) + (u64)pg * z->upp * z->lbas_per_unit;

	return flash_prog(&z->fl, zns_unit_lun(z, id, pg * z->upp), addr, t);
}

/*
 * The zone stops taking writes (full, read-only): its open partial page is
 * programmed now and its buffer slots are released when that completes.
 */
static u64 close_open_page(struct zns *z, u32 id, u64 t)
{
	FTL_FN();
	u32 n = open_units(z, id), pg;
	u64 done;

	if (!n)
		return t;
	pg = full_pages(z, wp_rel(z, id));
	done = prog_page(z, id, pg, t);
	flash_wb_add(&z->fl, done, page_id(z, id, pg), n);
	return done;
}

/* Flush / FUA: program the open partial page, keep it buffered */
static u64 sync_open_page(struct zns *z, u32 id, u64 t)
{
	FTL_FN();
	struct zns_zone *zn = &z->zones[id];
	u32 n = open_units(z, id), end = units_of(z, wp_rel(z, id));

	if (!n || zn->synced >= end)
		return t;
	zn->synced = end;
	z->st.partial_programs++;
	return prog_page(z, id, full_pages(z, wp_rel(z, id)), t);
}

/* the zone's data is gone: drop its open page from the buffer */
static void drop_open_page(struct zns *z, u32 id)
{
	z->fl.wb_used -= open_units(z, id);
}

/* erase every block of the zone that holds written pages */
static u64 zone_erase(struct zns *z, u32 id, u64 t)
{
	u32 pages = (units_of(z, wp_rel(z, id)) + z->upp - 1) / z->upp, s, b, n = 0;
	u64 done = t;

	FTL_FN();
	for (s = 0; s < z->stripe && s < pages; s++) {
		u32 lun = zns_unit_lun(z, id, s * z->upp);
		u32 on_lun = (pages - s + z->stripe - 1) / z->stripe;
		u32 blocks = (on_lun + z->pgs_per_lun_blk - 1) / z->pgs_per_lun_blk;

		for (b = 0; b < blocks; b++) {
			done = ftl_max64(done, flash_erase(&z->fl, lun, t));
			if (!(++n & ZNS_YIELD_MASK))
				ftl_yield();
		}
	}
	if (n)
		z->zones[id].resets++;
	z->st.erase_blocks += (u64)n * z->p.pls_per_lun;
	return done;
}

/* ------------------------------------------------------------------ */
/* resources and transitions                                           */

/* the implicitly opened zone the controller closes: the lowest numbered */
static u32 implicit_victim(const struct zns *z, u32 except)
{
	FTL_FN();
	u32 i;

	for (i = 0; i < z->nr_zones; i++) {
		if (i != except && z->zones[i].state == ZNS_ZS_IOPEN)
			return i;
		if (!((i + 1) & 0xffff))
			ftl_yield();
	}
	return U32_MAX;
}

static void zone_close(struct zns *z, u32 id)
{
	/* an opened zone without data goes back to empty */
	zone_set(z, id, wp_rel(z, id) ? ZNS_ZS_CLOSED : ZNS_ZS_EMPTY);
}

/*
 * Resources to open zone @id (empty or closed).  When the open limit is
 * reached the controller closes an implicitly opened zone (the lowest
 * numbered one) to make room, as ZNS 1.1 allows; explicitly opened zones
 * are never closed by the controller.
 */
static enum zns_status open_resources(struct zns *z, u32 id)
{
	u32 v;

	if (z->zones[id].state == ZNS_ZS_EMPTY && z->zp.max_active &&
	    z->nr_active >= z->zp.max_active)
		return ZNS_SC_TOO_MANY_ACTIVE;
	if (!z->zp.max_open || z->nr_open < z->zp.max_open)
		return ZNS_OK;
	v = implicit_victim(z, id);
	if (v == U32_MAX)
		return ZNS_SC_TOO_MANY_OPEN;
	zone_close(z, v);
	z->st.implicit_closes++;
	return ZNS_OK;
}

static enum zns_status do_open(struct zns *z, u32 id)
{
	FTL_FN();
	enum zns_status s;

	switch (z->zones[id].state) {
	case ZNS_ZS_EMPTY:
	case ZNS_ZS_CLOSED:
		s = open_resources(z, id);
		if (s)
			return s;
		fallthrough;
	case ZNS_ZS_IOPEN:
		zone_set(z, id, ZNS_ZS_EOPEN);
		z->st.opens++;
		fallthrough;
	case ZNS_ZS_EOPEN:
		return ZNS_OK;
	default:
		return ZNS_SC_INVALID_TRANSITION;
	}
}

static enum zns_status do_close(struct zns *z, u32 id)
{
	FTL_FN();
	switch (z->zones[id].state) {
	case ZNS_ZS_IOPEN:
	case ZNS_ZS_EOPEN:
		zone_close(z, id);
		z->st.closes++;
		fallthrough;
	case ZNS_ZS_CLOSED:
		return ZNS_OK;
	default:
		return ZNS_SC_INVALID_TRANSITION;
	}
}

static enum zns_status do_finish(struct zns *z, u32 id, u64 t, u64 *done)
{
	FTL_FN();
	switch (z->zones[id].state) {
	case ZNS_ZS_EMPTY:
		/* passes through an active state on its way to full */
		if (z->zp.max_active && z->nr_active >= z->zp.max_active)
			return ZNS_SC_TOO_MANY_ACTIVE;
		fallthrough;
	case ZNS_ZS_IOPEN:
	case ZNS_ZS_EOPEN:
	case ZNS_ZS_CLOSED:
		*done = ftl_max64(*done, close_open_page(z, id, t));
		zone_set(z, id, ZNS_ZS_FULL);
		z->st.finishes++;
		fallthrough;
	case ZNS_ZS_FULL:
		return ZNS_OK;
	default:
		return ZNS_SC_INVALID_TRANSITION;
	}
}

static enum zns_status do_reset(struct zns *z, u32 id, u64 t, u64 *done)
{
	FTL_FN();
	struct zns_zone *zn = &z->zones[id];

	switch (zn->state) {
	case ZNS_ZS_IOPEN:
	case ZNS_ZS_EOPEN:
	case ZNS_ZS_CLOSED:
	case ZNS_ZS_FULL:
		FTL_TRACE_ZONE_RESET(id, zn->wp);
		drop_open_page(z, id);
		*done = ftl_max64(*done, zone_erase(z, id, t));
		zn->wp = zns_zslba(z, id);
		zn->synced = 0;
		zn->za = 0;
		zone_set(z, id, ZNS_ZS_EMPTY);
		z->st.resets++;
		fallthrough;
	case ZNS_ZS_EMPTY:
		return ZNS_OK;
	default:
		return ZNS_SC_INVALID_TRANSITION;
	}
}

static enum zns_status do_offline(struct zns *z, u32 id)
{
	switch (z->zones[id].state) {
	case ZNS_ZS_RDONLY:
		zone_set(z, id, ZNS_ZS_OFFLINE);
		z->st.offlines++;
		fallthrough;
	case ZNS_ZS_OFFLINE:
		return ZNS_OK;
	default:
		return ZNS_SC_INVALID_TRANSITION;
	}
}

enum zns_status zns_set_state(struct zns *z, u32 id, enum zns_state s, u64 now)
{
	struct zns_zone *zn;

	FTL_FN();
	if (id >= z->nr_zones)
		return ZNS_SC_LBA_RANGE;
	zn = &z->zones[id];
	if (s == ZNS_ZS_RDONLY) {
		if (zn->state == ZNS_ZS_OFFLINE)
			return ZNS_SC_INVALID_TRANSITION;
		flash_advance(&z->fl, now);
		close_open_page(z, id, now);	/* what was written stays readable */
	} else if (s == ZNS_ZS_OFFLINE) {
		drop_open_page(z, id);
		zn->synced = 0;
	} else {
		return ZNS_SC_INVALID_FIELD;
	}
	zone_set(z, id, s);
	return ZNS_OK;
}

/* ------------------------------------------------------------------ */
/* I/O                                                                 */

static enum zns_status zone_write_state(const struct zns *z, u32 id)
{
	switch (z->zones[id].state) {
	case ZNS_ZS_FULL:
		return ZNS_SC_FULL;
	case ZNS_ZS_RDONLY:
		return ZNS_SC_READ_ONLY;
	case ZNS_ZS_OFFLINE:
		return ZNS_SC_OFFLINE;
	default:
		return ZNS_OK;
	}
}

/* the host's data for LBAs [wp, wp + nlb) of zone @id, checked */
static u64 zone_write(struct zns *z, u32 id, u32 nlb, u64 now, bool fua)
{
	struct zns_zone *zn = &z->zones[id];
	u64 t = now + z->p.fw_write_ns, last = 0, rel = wp_rel(z, id), nrel = rel + nlb;
	u32 u = (u32)(rel >> (FTL_UNIT_SHIFT - z->lba_shift));
	u32 had = units_of(z, rel), end = units_of(z, nrel);

	FTL_FN();
	flash_advance(&z->fl, now);
	for (; u < end; u++) {
		if (u >= had)
			t = flash_wb_reserve(&z->fl, t);
		t = flash_pcie(&z->fl, FLASH_H2D, t, 1) + z->p.wb_copy_ns;
		/* the page is complete once every LBA of it is written */
		if (!((u + 1) % z->upp) && (u64)(u + 1) * z->lbas_per_unit <= nrel) {
			u32 pg = u / z->upp;
			u64 d = prog_page(z, id, pg, t);

			flash_wb_add(&z->fl, d, page_id(z, id, pg), z->upp);
			last = ftl_max64(last, d);
		}
		if (!((u + 1) & 0xffff))
			ftl_yield();
	}
	zn->wp += nlb;
	z->st.host_write_lbas += nlb;
	if (nrel == z->cap_lbas) {
		last = ftl_max64(last, close_open_page(z, id, t));
		zone_set(z, id, ZNS_ZS_FULL);
	} else if (fua) {
		last = ftl_max64(last, sync_open_page(z, id, t));
	}
	return fua ? ftl_max64(t, last) : t;
}

/* checks shared by Write and Zone Append, then the write at the wp */
static enum zns_status write_at_wp(struct zns *z, u32 id, u32 nlb, u64 now, bool fua,
				   u64 *done)
{
	FTL_FN();
	struct zns_zone *zn = &z->zones[id];
	enum zns_status s;

	if (wp_rel(z, id) + nlb > z->cap_lbas)
		return ZNS_SC_BOUNDARY;
	if (zn->state == ZNS_ZS_EMPTY || zn->state == ZNS_ZS_CLOSED) {
		s = open_resources(z, id);
		if (s)
			return s;
		zone_set(z, id, ZNS_ZS_IOPEN);
		z->st.implicit_opens++;
	}
	*done = zone_write(z, id, nlb, now, fua);
	return ZNS_OK;
}

static enum zns_status fail(struct zns *z, enum zns_status s, u64 now, u64 *done)
{
	z->st.errors++;
	*done = now + z->p.fw_other_ns;
	return s;
}

enum zns_status zns_write(struct zns *z, u64 slba, u32 nlb, u64 now, bool fua, u64 *done)
{
	enum zns_status s;
	u32 id;

	FTL_FN();
	if (!nlb)
		return fail(z, ZNS_SC_INVALID_FIELD, now, done);
	if (slba >= zns_nr_lbas(z) || nlb > zns_nr_lbas(z) - slba)
		return fail(z, ZNS_SC_LBA_RANGE, now, done);
	id = zns_zone_of(z, slba);
	s = zone_write_state(z, id);
	if (!s && slba != z->zones[id].wp)
		s = ZNS_SC_INVALID_WRITE;
	if (!s)
		s = write_at_wp(z, id, nlb, now, fua, done);
	if (s)
		return fail(z, s, now, done);
	z->st.writes++;
	return ZNS_OK;
}

enum zns_status zns_append(struct zns *z, u64 zslba, u32 nlb, u64 now, bool fua,
			   u64 *lba, u64 *done)
{
	enum zns_status s;
	u32 id;

	FTL_FN();
	if (!nlb)
		return fail(z, ZNS_SC_INVALID_FIELD, now, done);
	/* the range checked from the zone start, as the command names it */
	if (zslba >= zns_nr_lbas(z) || nlb > zns_nr_lbas(z) - zslba)
		return fail(z, ZNS_SC_LBA_RANGE, now, done);
	id = zns_zone_of(z, zslba);
	if (zslba != zns_zslba(z, id))
		return fail(z, ZNS_SC_INVALID_FIELD, now, done);
	s = zone_write_state(z, id);
	*lba = z->zones[id].wp;
	if (!s)
		s = write_at_wp(z, id, nlb, now, fua, done);
	if (s)
		return fail(z, s, now, done);
	z->st.appends++;
	return ZNS_OK;
}

u64 zns_data_end(const struct zns *z, u64 lba)
{
	const struct zns_zone *zn = &z->zones[zns_zone_of(z, lba)];

	return zn->state == ZNS_ZS_OFFLINE ? zns_zslba(z, zns_zone_of(z, lba)) : zn->wp;
}

/* is zone-relative unit @u of zone @id in controller DRAM at @t? */
static bool in_buffer(const struct zns *z, u32 id, u32 u, u64 t)
{
	u32 pg = u / z->upp;

	if (open_units(z, id) && pg == full_pages(z, wp_rel(z, id)))
		return true;
	return flash_wb_pending(&z->fl, page_id(z, id, pg), t);
}

enum zns_status zns_read(struct zns *z, u64 slba, u32 nlb, u64 now, u32 *nlb_data, u64 *done)
{
	u64 t = now + z->p.fw_read_ns, end = t, pos = slba, lim = slba + nlb, lead = 0;
	bool leading = true;
	u32 id, n = 0;

	FTL_FN();
	if (!nlb)
		return fail(z, ZNS_SC_INVALID_FIELD, now, done);
	if (slba >= zns_nr_lbas(z) || nlb > zns_nr_lbas(z) - slba)
		return fail(z, ZNS_SC_LBA_RANGE, now, done);
	for (id = zns_zone_of(z, slba); zns_zslba(z, id) < lim; id++) {
		if (id != zns_zone_of(z, slba) && !z->zp.cross_read)
			return fail(z, ZNS_SC_BOUNDARY, now, done);
		if (z->zones[id].state == ZNS_ZS_OFFLINE)
			return fail(z, ZNS_SC_OFFLINE, now, done);
	}
	flash_advance(&z->fl, now);
	flash_wb_reclaim(&z->fl, t);
	while (pos < lim) {
		u64 zs, rel, rend, dend;
		u32 u, ue;

		id = zns_zone_of(z, pos);
		zs = zns_zslba(z, id);
		rel = pos - zs;
		rend = ftl_min64(lim - zs, z->zone_lbas);
		dend = zns_data_end(z, pos) - zs;
		if (leading) {
			if (dend > rel)
				lead += ftl_min64(dend, rend) - rel;
			leading = dend >= rend;
		}
		u = (u32)(rel >> (FTL_UNIT_SHIFT - z->lba_shift));
		ue = (u32)((rend + z->lbas_per_unit - 1) >> (FTL_UNIT_SHIFT - z->lba_shift));
		while (u < ue) {
			u64 ready = t;
			u32 k = 1;

			if ((u64)u * z->lbas_per_unit >= dend) {
				/* no data: zeroes, straight to the host */
				k = ue - u;
			} else if (!in_buffer(z, id, u, t)) {
				/* units of one flash page read together */
				while (u + k < ue && (u + k) % z->upp &&
				       (u64)(u + k) * z->lbas_per_unit < dend)
					k++;
				ready = flash_read(&z->fl, zns_unit_lun(z, id, u), k, t);
			}
			end = ftl_max64(end, flash_pcie(&z->fl, FLASH_D2H, ready, k));
			u += k;
			n += k;
			if (n > ZNS_YIELD_MASK) {
				n = 0;
				ftl_yield();
			}
		}
		pos = zs + rend;
	}
	if (nlb_data)
		*nlb_data = (u32)lead;
	z->st.reads++;
	z->st.host_read_lbas += nlb;
	*done = end;
	return ZNS_OK;
}

u64 zns_flush(struct zns *z, u64 now)
{
	u64 t = now + z->p.fw_other_ns, last = t;
	u32 i;

	FTL_FN();
	flash_advance(&z->fl, now);
	for (i = 0; i < z->nr_zones; i++) {
		if (st_active(z->zones[i].state))
			last = ftl_max64(last, sync_open_page(z, i, t));
		if (!((i + 1) & ZNS_YIELD_MASK))
			ftl_yield();
	}
	flash_wb_reclaim(&z->fl, t);
	z->st.flushes++;
	return ftl_max64(last, flash_wb_last_done(&z->fl));
}

/* ------------------------------------------------------------------ */
/* zone management                                                     */

static bool select_all_has(enum zns_action act, unsigned int s)
{
	switch (act) {
	case ZNS_ZSA_OPEN:
		return s == ZNS_ZS_CLOSED;
	case ZNS_ZSA_CLOSE:
		return st_open(s);
	case ZNS_ZSA_FINISH:
		return st_active(s);
	case ZNS_ZSA_RESET:
		return st_active(s) || s == ZNS_ZS_FULL;
	case ZNS_ZSA_OFFLINE:
		return s == ZNS_ZS_RDONLY;
	}
	return false;
}

static enum zns_status zone_action(struct zns *z, u32 id, enum zns_action act, u64 t,
				   u64 *done)
{
	switch (act) {
	case ZNS_ZSA_OPEN:
		return do_open(z, id);
	case ZNS_ZSA_CLOSE:
		return do_close(z, id);
	case ZNS_ZSA_FINISH:
		return do_finish(z, id, t, done);
	case ZNS_ZSA_RESET:
		return do_reset(z, id, t, done);
	case ZNS_ZSA_OFFLINE:
		return do_offline(z, id);
	}
	return ZNS_SC_INVALID_FIELD;
}

enum zns_status zns_mgmt_send(struct zns *z, u64 slba, enum zns_action act, bool all,
			      u64 now, u64 *done)
{
	u64 t = now + z->p.fw_other_ns;
	enum zns_status s = ZNS_OK;
	u32 id, n = 0;

	FTL_FN();
	if (act < ZNS_ZSA_CLOSE || act > ZNS_ZSA_OFFLINE)
		return fail(z, ZNS_SC_INVALID_FIELD, now, done);
	*done = t;
	flash_advance(&z->fl, now);
	if (!all) {
		if (slba >= zns_nr_lbas(z))
			return fail(z, ZNS_SC_LBA_RANGE, now, done);
		id = zns_zone_of(z, slba);
		if (slba != zns_zslba(z, id))
			return fail(z, ZNS_SC_INVALID_FIELD, now, done);
		s = zone_action(z, id, act, t, done);
		return s ? fail(z, s, now, done) : ZNS_OK;
	}
	if (act == ZNS_ZSA_OPEN && z->zp.max_open) {
		/* all or nothing: every closed zone needs an open resource */
		for (id = 0; id < z->nr_zones; id++)
			n += z->zones[id].state == ZNS_ZS_CLOSED;
		if (z->nr_open + n > z->zp.max_open)
			return fail(z, ZNS_SC_TOO_MANY_OPEN, now, done);
	}
	for (id = 0; id < z->nr_zones && !s; id++) {
		if (select_all_has(act, z->zones[id].state))
			s = zone_action(z, id, act, t, done);
		if (!((id + 1) & ZNS_YIELD_MASK))
			ftl_yield();
	}
	return s ? fail(z, s, now, done) : ZNS_OK;
}

static bool filter_has(enum zns_filter f, unsigned int s)
{
	switch (f) {
	case ZNS_ZRAS_ALL:
		return true;
	case ZNS_ZRAS_EMPTY:
		return s == ZNS_ZS_EMPTY;
	case ZNS_ZRAS_IOPEN:
		return s == ZNS_ZS_IOPEN;
	case ZNS_ZRAS_EOPEN:
		return s == ZNS_ZS_EOPEN;
	case ZNS_ZRAS_CLOSED:
		return s == ZNS_ZS_CLOSED;
	case ZNS_ZRAS_FULL:
		return s == ZNS_ZS_FULL;
	case ZNS_ZRAS_RDONLY:
		return s == ZNS_ZS_RDONLY;
	case ZNS_ZRAS_OFFLINE:
		return s == ZNS_ZS_OFFLINE;
	case ZNS_ZRAS_NOT_WP:
		return s == ZNS_ZS_FULL || s == ZNS_ZS_RDONLY || s == ZNS_ZS_OFFLINE;
	}
	return false;
}

void zns_zone_desc(const struct zns *z, u32 id, struct zns_zone_desc *d)
{
	const struct zns_zone *zn = &z->zones[id];

	d->zt = ZNS_ZT_SEQ_WRITE_REQ;
	d->zs = zn->state;
	d->za = zn->za;
	d->zcap = z->cap_lbas;
	d->zslba = zns_zslba(z, id);
	/* full: the write boundary; read-only, offline: where writing stopped */
	d->wp = zn->state == ZNS_ZS_FULL ? d->zslba + z->cap_lbas : zn->wp;
}

enum zns_status zns_report(struct zns *z, u64 slba, enum zns_filter filter, bool partial,
			   struct zns_zone_desc *desc, u32 max, u64 *nr_zones, u64 now,
			   u64 *done)
{
	u64 matched = 0, bytes;
	u32 id, got = 0;

	FTL_FN();
	if (slba >= zns_nr_lbas(z))
		return fail(z, ZNS_SC_LBA_RANGE, now, done);
	if (filter > ZNS_ZRAS_NOT_WP)
		return fail(z, ZNS_SC_INVALID_FIELD, now, done);
	for (id = zns_zone_of(z, slba); id < z->nr_zones; id++) {
		if (!((id + 1) & ZNS_YIELD_MASK))
			ftl_yield();
		if (!filter_has(filter, z->zones[id].state))
			continue;
		matched++;
		if (got < max)
			zns_zone_desc(z, id, &desc[got++]);
		else if (partial)
			break;
	}
	*nr_zones = partial ? got : matched;
	/* 64-byte header and 64 bytes per descriptor to the host */
	bytes = 64 + 64ull * got;
	flash_advance(&z->fl, now);
	*done = flash_pcie(&z->fl, FLASH_D2H, now + z->p.fw_other_ns,
			   (u32)((bytes + FTL_UNIT_SIZE - 1) >> FTL_UNIT_SHIFT));
	return ZNS_OK;
}

/* ------------------------------------------------------------------ */
/* lifetime and observability                                          */

/*
 * Format: every zone empty, the written blocks of each erased (the
 * read-only and offline ones too: a format is the one way back from
 * them), and the LBA size @lba_size from now on.
 */
enum zns_status zns_format(struct zns *z, u32 lba_size, u64 now, u64 *done)
{
	u32 i;

	FTL_FN();
	if ((lba_size != 512 && lba_size != 4096) ||
	    ftl_mod64(z->zp.zone_cap, lba_size) || ftl_mod64(z->zp.zone_size, lba_size))
		return fail(z, ZNS_SC_INVALID_FIELD, now, done);
	flash_advance(&z->fl, now);
	*done = now;
	for (i = 0; i < z->nr_zones; i++) {
		struct zns_zone *zn = &z->zones[i];

		if (zn->state == ZNS_ZS_RDONLY || zn->state == ZNS_ZS_OFFLINE) {
			/* erase what was written; offline kept no data end */
			if (zn->state == ZNS_ZS_OFFLINE)
				zn->wp = zns_zslba(z, i);
			zone_set(z, i, ZNS_ZS_FULL);
		}
		do_reset(z, i, now, done);
		if (!((i + 1) & ZNS_YIELD_MASK))
			ftl_yield();
	}
	flash_wb_reclaim(&z->fl, now);
	z->zp.lba_size = lba_size;
	z->lba_shift = lba_size == 512 ? 9 : 12;
	z->lbas_per_unit = FTL_UNIT_SIZE >> z->lba_shift;
	z->zone_lbas = z->zp.zone_size >> z->lba_shift;
	z->cap_lbas = z->zp.zone_cap >> z->lba_shift;
	for (i = 0; i < z->nr_zones; i++)
		z->zones[i].wp = zns_zslba(z, i);
	return ZNS_OK;
}

size_t zns_metadata_bytes(const struct zns *z)
{
	return (size_t)z->nr_zones * sizeof(struct zns_zone) + flash_metadata_bytes(&z->fl) +
	       sizeof(*z);
}

void zns_exit(struct zns *z)
{
	flash_exit(&z->fl);
	ftl_free(z->zones);
	memset(z, 0, sizeof(*z));
}

int zns_init(struct zns *z, const struct ftl_params *p, const struct zns_params *zp)
{
	u64 es, groups, per_group, wb_entries;
	u32 i;
	int ret;

	FTL_FN();
	memset(z, 0, sizeof(*z));
	z->p = *p;
	ret = ftl_params_resolve(&z->p);
	if (ret)
		return ret;
	z->zp = *zp;
	ret = zns_params_resolve(&z->zp, &z->p);
	if (ret)
		return ret;
	z->upp = (u32)(z->p.pg_size >> FTL_UNIT_SHIFT);
	z->stripe = (u32)z->zp.stripe_luns;
	groups = ftl_div64(z->p.nr_ch * z->p.luns_per_ch, z->stripe);
	z->groups = (u32)groups;
	z->pgs_per_lun_blk = (u32)(z->p.pls_per_lun * z->p.pgs_per_blk);
	es = (u64)z->stripe * z->pgs_per_lun_blk * z->p.pg_size;
	z->bpz = (u32)ftl_div64(z->zp.zone_cap + es - 1, es);
	per_group = ftl_div64(z->p.blks_per_pl, z->bpz);
	if (groups * per_group >= U32_MAX / 2 || !per_group)
		return -EINVAL;
	z->nr_zones = (u32)(groups * per_group);
	z->lba_shift = z->zp.lba_size == 512 ? 9 : 12;
	z->lbas_per_unit = FTL_UNIT_SIZE >> z->lba_shift;
	z->zone_lbas = z->zp.zone_size >> z->lba_shift;
	z->cap_lbas = z->zp.zone_cap >> z->lba_shift;
	z->cap_units = units_of(z, z->cap_lbas);
	z->zone_pages = (z->cap_units + z->upp - 1) / z->upp;
	/* flash of the whole namespace must fit 32-bit page ids */
	if ((u64)z->nr_zones * z->zone_pages >= U32_MAX)
		return -EINVAL;
	/*
	 * Programs in flight: the buffer capacity, plus the open pages of
	 * the active zones that may over-commit it (see flash_wb_reserve).
	 */
	wb_entries = (z->p.wb_bytes >> FTL_UNIT_SHIFT) + 1 +
		     (u64)(z->zp.max_active ? ftl_min64(z->zp.max_active, z->nr_zones) :
					      z->nr_zones) * z->upp;
	if (wb_entries > (1u << 26))
		return -EINVAL;
	ret = flash_init(&z->fl, &z->p, (u32)wb_entries);
	if (ret)
		return ret;
	z->zones = ftl_zalloc((size_t)z->nr_zones * sizeof(struct zns_zone));
	if (!z->zones) {
		zns_exit(z);
		return -ENOMEM;
	}
	for (i = 0; i < z->nr_zones; i++) {
		z->zones[i].wp = zns_zslba(z, i);
		z->zones[i].state = ZNS_ZS_EMPTY;
	}
	return 0;
}

const char *zns_state_name(unsigned int s)
{
	switch (s) {
	case ZNS_ZS_EMPTY:
		return "empty";
	case ZNS_ZS_IOPEN:
		return "iopen";
	case ZNS_ZS_EOPEN:
		return "eopen";
	case ZNS_ZS_CLOSED:
		return "closed";
	case ZNS_ZS_RDONLY:
		return "rdonly";
	case ZNS_ZS_FULL:
		return "full";
	case ZNS_ZS_OFFLINE:
		return "offline";
	}
	return "?";
}

void zns_stats(const struct zns *z, struct zns_stats *st)
{
	u32 i;

	FTL_FN();
	*st = z->st;
	memset(st->zones, 0, sizeof(st->zones));
	for (i = 0; i < z->nr_zones; i++)
		st->zones[z->zones[i].state & 0xf]++;
	st->nand_read_pages = z->fl.nand_read_pages;
	st->nand_prog_pages = z->fl.nand_prog_pages;
	st->wb_used_units = z->fl.wb_used;
	st->wb_capacity_units = z->fl.wb_cap;
	st->wb_full_events = z->fl.wb_full_events;
	st->nr_open = z->nr_open;
	st->nr_active = z->nr_active;
	st->metadata_bytes = zns_metadata_bytes(z);
}

#define FAIL(...) do { snprintf(msg, len, __VA_ARGS__); return -EINVAL; } while (0)

int zns_check(const struct zns *z, char *msg, size_t len)
{
	u64 wbu = 0;
	u32 i, nopen = 0, nactive = 0;

	FTL_FN();
	for (i = 0; i < z->nr_zones; i++) {
		const struct zns_zone *zn = &z->zones[i];
		u64 zs = zns_zslba(z, i), rel;

		if (zn->wp < zs || zn->wp - zs > z->cap_lbas)
			FAIL("zone %u: wp %llu outside [%llu, +%llu]", i,
			     (unsigned long long)zn->wp, (unsigned long long)zs,
			     (unsigned long long)z->cap_lbas);
		rel = zn->wp - zs;
		switch (zn->state) {
		case ZNS_ZS_EMPTY:
			if (rel || zn->synced)
				FAIL("zone %u: empty with wp +%llu", i, (unsigned long long)rel);
			break;
		case ZNS_ZS_IOPEN:
		case ZNS_ZS_CLOSED:
			if (!rel)
				FAIL("zone %u: %s without data", i, zns_state_name(zn->state));
			fallthrough;
		case ZNS_ZS_EOPEN:
			if (rel >= z->cap_lbas)
				FAIL("zone %u: %s at its capacity", i, zns_state_name(zn->state));
			nopen += st_open(zn->state);
			nactive++;
			wbu += open_units(z, i);
			break;
		case ZNS_ZS_FULL:
		case ZNS_ZS_RDONLY:
		case ZNS_ZS_OFFLINE:
			break;
		default:
			FAIL("zone %u: bad state %u", i, zn->state);
		}
	}
	if (nopen != z->nr_open || nactive != z->nr_active)
		FAIL("open %u / active %u zones, counters %u / %u", nopen, nactive,
		     z->nr_open, z->nr_active);
	if ((z->zp.max_open && nopen > z->zp.max_open) ||
	    (z->zp.max_active && nactive > z->zp.max_active))
		FAIL("open %u / active %u zones over the limits %llu / %llu", nopen, nactive,
		     (unsigned long long)z->zp.max_open, (unsigned long long)z->zp.max_active);
	for (i = 0; i < z->fl.wb_n; i++)
		wbu += z->fl.wb[i].units;
	if (wbu != z->fl.wb_used || z->fl.wb_n > z->fl.wb_max)
		FAIL("write buffer holds %llu units, counter %u (%u of %u programs)",
		     (unsigned long long)wbu, z->fl.wb_used, z->fl.wb_n, z->fl.wb_max);
	return 0;
}
