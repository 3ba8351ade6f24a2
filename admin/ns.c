// SPDX-License-Identifier: GPL-2.0
/*
 * Admin commands about namespaces: the namespace Identify structures and
 * lists (CNS 00h, 02h, 03h, 05h, 07h, 08h, 10h-13h), Namespace Management (create,
 * delete), Namespace Attachment (attach, detach), Format NVM and the
 * Changed Namespace List log.  The namespaces themselves: core/ns.c.
 *
 * One controller (CNTLID 1) per subsystem: a namespace is attached to it
 * or to nothing.  NSIDs 1..NVMEV_MAX_NS; an NSID in that range that has
 * no namespace is unallocated, one with a detached namespace inactive.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/jhash.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include "../core/nvmev.h"
#include "../trace/nvmev_trace.h"
#include "admin.h"

#define NVMEV_CNTLID		1
#define NSID_ALL		0xffffffff

/* NVMe 2.0 Identify CNS values <linux/nvme.h> of 6.1 does not name */
#define CNS_NS_ACTIVE_LIST_CS	0x07	/* active NSIDs of one command set */
#define CNS_NS_CS_INDEP		0x08	/* I/O command set independent */

/* LBA formats: 0 is 512 bytes, 1 is 4096 bytes; no metadata, no PI. */
static void fill_lbaf(struct nvme_id_ns *id)
{
	id->nlbaf = 1;				/* two formats */
	id->lbaf[0].ds = 9;
	id->lbaf[0].rp = 1;
	id->lbaf[1].ds = 12;
	id->lbaf[1].rp = 0;
}

static unsigned int lbaf_shift(unsigned int lbaf)
{
	return lbaf == 0 ? 9 : 12;
}

/*
 * Identifiers unique per controller serial, NSID and generation: stable
 * across loads for the namespaces a controller powers on with, new for
 * one created in place of a deleted one.
 */
static void make_ids(struct nvmev_ctrl *ctrl, const struct nvmev_ns *ns,
		     u8 eui64[8], u8 nguid[16], u8 uuid[16])
{
	size_t n = strlen(ctrl->serial);
	u32 h[4];
	int i;

	for (i = 0; i < 4; i++)
		h[i] = jhash(ctrl->serial, n, 0x6e766d65 + i + ns->nsid * 4 +
			     (ns->gen << 16));
	memcpy(nguid, h, 16);
	memcpy(uuid, h, 16);
	uuid[6] = (uuid[6] & 0x0f) | 0x40;	/* RFC 4122 version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	eui64[0] = 0x02;			/* locally administered */
	memcpy(eui64 + 1, h, 7);
}

static void fill_id_ns(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
		       struct nvme_id_ns *id)
{
	u8 eui64[8], nguid[16], uuid[16];

	NVMEV_FN();
	id->nsze = cpu_to_le64(ns->nr_lbas);
	id->ncap = cpu_to_le64(ns->nr_lbas);
	id->nuse = cpu_to_le64(ns->nr_lbas);
	fill_lbaf(id);
	id->flbas = ns->lba_shift == 9 ? 0 : 1;
	id->dlfeat = 0x01 | BIT(3);	/* reads of deallocated LBAs: zeroes */
	/*
	 * Copy limits (NVMe 2.0, bytes 80:74): MSSRL (2 bytes) and MCL (4)
	 * in LBAs, MSRC (1) 0's based; see NVMEV_COPY_MAX_BYTES.
	 */
	BUILD_BUG_ON(offsetof(struct nvme_id_ns, rsvd74) != 74);
	if (!ns->zoned) {	/* no Copy on a zoned namespace */
		put_unaligned_le16(NVMEV_COPY_MAX_BYTES >> ns->lba_shift,
				   id->rsvd74);
		put_unaligned_le32(NVMEV_COPY_MAX_BYTES >> ns->lba_shift,
				   id->rsvd74 + 2);
		id->rsvd74[6] = NVMEV_COPY_MAX_RANGES - 1;
	}
	put_unaligned_le64(ns->bytes, id->nvmcap);
	make_ids(ctrl, ns, eui64, nguid, uuid);
	memcpy(id->eui64, eui64, sizeof(id->eui64));
	memcpy(id->nguid, nguid, sizeof(id->nguid));
}

static size_t fill_ns_desc(struct nvmev_ctrl *ctrl, const struct nvmev_ns *ns,
			   u8 *buf)
{
	u8 eui64[8], nguid[16], uuid[16];
	struct nvme_ns_id_desc *d;
	size_t off = 0;

	make_ids(ctrl, ns, eui64, nguid, uuid);
	d = (void *)buf;
	d->nidt = NVME_NIDT_EUI64;
	d->nidl = NVME_NIDT_EUI64_LEN;
	memcpy(buf + sizeof(*d), eui64, sizeof(eui64));
	off += sizeof(*d) + sizeof(eui64);
	d = (void *)(buf + off);
	d->nidt = NVME_NIDT_NGUID;
	d->nidl = NVME_NIDT_NGUID_LEN;
	memcpy(buf + off + sizeof(*d), nguid, sizeof(nguid));
	off += sizeof(*d) + sizeof(nguid);
	d = (void *)(buf + off);
	d->nidt = NVME_NIDT_UUID;
	d->nidl = NVME_NIDT_UUID_LEN;
	memcpy(buf + off + sizeof(*d), uuid, sizeof(uuid));
	off += sizeof(*d) + sizeof(uuid);
	/* the Command Set Identifier, for a controller with several */
	if (ctrl->zoned) {
		d = (void *)(buf + off);
		d->nidt = NVME_NIDT_CSI;
		d->nidl = NVME_NIDT_CSI_LEN;
		buf[off + sizeof(*d)] = nvmev_ns_csi(ns);
		off += sizeof(*d) + NVME_NIDT_CSI_LEN;
	}
	return off;
}

/*
 * Zoned Namespace Command Set specific Identify Namespace (ZNS 1.1,
 * 3.1.1): no zone operation characteristics, no Read Across Zone
 * Boundaries, the open/active limits (0's based, all ones: none), the
 * zone size of each LBA format, no zone descriptor extensions.
 */
static void fill_id_ns_zns(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
			   struct nvme_id_ns_zns *id)
{
	u64 lim;

	NVMEV_FN();
	lim = nvmev_zns_max_active(ctrl);
	id->mar = cpu_to_le32(lim ? lim - 1 : 0xffffffff);
	lim = nvmev_zns_max_open(ctrl);
	id->mor = cpu_to_le32(lim ? lim - 1 : 0xffffffff);
	id->lbafe[0].zsze = cpu_to_le64(nvmev_zns_zone_bytes(ctrl) >> lbaf_shift(0));
	id->lbafe[1].zsze = cpu_to_le64(nvmev_zns_zone_bytes(ctrl) >> lbaf_shift(1));
}

/* NSIDs above @nsid of command set @csi, ascending, attached ones only. */
static u16 ns_list_csi(struct nvmev_ctrl *ctrl, u32 nsid, u8 csi, __le32 *l)
{
	unsigned int i, n = 0;

	if (csi != NVME_CSI_NVM && !(csi == NVME_CSI_ZNS && ctrl->zoned))
		return SC_INVALID_FIELD;
	for (i = nsid + 1; i <= NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = ctrl->ns[i];

		if (ns && ns->attached && nvmev_ns_csi(ns) == csi)
			l[n++] = cpu_to_le32(i);
	}
	return SC_SUCCESS;
}

/* I/O Command Set Independent Identify Namespace (NVMe 2.0, CNS 08h). */
static void fill_id_ns_indep(struct nvmev_ns *ns, struct nvme_id_ns_cs_indep *id)
{
	id->nstat = 1;		/* ready */
}

/* NSIDs above @nsid, ascending, attached ones only if @active. */
static void ns_list(struct nvmev_ctrl *ctrl, u32 nsid, bool active, __le32 *l)
{
	unsigned int i, n = 0;

	for (i = nsid + 1; i <= NVMEV_MAX_NS; i++) {
		struct nvmev_ns *ns = ctrl->ns[i];

		if (ns && (!active || ns->attached))
			l[n++] = cpu_to_le32(i);
	}
}

static void ctrl_list(__le16 *l, bool present)
{
	if (present) {
		l[0] = cpu_to_le16(1);
		l[1] = cpu_to_le16(NVMEV_CNTLID);
	}
}

/* Identify for the namespace CNS values; @buf is 4 KiB of zeroes. */
u16 nvmev_identify_ns(struct nvmev_ctrl *ctrl, u8 cns, u8 csi, u32 nsid,
		      void *buf)
{
	struct nvmev_ns *ns = nvmev_ns_get(ctrl, nsid);
	bool valid = nsid >= 1 && nsid <= NVMEV_MAX_NS;

	switch (cns) {
	case NVME_ID_CNS_NS:
		if (nsid == NSID_ALL) {
			fill_lbaf(buf);	/* capabilities common to all */
			return SC_SUCCESS;
		}
		if (!valid)
			return SC_INVALID_NS;
		/* an inactive NSID: a zero-filled structure */
		if (ns && ns->attached)
			fill_id_ns(ctrl, ns, buf);
		return SC_SUCCESS;
	case NVME_ID_CNS_NS_PRESENT:
		if (!valid)
			return SC_INVALID_NS;
		if (ns)
			fill_id_ns(ctrl, ns, buf);
		return SC_SUCCESS;
	case NVME_ID_CNS_NS_ACTIVE_LIST:
	case NVME_ID_CNS_NS_PRESENT_LIST:
		if (nsid >= 0xfffffffe)
			return SC_INVALID_NS;
		ns_list(ctrl, nsid, cns == NVME_ID_CNS_NS_ACTIVE_LIST, buf);
		return SC_SUCCESS;
	case NVME_ID_CNS_NS_DESC_LIST:
		if (!nvmev_ns_active(ctrl, nsid))
			return SC_INVALID_NS;
		fill_ns_desc(ctrl, ns, buf);
		return SC_SUCCESS;
	case NVME_ID_CNS_CS_NS:
		if (!valid)
			return SC_INVALID_NS;
		/* NVM command set specific namespace data: all zero */
		if (csi == NVME_CSI_NVM)
			return SC_SUCCESS;
		if (csi != NVME_CSI_ZNS || !ctrl->zoned)
			return SC_INVALID_FIELD;
		if (ns && ns->attached)
			fill_id_ns_zns(ctrl, ns, buf);
		return SC_SUCCESS;
	case CNS_NS_ACTIVE_LIST_CS:
		if (nsid >= 0xfffffffe)
			return SC_INVALID_NS;
		return ns_list_csi(ctrl, nsid, csi, buf);
	case CNS_NS_CS_INDEP:
		if (!valid)
			return SC_INVALID_NS;
		if (ns && ns->attached)
			fill_id_ns_indep(ns, buf);
		return SC_SUCCESS;
	case NVME_ID_CNS_CTRL_NS_LIST:
		/* the controllers @nsid is attached to */
		if (!valid)
			return SC_INVALID_NS;
		ctrl_list(buf, ns && ns->attached);
		return SC_SUCCESS;
	case NVME_ID_CNS_CTRL_LIST:
		ctrl_list(buf, true);
		return SC_SUCCESS;
	default:
		return SC_INVALID_FIELD;
	}
}

/* ---- Namespace Management ------------------------------------------------- */

static u16 ns_create(struct nvmev_ctrl *ctrl, const struct nvme_command *c,
		     u32 *result)
{
	struct nvme_id_ns *id;
	struct nvmev_ns *ns;
	unsigned int lbaf;
	u64 nsze, ncap;
	u16 st;
	int ret;

	if (le32_to_cpu(c->common.nsid) != 0)
		return SC_INVALID_FIELD;
	id = kzalloc(sizeof(*id), GFP_KERNEL);
	if (!id)
		return SC_INTERNAL;
	st = nvmev_prp_xfer(ctrl, le64_to_cpu(c->common.dptr.prp1),
			    le64_to_cpu(c->common.dptr.prp2), sizeof(*id), id,
			    NVMEV_FROM_HOST);
	if (st)
		goto out;
	nsze = le64_to_cpu(id->nsze);
	ncap = le64_to_cpu(id->ncap);
	lbaf = id->flbas & 0xf;
	/* LBA formats 0 and 1 only, no protection information */
	if (lbaf > 1 || (id->flbas & 0x60) || id->dps)
		st = SC_INVALID_FORMAT;
	else if (!nsze)
		st = SC_INVALID_FIELD;
	else if (ncap != nsze)
		st = SC_THIN_PROV_NOT_SUPP;
	else if (id->nmic & 1)
		st = SC_INVALID_FIELD;		/* one controller: no sharing */
	if (st)
		goto out;
	ret = nvmev_ns_create(ctrl, 0, nsze, lbaf_shift(lbaf), &ns);
	if (ret == -ENFILE)
		st = SC_NS_ID_UNAVAILABLE;
	else if (ret == -ENOSPC)
		st = SC_NS_INSUFFICIENT_CAP;
	else if (ret)
		st = SC_INTERNAL;
	else
		*result = ns->nsid;
out:
	kfree(id);
	return st;
}

static u16 ns_delete_one(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns)
{
	return nvmev_ns_delete(ctrl, ns) ? SC_INTERNAL : SC_SUCCESS;
}

u16 nvmev_admin_ns_mgmt(struct nvmev_ctrl *ctrl, const struct nvme_command *c,
			u32 *result)
{
	u32 sel = le32_to_cpu(c->common.cdw10) & 0xf;
	u32 nsid = le32_to_cpu(c->common.nsid);
	struct nvmev_ns *ns;
	unsigned int i;
	u16 st = SC_SUCCESS;

	NVMEV_FN();
	if (ctrl->zoned)	/* one namespace, all the zones: OACS says so */
		return SC_INVALID_OPCODE;
	switch (sel) {
	case 0:
		return ns_create(ctrl, c, result);
	case 1:
		if (nsid == NSID_ALL) {
			for (i = 1; i <= NVMEV_MAX_NS && !st; i++)
				if (ctrl->ns[i])
					st = ns_delete_one(ctrl, ctrl->ns[i]);
			return st;
		}
		ns = nvmev_ns_get(ctrl, nsid);
		if (!ns)
			return SC_INVALID_NS;
		return ns_delete_one(ctrl, ns);
	default:
		return SC_INVALID_FIELD;
	}
}

/* ---- Namespace Attachment ------------------------------------------------- */

u16 nvmev_admin_ns_attach(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u32 sel = le32_to_cpu(c->common.cdw10) & 0xf;
	u32 nsid = le32_to_cpu(c->common.nsid);
	struct nvmev_ns *ns = nvmev_ns_get(ctrl, nsid);
	__le16 *list;
	unsigned int n, i;
	bool ours = false;
	u16 st;

	NVMEV_FN();
	if (ctrl->zoned)
		return SC_INVALID_OPCODE;
	if (sel > 1)
		return SC_INVALID_FIELD;
	if (!ns)
		return SC_INVALID_NS;
	list = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!list)
		return SC_INTERNAL;
	st = nvmev_prp_xfer(ctrl, le64_to_cpu(c->common.dptr.prp1),
			    le64_to_cpu(c->common.dptr.prp2),
			    NVME_IDENTIFY_DATA_SIZE, list, NVMEV_FROM_HOST);
	if (st)
		goto out;
	/* a list of this subsystem's controllers: ours only */
	n = le16_to_cpu(list[0]);
	if (!n || n > 2047) {
		st = SC_CTRL_LIST_INVALID;
		goto out;
	}
	for (i = 1; i <= n; i++) {
		if (le16_to_cpu(list[i]) != NVMEV_CNTLID) {
			st = SC_CTRL_LIST_INVALID;
			goto out;
		}
		ours = true;
	}
	if (sel == 0 && ns->attached)
		st = SC_NS_ALREADY_ATTACHED;
	else if (sel == 1 && !ns->attached)
		st = SC_NS_NOT_ATTACHED;
	else if (ours)
		nvmev_ns_attach(ctrl, ns, sel == 0);
out:
	kfree(list);
	return st;
}

/* ---- Format NVM ----------------------------------------------------------- */

u16 nvmev_admin_format(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u32 dw10 = le32_to_cpu(c->common.cdw10);
	u32 nsid = le32_to_cpu(c->common.nsid);
	unsigned int lbaf = (dw10 & 0xf) | (((dw10 >> 12) & 3) << 4);
	unsigned int pi = (dw10 >> 5) & 7, ses = (dw10 >> 9) & 7;
	struct nvmev_ns *ns;
	unsigned int i;

	NVMEV_FN();
	if (lbaf > 1)
		return SC_INVALID_FORMAT;
	if (pi)
		return SC_INVALID_FORMAT;	/* no protection information */
	if (ses > 1)
		return SC_INVALID_FIELD;	/* no cryptographic erase */
	if (nsid == NSID_ALL) {
		for (i = 1; i <= NVMEV_MAX_NS; i++) {
			ns = ctrl->ns[i];
			if (ns && ns->attached &&
			    nvmev_ns_format(ctrl, ns, lbaf_shift(lbaf)))
				return SC_INTERNAL;
		}
		return SC_SUCCESS;
	}
	ns = nvmev_ns_active(ctrl, nsid);
	if (!ns)
		return SC_INVALID_NS;
	if (nvmev_ns_format(ctrl, ns, lbaf_shift(lbaf)))
		return SC_INTERNAL;
	return SC_SUCCESS;
}

/* ---- Changed Namespace List (log 04h) -------------------------------------- */

/* Fills @buf (4 KiB) and, unless @rae, clears the list; returns its size. */
size_t nvmev_log_changed_ns(struct nvmev_ctrl *ctrl, void *buf, bool rae)
{
	__le32 *l = buf;
	unsigned int i, n = 0;

	for_each_set_bit(i, ctrl->ns_changed, NVMEV_MAX_NS + 1)
		l[n++] = cpu_to_le32(i);
	if (!rae)
		bitmap_zero(ctrl->ns_changed, NVMEV_MAX_NS + 1);
	return NVME_IDENTIFY_DATA_SIZE;		/* 1024 entries */
}
