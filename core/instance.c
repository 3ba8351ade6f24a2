// SPDX-License-Identifier: GPL-2.0
/*
 * A controller's life: allocated with its name (a configfs mkdir, or the
 * module parameters at load), configured while disabled, enabled (its
 * region checked and mapped, the model built, the threads started, the
 * PCI function added, and the nvme driver binds), disabled (the function
 * hot-removed, the threads stopped), and freed.
 *
 * Disabling keeps the device model: a controller enabled again comes back
 * with its data, as an SSD pulled and plugged in again does.  Changing
 * the region or the model's configuration while disabled builds a new,
 * empty model at the next enable.
 *
 * Everything here runs under nvmev_ctrls_lock.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/slab.h>
#include <linux/idr.h>
#include <linux/cpumask.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"

LIST_HEAD(nvmev_ctrls);
DEFINE_MUTEX(nvmev_ctrls_lock);

/* controller index: PCI domain 1000h + index */
static DEFINE_IDA(nvmev_ida);

int nvmev_parse_size(const char *name, const char *s, u64 *out)
{
	char *end;

	if (!s || !*s) {
		pr_err("%s= is required (e.g. memmap_start=1G memmap_size=1G with memmap=1G$1G on the kernel command line)\n",
		       name);
		return -EINVAL;
	}
	*out = memparse(s, &end);
	if (end == s || (*end && *end != '\n')) {
		pr_err("%s=%.*s: not a size (use a number with optional K/M/G suffix)\n",
		       name, (int)strcspn(s, "\n"), s);
		return -EINVAL;
	}
	return 0;
}

static int parse_cpus(const char *list, unsigned int **out, unsigned int *nr)
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
	*out = v;
	*nr = n;
	v = NULL;
	ret = 0;
out:
	kfree(v);
	kfree(dup);
	return ret;
}

/* Parse and keep a CPU list (while disabled). */
int nvmev_ctrl_set_cpus(struct nvmev_ctrl *ctrl, const char *list)
{
	unsigned int *v, n;
	char *s;
	int ret;

	ret = parse_cpus(list, &v, &n);
	if (ret)
		return ret;
	s = kstrdup(list, GFP_KERNEL);
	if (!s) {
		kfree(v);
		return -ENOMEM;
	}
	strim(s);
	kfree(ctrl->cpus);
	kfree(ctrl->cpulist);
	ctrl->cpus = v;
	ctrl->nr_cpus = n;
	ctrl->cpulist = s;
	return 0;
}

static int check_region(struct nvmev_ctrl *ctrl)
{
	phys_addr_t start = ctrl->mem_start;
	u64 size = ctrl->mem_size;
	u64 end = start + size - 1;
	struct nvmev_ctrl *o;

	if (!size || end < start) {
		pr_err("%s: memmap_size=%llu: invalid\n", ctrl->name, size);
		return -EINVAL;
	}
	if (start & (NVMEV_BAR_SIZE - 1)) {
		pr_err("%s: memmap_start=%pa: must be aligned to %u KiB (BAR0 alignment)\n",
		       ctrl->name, &start, NVMEV_BAR_SIZE >> 10);
		return -EINVAL;
	}
	if (size < NVMEV_STORAGE_OFF + NVMEV_MIN_STORAGE) {
		pr_err("%s: memmap_size=%llu: too small, need at least %lu MiB (1 MiB registers + %lu MiB storage)\n",
		       ctrl->name, size,
		       (NVMEV_STORAGE_OFF + NVMEV_MIN_STORAGE) >> 20,
		       NVMEV_MIN_STORAGE >> 20);
		return -EINVAL;
	}
	if (region_intersects(start, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("%s: region [%pa-0x%llx] overlaps System RAM: reserve it on the kernel command line with memmap=%lluM$%lluM\n",
		       ctrl->name, &start, end, size >> 20, (u64)start >> 20);
		return -EINVAL;
	}
	if (region_intersects(start, size, IORESOURCE_MEM,
			      IORES_DESC_RESERVED) != REGION_INTERSECTS) {
		pr_err("%s: region [%pa-0x%llx] is not entirely reserved memory: boot with memmap=%lluM$%lluM\n",
		       ctrl->name, &start, end, size >> 20, (u64)start >> 20);
		return -EINVAL;
	}
	list_for_each_entry(o, &nvmev_ctrls, node) {
		if (o == ctrl || !o->live)
			continue;
		if (start < o->mem_start + o->mem_size &&
		    o->mem_start < start + size) {
			pr_err("%s: region [%pa-0x%llx] overlaps controller %s's [%pa-0x%llx]\n",
			       ctrl->name, &start, end, o->name, &o->mem_start,
			       o->mem_start + o->mem_size - 1);
			return -EBUSY;
		}
	}
	return 0;
}

/*
 * power_restore_ms after a cut: power comes back by itself.  The lock is
 * only tried, so that nvmev_ctrl_free() may wait for this work while a
 * caller holds nvmev_ctrls_lock.
 */
static void power_restore_fn(struct work_struct *work)
{
	struct nvmev_ctrl *ctrl = container_of(to_delayed_work(work),
					       struct nvmev_ctrl, power_work);

	if (!mutex_trylock(&nvmev_ctrls_lock)) {
		schedule_delayed_work(&ctrl->power_work, msecs_to_jiffies(10));
		return;
	}
	if (ctrl->power_off)
		nvmev_ctrl_power_on(ctrl);
	mutex_unlock(&nvmev_ctrls_lock);
}

/* A new, disabled controller with the defaults; not yet listed. */
struct nvmev_ctrl *nvmev_ctrl_alloc(const char *name)
{
	struct nvmev_ctrl *ctrl;
	int idx;

	if (strlen(name) >= NVMEV_NAME_LEN) {
		pr_err("controller name %s: longer than %d characters\n", name,
		       NVMEV_NAME_LEN - 1);
		return ERR_PTR(-ENAMETOOLONG);
	}
	ctrl = kzalloc(sizeof(*ctrl), GFP_KERNEL);
	if (!ctrl)
		return ERR_PTR(-ENOMEM);
	idx = ida_alloc_max(&nvmev_ida, 0xefff, GFP_KERNEL);
	if (idx < 0) {
		kfree(ctrl);
		return ERR_PTR(idx);
	}
	ctrl->index = idx;
	strscpy(ctrl->name, name, sizeof(ctrl->name));
	spin_lock_init(&ctrl->err_lock);
	mutex_init(&ctrl->park_lock);
	mutex_init(&ctrl->call_lock);
	INIT_LIST_HEAD(&ctrl->ns_cfgs);
	init_waitqueue_head(&ctrl->park_wq);
	atomic_set(&ctrl->parked, 0);
	INIT_LIST_HEAD(&ctrl->node);
	ctrl->mdts = 6;
	strscpy(ctrl->model_cfg.profile, "970pro", sizeof(ctrl->model_cfg.profile));
	strscpy(ctrl->model_name, "nvmev Virtual NVMe SSD",
		sizeof(ctrl->model_name));
	strscpy(ctrl->firmware, NVMEV_VERSION, sizeof(ctrl->firmware));
	ctrl->model_stale = true;
	INIT_DELAYED_WORK(&ctrl->power_work, power_restore_fn);
	ctrl->faults.sticky = true;
	nvmev_faults_reseed(&ctrl->faults);
	return ctrl;
}

void nvmev_ctrl_free(struct nvmev_ctrl *ctrl)
{
	cancel_delayed_work_sync(&ctrl->power_work);
	nvmev_ns_free_all(ctrl);
	nvmev_model_exit(ctrl);
	ida_free(&nvmev_ida, ctrl->index);
	kfree(ctrl->cpulist);
	kfree(ctrl->cpus);
	kfree(ctrl);
}

static void unmap_region(struct nvmev_ctrl *ctrl)
{
	nvmev_model_region_unmapped(ctrl);
	if (ctrl->storage)
		memunmap(ctrl->storage);
	if (ctrl->bar)
		memunmap(ctrl->bar);
	ctrl->storage = NULL;
	ctrl->bar = NULL;
	ctrl->regs = NULL;
}

static int map_region(struct nvmev_ctrl *ctrl)
{
	ctrl->storage_size = ctrl->mem_size - NVMEV_STORAGE_OFF;
	ctrl->bar = memremap(ctrl->mem_start, NVMEV_BAR_SIZE, MEMREMAP_WT);
	ctrl->storage = memremap(ctrl->mem_start + NVMEV_STORAGE_OFF,
				 ctrl->storage_size, MEMREMAP_WB);
	if (!ctrl->bar || !ctrl->storage) {
		pr_err("%s: cannot map the reserved region\n", ctrl->name);
		unmap_region(ctrl);
		return -ENOMEM;
	}
	ctrl->regs = ctrl->bar;
	return 0;
}

/*
 * A fresh model, empty: nothing is mapped, and unmapped blocks read as
 * zeroes without the storage being touched (io/io.c), so whatever the
 * region holds needs no clearing.
 */
static int build_model(struct nvmev_ctrl *ctrl)
{
	int ret;

	nvmev_ns_free_all(ctrl);
	nvmev_model_exit(ctrl);
	ret = nvmev_model_init(ctrl);
	if (ret)
		return ret;
	ctrl->capacity = nvmev_model_logical_bytes(ctrl);
	ret = nvmev_configfs_ns_instantiate(ctrl);
	if (ret) {
		nvmev_ns_free_all(ctrl);
		nvmev_model_exit(ctrl);
		return ret;
	}
	ctrl->model_stale = false;
	return 0;
}

/* Power on: registers, queues and admin state as after a reset. */
static void power_on(struct nvmev_ctrl *ctrl)
{
	memset(ctrl->sq, 0, sizeof(ctrl->sq));
	memset(ctrl->cq, 0, sizeof(ctrl->cq));
	ctrl->enabled = false;
	nvmev_reset_registers(ctrl);
	nvmev_admin_reset(ctrl);
	ctrl->power_on_ns = nvmev_now();
	ctrl->power_cycles++;
}

int nvmev_ctrl_enable(struct nvmev_ctrl *ctrl)
{
	int ret;

	lockdep_assert_held(&nvmev_ctrls_lock);
	if (ctrl->live)
		return -EBUSY;
	if (!ctrl->mem_size) {
		pr_err("%s: set memmap_start and memmap_size before enabling\n",
		       ctrl->name);
		return -EINVAL;
	}
	if (!ctrl->nr_cpus) {
		pr_err("%s: set cpus before enabling (the dispatcher CPU, then any I/O worker CPUs)\n",
		       ctrl->name);
		return -EINVAL;
	}
	ret = check_region(ctrl);
	if (ret)
		return ret;
	ret = map_region(ctrl);
	if (ret)
		return ret;
	if (ctrl->model_stale) {
		ret = build_model(ctrl);
		if (ret)
			goto err_unmap;
	} else {
		nvmev_model_region_mapped(ctrl);
	}
	if (!ctrl->dsm_buf) {
		ctrl->dsm_buf = kmalloc_array(256, sizeof(*ctrl->dsm_buf),
					      GFP_KERNEL);
		if (!ctrl->dsm_buf) {
			ret = -ENOMEM;
			goto err_unmap;
		}
	}
	if (!ctrl->serial[0])
		snprintf(ctrl->serial, sizeof(ctrl->serial), "NVMEV%08llX",
			 (u64)ctrl->mem_start >> 20);
	power_on(ctrl);
	nvmev_ctrl_debugfs_init(ctrl);
	nvmev_probe_parallel(ctrl->cpus, ctrl->nr_cpus);
	ret = nvmev_workers_start(ctrl);
	if (ret)
		goto err_debugfs;
	ret = nvmev_dispatcher_start(ctrl);
	if (ret)
		goto err_workers;
	ret = nvmev_pci_init(ctrl);
	if (ret)
		goto err_dispatcher;
	ctrl->live = true;
	pr_info("%s: %llu MiB logical at %pa (%llu MiB unallocated), dispatcher CPU %u, %u I/O worker(s)\n",
		ctrl->name, ctrl->capacity >> 20, &ctrl->mem_start,
		nvmev_ns_unallocated(ctrl) >> 20, ctrl->cpus[0],
		ctrl->nr_workers);
	return 0;

err_dispatcher:
	nvmev_dispatcher_stop(ctrl);
err_workers:
	nvmev_workers_stop(ctrl);
err_debugfs:
	nvmev_ctrl_debugfs_exit(ctrl);
err_unmap:
	unmap_region(ctrl);
	return ret;
}

/*
 * Hot-remove the PCI function: the nvme driver unbinds and shuts the
 * controller down (its commands still complete: the threads run until
 * the function is gone), then the threads stop.
 */
void nvmev_ctrl_disable(struct nvmev_ctrl *ctrl)
{
	lockdep_assert_held(&nvmev_ctrls_lock);
	if (ctrl->power_off) {		/* cut: nothing runs, stay off */
		ctrl->power_off = false;
		cancel_delayed_work(&ctrl->power_work);
		pr_info("%s: disabled while its power was cut\n", ctrl->name);
	}
	if (!ctrl->live)
		return;
	/* first: its readers may be waiting for the dispatcher */
	nvmev_ctrl_debugfs_exit(ctrl);
	nvmev_pci_exit(ctrl);
	nvmev_dispatcher_stop(ctrl);
	nvmev_workers_stop(ctrl);
	if (ctrl->enabled && !(READ_ONCE(ctrl->regs->csts) & NVME_CSTS_SHST_CMPLT))
		ctrl->unsafe_shutdowns++;
	unmap_region(ctrl);
	kfree(ctrl->dsm_buf);
	ctrl->dsm_buf = NULL;
	ctrl->live = false;
	pr_info("%s: disabled\n", ctrl->name);
}

/*
 * Power cut: the controller loses power at once.  Its threads stop where
 * they are (fetched commands are never completed, data not yet copied is
 * not), the model takes back every write that had not reached NAND
 * (ftl/vwc.c), and the PCI function goes away as a surprise removal: its
 * config space and registers read as all ones, so the nvme driver finds a
 * dead device, fails what it had in flight and removes it.  The
 * controller stays configured ("enable" reads 1) with its power off until
 * nvmev_ctrl_power_on(), by power_on or after power_restore_ms.
 */
int nvmev_ctrl_power_cut(struct nvmev_ctrl *ctrl)
{
	u64 t;
	int ret;

	lockdep_assert_held(&nvmev_ctrls_lock);
	if (!ctrl->live) {
		pr_err("%s: power_cut: the controller is %s\n", ctrl->name,
		       ctrl->power_off ? "already without power" : "not enabled");
		return ctrl->power_off ? -EALREADY : -ENODEV;
	}
	if (ctrl->zoned) {
		pr_err("%s: power_cut: not modelled for kind=zns (its writes are durable at completion)\n",
		       ctrl->name);
		return -EOPNOTSUPP;
	}
	nvmev_ctrl_debugfs_exit(ctrl);	/* its readers call the dispatcher */
	nvmev_dispatcher_stop(ctrl);
	nvmev_workers_stop(ctrl);
	t = nvmev_now();
	WRITE_ONCE(ctrl->gone, true);
	memset(ctrl->bar, 0xff, NVMEV_MSIX_TABLE_OFF);	/* registers, doorbells */
	ret = nvmev_model_power_cut(ctrl, t);
	WARN_ON_ONCE(ret);
	ctrl->unsafe_shutdowns++;
	ctrl->power_cuts++;
	nvmev_pci_exit(ctrl);		/* the driver removes a dead device */
	WRITE_ONCE(ctrl->gone, false);
	unmap_region(ctrl);
	kfree(ctrl->dsm_buf);
	ctrl->dsm_buf = NULL;
	ctrl->live = false;
	ctrl->power_off = true;
	if (ctrl->power_restore_ms) {
		schedule_delayed_work(&ctrl->power_work,
				      msecs_to_jiffies(ctrl->power_restore_ms));
		pr_info("%s: power cut; back in %u ms\n", ctrl->name,
			ctrl->power_restore_ms);
	} else {
		pr_info("%s: power cut; write 1 to power_on to bring it back\n",
			ctrl->name);
	}
	return 0;
}

/* Power back after a cut: the controller comes up with what was durable. */
int nvmev_ctrl_power_on(struct nvmev_ctrl *ctrl)
{
	int ret;

	lockdep_assert_held(&nvmev_ctrls_lock);
	if (!ctrl->power_off) {
		pr_err("%s: power_on: %s\n", ctrl->name, ctrl->live ?
		       "the power is on" : "the controller is not enabled");
		return ctrl->live ? -EALREADY : -ENODEV;
	}
	cancel_delayed_work(&ctrl->power_work);
	ret = nvmev_ctrl_enable(ctrl);
	if (ret) {
		pr_err("%s: power_on failed (%d): still without power\n",
		       ctrl->name, ret);
		return ret;
	}
	ctrl->power_off = false;
	pr_info("%s: power back on\n", ctrl->name);
	return 0;
}
