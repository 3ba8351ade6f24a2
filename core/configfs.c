// SPDX-License-Identifier: GPL-2.0
/*
 * configfs: /sys/kernel/config/nvmev/<name>/ is a controller, laid out
 * the way null_blk does it.  mkdir makes a disabled controller with the
 * defaults; its attributes configure it; writing 1 to "enable" makes the
 * PCI function appear (the nvme driver binds), 0 hot-removes it.  An
 * enabled controller refuses every change (-EBUSY) and its rmdir
 * (-EBUSY: it is pinned with configfs_depend_item).  The controller of
 * the module parameters is nvmev0, a default group: it goes with rmmod.
 *
 * Attributes: enable, memmap_start, memmap_size, cpus, profile, one per
 * model figure (NVMEV_MODEL_FIGURES, "profile" when unset), mdts, serial,
 * model; read-only: pci, capacity.
 *
 * <name>/namespaces/<nsid>/ is a namespace: size (bytes, 0 = what is
 * left), lba_size (512 or 4096) and enable.  Enabling one on a
 * controller whose device model exists creates and attaches it on the
 * device at once (the host is told by an asynchronous event); otherwise
 * it is created when the controller is enabled with a new model.
 * Disabling or removing it deletes it and its data.  Namespaces made by
 * the host (Namespace Management) have no directory here.
 * See Documentation/configfs.rst.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/configfs.h>
#include <linux/slab.h>
#include <linux/ctype.h>

#include "nvmev.h"

static struct configfs_subsystem nvmev_subsys;

static inline struct nvmev_ctrl *to_ctrl(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_ctrl, group);
}

/*
 * Lock for a change of configuration: refused while enabled.  Returns 0
 * with nvmev_ctrls_lock held, or -EBUSY.
 */
static int cfg_begin(struct nvmev_ctrl *ctrl, const char *attr)
{
	mutex_lock(&nvmev_ctrls_lock);
	if (ctrl->live || ctrl->power_off) {
		mutex_unlock(&nvmev_ctrls_lock);
		pr_err("%s: %s cannot change while the controller is enabled (write 0 to enable first)\n",
		       ctrl->name, attr);
		return -EBUSY;
	}
	return 0;
}

static void cfg_end(void)
{
	mutex_unlock(&nvmev_ctrls_lock);
}

/* ---- enable --------------------------------------------------------------- */

/* 1 also while its power is cut: it is configured on (see "power") */
static ssize_t ctrl_enable_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);

	return sysfs_emit(page, "%d\n",
			  READ_ONCE(ctrl->live) || READ_ONCE(ctrl->power_off));
}

static ssize_t ctrl_enable_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	bool on;
	int ret;

	if (kstrtobool(page, &on)) {
		pr_err("%s: enable=%.*s: write 1 or 0\n", ctrl->name,
		       (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	mutex_lock(&nvmev_ctrls_lock);
	if (on && ctrl->power_off) {
		pr_err("%s: enabled, with its power cut: write 1 to power_on\n",
		       ctrl->name);
		ret = -EBUSY;
		goto out;
	}
	if (!on && ctrl->power_off) {	/* configured off while cut */
		nvmev_ctrl_disable(ctrl);
		if (!ctrl->builtin)
			nvmev_configfs_unpin(ctrl);
		ret = 0;
		goto out;
	}
	if (on == ctrl->live) {
		ret = on ? -EBUSY : 0;
		if (on)
			pr_err("%s: already enabled\n", ctrl->name);
		goto out;
	}
	if (on) {
		ret = ctrl->builtin ? 0 : nvmev_configfs_pin(ctrl);
		if (ret)
			goto out;
		ret = nvmev_ctrl_enable(ctrl);
		if (ret && !ctrl->builtin)
			nvmev_configfs_unpin(ctrl);
	} else {
		nvmev_ctrl_disable(ctrl);
		if (!ctrl->builtin)
			nvmev_configfs_unpin(ctrl);
		ret = 0;
	}
out:
	mutex_unlock(&nvmev_ctrls_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, enable);

/* ---- region, CPUs --------------------------------------------------------- */

static ssize_t ctrl_memmap_start_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "0x%llx\n", (u64)to_ctrl(item)->mem_start);
}

static ssize_t ctrl_memmap_start_store(struct config_item *item,
				       const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	u64 v;
	int ret = nvmev_parse_size("memmap_start", page, &v);

	if (ret)
		return ret;
	ret = cfg_begin(ctrl, "memmap_start");
	if (ret)
		return ret;
	if (v != ctrl->mem_start)
		ctrl->model_stale = true;	/* another region: a new drive */
	ctrl->mem_start = v;
	cfg_end();
	return count;
}
CONFIGFS_ATTR(ctrl_, memmap_start);

static ssize_t ctrl_memmap_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_ctrl(item)->mem_size);
}

static ssize_t ctrl_memmap_size_store(struct config_item *item,
				      const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	u64 v;
	int ret = nvmev_parse_size("memmap_size", page, &v);

	if (ret)
		return ret;
	if (v < NVMEV_STORAGE_OFF + NVMEV_MIN_STORAGE) {
		pr_err("%s: memmap_size=%llu: too small, need at least %lu MiB (1 MiB registers + %lu MiB storage)\n",
		       ctrl->name, v,
		       (NVMEV_STORAGE_OFF + NVMEV_MIN_STORAGE) >> 20,
		       NVMEV_MIN_STORAGE >> 20);
		return -EINVAL;
	}
	ret = cfg_begin(ctrl, "memmap_size");
	if (ret)
		return ret;
	if (v != ctrl->mem_size)
		ctrl->model_stale = true;
	ctrl->mem_size = v;
	cfg_end();
	return count;
}
CONFIGFS_ATTR(ctrl_, memmap_size);

static ssize_t ctrl_cpus_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);

	return sysfs_emit(page, "%s\n", ctrl->cpulist ? ctrl->cpulist : "");
}

static ssize_t ctrl_cpus_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	char *s = kstrndup(page, count, GFP_KERNEL);
	int ret;

	if (!s)
		return -ENOMEM;
	ret = cfg_begin(ctrl, "cpus");
	if (!ret) {
		ret = nvmev_ctrl_set_cpus(ctrl, strim(s));
		cfg_end();
	}
	kfree(s);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, cpus);

/* ---- identity ------------------------------------------------------------- */

static ssize_t ctrl_mdts_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_ctrl(item)->mdts);
}

static ssize_t ctrl_mdts_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	unsigned int v;
	int ret;

	if (kstrtouint(page, 0, &v) || v < 1 || v > 9) {
		pr_err("%s: mdts=%.*s: must be 1..9 (a power of two of 4 KiB pages)\n",
		       ctrl->name, (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	ret = cfg_begin(ctrl, "mdts");
	if (ret)
		return ret;
	ctrl->mdts = v;
	cfg_end();
	return count;
}
CONFIGFS_ATTR(ctrl_, mdts);

/* An ASCII identity string of at most @max characters, no control ones. */
static int ident_store(struct nvmev_ctrl *ctrl, const char *attr,
		       const char *page, size_t count, char *dst, size_t max)
{
	size_t n = strcspn(page, "\n"), i;
	int ret;

	if (n > max) {
		pr_err("%s: %s: longer than %zu characters\n", ctrl->name,
		       attr, max);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!isprint(page[i]) || (u8)page[i] > 0x7e) {
			pr_err("%s: %s: printable ASCII only\n", ctrl->name,
			       attr);
			return -EINVAL;
		}
	}
	ret = cfg_begin(ctrl, attr);
	if (ret)
		return ret;
	memcpy(dst, page, n);
	dst[n] = '\0';
	cfg_end();
	return 0;
}

static ssize_t ctrl_serial_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", to_ctrl(item)->serial);
}

static ssize_t ctrl_serial_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	int ret = ident_store(ctrl, "serial", page, count, ctrl->serial,
			     sizeof(ctrl->serial) - 1);

	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, serial);

static ssize_t ctrl_model_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", to_ctrl(item)->model_name);
}

static ssize_t ctrl_model_store(struct config_item *item, const char *page,
				size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	int ret = ident_store(ctrl, "model", page, count, ctrl->model_name,
			     sizeof(ctrl->model_name) - 1);

	return ret ? ret : count;
}
CONFIGFS_ATTR(ctrl_, model);

/* ---- device model --------------------------------------------------------- */

static ssize_t ctrl_profile_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n", to_ctrl(item)->model_cfg.profile);
}

/*
 * A model setting by name (profile, kind, store): @parse fills the
 * controller's model configuration or refuses with a message; a change
 * builds a new, empty model at the next enable.
 */
static ssize_t model_cfg_store(struct config_item *item, const char *attr,
			       const char *page, size_t count,
			       int (*parse)(struct nvmev_model_cfg *c,
					    const char *name))
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	struct nvmev_model_cfg old;
	int ret = cfg_begin(ctrl, attr);

	if (ret)
		return ret;
	old = ctrl->model_cfg;
	ret = parse(&ctrl->model_cfg, page);
	if (!ret && memcmp(&old, &ctrl->model_cfg, sizeof(old)))
		ctrl->model_stale = true;
	cfg_end();
	return ret ? ret : count;
}

static ssize_t ctrl_profile_store(struct config_item *item, const char *page,
				  size_t count)
{
	return model_cfg_store(item, "profile", page, count,
			       nvmev_model_cfg_profile);
}
CONFIGFS_ATTR(ctrl_, profile);

static ssize_t ctrl_kind_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  nvmev_kind_name(to_ctrl(item)->model_cfg.kind));
}

static ssize_t ctrl_kind_store(struct config_item *item, const char *page,
			       size_t count)
{
	return model_cfg_store(item, "kind", page, count, nvmev_model_cfg_kind);
}
CONFIGFS_ATTR(ctrl_, kind);

static ssize_t ctrl_store_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%s\n",
			  nvmev_store_name(to_ctrl(item)->model_cfg.store));
}

static ssize_t ctrl_store_store(struct config_item *item, const char *page,
				size_t count)
{
	return model_cfg_store(item, "store", page, count,
			       nvmev_model_cfg_store);
}
CONFIGFS_ATTR(ctrl_, store);

static ssize_t ctrl_fresh_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_ctrl(item)->model_cfg.fresh);
}

static ssize_t ctrl_fresh_store(struct config_item *item, const char *page,
				size_t count)
{
	return model_cfg_store(item, "fresh", page, count,
			       nvmev_model_cfg_fresh);
}
CONFIGFS_ATTR(ctrl_, fresh);

static ssize_t ctrl_flash_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_ctrl(item)->model_cfg.flash_size);
}

/* bytes of modelled flash, 0: the region's storage; checked at enable */
static ssize_t ctrl_flash_size_store(struct config_item *item,
				     const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	u64 v;
	int ret = nvmev_parse_figure("flash_size", page, &v);

	if (ret)
		return ret;
	ret = cfg_begin(ctrl, "flash_size");
	if (ret)
		return ret;
	if (ctrl->model_cfg.flash_size != v) {
		ctrl->model_cfg.flash_size = v;
		ctrl->model_stale = true;
	}
	cfg_end();
	return count;
}
CONFIGFS_ATTR(ctrl_, flash_size);

static ssize_t figure_show(struct config_item *item, char *page,
			   enum nvmev_figure f)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);

	if (!test_bit(f, ctrl->model_cfg.set))
		return sysfs_emit(page, "profile\n");
	return sysfs_emit(page, "%llu\n", ctrl->model_cfg.val[f]);
}

/* A number, or "profile" to take the profile's value again. */
static ssize_t figure_store(struct config_item *item, const char *page,
			    size_t count, enum nvmev_figure f)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	bool reset = sysfs_streq(page, "profile");
	char *end = NULL;
	u64 v = 0;
	int ret;

	if (!reset)
		v = memparse(page, &end);
	if (!reset && (end == page || (*end && *end != '\n'))) {
		pr_err("%s: %s=%.*s: not a number, K/M/G/T suffix allowed (or \"profile\")\n",
		       ctrl->name, nvmev_figure_names[f],
		       (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	ret = cfg_begin(ctrl, nvmev_figure_names[f]);
	if (ret)
		return ret;
	/* a change builds a new model at the next enable, which checks it */
	if (reset && test_bit(f, ctrl->model_cfg.set)) {
		__clear_bit(f, ctrl->model_cfg.set);
		ctrl->model_stale = true;
	} else if (!reset && (!test_bit(f, ctrl->model_cfg.set) ||
			      ctrl->model_cfg.val[f] != v)) {
		ctrl->model_cfg.val[f] = v;
		__set_bit(f, ctrl->model_cfg.set);
		ctrl->model_stale = true;
	}
	cfg_end();
	return count;
}

#define X(name, help)							\
	static ssize_t ctrl_##name##_show(struct config_item *item,	\
					  char *page)			\
	{								\
		return figure_show(item, page, NVMEV_FIG_##name);	\
	}								\
	static ssize_t ctrl_##name##_store(struct config_item *item,	\
					   const char *page, size_t count) \
	{								\
		return figure_store(item, page, count, NVMEV_FIG_##name); \
	}								\
	CONFIGFS_ATTR(ctrl_, name);
NVMEV_MODEL_FIGURES(X)
#undef X

/* ---- power loss ----------------------------------------------------------- */

/* write 1 to a power attribute: @fn under nvmev_ctrls_lock */
static ssize_t power_store(struct config_item *item, const char *attr,
			   const char *what, int (*fn)(struct nvmev_ctrl *ctrl),
			   const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	bool on;
	int ret;

	if (kstrtobool(page, &on) || !on) {
		pr_err("%s: %s=%.*s: write 1 to %s\n", ctrl->name, attr,
		       (int)strcspn(page, "\n"), page, what);
		return -EINVAL;
	}
	mutex_lock(&nvmev_ctrls_lock);
	ret = fn(ctrl);
	mutex_unlock(&nvmev_ctrls_lock);
	return ret ? ret : count;
}

/* write 1: the controller loses power now (core/instance.c) */
static ssize_t ctrl_power_cut_store(struct config_item *item, const char *page,
				    size_t count)
{
	return power_store(item, "power_cut", "cut the power",
			   nvmev_ctrl_power_cut, page, count);
}

static ssize_t ctrl_power_cut_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_ctrl(item)->power_cuts));
}
CONFIGFS_ATTR(ctrl_, power_cut);

/* write 1: power back after a cut */
static ssize_t ctrl_power_on_store(struct config_item *item, const char *page,
				   size_t count)
{
	return power_store(item, "power_on", "bring the power back",
			   nvmev_ctrl_power_on, page, count);
}

static ssize_t ctrl_power_on_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", !READ_ONCE(to_ctrl(item)->power_off));
}
CONFIGFS_ATTR(ctrl_, power_on);

/* ms from a cut until the power comes back by itself; 0: on power_on */
static ssize_t ctrl_power_restore_ms_store(struct config_item *item,
					   const char *page, size_t count)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	unsigned int ms;

	if (kstrtouint(page, 0, &ms) || ms > 3600000) {
		pr_err("%s: power_restore_ms=%.*s: 0 (back on power_on only) to 3600000\n",
		       ctrl->name, (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	WRITE_ONCE(ctrl->power_restore_ms, ms);
	return count;
}

static ssize_t ctrl_power_restore_ms_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", READ_ONCE(to_ctrl(item)->power_restore_ms));
}
CONFIGFS_ATTR(ctrl_, power_restore_ms);

/* ---- read-only ------------------------------------------------------------ */

static ssize_t ctrl_pci_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	ssize_t n;

	mutex_lock(&nvmev_ctrls_lock);
	n = sysfs_emit(page, "%s\n", ctrl->pdev ? pci_name(ctrl->pdev) : "");
	mutex_unlock(&nvmev_ctrls_lock);
	return n;
}
CONFIGFS_ATTR_RO(ctrl_, pci);

/* Namespace bytes; 0 until the model is built at the first enable. */
static ssize_t ctrl_capacity_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);
	ssize_t n;

	mutex_lock(&nvmev_ctrls_lock);
	n = sysfs_emit(page, "%llu\n", ctrl->model_stale ? 0 : ctrl->capacity);
	mutex_unlock(&nvmev_ctrls_lock);
	return n;
}
CONFIGFS_ATTR_RO(ctrl_, capacity);

static struct configfs_attribute *ctrl_attrs[] = {
	&ctrl_attr_enable,
	&ctrl_attr_memmap_start,
	&ctrl_attr_memmap_size,
	&ctrl_attr_cpus,
	&ctrl_attr_mdts,
	&ctrl_attr_serial,
	&ctrl_attr_model,
	&ctrl_attr_kind,
	&ctrl_attr_store,
	&ctrl_attr_fresh,
	&ctrl_attr_flash_size,
	&ctrl_attr_profile,
#define X(name, help) &ctrl_attr_##name,
	NVMEV_MODEL_FIGURES(X)
#undef X
	&ctrl_attr_power_cut,
	&ctrl_attr_power_on,
	&ctrl_attr_power_restore_ms,
	&ctrl_attr_pci,
	&ctrl_attr_capacity,
	NULL,
};

/* ---- namespaces/<nsid>/ ---------------------------------------------------- */

struct nvmev_ns_cfg {
	struct config_group group;
	struct nvmev_ctrl *ctrl;
	struct list_head node;		/* ctrl->ns_cfgs */
	u32 nsid;
	u64 size;			/* bytes, 0: all that is left */
	unsigned int lba_shift;
	bool enable;
	bool registered;		/* the builtin's, by the kernel */
};

static inline struct nvmev_ns_cfg *to_ns_cfg(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_ns_cfg, group);
}

/* Does the controller have namespaces of its own (a model built)? */
static bool has_device(struct nvmev_ctrl *ctrl)
{
	return ctrl->model && !ctrl->model_stale;
}

static int ns_cfg_create(struct nvmev_ctrl *ctrl, void *arg)
{
	struct nvmev_ns_cfg *c = arg;
	struct nvmev_ns *ns;
	u64 nr;
	int ret;

	if (ctrl->zoned && (c->nsid != 1 || c->size)) {
		pr_err("%s: namespace %u: a zoned controller (kind=zns) has one namespace, NSID 1, of every zone: %s\n",
		       ctrl->name, c->nsid,
		       c->nsid != 1 ? "use namespaces/1" : "leave its size 0");
		return -EINVAL;
	}
	nr = (c->size ? c->size : nvmev_ns_unallocated(ctrl)) >> c->lba_shift;
	ret = nvmev_ns_create(ctrl, c->nsid, nr, c->lba_shift, &ns);
	if (ret == -EEXIST) {
		pr_err("%s: namespace %u exists already (made by the host?)\n",
		       ctrl->name, c->nsid);
	} else if (ret == -ENOSPC || ret == -EINVAL) {
		pr_err("%s: namespace %u: size %llu: only %llu bytes are unallocated\n",
		       ctrl->name, c->nsid, nr << c->lba_shift,
		       nvmev_ns_unallocated(ctrl));
		ret = -ENOSPC;
	}
	if (ret)
		return ret;
	nvmev_ns_attach(ctrl, ns, true);
	return 0;
}

static int ns_cfg_delete(struct nvmev_ctrl *ctrl, void *arg)
{
	struct nvmev_ns_cfg *c = arg;
	struct nvmev_ns *ns = nvmev_ns_get(ctrl, c->nsid);

	return ns ? nvmev_ns_delete(ctrl, ns) : 0;
}

/* A new model: its namespaces are the enabled ones here, by NSID. */
int nvmev_configfs_ns_instantiate(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ns_cfg *c;
	u32 nsid;
	int ret;

	for (nsid = 1; nsid <= NVMEV_MAX_NS; nsid++) {
		list_for_each_entry(c, &ctrl->ns_cfgs, node) {
			if (c->nsid != nsid || !c->enable)
				continue;
			ret = ns_cfg_create(ctrl, c);
			if (ret)
				return ret;
		}
	}
	bitmap_zero(ctrl->ns_changed, NVMEV_MAX_NS + 1);
	return 0;
}

static ssize_t ns_enable_show(struct config_item *item, char *page)
{
	struct nvmev_ns_cfg *c = to_ns_cfg(item);
	struct nvmev_ctrl *ctrl = c->ctrl;
	bool on;

	mutex_lock(&nvmev_ctrls_lock);
	on = has_device(ctrl) ? nvmev_ns_get(ctrl, c->nsid) != NULL : c->enable;
	mutex_unlock(&nvmev_ctrls_lock);
	return sysfs_emit(page, "%d\n", on);
}

static ssize_t ns_enable_store(struct config_item *item, const char *page,
			       size_t count)
{
	struct nvmev_ns_cfg *c = to_ns_cfg(item);
	struct nvmev_ctrl *ctrl = c->ctrl;
	bool on;
	int ret = 0;

	if (kstrtobool(page, &on)) {
		pr_err("%s: namespace %u: enable=%.*s: write 1 or 0\n",
		       ctrl->name, c->nsid, (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	mutex_lock(&nvmev_ctrls_lock);
	if (has_device(ctrl)) {
		bool exists = nvmev_ns_get(ctrl, c->nsid) != NULL;

		if (on && exists) {
			pr_err("%s: namespace %u: already enabled\n",
			       ctrl->name, c->nsid);
			ret = -EBUSY;
		} else if (on) {
			ret = nvmev_dispatcher_call(ctrl, ns_cfg_create, c);
		} else if (exists) {
			ret = nvmev_dispatcher_call(ctrl, ns_cfg_delete, c);
		}
	}
	if (!ret)
		c->enable = on;
	mutex_unlock(&nvmev_ctrls_lock);
	return ret ? ret : count;
}
CONFIGFS_ATTR(ns_, enable);

/* Format attributes: only while the namespace is not on the device. */
static int ns_cfg_begin(struct nvmev_ns_cfg *c, const char *attr)
{
	mutex_lock(&nvmev_ctrls_lock);
	if (has_device(c->ctrl) ? nvmev_ns_get(c->ctrl, c->nsid) != NULL :
				  c->enable) {
		mutex_unlock(&nvmev_ctrls_lock);
		pr_err("%s: namespace %u: %s cannot change while it is enabled (write 0 to enable first: its data goes)\n",
		       c->ctrl->name, c->nsid, attr);
		return -EBUSY;
	}
	return 0;
}

static ssize_t ns_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_ns_cfg(item)->size);
}

static ssize_t ns_size_store(struct config_item *item, const char *page,
			     size_t count)
{
	struct nvmev_ns_cfg *c = to_ns_cfg(item);
	u64 v;
	int ret = nvmev_parse_size("size", page, &v);

	if (ret)
		return ret;
	ret = ns_cfg_begin(c, "size");
	if (ret)
		return ret;
	c->size = v;
	mutex_unlock(&nvmev_ctrls_lock);
	return count;
}
CONFIGFS_ATTR(ns_, size);

static ssize_t ns_lba_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", 1U << to_ns_cfg(item)->lba_shift);
}

static ssize_t ns_lba_size_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct nvmev_ns_cfg *c = to_ns_cfg(item);
	unsigned int v;
	int ret;

	if (kstrtouint(page, 0, &v) || (v != 512 && v != 4096)) {
		pr_err("%s: namespace %u: lba_size=%.*s: must be 512 or 4096\n",
		       c->ctrl->name, c->nsid, (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	ret = ns_cfg_begin(c, "lba_size");
	if (ret)
		return ret;
	c->lba_shift = ilog2(v);
	mutex_unlock(&nvmev_ctrls_lock);
	return count;
}
CONFIGFS_ATTR(ns_, lba_size);

/* What the device has: NSID's size in LBAs and attachment, or "absent". */
static ssize_t ns_state_show(struct config_item *item, char *page)
{
	struct nvmev_ns_cfg *c = to_ns_cfg(item);
	struct nvmev_ns *ns;
	ssize_t n;

	mutex_lock(&nvmev_ctrls_lock);
	ns = has_device(c->ctrl) ? nvmev_ns_get(c->ctrl, c->nsid) : NULL;
	if (ns)
		n = sysfs_emit(page, "%s nlbas=%llu lba_size=%u\n",
			       ns->attached ? "attached" : "detached",
			       ns->nr_lbas, 1U << ns->lba_shift);
	else
		n = sysfs_emit(page, "absent\n");
	mutex_unlock(&nvmev_ctrls_lock);
	return n;
}
CONFIGFS_ATTR_RO(ns_, state);

/*
 * badblocks, as null_blk's: "+FIRST-LAST" makes LBAs FIRST..LAST (or
 * "+LBA" one) fail reads with Unrecovered Read Error until written again,
 * "-FIRST-LAST" makes them good; reading lists "FIRST COUNT" per range.
 * On the namespace as it exists (enabled), changed on the dispatcher.
 */
struct bb_req {
	struct nvmev_ns_cfg *c;
	char *page;
	bool bad, show;
	u64 first, last;
	ssize_t ret;
};

static int bb_fn(struct nvmev_ctrl *ctrl, void *arg)
{
	struct bb_req *r = arg;
	struct nvmev_ns *ns = nvmev_ns_get(ctrl, r->c->nsid);
	int ret;

	if (!ns) {
		pr_err("%s: namespace %u: badblocks: the namespace does not exist (enable it first)\n",
		       ctrl->name, r->c->nsid);
		return -ENODEV;
	}
	if (r->show) {
		r->ret = badblocks_show(&ns->bb, r->page, 0);
		return 0;
	}
	ret = nvmev_ns_badblocks(ns, r->bad, r->first, r->last);
	if (ret == -ERANGE)
		pr_err("%s: namespace %u: badblocks: %llu-%llu is not a range of its %llu LBAs\n",
		       ctrl->name, r->c->nsid, r->first, r->last, ns->nr_lbas);
	else if (ret)
		pr_err("%s: namespace %u: badblocks: the table is full (512 ranges of up to 512 LBAs)\n",
		       ctrl->name, r->c->nsid);
	return ret;
}

static ssize_t bb_call(struct bb_req *r)
{
	struct nvmev_ctrl *ctrl = r->c->ctrl;
	int ret;

	mutex_lock(&nvmev_ctrls_lock);
	if (!has_device(ctrl)) {
		mutex_unlock(&nvmev_ctrls_lock);
		pr_err("%s: namespace %u: badblocks: the controller has no device yet (enable it first)\n",
		       ctrl->name, r->c->nsid);
		return -ENODEV;
	}
	ret = nvmev_dispatcher_call(ctrl, bb_fn, r);
	mutex_unlock(&nvmev_ctrls_lock);
	return ret;
}

static ssize_t ns_badblocks_show(struct config_item *item, char *page)
{
	struct bb_req r = { .c = to_ns_cfg(item), .page = page, .show = true };
	ssize_t ret = bb_call(&r);

	return ret ? ret : r.ret;
}

static ssize_t ns_badblocks_store(struct config_item *item, const char *page,
				  size_t count)
{
	struct bb_req r = { .c = to_ns_cfg(item) };
	char buf[64], *p = buf, *dash;
	ssize_t ret;

	if (count >= sizeof(buf))
		goto bad;
	memcpy(buf, page, count);
	buf[count] = 0;
	strim(buf);
	if (*p != '+' && *p != '-')
		goto bad;
	r.bad = *p++ == '+';
	dash = strchr(p, '-');
	if (dash)
		*dash++ = 0;
	if (kstrtou64(p, 0, &r.first) ||
	    (dash ? kstrtou64(dash, 0, &r.last) : (r.last = r.first, 0)))
		goto bad;
	if (r.first > r.last) {
		pr_err("%s: namespace %u: badblocks: %llu-%llu: the first LBA is after the last\n",
		       r.c->ctrl->name, r.c->nsid, r.first, r.last);
		return -EINVAL;
	}
	ret = bb_call(&r);
	return ret ? ret : count;
bad:
	pr_err("%s: namespace %u: badblocks=%.*s: write +FIRST-LAST (bad) or -FIRST-LAST (good again), in LBAs\n",
	       r.c->ctrl->name, r.c->nsid, (int)strcspn(page, "\n"), page);
	return -EINVAL;
}
CONFIGFS_ATTR(ns_, badblocks);

static struct configfs_attribute *ns_attrs[] = {
	&ns_attr_enable,
	&ns_attr_size,
	&ns_attr_lba_size,
	&ns_attr_state,
	&ns_attr_badblocks,
	NULL,
};

static void ns_release(struct config_item *item)
{
	kfree(to_ns_cfg(item));
}

static struct configfs_item_operations ns_item_ops = {
	.release = ns_release,
};

static const struct config_item_type ns_type = {
	.ct_item_ops = &ns_item_ops,
	.ct_attrs = ns_attrs,
	.ct_owner = THIS_MODULE,
};

static struct nvmev_ns_cfg *ns_cfg_new(struct nvmev_ctrl *ctrl, const char *name)
{
	struct nvmev_ns_cfg *c, *o;
	u32 nsid;

	if (kstrtou32(name, 10, &nsid) || !nsid || nsid > NVMEV_MAX_NS) {
		pr_err("%s: namespaces/%s: the name is the NSID, 1..%u\n",
		       ctrl->name, name, NVMEV_MAX_NS);
		return ERR_PTR(-EINVAL);
	}
	list_for_each_entry(o, &ctrl->ns_cfgs, node)
		if (o->nsid == nsid)
			return ERR_PTR(-EEXIST);	/* "01" and "1" */
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	c->ctrl = ctrl;
	c->nsid = nsid;
	c->lba_shift = 9;
	config_group_init_type_name(&c->group, name, &ns_type);
	list_add_tail(&c->node, &ctrl->ns_cfgs);
	return c;
}

static struct config_group *ns_make(struct config_group *group,
				    const char *name)
{
	struct nvmev_ctrl *ctrl = container_of(group, struct nvmev_ctrl,
					       ns_group);
	struct nvmev_ns_cfg *c;

	mutex_lock(&nvmev_ctrls_lock);
	c = ns_cfg_new(ctrl, name);
	mutex_unlock(&nvmev_ctrls_lock);
	return IS_ERR(c) ? ERR_CAST(c) : &c->group;
}

/* rmdir: the namespace goes from the device, with its data. */
static void ns_drop(struct config_group *group, struct config_item *item)
{
	struct nvmev_ns_cfg *c = to_ns_cfg(item);
	struct nvmev_ctrl *ctrl = c->ctrl;

	mutex_lock(&nvmev_ctrls_lock);
	if (c->enable && has_device(ctrl))
		nvmev_dispatcher_call(ctrl, ns_cfg_delete, c);
	list_del(&c->node);
	mutex_unlock(&nvmev_ctrls_lock);
	config_item_put(item);
}

static struct configfs_group_operations ns_group_ops = {
	.make_group = ns_make,
	.drop_item = ns_drop,
};

static const struct config_item_type ns_group_type = {
	.ct_group_ops = &ns_group_ops,
	.ct_owner = THIS_MODULE,
};

/* The controller's namespaces/ directory. */
/* ---- faults/: seeded media and controller faults (core/fault.c) ---------- */

static inline struct nvmev_ctrl *faults_ctrl(struct config_item *item)
{
	return container_of(to_config_group(item), struct nvmev_ctrl,
			    faults_group);
}

static int faults_apply(struct nvmev_ctrl *ctrl, void *arg)
{
	struct nvmev_faults *f = &ctrl->faults;
	const u64 *v = arg;	/* {what, value} */

	switch (v[0]) {
	case 0:
		f->seed = v[1];
		nvmev_faults_reseed(f);
		break;
	case 1:
		f->read_error_ppm = v[1];
		break;
	case 2:
		f->write_error_ppm = v[1];
		break;
	case 3:
		f->latency_ppm = v[1];
		break;
	case 4:
		f->latency_us = v[1];
		break;
	case 5:
		f->sticky = v[1];
		break;
	case 6:
		atomic64_set(&f->read_error_after, v[1]);
		break;
	case 7:
		atomic64_set(&f->stuck_after, v[1]);
		break;
	}
	nvmev_faults_update(f);
	return 0;
}

/* parse, check the range, apply on the dispatcher (between two commands) */
static ssize_t faults_set(struct config_item *item, const char *attr,
			  unsigned int what, u64 max, const char *page,
			  size_t count)
{
	struct nvmev_ctrl *ctrl = faults_ctrl(item);
	u64 v[2] = { what };

	if (kstrtou64(page, 0, &v[1]) || v[1] > max) {
		pr_err("%s: faults/%s=%.*s: a number from 0 to %llu\n",
		       ctrl->name, attr, (int)strcspn(page, "\n"), page, max);
		return -EINVAL;
	}
	mutex_lock(&nvmev_ctrls_lock);
	nvmev_dispatcher_call(ctrl, faults_apply, v);
	mutex_unlock(&nvmev_ctrls_lock);
	return count;
}

#define FAULT_ATTR(name, what, max, get)					\
	static ssize_t faults_##name##_show(struct config_item *item,	\
					    char *page)			\
	{								\
		struct nvmev_faults *f = &faults_ctrl(item)->faults;	\
									\
		return sysfs_emit(page, "%llu\n", (u64)(get));		\
	}								\
	static ssize_t faults_##name##_store(struct config_item *item,	\
					     const char *page,		\
					     size_t count)		\
	{								\
		return faults_set(item, #name, what, max, page, count);	\
	}								\
	CONFIGFS_ATTR(faults_, name)

FAULT_ATTR(seed, 0, U64_MAX, f->seed);
FAULT_ATTR(read_error_ppm, 1, 1000000, f->read_error_ppm);
FAULT_ATTR(write_error_ppm, 2, 1000000, f->write_error_ppm);
FAULT_ATTR(latency_ppm, 3, 1000000, f->latency_ppm);
FAULT_ATTR(latency_us, 4, 10000000, f->latency_us);
FAULT_ATTR(sticky, 5, 1, f->sticky);
FAULT_ATTR(read_error_after, 6, U64_MAX, atomic64_read(&f->read_error_after));
FAULT_ATTR(stuck_after, 7, U64_MAX, atomic64_read(&f->stuck_after));

static int fatal_fn(struct nvmev_ctrl *ctrl, void *arg)
{
	nvmev_ctrl_fatal(ctrl, "injected through configfs faults/fatal");
	return 0;
}

/* write 1: Controller Fatal Status now (the host resets the controller) */
static ssize_t faults_fatal_store(struct config_item *item, const char *page,
				  size_t count)
{
	struct nvmev_ctrl *ctrl = faults_ctrl(item);
	bool on;
	int ret = 0;

	if (kstrtobool(page, &on) || !on) {
		pr_err("%s: faults/fatal=%.*s: write 1\n", ctrl->name,
		       (int)strcspn(page, "\n"), page);
		return -EINVAL;
	}
	mutex_lock(&nvmev_ctrls_lock);
	if (!ctrl->live) {
		pr_err("%s: faults/fatal: the controller is not running\n",
		       ctrl->name);
		ret = -ENODEV;
	} else {
		nvmev_dispatcher_call(ctrl, fatal_fn, NULL);
	}
	mutex_unlock(&nvmev_ctrls_lock);
	return ret ? ret : count;
}

static ssize_t faults_fatal_show(struct config_item *item, char *page)
{
	struct nvmev_ctrl *ctrl = faults_ctrl(item);

	return sysfs_emit(page, "%d\n", ctrl->live && ctrl->regs &&
			  (READ_ONCE(ctrl->regs->csts) & NVME_CSTS_CFS) ? 1 : 0);
}
CONFIGFS_ATTR(faults_, fatal);

static ssize_t faults_injected_show(struct config_item *item, char *page)
{
	const struct nvmev_faults *f = &faults_ctrl(item)->faults;

	return sysfs_emit(page,
			  "read_errors %llu\nwrite_errors %llu\nretired_pages %llu\ndelayed %llu\nstuck %llu\n",
			  f->read_errors, f->write_errors, f->retired_pages,
			  f->delayed, f->stuck);
}
CONFIGFS_ATTR_RO(faults_, injected);

static struct configfs_attribute *faults_attrs[] = {
	&faults_attr_seed,
	&faults_attr_read_error_ppm,
	&faults_attr_read_error_after,
	&faults_attr_sticky,
	&faults_attr_write_error_ppm,
	&faults_attr_latency_ppm,
	&faults_attr_latency_us,
	&faults_attr_stuck_after,
	&faults_attr_fatal,
	&faults_attr_injected,
	NULL,
};

static const struct config_item_type faults_type = {
	.ct_attrs = faults_attrs,
	.ct_owner = THIS_MODULE,
};

static void ctrl_init_groups(struct nvmev_ctrl *ctrl)
{
	config_group_init_type_name(&ctrl->ns_group, "namespaces",
				    &ns_group_type);
	configfs_add_default_group(&ctrl->ns_group, &ctrl->group);
	config_group_init_type_name(&ctrl->faults_group, "faults",
				    &faults_type);
	configfs_add_default_group(&ctrl->faults_group, &ctrl->group);
}

/*
 * The module parameters' namespace 1 (all of the capacity, lba_size=),
 * before the builtin controller is enabled.
 */
int nvmev_configfs_builtin_ns(struct nvmev_ctrl *ctrl, unsigned int lba_shift)
{
	struct nvmev_ns_cfg *c = ns_cfg_new(ctrl, "1");

	if (IS_ERR(c))
		return PTR_ERR(c);
	c->lba_shift = lba_shift;
	c->enable = true;
	return 0;
}

/* Namespace settings kept by no directory (a builtin one not registered). */
void nvmev_configfs_ns_free(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ns_cfg *c, *t;

	list_for_each_entry_safe(c, t, &ctrl->ns_cfgs, node) {
		list_del(&c->node);
		kfree(c);
	}
}

static void ctrl_release(struct config_item *item)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);

	configfs_remove_default_groups(&ctrl->group);
	nvmev_ctrl_free(ctrl);
}

static struct configfs_item_operations ctrl_item_ops = {
	.release = ctrl_release,
};

static const struct config_item_type ctrl_type = {
	.ct_item_ops = &ctrl_item_ops,
	.ct_attrs = ctrl_attrs,
	.ct_owner = THIS_MODULE,
};

/* ---- the nvmev directory: mkdir and rmdir of controllers ------------------ */

static struct config_group *ctrl_make(struct config_group *group,
				      const char *name)
{
	struct nvmev_ctrl *ctrl = nvmev_ctrl_alloc(name);

	if (IS_ERR(ctrl))
		return ERR_CAST(ctrl);
	config_group_init_type_name(&ctrl->group, name, &ctrl_type);
	ctrl_init_groups(ctrl);
	mutex_lock(&nvmev_ctrls_lock);
	list_add_tail(&ctrl->node, &nvmev_ctrls);
	mutex_unlock(&nvmev_ctrls_lock);
	return &ctrl->group;
}

/* rmdir: an enabled controller is pinned, so this one is disabled. */
static void ctrl_drop(struct config_group *group, struct config_item *item)
{
	struct nvmev_ctrl *ctrl = to_ctrl(item);

	mutex_lock(&nvmev_ctrls_lock);
	nvmev_ctrl_disable(ctrl);
	list_del(&ctrl->node);
	mutex_unlock(&nvmev_ctrls_lock);
	config_item_put(item);
}

static struct configfs_group_operations subsys_ops = {
	.make_group = ctrl_make,
	.drop_item = ctrl_drop,
};

static ssize_t subsys_features_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "enable,memmap_start,memmap_size,cpus,mdts,serial,model,kind,store,flash_size,profile,zone_size,zone_cap,max_open,max_active,stripe_luns,pci,capacity,namespaces\n");
}
CONFIGFS_ATTR_RO(subsys_, features);

static struct configfs_attribute *subsys_attrs[] = {
	&subsys_attr_features,
	NULL,
};

static const struct config_item_type subsys_type = {
	.ct_group_ops = &subsys_ops,
	.ct_attrs = subsys_attrs,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem nvmev_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = NVMEV_DRV_NAME,
			.ci_type = &subsys_type,
		},
	},
};

/* An enabled controller cannot be removed: rmdir gets -EBUSY. */
int nvmev_configfs_pin(struct nvmev_ctrl *ctrl)
{
	return configfs_depend_item_unlocked(&nvmev_subsys,
					     &ctrl->group.cg_item);
}

void nvmev_configfs_unpin(struct nvmev_ctrl *ctrl)
{
	configfs_undepend_item(&ctrl->group.cg_item);
}

/* The module parameters' controller: a default group, no rmdir. */
int nvmev_configfs_add_builtin(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ns_cfg *c;
	int ret;

	config_group_init_type_name(&ctrl->group, ctrl->name, &ctrl_type);
	ctrl_init_groups(ctrl);
	ret = configfs_register_group(&nvmev_subsys.su_group, &ctrl->group);
	if (ret)
		return ret;
	/* its namespace 1, registered like the controller: no rmdir */
	list_for_each_entry(c, &ctrl->ns_cfgs, node) {
		ret = configfs_register_group(&ctrl->ns_group, &c->group);
		if (ret) {
			configfs_unregister_group(&ctrl->group);
			return ret;
		}
		c->registered = true;
	}
	return 0;
}

/* Leaves the controller to its owner: the reference of init stays. */
void nvmev_configfs_del_builtin(struct nvmev_ctrl *ctrl)
{
	struct nvmev_ns_cfg *c;

	list_for_each_entry(c, &ctrl->ns_cfgs, node)
		if (c->registered)
			configfs_unregister_group(&c->group);
	configfs_unregister_group(&ctrl->group);
}

int nvmev_configfs_init(void)
{
	int ret;

	config_group_init(&nvmev_subsys.su_group);
	mutex_init(&nvmev_subsys.su_mutex);
	ret = configfs_register_subsystem(&nvmev_subsys);
	if (ret)
		pr_err("cannot register the configfs subsystem: %d\n", ret);
	return ret;
}

void nvmev_configfs_exit(void)
{
	configfs_unregister_subsystem(&nvmev_subsys);
}
