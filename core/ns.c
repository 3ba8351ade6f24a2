// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces: each owns an LBA format and an extent of its controller's
 * logical space, all of them sharing the controller's device model (its
 * flash, channels, write buffer and GC), as on a real SSD.  A zoned
 * controller (kind=zns) has one namespace, NSID 1, over all its zones.
 *
 * An extent is a contiguous run of whole 4 KiB mapping units, so that no
 * two namespaces ever share a unit; extents are allocated first fit.  A
 * namespace's LBA n is controller byte base + (n << lba_shift): the
 * storage behind it and the model's units follow from that.
 *
 * The table (ctrl->ns[], by NSID) belongs to the dispatcher while the
 * controller is enabled: Namespace Management, Attachment and Format run
 * there, and configfs asks the dispatcher to do its changes
 * (nvmev_dispatcher_call()).  While it is disabled, configfs changes it
 * under nvmev_ctrls_lock.  A namespace that is deleted or formatted first
 * waits until no fetched command is left in flight (nvmev_workers_drain()):
 * the dispatcher fetches nothing meanwhile, so afterwards nothing refers
 * to the old extent or format.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/slab.h>
#include <linux/sort.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"

#define UNIT_SIZE	4096ULL

/* The attached namespace @nsid, or NULL (the I/O path's lookup). */
struct nvmev_ns *nvmev_ns_active(struct nvmev_ctrl *ctrl, u32 nsid)
{
	struct nvmev_ns *ns;

	if (!nsid || nsid > NVMEV_MAX_NS)
		return NULL;
	ns = ctrl->ns[nsid];
	return ns && ns->attached ? ns : NULL;
}

/* The allocated namespace @nsid (attached or not), or NULL. */
struct nvmev_ns *nvmev_ns_get(struct nvmev_ctrl *ctrl, u32 nsid)
{
	if (!nsid || nsid > NVMEV_MAX_NS)
		return NULL;
	return ctrl->ns[nsid];
}

u64 nvmev_ns_unallocated(struct nvmev_ctrl *ctrl)
{
	u64 used = 0;
	unsigned int i;

	for (i = 1; i <= NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			used += ctrl->ns[i]->bytes;
	return ctrl->capacity > used ? ctrl->capacity - used : 0;
}

static int ext_cmp(const void *a, const void *b)
{
	const struct nvmev_ns *x = *(const struct nvmev_ns * const *)a;
	const struct nvmev_ns *y = *(const struct nvmev_ns * const *)b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* First fit: the lowest gap of @bytes in the logical space, or -ENOSPC. */
static int find_extent(struct nvmev_ctrl *ctrl, u64 bytes, u64 *base)
{
	struct nvmev_ns *v[NVMEV_MAX_NS];
	unsigned int i, n = 0;
	u64 at = 0;

	for (i = 1; i <= NVMEV_MAX_NS; i++)
		if (ctrl->ns[i])
			v[n++] = ctrl->ns[i];
	sort(v, n, sizeof(v[0]), ext_cmp, NULL);
	for (i = 0; i < n; i++) {
		if (v[i]->base - at >= bytes)
			break;
		at = v[i]->base + v[i]->bytes;
	}
	if (at > ctrl->capacity || ctrl->capacity - at < bytes)
		return -ENOSPC;
	*base = at;
	return 0;
}

static struct nvmev_ns *ns_new(struct nvmev_ctrl *ctrl, u32 nsid,
			       unsigned int lba_shift)
{
	struct nvmev_ns *ns = kzalloc(sizeof(*ns), GFP_KERNEL);

	if (!ns)
		return NULL;
	if (badblocks_init(&ns->bb, 1)) {
		kfree(ns);
		return NULL;
	}
	ns->ctrl = ctrl;
	ns->nsid = nsid;
	ns->lba_shift = lba_shift;
	/*
	 * A namespace made while the controller runs is a new one even in a
	 * deleted one's NSID: its EUI64/NGUID/UUID differ (admin/ns.c).
	 */
	ns->gen = ctrl->live ? ++ctrl->ns_gen : 0;
	return ns;
}

static void ns_free(struct nvmev_ns *ns)
{
	if (!ns)
		return;
	badblocks_exit(&ns->bb);
	kfree(ns);
}

/*
 * Mark LBAs [@first, @last] bad (reads fail with Unrecovered Read Error
 * until they are written) or good again.  Dispatcher (or disabled).
 */
int nvmev_ns_badblocks(struct nvmev_ns *ns, bool bad, u64 first, u64 last)
{
	u64 n;

	if (first > last || last >= ns->nr_lbas)
		return -ERANGE;
	for (n = last - first + 1; n; ) {	/* the table counts in ints */
		int k = min_t(u64, n, INT_MAX / 2);

		if (bad ? badblocks_set(&ns->bb, first, k, 1) :
			  badblocks_clear(&ns->bb, first, k))
			return -ENOSPC;
		first += k;
		n -= k;
	}
	return 0;
}

/*
 * A zoned controller's namespace: NSID 1 and every zone (the model sets
 * its size, core/model_zns.c); -EINVAL for another NSID, -EEXIST or
 * -ENFILE when NSID 1 is taken.
 */
static int create_zoned(struct nvmev_ctrl *ctrl, u32 nsid,
			unsigned int lba_shift, struct nvmev_ns **out)
{
	struct nvmev_ns *ns;
	int ret;

	if (nsid > 1 || (lba_shift != 9 && lba_shift != 12))
		return -EINVAL;
	if (ctrl->ns[1])
		return nsid ? -EEXIST : -ENFILE;
	ns = ns_new(ctrl, 1, lba_shift);
	if (!ns)
		return -ENOMEM;
	ret = nvmev_model_ns_setup(ctrl, ns);
	if (ret) {
		ns_free(ns);
		return ret;
	}
	ctrl->ns[1] = ns;
	if (out)
		*out = ns;
	return 0;
}

/*
 * Allocate namespace @nsid (0: the lowest free one) of @nr_lbas blocks of
 * 2^@lba_shift bytes, not attached.  0, -EEXIST (NSID in use), -ENFILE
 * (no NSID free), -ENOSPC (no extent that large), -EINVAL, -ENOMEM.
 */
int nvmev_ns_create(struct nvmev_ctrl *ctrl, u32 nsid, u64 nr_lbas,
		    unsigned int lba_shift, struct nvmev_ns **out)
{
	struct nvmev_ns *ns;
	u64 bytes, base = 0;
	int ret;

	if (ctrl->zoned)	/* one namespace, NSID 1, all the zones */
		return create_zoned(ctrl, nsid, lba_shift, out);
	if ((lba_shift != 9 && lba_shift != 12) || !nr_lbas ||
	    nr_lbas > (ctrl->capacity >> lba_shift))
		return nr_lbas ? -ENOSPC : -EINVAL;
	if (nsid > NVMEV_MAX_NS)
		return -EINVAL;
	if (!nsid) {
		for (nsid = 1; nsid <= NVMEV_MAX_NS && ctrl->ns[nsid]; nsid++)
			;
		if (nsid > NVMEV_MAX_NS)
			return -ENFILE;
	} else if (ctrl->ns[nsid]) {
		return -EEXIST;
	}
	bytes = round_up(nr_lbas << lba_shift, UNIT_SIZE);
	ret = find_extent(ctrl, bytes, &base);
	if (ret)
		return ret;
	ns = ns_new(ctrl, nsid, lba_shift);
	if (!ns)
		return -ENOMEM;
	ns->nr_lbas = nr_lbas;
	ns->base = base;
	ns->bytes = bytes;
	ctrl->ns[nsid] = ns;
	if (out)
		*out = ns;
	return 0;
}

/* Wait until no fetched command is in flight (dispatcher or disabled). */
static int quiesce(struct nvmev_ctrl *ctrl)
{
	if (!ctrl->live)
		return 0;
	return nvmev_workers_drain(ctrl);
}

int nvmev_ns_delete(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	int ret = quiesce(ctrl);

	if (ret)
		return ret;
	if (ns->attached)
		nvmev_ns_changed(ctrl, ns->nsid);
	/* the data is gone: unmapped extent, reset zones */
	nvmev_model_ns_erase(ctrl, ns, ns->lba_shift);
	ctrl->ns[ns->nsid] = NULL;
	ns_free(ns);
	return 0;
}

/*
 * Format: a new LBA size over the same extent, and the data gone (user
 * data erase and "no secure erase" alike: the units are unmapped).
 */
int nvmev_ns_format(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
		    unsigned int lba_shift)
{
	int ret = quiesce(ctrl);

	if (ret)
		return ret;
	nvmev_model_ns_erase(ctrl, ns, lba_shift);
	if (ns->zoned) {
		ns->lba_shift = lba_shift;	/* nr_lbas: set by the model */
	} else if (ns->lba_shift != lba_shift) {
		ns->nr_lbas = ns->bytes >> lba_shift;
		if (lba_shift < ns->lba_shift)	/* whole old blocks only */
			ns->nr_lbas = (ns->nr_lbas >> (ns->lba_shift - lba_shift))
				      << (ns->lba_shift - lba_shift);
		ns->lba_shift = lba_shift;
	}
	if (ns->attached)
		nvmev_ns_changed(ctrl, ns->nsid);
	return 0;
}

void nvmev_ns_attach(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns, bool on)
{
	if (ns->attached == on)
		return;
	ns->attached = on;
	nvmev_ns_changed(ctrl, ns->nsid);
}

/*
 * The Namespace Attribute Changed event: the NSID goes on the Changed
 * Namespace List (log 04h) and, if the host enabled the notice, an AER
 * completes; the host then rescans.
 */
void nvmev_ns_changed(struct nvmev_ctrl *ctrl, u32 nsid)
{
	__set_bit(nsid, ctrl->ns_changed);
	if (ctrl->live && (ctrl->feat.async_event & NVME_AEN_CFG_NS_ATTR))
		nvmev_raise_aer(ctrl, NVMEV_AER_TYPE_NOTICE,
				NVME_AER_NOTICE_NS_CHANGED, NVME_LOG_CHANGED_NS);
}

/* Every namespace gone: a new model, or the controller freed. */
void nvmev_ns_free_all(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	for (i = 1; i <= NVMEV_MAX_NS; i++) {
		ns_free(ctrl->ns[i]);
		ctrl->ns[i] = NULL;
	}
	bitmap_zero(ctrl->ns_changed, NVMEV_MAX_NS + 1);
}
