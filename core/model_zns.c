// SPDX-License-Identifier: GPL-2.0
/*
 * The zoned kind (kind=zns): glue between a controller and the zoned model
 * of ftl/zns.c.  The controller has one namespace, NSID 1, whose zones are
 * all of the model's; zone i's data lives in the storage at
 * i * zone_cap (no storage behind the LBAs between a zone's capacity and
 * its size).  A namespace made or formatted resets every zone and takes
 * its LBA size (zns_format()).  The I/O commands: io/zns.c.
 *
 * debugfs: <ctrl>/zones (one line per zone), <ctrl>/zns (counters) and
 * <ctrl>/zone_fault (make a zone read-only or offline).
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/log2.h>
#include <linux/fs.h>
#include <linux/uaccess.h>

#include "nvmev.h"
#include "model.h"
#include "../trace/nvmev_trace.h"

static int zmodel_init(struct nvmev_ctrl *ctrl, struct nvmev_model *m)
{
	const struct nvmev_model_cfg *c = &ctrl->model_cfg;
	struct zns_params zp;
	unsigned int i;
	u64 bytes;
	int ret;

	zns_params_default(&zp);
	for (i = NVMEV_FIG_FIRST_ZONE; i < NVMEV_NR_FIGURES; i++) {
		if (!test_bit(i, c->set))
			continue;
		ret = zns_param_set(&zp, nvmev_figure_names[i], c->val[i]);
		if (ret) {
			pr_err("%s: %s=%llu: rejected by the zoned model\n",
			       ctrl->name, nvmev_figure_names[i], c->val[i]);
			return -EINVAL;
		}
	}
	ret = zns_init(&m->zns, &m->params, &zp);
	if (ret) {
		pr_err("%s: zoned model: zone_size/zone_cap/max_open/max_active/stripe_luns do not fit the flash (see above): %d\n",
		       ctrl->name, ret);
		return ret;
	}
	m->params = m->zns.p;
	m->zparams = m->zns.zp;
	bytes = (u64)m->zns.nr_zones * m->zparams.zone_cap;
	if (bytes > ctrl->storage_size && !ctrl->dataless) {
		pr_err("%s: zoned model: %u zones of %llu bytes need more than the region's %llu bytes of storage\n",
		       ctrl->name, m->zns.nr_zones, m->zparams.zone_cap,
		       ctrl->storage_size);
		zns_exit(&m->zns);
		return -EINVAL;
	}
	if (!is_power_of_2(m->zparams.zone_size))
		pr_warn("%s: zone_size=%llu is not a power of two: Linux's nvme driver will not use the namespace\n",
			ctrl->name, m->zparams.zone_size);
	pr_info("%s: %u zones of %llu MiB (capacity %llu KiB), max_open %llu, max_active %llu, striped over %llu LUNs\n",
		ctrl->name, m->zns.nr_zones, m->zparams.zone_size >> 20,
		m->zparams.zone_cap >> 10, m->zparams.max_open,
		m->zparams.max_active, m->zparams.stripe_luns);
	return 0;
}

static void zmodel_exit(struct nvmev_model *m)
{
	zns_exit(&m->zns);
}

/* The storage the zones' capacity takes: the namespace's bytes. */
static u64 zmodel_logical_bytes(const struct nvmev_model *m)
{
	return (u64)m->zns.nr_zones * m->zns.zp.zone_cap;
}

static size_t zmodel_metadata_bytes(const struct nvmev_model *m)
{
	return zns_metadata_bytes(&m->zns);
}

/* No device GC: a zone reset is the host's reclaim. */
static void zmodel_idle(struct nvmev_model *m, u64 now)
{
}

static bool zmodel_idle_pending(struct nvmev_model *m)
{
	return false;
}

/* Average erases per block against the rated P/E cycles. */
static u8 zmodel_percentage_used(struct nvmev_model *m)
{
	const struct ftl_params *p = &m->zns.p;
	u64 blocks = p->nr_ch * p->luns_per_ch * p->pls_per_lun * p->blks_per_pl;
	u64 denom = blocks * max_t(u64, p->pe_cycles, 1);

	return min_t(u64, div64_u64(m->zns.st.erase_blocks * 100, denom), 255);
}

static enum zns_status zmodel_format(struct nvmev_ctrl *ctrl,
				     unsigned int lba_shift)
{
	u64 done;

	return zns_format(nvmev_zns(ctrl), 1U << lba_shift, nvmev_now(), &done);
}

/* The one namespace: every zone, empty, in its LBA size. */
static int zmodel_ns_setup(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	struct zns *z = nvmev_zns(ctrl);

	if (zmodel_format(ctrl, ns->lba_shift) != ZNS_OK)
		return -EINVAL;
	ns->zoned = true;
	ns->base = 0;
	ns->nr_lbas = zns_nr_lbas(z);
	ns->bytes = (u64)z->nr_zones * z->zp.zone_cap;
	return 0;
}

static void zmodel_ns_erase(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
			    unsigned int lba_shift)
{
	struct zns *z = nvmev_zns(ctrl);

	/* lba_shift is 9 or 12, which the model always takes */
	if (zmodel_format(ctrl, lba_shift) == ZNS_OK)
		ns->nr_lbas = zns_nr_lbas(z);
}

/* Identify (admin/ns.c): the zone size in bytes, the resource limits. */
u64 nvmev_zns_zone_bytes(struct nvmev_ctrl *ctrl)
{
	return ctrl->model->zparams.zone_size;
}

/* open zones are active ones: an active limit bounds them too */
u64 nvmev_zns_max_open(struct nvmev_ctrl *ctrl)
{
	const struct zns_params *zp = &ctrl->model->zparams;

	return zp->max_open ? zp->max_open : zp->max_active;
}

u64 nvmev_zns_max_active(struct nvmev_ctrl *ctrl)
{
	return ctrl->model->zparams.max_active;
}

/* ---- debugfs ------------------------------------------------------------- */

/* The model's figures in debugfs model, after the flash's. */
static void zmodel_show(struct nvmev_ctrl *ctrl, struct seq_file *s)
{
	const struct zns_params *zp = &ctrl->model->zparams;
	const struct zns *z = nvmev_zns(ctrl);

	seq_printf(s, "zone_size %llu\n", zp->zone_size);
	seq_printf(s, "zone_cap %llu\n", zp->zone_cap);
	seq_printf(s, "max_open %llu\n", zp->max_open);
	seq_printf(s, "max_active %llu\n", zp->max_active);
	seq_printf(s, "stripe_luns %llu\n", zp->stripe_luns);
	seq_printf(s, "nr_zones %u\n", z->nr_zones);
	seq_printf(s, "zone_blocks_per_lun %u\n", z->bpz);
}

struct zones_snap {
	u32 nr;
	u64 cap_lbas;
	struct zns_zone zones[];
};

static int zones_snap_fn(struct nvmev_ctrl *ctrl, void *arg)
{
	struct zones_snap *snap = arg;
	const struct zns *z = nvmev_zns(ctrl);

	snap->nr = min(snap->nr, z->nr_zones);
	snap->cap_lbas = z->cap_lbas;
	memcpy(snap->zones, z->zones, snap->nr * sizeof(*z->zones));
	return 0;
}

/*
 * One line per zone, a copy taken on the dispatcher: zone, its start LBA,
 * state, write pointer (for full/read-only/offline zones the end of the
 * data), capacity in LBAs, resets that erased.
 */
static int zones_show(struct seq_file *s, void *v)
{
	struct nvmev_ctrl *ctrl = s->private;
	struct zones_snap *snap;
	u64 zone_lbas;
	u32 i, nr;
	int ret;

	nr = READ_ONCE(nvmev_zns(ctrl)->nr_zones);
	zone_lbas = READ_ONCE(nvmev_zns(ctrl)->zone_lbas);
	snap = kvzalloc(struct_size(snap, zones, nr), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	snap->nr = nr;
	ret = nvmev_dispatcher_call(ctrl, zones_snap_fn, snap);
	if (ret)
		goto out;
	seq_puts(s, "# zone slba state wp cap resets\n");
	for (i = 0; i < snap->nr; i++) {
		const struct zns_zone *zn = &snap->zones[i];

		seq_printf(s, "zone %u slba %llu state %s wp %llu cap %llu resets %u\n",
			   i, (u64)i * zone_lbas, zns_state_name(zn->state),
			   zn->wp, snap->cap_lbas, zn->resets);
		if (!(i & 255))
			cond_resched();
	}
out:
	kvfree(snap);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(zones);

static int zstats_fn(struct nvmev_ctrl *ctrl, void *st)
{
	zns_stats(nvmev_zns(ctrl), st);
	return 0;
}

static int zns_stats_show(struct seq_file *s, void *v)
{
	struct nvmev_ctrl *ctrl = s->private;
	struct zns_stats *st;
	unsigned int i;
	int ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ret = nvmev_dispatcher_call(ctrl, zstats_fn, st);
	if (ret)
		goto out;
#define F(x) seq_printf(s, #x " %llu\n", st->x)
	F(host_write_lbas); F(host_read_lbas);
	F(writes); F(appends); F(reads); F(flushes);
	F(opens); F(closes); F(finishes); F(resets); F(offlines);
	F(implicit_opens); F(implicit_closes); F(errors);
	F(nand_read_pages); F(nand_prog_pages); F(partial_programs);
	F(erase_blocks); F(wb_used_units); F(wb_capacity_units);
	F(wb_full_events); F(nr_open); F(nr_active); F(metadata_bytes);
#undef F
	for (i = 0; i < ARRAY_SIZE(st->zones); i++)
		if (strcmp(zns_state_name(i), "?"))
			seq_printf(s, "zones_%s %llu\n", zns_state_name(i),
				   st->zones[i]);
out:
	kfree(st);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(zns_stats);

/*
 * zone_fault: "<zone> rdonly" or "<zone> offline" puts a zone in that
 * state, as a drive's firmware does with failing media (ZNS 1.1: the
 * controller's transitions); Zone Is Read Only / Zone Is Offline follow.
 */
struct zfault {
	u32 zone;
	enum zns_state state;
};

static int zfault_fn(struct nvmev_ctrl *ctrl, void *arg)
{
	struct zfault *f = arg;
	enum zns_status s;

	s = zns_set_state(nvmev_zns(ctrl), f->zone, f->state, nvmev_now());
	if (s == ZNS_SC_LBA_RANGE) {
		pr_err("%s: zone_fault: zone %u: there are %u zones\n",
		       ctrl->name, f->zone, nvmev_zns(ctrl)->nr_zones);
		return -EINVAL;
	}
	if (s) {
		pr_err("%s: zone_fault: zone %u cannot become %s from its state\n",
		       ctrl->name, f->zone, zns_state_name(f->state));
		return -EINVAL;
	}
	return 0;
}

static ssize_t zone_fault_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct nvmev_ctrl *ctrl = file->private_data;
	char buf[32], st[16];
	struct zfault f;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	if (sscanf(buf, "%u %15s", &f.zone, st) != 2 ||
	    (strcmp(st, "rdonly") && strcmp(st, "offline"))) {
		pr_err("%s: zone_fault: write \"<zone> rdonly\" or \"<zone> offline\"\n",
		       ctrl->name);
		return -EINVAL;
	}
	f.state = strcmp(st, "rdonly") ? ZNS_ZS_OFFLINE : ZNS_ZS_RDONLY;
	ret = nvmev_dispatcher_call(ctrl, zfault_fn, &f);
	return ret ? ret : count;
}

static const struct file_operations zone_fault_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = zone_fault_write,
	.llseek = noop_llseek,
};

static void zmodel_debugfs(struct nvmev_ctrl *ctrl)
{
	debugfs_create_file("zones", 0444, ctrl->debugfs, ctrl, &zones_fops);
	debugfs_create_file("zone_fault", 0200, ctrl->debugfs, ctrl,
			    &zone_fault_fops);
	debugfs_create_file("zns", 0444, ctrl->debugfs, ctrl, &zns_stats_fops);
}

const struct nvmev_model_ops nvmev_model_zns_ops = {
	.name = "zns",
	.init = zmodel_init,
	.exit = zmodel_exit,
	.logical_bytes = zmodel_logical_bytes,
	.metadata_bytes = zmodel_metadata_bytes,
	.idle = zmodel_idle,
	.idle_pending = zmodel_idle_pending,
	.percentage_used = zmodel_percentage_used,
	.ns_setup = zmodel_ns_setup,
	.ns_erase = zmodel_ns_erase,
	.debugfs = zmodel_debugfs,
	.show = zmodel_show,
};
