// SPDX-License-Identifier: GPL-2.0
/*
 * Glue between the controller and the device model in ftl/: the kind,
 * profile and per-figure module parameters, building a controller's model
 * of its kind (core/model.h), and the conventional kind (page-mapped FTL):
 * model time for each I/O command, idle background GC, and debugfs views
 * of the model.  The zoned kind's glue: core/model_zns.c.
 *
 * The FTL is single-threaded by contract.  Only the dispatcher calls into
 * it; other threads (debugfs readers) get a snapshot of its statistics
 * through nvmev_dispatcher_call().
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "nvmev.h"
#include "model.h"
#include "../trace/nvmev_trace.h"

static char *kind = "conv";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "Device model kind: conv (page-mapped FTL, default) or zns (zoned namespace)");

static char *store = "full";
module_param(store, charp, 0444);
MODULE_PARM_DESC(store, "What is kept of the data: full (default: all of it, in the reserved region) or none (nothing: reads return zeroes, and flash_size may exceed the region)");

static char *flash_size;
module_param(flash_size, charp, 0444);
MODULE_PARM_DESC(flash_size, "Bytes of modelled flash (K/M/G/T); default: the region's storage; larger only with store=none");

static bool fresh;
module_param(fresh, bool, 0444);
MODULE_PARM_DESC(fresh, "Start empty (1) instead of recovering the data the region holds from a previous load with the same geometry (0, default)");

static char *profile = "970pro";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile, "Device model profile: 970pro (default), optane, qlc");

/*
 * Every figure of struct ftl_params is a module parameter of the same name;
 * one that is not given is as the profile says.  Any u64 may be given:
 * the model refuses what it cannot build, naming the parameter.
 */
struct ovr {
	unsigned long long val;
	bool set;
};

/*
 * A figure's value: a number, decimal or 0x hex, with an optional binary
 * K/M/G/T suffix (zone_size=16M); -EINVAL with a message naming it.
 */
int nvmev_parse_figure(const char *name, const char *s, u64 *v)
{
	char *end;

	*v = memparse(s, &end);
	if (end == s || (*end && *end != '\n')) {
		pr_err("%s=%.*s: not a number (a K/M/G/T suffix is allowed)\n",
		       name, (int)strcspn(s, "\n"), s);
		return -EINVAL;
	}
	return 0;
}

static int ovr_set(const char *val, const struct kernel_param *kp)
{
	struct ovr *o = kp->arg;
	int ret = nvmev_parse_figure(kp->name, val, &o->val);

	if (ret)
		return ret;
	o->set = true;
	return 0;
}

static int ovr_get(char *buf, const struct kernel_param *kp)
{
	const struct ovr *o = kp->arg;

	return o->set ? sysfs_emit(buf, "%llu\n", o->val) :
			sysfs_emit(buf, "profile\n");
}

static const struct kernel_param_ops ovr_ops = {
	.set = ovr_set,
	.get = ovr_get,
};

#define X(name, help)							\
	static struct ovr ovr_##name;					\
	module_param_cb(name, &ovr_ops, &ovr_##name, 0444);		\
	MODULE_PARM_DESC(name, "Model: " help " (unset: the profile's, or auto)");
NVMEV_MODEL_FIGURES(X)
#undef X

static struct ovr *const overrides[NVMEV_NR_FIGURES] = {
#define X(name, help) [NVMEV_FIG_##name] = &ovr_##name,
	NVMEV_MODEL_FIGURES(X)
#undef X
};

const char *const nvmev_figure_names[NVMEV_NR_FIGURES] = {
#define X(name, help) [NVMEV_FIG_##name] = #name,
	NVMEV_MODEL_FIGURES(X)
#undef X
};

/* A known profile name, or -EINVAL with a message naming the known ones. */
int nvmev_model_cfg_profile(struct nvmev_model_cfg *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < ftl_profile_count; i++) {
		if (sysfs_streq(name, ftl_profile_names[i])) {
			strscpy(c->profile, ftl_profile_names[i],
				sizeof(c->profile));
			return 0;
		}
	}
	pr_err("profile=%.*s: unknown (known: 970pro, optane, qlc)\n",
	       (int)strcspn(name, "\n"), name);
	return -EINVAL;
}

static const struct nvmev_model_ops *const kinds[NVMEV_NR_KINDS] = {
	[NVMEV_KIND_CONV] = &nvmev_model_conv_ops,
	[NVMEV_KIND_ZNS] = &nvmev_model_zns_ops,
};

const char *nvmev_kind_name(enum nvmev_kind k)
{
	return k < NVMEV_NR_KINDS ? kinds[k]->name : "?";
}

int nvmev_model_cfg_fresh(struct nvmev_model_cfg *c, const char *val)
{
	if (kstrtobool(val, &c->fresh)) {
		pr_err("fresh=%.*s: write 1 (start empty) or 0 (recover)\n",
		       (int)strcspn(val, "\n"), val);
		return -EINVAL;
	}
	return 0;
}

/* A known kind name, or -EINVAL with a message naming the known ones. */
int nvmev_model_cfg_kind(struct nvmev_model_cfg *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < NVMEV_NR_KINDS; i++) {
		if (sysfs_streq(name, kinds[i]->name)) {
			c->kind = i;
			return 0;
		}
	}
	pr_err("kind=%.*s: unknown (known: conv, zns)\n",
	       (int)strcspn(name, "\n"), name);
	return -EINVAL;
}

static const char *const stores[NVMEV_NR_STORES] = {
	[NVMEV_STORE_FULL] = "full",
	[NVMEV_STORE_NONE] = "none",
};

const char *nvmev_store_name(enum nvmev_store st)
{
	return st < NVMEV_NR_STORES ? stores[st] : "?";
}

/* A known store mode, or -EINVAL with a message naming the known ones. */
int nvmev_model_cfg_store(struct nvmev_model_cfg *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < NVMEV_NR_STORES; i++) {
		if (sysfs_streq(name, stores[i])) {
			c->store = i;
			return 0;
		}
	}
	pr_err("store=%.*s: unknown (known: full, none)\n",
	       (int)strcspn(name, "\n"), name);
	return -EINVAL;
}

/* The module parameters' model configuration (the builtin controller's). */
int nvmev_model_cfg_from_params(struct nvmev_model_cfg *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	if (nvmev_model_cfg_kind(c, kind ? kind : ""))
		return -EINVAL;
	if (nvmev_model_cfg_store(c, store ? store : ""))
		return -EINVAL;
	if (flash_size && nvmev_parse_figure("flash_size", flash_size,
					     &c->flash_size))
		return -EINVAL;
	c->fresh = fresh;
	strscpy(c->profile, profile ? profile : "", sizeof(c->profile));
	for (i = 0; i < NVMEV_NR_FIGURES; i++) {
		if (overrides[i]->set) {
			c->val[i] = overrides[i]->val;
			__set_bit(i, c->set);
		}
	}
	return 0;
}

static inline struct ftl *ftl_of(struct nvmev_ctrl *ctrl)
{
	return &ctrl->model->ftl;
}

/* ---- I/O timing ---------------------------------------------------------- */

/* The 4 KiB mapping units a byte range touches (outward rounding). */
static void units_out(u64 off, u64 len, u64 *lpn, u32 *nr)
{
	*lpn = off >> FTL_UNIT_SHIFT;
	*nr = (u32)(((off + len - 1) >> FTL_UNIT_SHIFT) - *lpn + 1);
}

/* The units a byte range covers entirely (inward rounding), for trims. */
static bool units_in(u64 off, u64 len, u64 *lpn, u32 *nr)
{
	u64 first = (off + FTL_UNIT_SIZE - 1) >> FTL_UNIT_SHIFT;
	u64 end = (off + len) >> FTL_UNIT_SHIFT;

	if (end <= first)
		return false;
	*lpn = first;
	*nr = (u32)(end - first);
	return true;
}

/*
 * Model time of a command over controller logical bytes [off, off+len)
 * (a namespace's LBAs translated by the caller), fetched at @now.
 */
u64 nvmev_model_rw(struct nvmev_ctrl *ctrl, u8 opcode, u64 off, u64 len,
		   bool fua, u64 now)
{
	struct ftl *ftl = ftl_of(ctrl);
	u64 lpn;
	u32 nr;

	NVMEV_FN();
	switch (opcode) {
	case nvme_cmd_read:
	case nvme_cmd_compare:
		units_out(off, len, &lpn, &nr);
		return ftl_read(ftl, lpn, nr, now);
	case nvme_cmd_write: {
		struct ftl_vwc *vwc = &ctrl->model->vwc;
		u64 t;

		units_out(off, len, &lpn, &nr);
		/* what a power cut takes back: before the data phase writes */
		ftl_vwc_before_write(vwc, ctrl->storage, lpn, nr, now);
		t = ftl_write(ftl, lpn, nr, now, fua);
		ftl_vwc_after_write(vwc);
		return t;
	}
	case nvme_cmd_flush:
		return ftl_flush(ftl, now);
	default:	/* write zeroes, deallocate: unmap whole units */
		if (!units_in(off, len, &lpn, &nr))
			return ftl_trim(ftl, 0, 0, now);
		/* durable at completion: no cut brings older data back */
		ftl_vwc_forget(&ctrl->model->vwc, lpn, nr);
		return ftl_trim(ftl, lpn, nr, now);
	}
}

/* Unmap the whole units of [off, off+len): a deallocate of the bytes. */
u64 nvmev_model_trim(struct nvmev_ctrl *ctrl, u64 off, u64 len, u64 now)
{
	return nvmev_model_rw(ctrl, nvme_cmd_dsm, off, len, false, now);
}

/*
 * Dispatcher: which 4 KiB units of the byte range [off, off+len) are
 * unmapped (read as zeroes).  Bit i stands for the i-th unit from the one
 * holding @off; returns how many are unmapped.
 */
unsigned int nvmev_model_unmapped(struct nvmev_ctrl *ctrl, u64 off, u64 len,
				  unsigned long *bits, unsigned int nbits)
{
	struct ftl *ftl = ftl_of(ctrl);
	unsigned int i, n = 0;
	u64 lpn;
	u32 nr;

	units_out(off, len, &lpn, &nr);
	nr = min_t(u32, nr, nbits);
	for (i = 0; i < nr; i++) {
		if (!ftl_mapped(ftl, lpn + i)) {
			__set_bit(i, bits);
			n++;
		}
	}
	return n;
}

/* Dispatcher: is the unit holding byte @off mapped? */
bool nvmev_model_unit_mapped(struct nvmev_ctrl *ctrl, u64 off)
{
	return ftl_mapped(ftl_of(ctrl), off >> FTL_UNIT_SHIFT);
}

/* Dispatcher idle: background GC. */
static void conv_idle(struct nvmev_model *m, u64 now)
{
	ftl_idle(&m->ftl, now);
}

/* Dispatcher: does the model want idle time (background GC)? */
static bool conv_idle_pending(struct nvmev_model *m)
{
	return ftl_idle_pending(&m->ftl);
}

static int stats_fn(struct nvmev_ctrl *ctrl, void *st)
{
	ftl_stats(ftl_of(ctrl), st);
	return 0;
}

/* debugfs readers: a consistent copy of the model statistics. */
int nvmev_model_stats(struct nvmev_ctrl *ctrl, struct ftl_stats *st)
{
	return nvmev_dispatcher_call(ctrl, stats_fn, st);
}

/* Dispatcher only (SMART log). */
static u8 conv_percentage_used(struct nvmev_model *m)
{
	struct ftl_stats st;

	ftl_stats(&m->ftl, &st);
	return min_t(u64, st.percentage_used, 255);
}

static u64 conv_logical_bytes(const struct nvmev_model *m)
{
	return ftl_logical_pages(&m->ftl) << FTL_UNIT_SHIFT;
}

static size_t conv_metadata_bytes(const struct nvmev_model *m)
{
	return ftl_metadata_bytes(&m->ftl);
}

/* ---- persistence: superblock and OOB area at the end of the storage ------ */

/*
 * With store=full the storage holds the data of controller logical byte
 * b at b; what lies beyond the logical capacity (over-provisioning) is
 * free, and its end holds a superblock and the FTL's out-of-band area
 * (struct ftl_oob per flash unit, erase counts per line).  At load the
 * superblock decides: same geometry and not fresh, the FTL is rebuilt by
 * scanning the OOB area (ftl_recover()); otherwise the area is formatted
 * and the model starts empty.  Power-on after a cut scans it again.
 */
#define NVMEV_SB_MAGIC		"NVMEVSB1"
#define NVMEV_SB_VERSION	1
#define NVMEV_SB_BYTES		4096

struct nvmev_sb {
	char magic[8];
	__le32 version;
	__le32 kind;
	__le64 geometry;	/* hash of the resolved figures + sizes */
	__le64 logical_units;
	__le64 phys_units;
	__le64 oob_bytes;
	__le64 loads;		/* model builds on this superblock */
};

static u64 fnv(u64 h, const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static u64 geometry_hash(struct nvmev_ctrl *ctrl, const struct ftl *f)
{
	u64 h = 0xcbf29ce484222325ULL, v;
	unsigned int i;

	h = fnv(h, f->p.profile, strnlen(f->p.profile, sizeof(f->p.profile)));
	for (i = 0; i < ftl_param_count; i++) {
		ftl_param_get(&f->p, ftl_param_table[i].name, &v);
		h = fnv(h, &v, sizeof(v));
	}
	h = fnv(h, &ctrl->storage_size, sizeof(ctrl->storage_size));
	v = f->logical_units;
	return fnv(h, &v, sizeof(v));
}

static void conv_recover(struct nvmev_ctrl *ctrl, struct nvmev_model *m,
			 const char *why)
{
	u64 t0 = ktime_get_ns();

	ftl_recover(&m->ftl, &m->rec);
	m->rec_ns = ktime_get_ns() - t0;
	m->recoveries++;
	pr_info("%s: %s: recovered %llu mapped units (%llu MiB) by scanning the OOB of %u units in %llu us (%llu lines in use, %u closed early, %llu conflicts)\n",
		ctrl->name, why, m->rec.mapped, m->rec.mapped >> 8,
		m->ftl.phys_units, m->rec_ns / 1000, (u64)m->rec.lines_used,
		m->rec.lines_partial, m->rec.conflicts);
}

/* model init, region mapped: recover or format */
static void conv_persist_init(struct nvmev_ctrl *ctrl, struct nvmev_model *m)
{
	struct ftl *f = &m->ftl;
	u64 oob = round_up(ftl_oob_bytes(f), NVMEV_SB_BYTES);
	u64 tail = NVMEV_SB_BYTES + oob, geo;
	struct nvmev_sb *sb;

	m->persist = false;
	if (ctrl->dataless)
		return;
	if (ctrl->storage_size < tail ||
	    ctrl->storage_size - tail < (u64)f->logical_units << FTL_UNIT_SHIFT) {
		pr_info("%s: no room beyond the logical capacity for the %llu bytes of OOB area: the data does not survive a reload\n",
			ctrl->name, tail);
		return;
	}
	m->sb_off = round_down(ctrl->storage_size - tail, NVMEV_SB_BYTES);
	m->persist = true;
	ftl_attach_oob(f, ctrl->storage + m->sb_off + NVMEV_SB_BYTES);
	sb = ctrl->storage + m->sb_off;
	geo = geometry_hash(ctrl, f);
	if (!ctrl->model_cfg.fresh && !memcmp(sb->magic, NVMEV_SB_MAGIC, 8) &&
	    le32_to_cpu(sb->version) == NVMEV_SB_VERSION &&
	    le32_to_cpu(sb->kind) == NVMEV_KIND_CONV &&
	    le64_to_cpu(sb->geometry) == geo &&
	    le64_to_cpu(sb->oob_bytes) == ftl_oob_bytes(f)) {
		conv_recover(ctrl, m, "load");
		sb->loads = cpu_to_le64(le64_to_cpu(sb->loads) + 1);
		return;
	}
	pr_info("%s: starting empty (%s)\n", ctrl->name,
		ctrl->model_cfg.fresh ? "fresh=1" :
		memcmp(sb->magic, NVMEV_SB_MAGIC, 8) ? "no superblock in the region" :
		"the region holds another geometry");
	memset(sb, 0, NVMEV_SB_BYTES);
	ftl_oob_format(f);
	memcpy(sb->magic, NVMEV_SB_MAGIC, 8);
	sb->version = cpu_to_le32(NVMEV_SB_VERSION);
	sb->kind = cpu_to_le32(NVMEV_KIND_CONV);
	sb->geometry = cpu_to_le64(geo);
	sb->logical_units = cpu_to_le64(f->logical_units);
	sb->phys_units = cpu_to_le64(f->phys_units);
	sb->oob_bytes = cpu_to_le64(ftl_oob_bytes(f));
	sb->loads = cpu_to_le64(1);
}

/*
 * The region was mapped again (enable after disable, power-on): the OOB
 * area moves with the mapping; after a cut the firmware's power-on scan
 * rebuilds the FTL from it.
 */
void nvmev_model_region_mapped(struct nvmev_ctrl *ctrl)
{
	struct nvmev_model *m = ctrl->model;

	u32 n;

	if (!m || ctrl->zoned || !m->persist)
		return;
	ftl_attach_oob(&m->ftl, ctrl->storage + m->sb_off + NVMEV_SB_BYTES);
	n = ftl_oob_sync(&m->ftl);
	if (n)
		pr_info("%s: %u units deallocated while disabled marked stale in the OOB area\n",
			ctrl->name, n);
	if (ctrl->power_off)
		conv_recover(ctrl, m, "power-on");
}

/* The region is about to be unmapped: nothing may write the OOB area. */
void nvmev_model_region_unmapped(struct nvmev_ctrl *ctrl)
{
	struct nvmev_model *m = ctrl->model;

	if (m && !ctrl->zoned && m->persist)
		ftl_attach_oob(&m->ftl, NULL);
}

static int conv_init(struct nvmev_ctrl *ctrl, struct nvmev_model *m)
{
	int ret = ftl_init(&m->ftl, &m->params);

	if (ret) {
		pr_err("%s: cannot initialise the FTL: %d\n", ctrl->name, ret);
		return ret;
	}
	m->params = m->ftl.p;	/* as resolved */
	/* store=none keeps no data: the journal undoes only the mapping */
	ret = ftl_vwc_init(&m->vwc, &m->ftl, 0, !ctrl->dataless);
	if (ret) {
		pr_err("%s: no memory for the write cache journal (wb_bytes=%llu): %d\n",
		       ctrl->name, m->params.wb_bytes, ret);
		ftl_exit(&m->ftl);
		return ret;
	}
	/* the data path's copy: memcpy can be 9x slower under TCG */
	m->vwc.copy = nvmev_copy;
	conv_persist_init(ctrl, m);
	return 0;
}

static void conv_exit(struct nvmev_model *m)
{
	ftl_vwc_exit(&m->vwc);
	ftl_exit(&m->ftl);
}

/* A namespace's extent is new: nothing to do, it was unmapped already. */
static int conv_ns_setup(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	return 0;
}

/*
 * The extent's data is gone: every unit unmapped in the model reads as
 * zeroes from now on, whatever the storage still holds.
 */
static void conv_ns_erase(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
			  unsigned int lba_shift)
{
	nvmev_model_trim(ctrl, ns->base, ns->bytes, nvmev_now());
}

/*
 * Power cut at @now, the controller's threads stopped: the data and the
 * mapping of every unit whose write had not reached NAND go back to what
 * they were (ftl/vwc.c), the open pages close, nothing is in flight.
 */
int nvmev_model_power_cut(struct nvmev_ctrl *ctrl, u64 now)
{
	struct ftl_vwc *v;

	if (!ctrl->model || ctrl->zoned)
		return -EOPNOTSUPP;
	v = &ctrl->model->vwc;
	ftl_vwc_cut(v, ctrl->dataless ? NULL : ctrl->storage, now);
	pr_info("%s: power cut: %u units had not reached NAND: %u given their old data back, %u unmapped (journal %u entries)\n",
		ctrl->name, v->last.lpns, v->last.restored, v->last.unmapped,
		v->last.entries);
	return 0;
}

struct power_snap {
	struct ftl_vwc v;	/* counters only */
	size_t bytes;
	u32 at_risk;		/* units a cut now would take back */
	bool persist;
	u32 recoveries;
	u64 rec_ns;
	struct ftl_recovery rec;
};

static int power_snap_fn(struct nvmev_ctrl *ctrl, void *arg)
{
	struct power_snap *ps = arg;
	struct ftl_vwc *v = &ctrl->model->vwc;

	ps->v = *v;
	ps->bytes = ftl_vwc_bytes(v);
	ps->at_risk = ftl_vwc_volatile(v, nvmev_now());
	ps->persist = ctrl->model->persist;
	ps->recoveries = ctrl->model->recoveries;
	ps->rec_ns = ctrl->model->rec_ns;
	ps->rec = ctrl->model->rec;
	return 0;
}

static int power_show(struct seq_file *s, void *unused)
{
	struct nvmev_ctrl *ctrl = s->private;
	struct power_snap ps;
	const struct ftl_vwc *w = &ps.v;
	int ret = nvmev_dispatcher_call(ctrl, power_snap_fn, &ps);

	if (ret)
		return ret;
	seq_printf(s, "write_cache %s\n", READ_ONCE(ctrl->feat.vwc) ?
		   "volatile" : "disabled (every write is FUA)");
	seq_printf(s, "at_risk_units %u\n", ps.at_risk);
	seq_printf(s, "journal_entries %u\n", w->n);
	seq_printf(s, "journal_max %u\n", w->max);
	seq_printf(s, "journal_bytes %zu\n", ps.bytes);
	seq_printf(s, "captured_units %llu\n", w->captured);
	seq_printf(s, "copied_units %llu\n", w->copied);
	seq_printf(s, "prunes %llu\n", w->prunes);
	seq_printf(s, "overflow_units %llu\n", w->overflow);
	seq_printf(s, "cuts %llu\n", w->cuts);
	seq_printf(s, "last_cut_lost_units %u\n", w->last.lpns);
	seq_printf(s, "last_cut_restored %u\n", w->last.restored);
	seq_printf(s, "last_cut_unmapped %u\n", w->last.unmapped);
	seq_printf(s, "last_cut_journal_entries %u\n", w->last.entries);
	seq_printf(s, "persistent %s\n", ps.persist ? "yes" :
		   ctrl->dataless ? "no (store=none)" : "no (no room for the OOB area)");
	seq_printf(s, "recoveries %u\n", ps.recoveries);
	seq_printf(s, "last_recovery_us %llu\n", ps.rec_ns / 1000);
	seq_printf(s, "last_recovery_mapped_units %llu\n", ps.rec.mapped);
	seq_printf(s, "last_recovery_programmed_units %llu\n", ps.rec.units_programmed);
	seq_printf(s, "last_recovery_lines_closed %u\n", ps.rec.lines_partial);
	seq_printf(s, "last_recovery_conflicts %llu\n", ps.rec.conflicts);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(power);

/* ---- debugfs ------------------------------------------------------------- */

static int model_show(struct seq_file *s, void *v)
{
	struct nvmev_ctrl *ctrl = s->private;
	const struct ftl_params *p = &ctrl->model->params;
	unsigned int i;

	seq_printf(s, "kind %s\n", ctrl->model->ops->name);
	seq_printf(s, "store %s\n", ctrl->dataless ? "none" : "full");
	seq_printf(s, "flash_bytes %llu\n", ctrl->flash_bytes);
	seq_printf(s, "profile %s\n", p->profile);
	for (i = 0; i < ftl_param_count; i++)
		seq_printf(s, "%s %llu\n", ftl_param_table[i].name,
			   *(const u64 *)((const u8 *)p +
					  ftl_param_table[i].offset));
	seq_printf(s, "expected_read_ns %llu\n", ftl_expected_read_latency(p));
	seq_printf(s, "expected_unmapped_read_ns %llu\n",
		   ftl_expected_unmapped_read_latency(p));
	seq_printf(s, "expected_write_ns %llu\n", ftl_expected_write_latency(p));
	if (ctrl->model->ops->show)
		ctrl->model->ops->show(ctrl, s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(model);

static int ftl_stats_show(struct seq_file *s, void *v)
{
	struct nvmev_ctrl *ctrl = s->private;
	struct ftl_stats st;
	int i, ret;

	ret = nvmev_model_stats(ctrl, &st);
	if (ret)
		return ret;
	seq_printf(s, "host_read_units %llu\n", st.host_read_units);
	seq_printf(s, "host_write_units %llu\n", st.host_write_units);
	seq_printf(s, "trim_units %llu\n", st.trim_units);
	seq_printf(s, "nand_read_pages %llu\n", st.nand_read_pages);
	seq_printf(s, "nand_prog_pages %llu\n", st.nand_prog_pages);
	seq_printf(s, "nand_write_units %llu\n", st.nand_write_units);
	seq_printf(s, "gc_write_units %llu\n", st.gc_write_units);
	seq_printf(s, "pad_units %llu\n", st.pad_units);
	seq_printf(s, "write_amplification %llu.%03llu\n", st.wa_milli / 1000,
		   st.wa_milli % 1000);
	seq_printf(s, "gc_runs %llu\n", st.gc_runs);
	seq_printf(s, "gc_fg_runs %llu\n", st.gc_fg_runs);
	seq_printf(s, "gc_bg_runs %llu\n", st.gc_bg_runs);
	seq_printf(s, "erase_blocks %llu\n", st.erase_blocks);
	seq_printf(s, "erase_min %llu\n", st.erase_min);
	seq_printf(s, "erase_avg %llu.%03llu\n", st.erase_avg_milli / 1000,
		   st.erase_avg_milli % 1000);
	seq_printf(s, "erase_max %llu\n", st.erase_max);
	seq_printf(s, "lines_total %llu\n", st.lines_total);
	seq_printf(s, "lines_free %llu\n", st.lines_free);
	seq_printf(s, "lines_full %llu\n", st.lines_full);
	seq_puts(s, "valid_histogram");
	for (i = 0; i < FTL_VHIST_BUCKETS; i++)
		seq_printf(s, " %llu", st.vhist[i]);
	seq_puts(s, "\n");
	seq_printf(s, "wb_used_units %llu\n", st.wb_used_units);
	seq_printf(s, "wb_capacity_units %llu\n", st.wb_capacity_units);
	seq_printf(s, "wb_full_events %llu\n", st.wb_full_events);
	seq_printf(s, "mapped_units %llu\n", st.mapped_units);
	seq_printf(s, "logical_units %llu\n", st.logical_units);
	seq_printf(s, "physical_units %llu\n", st.physical_units);
	seq_printf(s, "metadata_bytes %llu\n", st.metadata_bytes);
	seq_printf(s, "metadata_bytes_per_unit %llu.%02llu\n",
		   st.metadata_bytes / max(st.logical_units, 1ULL),
		   (st.metadata_bytes * 100 / max(st.logical_units, 1ULL)) % 100);
	seq_printf(s, "percentage_used %llu\n", st.percentage_used);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ftl_stats);

static void conv_debugfs(struct nvmev_ctrl *ctrl)
{
	debugfs_create_file("ftl", 0444, ctrl->debugfs, ctrl, &ftl_stats_fops);
	debugfs_create_file("power", 0444, ctrl->debugfs, ctrl, &power_fops);
}

const struct nvmev_model_ops nvmev_model_conv_ops = {
	.name = "conv",
	.init = conv_init,
	.exit = conv_exit,
	.logical_bytes = conv_logical_bytes,
	.metadata_bytes = conv_metadata_bytes,
	.idle = conv_idle,
	.idle_pending = conv_idle_pending,
	.percentage_used = conv_percentage_used,
	.ns_setup = conv_ns_setup,
	.ns_erase = conv_ns_erase,
	.debugfs = conv_debugfs,
};

/* ---- any kind ------------------------------------------------------------ */

void nvmev_model_idle(struct nvmev_ctrl *ctrl, u64 now)
{
	ctrl->model->ops->idle(ctrl->model, now);
}

bool nvmev_model_idle_pending(struct nvmev_ctrl *ctrl)
{
	return ctrl->model->ops->idle_pending(ctrl->model);
}

u8 nvmev_model_percentage_used(struct nvmev_ctrl *ctrl)
{
	return ctrl->model->ops->percentage_used(ctrl->model);
}

u64 nvmev_model_logical_bytes(struct nvmev_ctrl *ctrl)
{
	return ctrl->model->ops->logical_bytes(ctrl->model);
}

int nvmev_model_ns_setup(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	return ctrl->model->ops->ns_setup(ctrl, ns);
}

void nvmev_model_ns_erase(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
			  unsigned int lba_shift)
{
	ctrl->model->ops->ns_erase(ctrl, ns, lba_shift);
}

/* ---- lifetime ------------------------------------------------------------ */

int nvmev_model_init(struct nvmev_ctrl *ctrl)
{
	const struct nvmev_model_cfg *c = &ctrl->model_cfg;
	struct nvmev_model *m;
	unsigned int i;
	int ret;

	if (c->flash_size && c->flash_size > ctrl->storage_size &&
	    c->store == NVMEV_STORE_FULL) {
		pr_err("%s: flash_size=%llu: more than the region's %llu bytes of storage (only with store=none)\n",
		       ctrl->name, c->flash_size, ctrl->storage_size);
		return -EINVAL;
	}
	m = kvzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->ops = kinds[c->kind];
	ctrl->flash_bytes = c->flash_size ? c->flash_size : ctrl->storage_size;
	ctrl->dataless = c->store == NVMEV_STORE_NONE;

	ret = ftl_params_default(&m->params, c->profile, ctrl->flash_bytes);
	if (ret) {
		pr_err("%s: profile=%s: unknown (known: 970pro, optane, qlc)\n",
		       ctrl->name, c->profile);
		goto err;
	}
	for (i = 0; i < NVMEV_FIG_FIRST_ZONE; i++) {
		if (!test_bit(i, c->set))
			continue;
		ret = ftl_param_set(&m->params, nvmev_figure_names[i],
				    c->val[i]);
		if (ret) {
			pr_err("%s: %s=%llu: rejected by the model\n",
			       ctrl->name, nvmev_figure_names[i], c->val[i]);
			goto err;
		}
	}
	for (; i < NVMEV_NR_FIGURES && c->kind != NVMEV_KIND_ZNS; i++) {
		if (test_bit(i, c->set)) {
			pr_err("%s: %s=%llu: a zone figure, but kind is %s (set kind=zns)\n",
			       ctrl->name, nvmev_figure_names[i], c->val[i],
			       m->ops->name);
			ret = -EINVAL;
			goto err;
		}
	}
	ret = ftl_params_resolve(&m->params);
	if (ret) {
		pr_err("%s: model parameters are inconsistent for a %llu MiB device (see dmesg above)\n",
		       ctrl->name, ctrl->flash_bytes >> 20);
		goto err;
	}
	ret = m->ops->init(ctrl, m);
	if (ret)
		goto err;
	ctrl->model = m;
	ctrl->zoned = c->kind == NVMEV_KIND_ZNS;
	pr_info("%s: model %s %s: %llu MiB logical of %llu MiB flash, %llu ch x %llu LUN, %llu B pages, model metadata %zu bytes%s\n",
		ctrl->name, m->ops->name, m->params.profile,
		nvmev_model_logical_bytes(ctrl) >> 20,
		ctrl->flash_bytes >> 20, m->params.nr_ch,
		m->params.luns_per_ch, m->params.pg_size,
		m->ops->metadata_bytes(m),
		ctrl->dataless ? ", store=none: no data kept" : "");
	return 0;
err:
	kvfree(m);
	return ret == -ENOMEM ? ret : -EINVAL;
}

void nvmev_model_debugfs(struct nvmev_ctrl *ctrl)
{
	debugfs_create_file("model", 0444, ctrl->debugfs, ctrl, &model_fops);
	ctrl->model->ops->debugfs(ctrl);
}

void nvmev_model_exit(struct nvmev_ctrl *ctrl)
{
	if (!ctrl->model)
		return;
	ctrl->model->ops->exit(ctrl->model);
	kvfree(ctrl->model);
	ctrl->model = NULL;
	ctrl->zoned = false;
}
