// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: /sys/kernel/debug/nvmev/ holds the function trace's files
 * (trace/trace.c) and one directory per enabled controller,
 * nvmev/<name>/, with its statistics (ctrl), device-side latency
 * (latency), the emulator's own CPU cost (cpu) and the device model's
 * configuration and state (model, ftl; core/model.c).
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <asm/tsc.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"

static int ctrl_stats_show(struct seq_file *m, void *v)
{
	struct nvmev_ctrl *ctrl = m->private;
	struct nvmev_stats *s = &ctrl->stats;

	seq_printf(m, "name %s\n", ctrl->name);
	seq_printf(m, "pci %s\n", ctrl->pdev ? pci_name(ctrl->pdev) : "-");
	seq_printf(m, "enabled %d\n", ctrl->enabled);
	seq_printf(m, "csts 0x%x\n", READ_ONCE(ctrl->regs->csts));
	seq_printf(m, "host_read_cmds %lld\n", atomic64_read(&s->host_read_cmds));
	seq_printf(m, "host_write_cmds %lld\n", atomic64_read(&s->host_write_cmds));
	seq_printf(m, "read_512b_units %lld\n", atomic64_read(&s->data_units_read));
	seq_printf(m, "written_512b_units %lld\n",
		   atomic64_read(&s->data_units_written));
	seq_printf(m, "errors %lld\n", atomic64_read(&s->errors));
	seq_printf(m, "irqs %lld\n", atomic64_read(&s->irqs));
	seq_printf(m, "irqs_masked %lld\n", atomic64_read(&s->irqs_masked));
	seq_printf(m, "aer_events %lld\n", atomic64_read(&s->aer_events));
	seq_printf(m, "power_cycles %u\n", ctrl->power_cycles);
	seq_printf(m, "unsafe_shutdowns %u\n", ctrl->unsafe_shutdowns);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ctrl_stats);

static int latency_show(struct seq_file *m, void *v)
{
	static const char *const names[] = { "read", "write", "other" };
	struct nvmev_lat_stats l[NVMEV_LAT_CLASSES];
	int c, b;

	nvmev_workers_lat_stats(m->private, l);
	seq_puts(m, "# device-side latency, SQ fetch to CQ post (successful commands)\n");
	seq_puts(m, "# op count target_sum_ns actual_sum_ns late_sum_ns late_max_ns\n");
	for (c = 0; c < NVMEV_LAT_CLASSES; c++)
		seq_printf(m, "%s %llu %llu %llu %llu %llu\n", names[c],
			   l[c].count, l[c].target_ns, l[c].actual_ns,
			   l[c].late_ns, l[c].late_max_ns);
	seq_puts(m, "# lateness histogram (post - target): counts per bucket, bucket 0 = 0 ns, bucket i = [2^(i-1), 2^i) ns\n");
	for (c = 0; c < NVMEV_LAT_CLASSES; c++) {
		seq_printf(m, "%s_late_hist", names[c]);
		for (b = 0; b < NVMEV_LAT_BUCKETS; b++)
			seq_printf(m, " %llu", l[c].late_hist[b]);
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(latency);

/* The emulator's own CPU cost: busy passes only, and total run time. */
static int cpu_show(struct seq_file *m, void *v)
{
	struct nvmev_ctrl *ctrl = m->private;

	/* local_clock() is the TSC; an unstable one is kept within a tick */
	seq_printf(m, "clock local_clock tsc_unstable %d\n",
		   check_tsc_unstable());
	seq_printf(m, "cpus_parallel %d\n", nvmev_cpus_parallel);
	nvmev_copy_show(m);
	seq_printf(m, "spin_pause_every %u\n", nvmev_spin_pause_period());
	nvmev_ctrl_cpu_show(ctrl, m);
	nvmev_workers_cpu_show(ctrl, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpu);

/* One line per namespace, a snapshot taken by the dispatcher. */
struct ns_snap {
	u64 unallocated;
	unsigned int n;
	struct nvmev_ns v[NVMEV_MAX_NS];
};

static int ns_snap_fn(struct nvmev_ctrl *ctrl, void *arg)
{
	struct ns_snap *s = arg;
	unsigned int i;

	for (i = 1; i <= NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			s->v[s->n++] = *ctrl->ns[i];
	s->unallocated = nvmev_ns_unallocated(ctrl);
	return 0;
}

static int namespaces_show(struct seq_file *m, void *v)
{
	struct nvmev_ctrl *ctrl = m->private;
	struct ns_snap *s = kzalloc(sizeof(*s), GFP_KERNEL);
	unsigned int i;

	if (!s)
		return -ENOMEM;
	nvmev_dispatcher_call(ctrl, ns_snap_fn, s);
	seq_printf(m, "# capacity %llu unallocated %llu\n", ctrl->capacity,
		   s->unallocated);
	seq_puts(m, "# nsid attached lba_size nlbas base_byte bytes read_cmds read_bytes write_cmds write_bytes other_cmds errors\n");
	for (i = 0; i < s->n; i++) {
		const struct nvmev_ns *ns = &s->v[i];

		seq_printf(m, "%u %d %u %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
			   ns->nsid, ns->attached, 1U << ns->lba_shift,
			   ns->nr_lbas, ns->base, ns->bytes,
			   ns->stats.read_cmds, ns->stats.read_bytes,
			   ns->stats.write_cmds, ns->stats.write_bytes,
			   ns->stats.other_cmds, ns->stats.errors);
	}
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(namespaces);

void nvmev_ctrl_debugfs_init(struct nvmev_ctrl *ctrl)
{
	if (IS_ERR_OR_NULL(nvmev_debugfs_root))
		return;
	ctrl->debugfs = debugfs_create_dir(ctrl->name, nvmev_debugfs_root);
	debugfs_create_file("ctrl", 0444, ctrl->debugfs, ctrl, &ctrl_stats_fops);
	debugfs_create_file("latency", 0444, ctrl->debugfs, ctrl, &latency_fops);
	debugfs_create_file("cpu", 0444, ctrl->debugfs, ctrl, &cpu_fops);
	debugfs_create_file("namespaces", 0444, ctrl->debugfs, ctrl,
			    &namespaces_fops);
	nvmev_model_debugfs(ctrl);
}

void nvmev_ctrl_debugfs_exit(struct nvmev_ctrl *ctrl)
{
	debugfs_remove_recursive(ctrl->debugfs);
	ctrl->debugfs = NULL;
}
