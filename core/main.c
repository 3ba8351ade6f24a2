// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev module entry: parameters, the reserved region, threads, debugfs
 * and the virtual PCI device.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/slab.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <asm/tsc.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"

LIST_HEAD(nvmev_ctrls);
DEFINE_MUTEX(nvmev_ctrls_lock);

static void ctrl_list_add(struct nvmev_ctrl *ctrl)
{
	mutex_lock(&nvmev_ctrls_lock);
	list_add_tail(&ctrl->node, &nvmev_ctrls);
	mutex_unlock(&nvmev_ctrls_lock);
}

static void ctrl_list_del(struct nvmev_ctrl *ctrl)
{
	mutex_lock(&nvmev_ctrls_lock);
	list_del(&ctrl->node);
	mutex_unlock(&nvmev_ctrls_lock);
}

static char *memmap_start;
module_param(memmap_start, charp, 0444);
MODULE_PARM_DESC(memmap_start,
		 "Physical start of the reserved region (memparse: 1G, 4096M, 0x40000000); boot with memmap=SIZE$START");

static char *memmap_size;
module_param(memmap_size, charp, 0444);
MODULE_PARM_DESC(memmap_size,
		 "Size of the reserved region (memparse: 1G, 512M); the first 1 MiB holds BAR0, the rest is storage");

static char *cpus;
module_param(cpus, charp, 0444);
MODULE_PARM_DESC(cpus,
		 "CPU list, e.g. 2,3 or 2-5: the first runs the dispatcher (which also does the I/O of light loads), the rest run I/O workers; one CPU alone does everything");

static unsigned int lba_size = 512;
module_param(lba_size, uint, 0444);
MODULE_PARM_DESC(lba_size, "Namespace logical block size: 512 or 4096 (default 512)");

static unsigned int mdts = 6;
module_param(mdts, uint, 0444);
MODULE_PARM_DESC(mdts, "Maximum data transfer size as a power of two of 4 KiB pages, 1..9 (default 6 = 256 KiB)");

static char *serial;
module_param(serial, charp, 0444);
MODULE_PARM_DESC(serial, "Serial number (up to 20 ASCII characters; default derived from memmap_start)");

/*
 * Runtime-writable polling knobs, bounded: a huge sleep would make the
 * device deaf for minutes and rmmod wait as long.
 */
#define IDLE_SPIN_US_MAX	10000000U	/* 10 s */
#define IDLE_SLEEP_US_MAX	100000U		/* 100 ms */
#define INLINE_DEPTH_MAX	4096U
#define SPIN_PAUSE_MAX		1000000U
#define IDLE_DEEP_MS_MAX	60000U		/* 1 min */

static int param_set_bounded(const char *val, const struct kernel_param *kp,
			     unsigned int max)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret || v > max) {
		pr_err("%s=%s: must be 0..%u\n", kp->name, val, max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

/* A runtime-writable unsigned parameter with an upper bound. */
#define BOUNDED_UINT_PARAM(name, var, def, max, desc)			\
	static int param_set_##name(const char *val,			\
				    const struct kernel_param *kp)	\
	{								\
		return param_set_bounded(val, kp, max);			\
	}								\
	static const struct kernel_param_ops name##_ops = {		\
		.set = param_set_##name,				\
		.get = param_get_uint,					\
	};								\
	unsigned int var = def;						\
	module_param_cb(name, &name##_ops, &var, 0644);			\
	MODULE_PARM_DESC(name, desc)

BOUNDED_UINT_PARAM(idle_spin_us, nvmev_idle_spin_us, 10000, IDLE_SPIN_US_MAX,
		   "Dispatcher and workers: keep polling this long after the last command before backing off to sleep, 0..10000000 (default 10000)");
BOUNDED_UINT_PARAM(idle_sleep_us, nvmev_idle_sleep_us, 500, IDLE_SLEEP_US_MAX,
		   "Dispatcher: longest sleep between doorbell polls when idle, 0..100000 (default 500)");
BOUNDED_UINT_PARAM(idle_deep_ms, nvmev_idle_deep_ms, 1000, IDLE_DEEP_MS_MAX,
		   "Dispatcher: after this long without a command a timer watches the doorbells every 0.7 ms instead of the thread polling, 0..60000, 0 = never (default 1000)");

BOUNDED_UINT_PARAM(inline_depth, nvmev_inline_depth, 1, INLINE_DEPTH_MAX,
		   "Dispatcher, while offloading: keep doing the I/O of this many commands itself, the I/O workers take the rest, 0..4096 (default 1)");
BOUNDED_UINT_PARAM(offload_pct, nvmev_offload_pct, 80, 100,
		   "Dispatcher: hand commands to the I/O workers when doing all the I/O itself would keep its CPU busier than this, in %; 100 = never, 0 = always beyond inline_depth (default 80)");

static int param_set_pause(const char *val, const struct kernel_param *kp)
{
	int v;

	if (sysfs_streq(val, "auto")) {
		WRITE_ONCE(nvmev_spin_pause_every, -1);
		return 0;
	}
	if (kstrtoint(val, 0, &v) || v < 0 || v > SPIN_PAUSE_MAX) {
		pr_err("%s=%s: must be auto or 0..%u\n", kp->name, val,
		       SPIN_PAUSE_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(nvmev_spin_pause_every, v);
	return 0;
}

static int param_get_pause(char *buf, const struct kernel_param *kp)
{
	int v = READ_ONCE(nvmev_spin_pause_every);

	if (v < 0)
		return sysfs_emit(buf, "auto (%u)\n", nvmev_spin_pause_period());
	return sysfs_emit(buf, "%d\n", v);
}

static const struct kernel_param_ops pause_ops = {
	.set = param_set_pause,
	.get = param_get_pause,
};

int nvmev_spin_pause_every = -1;
module_param_cb(spin_pause_every, &pause_ops, &nvmev_spin_pause_every, 0644);
MODULE_PARM_DESC(spin_pause_every, "Idle polling: one PAUSE (cpu_relax) every N passes, 0 = never, auto = every pass when the CPUs do not run at once (single-threaded TCG), never when they do (default auto)");

static int parse_size(const char *name, const char *s, u64 *out)
{
	char *end;

	if (!s || !*s) {
		pr_err("%s= is required (e.g. memmap_start=1G memmap_size=1G with memmap=1G$1G on the kernel command line)\n",
		       name);
		return -EINVAL;
	}
	*out = memparse(s, &end);
	if (*end && *end != '\n') {
		pr_err("%s=%s: not a size (use a number with optional K/M/G suffix)\n",
		       name, s);
		return -EINVAL;
	}
	return 0;
}

static int parse_cpus(struct nvmev_ctrl *ctrl, const char *list)
{
	unsigned int *v;
	char *dup, *p, *tok;
	int n = 0, ret = -EINVAL, i;

	if (!list || !*list) {
		pr_err("cpus= is required: the dispatcher CPU, then any I/O worker CPUs, e.g. cpus=2,3\n");
		return -EINVAL;
	}
	v = kcalloc(nr_cpu_ids, sizeof(*v), GFP_KERNEL);
	dup = kstrdup(list, GFP_KERNEL);
	if (!v || !dup) {
		ret = -ENOMEM;
		goto out;
	}
	p = strim(dup);
	while ((tok = strsep(&p, ",")) != NULL) {
		unsigned int a = 0, b, c;
		char *dash = strchr(tok, '-');
		bool bad;

		if (dash)
			*dash = '\0';
		bad = kstrtouint(tok, 10, &a) != 0;
		b = a;
		if (!bad && dash)
			bad = kstrtouint(dash + 1, 10, &b) != 0;
		if (bad || b < a) {
			pr_err("cpus=%s: cannot parse \"%s\"\n", list, tok);
			goto out;
		}
		for (c = a; c <= b; c++) {
			if (c >= nr_cpu_ids || !cpu_possible(c)) {
				pr_err("cpus=%s: CPU %u does not exist (this system has %u)\n",
				       list, c, nr_cpu_ids);
				goto out;
			}
			if (!cpu_online(c)) {
				pr_err("cpus=%s: CPU %u is offline\n", list, c);
				goto out;
			}
			for (i = 0; i < n; i++) {
				if (v[i] == c) {
					pr_err("cpus=%s: CPU %u is listed twice\n",
					       list, c);
					goto out;
				}
			}
			v[n++] = c;
		}
	}
	if (n < 1) {
		pr_err("cpus=%s: need at least one CPU (the dispatcher)\n", list);
		goto out;
	}
	ctrl->cpus = v;
	ctrl->nr_cpus = n;
	v = NULL;
	ret = 0;
out:
	kfree(v);
	kfree(dup);
	return ret;
}

static int check_region(struct nvmev_ctrl *ctrl)
{
	phys_addr_t start = ctrl->mem_start;
	u64 size = ctrl->mem_size;
	u64 end = start + size - 1;

	if (!size || end < start) {
		pr_err("memmap_size=%llu: invalid\n", size);
		return -EINVAL;
	}
	if (start & (NVMEV_BAR_SIZE - 1)) {
		pr_err("memmap_start=%pa: must be aligned to %u KiB (BAR0 alignment)\n",
		       &start, NVMEV_BAR_SIZE >> 10);
		return -EINVAL;
	}
	if (size < NVMEV_STORAGE_OFF + NVMEV_MIN_STORAGE) {
		pr_err("memmap_size=%llu: too small, need at least %lu MiB (1 MiB registers + %lu MiB storage)\n",
		       size, (NVMEV_STORAGE_OFF + NVMEV_MIN_STORAGE) >> 20,
		       NVMEV_MIN_STORAGE >> 20);
		return -EINVAL;
	}
	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("region [%pa-0x%llx] overlaps System RAM: reserve it on the kernel command line with memmap=%lluM$%lluM\n",
		       &start, end, size >> 20, (u64)start >> 20);
		return -EINVAL;
	}
	if (region_intersects(start, size, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS) {
		pr_err("region [%pa-0x%llx] is not entirely reserved memory: boot with memmap=%lluM$%lluM\n",
		       &start, end, size >> 20, (u64)start >> 20);
		return -EINVAL;
	}
	return 0;
}

/* ---- debugfs: controller statistics ------------------------------------- */

static int ctrl_stats_show(struct seq_file *m, void *v)
{
	struct nvmev_ctrl *ctrl = m->private;
	struct nvmev_stats *s = &ctrl->stats;

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

static void nvmev_unmap(struct nvmev_ctrl *ctrl)
{
	if (ctrl->storage)
		memunmap(ctrl->storage);
	if (ctrl->bar)
		memunmap(ctrl->bar);
}

static int __init nvmev_init(void)
{
	struct nvmev_ctrl *ctrl;
	u64 v;
	int ret;

	if (lba_size != 512 && lba_size != 4096) {
		pr_err("lba_size=%u: must be 512 or 4096\n", lba_size);
		return -EINVAL;
	}
	if (mdts < 1 || mdts > 9) {
		pr_err("mdts=%u: must be 1..9\n", mdts);
		return -EINVAL;
	}
	if (serial && strlen(serial) > 20) {
		pr_err("serial=%s: longer than 20 characters\n", serial);
		return -EINVAL;
	}

	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return -ENOMEM;
	spin_lock_init(&ctrl->err_lock);
	mutex_init(&ctrl->park_lock);
	init_waitqueue_head(&ctrl->park_wq);
	atomic_set(&ctrl->parked, 0);

	ret = parse_size("memmap_start", memmap_start, &v);
	if (ret)
		goto err_free;
	ctrl->mem_start = v;
	ret = parse_size("memmap_size", memmap_size, &ctrl->mem_size);
	if (ret)
		goto err_free;
	ret = check_region(ctrl);
	if (ret)
		goto err_free;
	ret = parse_cpus(ctrl, cpus);
	if (ret)
		goto err_free;

	ctrl->lba_shift = ilog2(lba_size);
	ctrl->mdts = mdts;
	ctrl->storage_size = ctrl->mem_size - NVMEV_STORAGE_OFF;
	ret = nvmev_model_init(ctrl);
	if (ret)
		goto err_free;
	ctrl->capacity = nvmev_model_logical_bytes(ctrl);
	ctrl->nr_lbas = ctrl->capacity >> ctrl->lba_shift;
	ctrl->dsm_buf = kmalloc_array(256, sizeof(*ctrl->dsm_buf), GFP_KERNEL);
	if (!ctrl->dsm_buf) {
		ret = -ENOMEM;
		goto err_free;
	}
	if (serial && *serial)
		strscpy(ctrl->serial, serial, sizeof(ctrl->serial));
	else
		snprintf(ctrl->serial, sizeof(ctrl->serial), "NVMEV%08llX",
			 (u64)ctrl->mem_start >> 20);
	strscpy(ctrl->model_name, "nvmev Virtual NVMe SSD", sizeof(ctrl->model_name));
	strscpy(ctrl->firmware, NVMEV_VERSION, sizeof(ctrl->firmware));
	ctrl->power_on_ns = nvmev_now();
	ctrl->power_cycles = 1;		/* this load is the device's power-on */

	ctrl->bar = memremap(ctrl->mem_start, NVMEV_BAR_SIZE, MEMREMAP_WT);
	ctrl->storage = memremap(ctrl->mem_start + NVMEV_STORAGE_OFF,
				 ctrl->storage_size, MEMREMAP_WB);
	if (!ctrl->bar || !ctrl->storage) {
		pr_err("cannot map the reserved region\n");
		ret = -ENOMEM;
		goto err_unmap;
	}
	ctrl->regs = ctrl->bar;
	nvmev_reset_registers(ctrl);
	/*
	 * A fresh device: the model starts with nothing mapped, and unmapped
	 * blocks read as zeroes without the storage being touched (io/io.c),
	 * so whatever the region holds needs no clearing.
	 */
	ctrl->index = 0;	/* the module parameters' controller */
	ctrl_list_add(ctrl);

	ctrl->debugfs = debugfs_create_dir(NVMEV_DRV_NAME, NULL);
	debugfs_create_file("ctrl", 0444, ctrl->debugfs, ctrl, &ctrl_stats_fops);
	nvmev_model_debugfs(ctrl);
	ret = nvmev_trace_init(ctrl->debugfs);
	if (ret)
		goto err_debugfs;

	nvmev_admin_reset(ctrl);
	nvmev_probe_parallel(ctrl->cpus, ctrl->nr_cpus);
	nvmev_copy_calibrate();
	ret = nvmev_workers_start(ctrl);
	if (ret)
		goto err_trace;
	debugfs_create_file("latency", 0444, ctrl->debugfs, ctrl, &latency_fops);
	debugfs_create_file("cpu", 0444, ctrl->debugfs, ctrl, &cpu_fops);
	ret = nvmev_dispatcher_start(ctrl);
	if (ret)
		goto err_workers;
	ret = nvmev_pci_init(ctrl);
	if (ret)
		goto err_dispatcher;

	pr_info("%llu MiB namespace at %pa, %llu LBAs of %u bytes, dispatcher CPU %u, %u I/O worker(s)\n",
		ctrl->capacity >> 20, &ctrl->mem_start, ctrl->nr_lbas,
		lba_size, ctrl->cpus[0], ctrl->nr_workers);
	return 0;

err_dispatcher:
	nvmev_dispatcher_stop(ctrl);
err_workers:
	nvmev_workers_stop(ctrl);
err_trace:
	nvmev_trace_exit();
err_debugfs:
	debugfs_remove_recursive(ctrl->debugfs);
	ctrl_list_del(ctrl);
err_unmap:
	nvmev_unmap(ctrl);
err_free:
	nvmev_model_exit(ctrl);
	kfree(ctrl->dsm_buf);
	kfree(ctrl->cpus);
	kfree(ctrl);
	return ret;
}

static void __exit nvmev_exit(void)
{
	struct nvmev_ctrl *ctrl = list_first_entry_or_null(&nvmev_ctrls,
						struct nvmev_ctrl, node);

	if (!ctrl)
		return;

	/* the nvme driver unbinds here and shuts the controller down */
	nvmev_pci_exit(ctrl);
	nvmev_dispatcher_stop(ctrl);
	nvmev_workers_stop(ctrl);
	nvmev_trace_exit();
	debugfs_remove_recursive(ctrl->debugfs);
	ctrl_list_del(ctrl);
	nvmev_unmap(ctrl);
	nvmev_model_exit(ctrl);
	kfree(ctrl->dsm_buf);
	kfree(ctrl->cpus);
	kfree(ctrl);
	pr_info("unloaded\n");
}

module_init(nvmev_init);
module_exit(nvmev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nvmev: virtual PCIe NVMe SSD backed by reserved memory");
MODULE_VERSION(NVMEV_VERSION);
