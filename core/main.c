// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev module entry: the module parameters, debugfs and configfs roots,
 * and the controller the parameters describe (nvmev0), made like any
 * other (core/instance.c) and shown in configfs as a default group.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/slab.h>
#include <linux/debugfs.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"

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

struct dentry *nvmev_debugfs_root;
static struct nvmev_ctrl *builtin;

/* The controller of the module parameters: nvmev0. */
static int builtin_create(void)
{
	struct nvmev_ctrl *ctrl;
	u64 v;
	int ret;

	ctrl = nvmev_ctrl_alloc("nvmev0");
	if (IS_ERR(ctrl))
		return PTR_ERR(ctrl);
	ctrl->builtin = true;
	ret = nvmev_parse_size("memmap_start", memmap_start, &v);
	if (ret)
		goto err_free;
	ctrl->mem_start = v;
	ret = nvmev_parse_size("memmap_size", memmap_size, &ctrl->mem_size);
	if (ret)
		goto err_free;
	ret = nvmev_ctrl_set_cpus(ctrl, cpus);
	if (ret)
		goto err_free;
	ret = nvmev_configfs_builtin_ns(ctrl, ilog2(lba_size));
	if (ret)
		goto err_free;
	ctrl->mdts = mdts;
	if (serial)
		strscpy(ctrl->serial, serial, sizeof(ctrl->serial));
	ret = nvmev_model_cfg_from_params(&ctrl->model_cfg);
	if (ret)
		goto err_free;

	mutex_lock(&nvmev_ctrls_lock);
	list_add_tail(&ctrl->node, &nvmev_ctrls);
	ret = nvmev_ctrl_enable(ctrl);
	if (ret)
		list_del(&ctrl->node);
	mutex_unlock(&nvmev_ctrls_lock);
	if (ret)
		goto err_free;
	ret = nvmev_configfs_add_builtin(ctrl);
	if (ret) {
		mutex_lock(&nvmev_ctrls_lock);
		nvmev_ctrl_disable(ctrl);
		list_del(&ctrl->node);
		mutex_unlock(&nvmev_ctrls_lock);
		goto err_free;
	}
	builtin = ctrl;
	return 0;

err_free:
	nvmev_configfs_ns_free(ctrl);
	nvmev_ctrl_free(ctrl);
	return ret;
}

static void builtin_destroy(void)
{
	if (!builtin)
		return;
	nvmev_configfs_del_builtin(builtin);
	mutex_lock(&nvmev_ctrls_lock);
	nvmev_ctrl_disable(builtin);
	list_del(&builtin->node);
	mutex_unlock(&nvmev_ctrls_lock);
	nvmev_configfs_ns_free(builtin);
	nvmev_ctrl_free(builtin);
	builtin = NULL;
}

static int __init nvmev_init(void)
{
	bool any = memmap_start || memmap_size || cpus;
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

	nvmev_copy_calibrate();
	nvmev_debugfs_root = debugfs_create_dir(NVMEV_DRV_NAME, NULL);
	ret = nvmev_trace_init(nvmev_debugfs_root);
	if (ret)
		goto err_debugfs;
	ret = nvmev_configfs_init();
	if (ret)
		goto err_trace;
	if (any) {
		ret = builtin_create();
		if (ret)
			goto err_configfs;
	} else {
		pr_info("loaded without a device: insmod with memmap_start= memmap_size= cpus=, or mkdir /sys/kernel/config/nvmev/<name> (Documentation/configfs.rst)\n");
	}
	return 0;

err_configfs:
	nvmev_configfs_exit();
err_trace:
	nvmev_trace_exit();
err_debugfs:
	debugfs_remove_recursive(nvmev_debugfs_root);
	return ret;
}

/*
 * configfs holds a reference on the module while a controller made with
 * mkdir exists: only the builtin one is left here.
 */
static void __exit nvmev_exit(void)
{
	builtin_destroy();
	nvmev_configfs_exit();
	nvmev_trace_exit();
	debugfs_remove_recursive(nvmev_debugfs_root);
	pr_info("unloaded\n");
}

module_init(nvmev_init);
module_exit(nvmev_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nvmev: virtual PCIe NVMe SSD backed by reserved memory");
MODULE_VERSION(NVMEV_VERSION);
