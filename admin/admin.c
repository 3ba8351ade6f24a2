// SPDX-License-Identifier: GPL-2.0
/*
 * Admin command set: queue management, Identify, Get/Set Features, Get Log
 * Page, Asynchronous Event Request and Abort.  Runs on the dispatcher; every
 * command except AER completes before the next one is fetched.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/jhash.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include "../core/nvmev.h"
#include "../trace/nvmev_trace.h"
#include "../trace/events.h"
#include "admin.h"

#define TEMP_KELVIN		311	/* a steady 38 C composite temperature */
#define TEMP_WARN_KELVIN	343
#define TEMP_CRIT_KELVIN	358

#define AER_TYPE_ERROR		NVMEV_AER_TYPE_ERROR
#define AER_TYPE_SMART		NVMEV_AER_TYPE_SMART
#define AER_SMART_TEMP		1
#define AEC_TEMP		BIT(1)

#define FEAT_SEL_CURRENT	0
#define FEAT_SEL_DEFAULT	1
#define FEAT_SEL_SAVED		2
#define FEAT_SEL_CAPS		3
#define FEAT_CAP_CHANGEABLE	BIT(2)

/* NVMe 2.0 values <linux/nvme.h> of 6.1 does not name */
#define CNS_IOCS		0x1c	/* Identify: I/O Command Set data */
#define FEAT_IOCS_PROFILE	0x19	/* I/O Command Set Profile */
#define SC_IOCS_COMBINATION	NVMEV_ERR(NVMEV_SCT_CMD, 0x2b)	/* rejected */

struct admin_ctx {
	const struct nvme_command *cmd;
	u32 result;
};

static inline u32 cdw(const struct nvme_command *c, int n)
{
	const __le32 *dw = (const __le32 *)c;

	return le32_to_cpu(dw[n]);
}

static inline u64 prp1(const struct nvme_command *c)
{
	return le64_to_cpu(c->common.dptr.prp1);
}

static inline u64 prp2(const struct nvme_command *c)
{
	return le64_to_cpu(c->common.dptr.prp2);
}

/*
 * Post an admin completion.  @t_fetch is when the command was fetched (0
 * for a held AER), for the nvmev_cmd_complete event: admin commands have
 * no model time, so the event's target is 0 and its actual is the
 * handling time.
 */
static void admin_complete(struct nvmev_ctrl *ctrl, const struct nvme_command *c,
			   u16 status, u32 result, u64 t_fetch)
{
	bool irq = false;

	NVMEV_FN();
	if (status)
		nvmev_record_error(ctrl, 0, c->common.command_id, status, 0,
				   le32_to_cpu(c->common.nsid));
	/* the dispatcher checked for room before fetching */
	nvmev_post_cqe(ctrl, &ctrl->cq[0], 0, c->common.command_id, status,
		       result, &irq);
	trace_nvmev_cmd_complete(0, c->common.command_id, status, 0,
				 t_fetch ? nvmev_now() - t_fetch : 0);
	if (irq) {
		trace_nvmev_irq(ctrl->cq[0].vector, 0);
		nvmev_signal_irq(ctrl, ctrl->cq[0].vector);
	}
}

static void pad_copy(char *dst, const char *src, size_t n)
{
	size_t l = strnlen(src, n);

	memset(dst, ' ', n);
	memcpy(dst, src, l);
}

/* ---- queue management ---------------------------------------------------- */

/* A queue lives in host RAM a driver may give a device, never elsewhere. */
static u16 queue_base_ok(u64 base, u32 bytes)
{
	if (!base || (base & (NVMEV_PAGE_SIZE - 1)))
		return SC_PRP_OFFSET;
	if (!nvmev_host_range_ok(base, bytes))
		return SC_INVALID_FIELD;
	return SC_SUCCESS;
}

static u16 create_cq(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u16 qid = cdw(c, 10) & 0xffff;
	u32 size = (cdw(c, 10) >> 16) + 1;
	u32 flags = cdw(c, 11);
	u16 vector = flags >> 16;
	struct nvmev_cq *cq;
	u16 st;

	NVMEV_FN();
	if (!qid || qid > ctrl->nr_io_cq_granted || ctrl->cq[qid].valid)
		return SC_QID_INVALID;
	if (size < 2 || size > NVMEV_MQES + 1)
		return SC_QUEUE_SIZE;
	if (!(flags & NVME_QUEUE_PHYS_CONTIG))
		return SC_INVALID_FIELD;	/* CAP.CQR = 1 */
	if (((ctrl->cc >> NVME_CC_IOCQES_SHIFT) & 0xf) != NVME_NVM_IOCQES)
		return SC_INVALID_FIELD;
	if (vector >= NVMEV_MSIX_VECTORS)
		return SC_INVALID_VECTOR;
	st = queue_base_ok(prp1(c), size * sizeof(struct nvme_completion));
	if (st)
		return st;

	cq = &ctrl->cq[qid];
	cq->qid = qid;
	cq->size = size;
	cq->tail = 0;
	cq->phase = 1;
	cq->vector = vector;
	cq->irq_enabled = flags & NVME_CQ_IRQ_ENABLED;
	cq->nr_sqs = 0;
	cq->db_error = false;
	cq->cqes = phys_to_virt(prp1(c));
	/* this CQ's head doorbell only: SQ x may be live, bound elsewhere */
	nvmev_db_clear(ctrl, qid, true);
	smp_wmb();
	WRITE_ONCE(cq->valid, true);
	ctrl->io_queues_created = true;
	return SC_SUCCESS;
}

static u16 create_sq(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u16 qid = cdw(c, 10) & 0xffff;
	u32 size = (cdw(c, 10) >> 16) + 1;
	u32 flags = cdw(c, 11);
	u16 cqid = flags >> 16;
	struct nvmev_sq *sq;
	u16 st;

	NVMEV_FN();
	if (!qid || qid > ctrl->nr_io_sq_granted || ctrl->sq[qid].valid)
		return SC_QID_INVALID;
	if (!cqid || cqid >= NVMEV_NR_QUEUES || !ctrl->cq[cqid].valid)
		return SC_CQ_INVALID;
	if (size < 2 || size > NVMEV_MQES + 1)
		return SC_QUEUE_SIZE;
	if (!(flags & NVME_QUEUE_PHYS_CONTIG))
		return SC_INVALID_FIELD;
	if (((ctrl->cc >> NVME_CC_IOSQES_SHIFT) & 0xf) != NVME_NVM_IOSQES)
		return SC_INVALID_FIELD;
	st = queue_base_ok(prp1(c), size * sizeof(struct nvme_command));
	if (st)
		return st;

	sq = &ctrl->sq[qid];
	sq->qid = qid;
	sq->cqid = cqid;
	sq->size = size;
	sq->head = 0;
	sq->prio = (flags >> 1) & 3;
	sq->cmds = phys_to_virt(prp1(c));
	sq->db_error = false;
	sq->instance++;
	ctrl->cq[cqid].nr_sqs++;
	nvmev_db_clear(ctrl, qid, false);
	smp_wmb();
	WRITE_ONCE(sq->valid, true);
	ctrl->io_queues_created = true;
	return SC_SUCCESS;
}

static u16 delete_sq(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u16 qid = cdw(c, 10) & 0xffff;
	struct nvmev_sq *sq;

	NVMEV_FN();
	if (!qid || qid >= NVMEV_NR_QUEUES || !ctrl->sq[qid].valid)
		return SC_QID_INVALID;
	sq = &ctrl->sq[qid];
	WRITE_ONCE(sq->valid, false);
	/* commands still in flight on this SQ are dropped by the workers */
	nvmev_sync_workers(ctrl);
	ctrl->cq[sq->cqid].nr_sqs--;
	/* a doorbell of no queue is zero: a later write to it is detected */
	nvmev_db_clear(ctrl, qid, false);
	return SC_SUCCESS;
}

static u16 delete_cq(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u16 qid = cdw(c, 10) & 0xffff;

	NVMEV_FN();
	if (!qid || qid >= NVMEV_NR_QUEUES || !ctrl->cq[qid].valid)
		return SC_QID_INVALID;
	if (ctrl->cq[qid].nr_sqs)
		return SC_INVALID_QDELETE;
	WRITE_ONCE(ctrl->cq[qid].valid, false);
	nvmev_sync_workers(ctrl);
	nvmev_db_clear(ctrl, qid, true);
	return SC_SUCCESS;
}

/* ---- identify ------------------------------------------------------------ */

static void fill_id_ctrl(struct nvmev_ctrl *ctrl, struct nvme_id_ctrl *id)
{
	NVMEV_FN();
	id->vid = cpu_to_le16(NVMEV_PCI_VENDOR);
	id->ssvid = cpu_to_le16(NVMEV_PCI_VENDOR);
	pad_copy(id->sn, ctrl->serial, sizeof(id->sn));
	pad_copy(id->mn, ctrl->model_name, sizeof(id->mn));
	pad_copy(id->fr, ctrl->firmware, sizeof(id->fr));
	id->rab = 6;
	id->ieee[0] = 0x00;
	id->ieee[1] = 0x0c;
	id->ieee[2] = 0x51;
	id->mdts = ctrl->mdts;
	id->cntlid = cpu_to_le16(1);
	id->ver = cpu_to_le32(0x00010400);
	id->cntrltype = 1;			/* I/O controller */
	/*
	 * Namespace Attribute Notices: namespaces come and go (admin/ns.c);
	 * advertising the notice also makes Linux keep an AER outstanding,
	 * which SMART events complete too.
	 */
	id->oaes = cpu_to_le32(NVME_AEN_CFG_NS_ATTR);
	/*
	 * Format NVM, Namespace Management and Attachment; a zoned
	 * controller has one namespace over all its zones: Format only.
	 */
	id->oacs = cpu_to_le16(BIT(1) |
			       (ctrl->zoned ? 0 : NVME_CTRL_OACS_NS_MNGT_SUPP));
	id->fna = 0;				/* format and erase per namespace */
	id->acl = 3;				/* 4 concurrent Aborts */
	id->aerl = NVMEV_MAX_AER - 1;
	id->frmw = 0x03;			/* 1 slot, slot 1 read-only */
	/*
	 * Effects log, extended data.  Not bit 5 (NVMe 2.0): it stands for
	 * the Supported Log Pages log, which nvmev answers, and also for
	 * LIDs 12h and 13h and a command scope in every effects entry;
	 * Linux (6.12) warns "unusual effects" for an I/O command whose
	 * entry has scope bits.
	 */
	id->lpa = 0x02 | 0x04;
	id->elpe = NVMEV_ERR_LOG_ENTRIES - 1;
	id->npss = 0;
	id->wctemp = cpu_to_le16(TEMP_WARN_KELVIN);
	id->cctemp = cpu_to_le16(TEMP_CRIT_KELVIN);
	put_unaligned_le64(ctrl->capacity, id->tnvmcap);
	put_unaligned_le64(nvmev_ns_unallocated(ctrl), id->unvmcap);
	id->sqes = 0x66;
	id->cqes = 0x44;
	id->nn = cpu_to_le32(ctrl->zoned ? 1 : NVMEV_MAX_NS);
	id->mnan = cpu_to_le32(ctrl->zoned ? 1 : NVMEV_MAX_NS);
	/*
	 * Compare, Dataset Management, Write Zeroes, Save/Select, Verify,
	 * Copy; a zoned namespace has no deallocation (a zone reset is its
	 * way) and no Copy.
	 */
	id->oncs = cpu_to_le16(NVME_CTRL_ONCS_COMPARE |
			       NVME_CTRL_ONCS_WRITE_ZEROES | BIT(4) | BIT(7) |
			       (ctrl->zoned ? 0 : NVME_CTRL_ONCS_DSM | BIT(8)));
	/* OCFS (bytes 535:534, NVMe 2.0): Copy descriptor format 0 only */
	BUILD_BUG_ON(offsetof(struct nvme_id_ctrl, rsvd534) != 534);
	if (!ctrl->zoned)
		put_unaligned_le16(BIT(0), id->rsvd534);
	id->vwc = 0x01 | (0x3 << 1);		/* cache; broadcast flush */
	id->sgls = 0;				/* PRPs only */
	snprintf(id->subnqn, sizeof(id->subnqn),
		 "nqn.2026-11.io.github.nvmev:%s", ctrl->serial);
	id->psd[0].max_power = cpu_to_le16(2500);	/* 25.00 W */
	id->psd[0].entry_lat = cpu_to_le32(0);
	id->psd[0].exit_lat = cpu_to_le32(0);
}

static u16 identify(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u8 cns = cdw(c, 10) & 0xff;
	u8 csi = cdw(c, 11) >> 24;
	u32 nsid = le32_to_cpu(c->common.nsid);
	void *buf;
	u16 st = SC_SUCCESS;

	NVMEV_FN();
	buf = kzalloc(NVME_IDENTIFY_DATA_SIZE, GFP_KERNEL);
	if (!buf)
		return SC_INTERNAL;
	switch (cns) {
	case NVME_ID_CNS_CTRL:
		fill_id_ctrl(ctrl, buf);
		break;
	case NVME_ID_CNS_CS_CTRL:
		/*
		 * NVM command set specific controller data: VSL (byte 0) =
		 * MDTS, see io/io.c; no other limits.  Zoned Namespace
		 * command set: ZASL (byte 0) = MDTS, Zone Append as large
		 * as any write.
		 */
		if (csi == NVME_CSI_NVM || (csi == NVME_CSI_ZNS && ctrl->zoned))
			*(u8 *)buf = ctrl->mdts;
		else
			st = SC_INVALID_FIELD;
		break;
	case CNS_IOCS:
		/*
		 * I/O Command Set data structure: combination 0 (the one
		 * the I/O Command Set Profile feature selects) is NVM and,
		 * on a zoned controller, Zoned Namespace.
		 */
		if (!ctrl->zoned)
			st = SC_INVALID_FIELD;
		else
			*(__le64 *)buf = cpu_to_le64(BIT_ULL(NVME_CSI_NVM) |
						     BIT_ULL(NVME_CSI_ZNS));
		break;
	default:
		st = nvmev_identify_ns(ctrl, cns, csi, nsid, buf);
		break;
	}
	if (!st)
		st = nvmev_prp_xfer(ctrl, prp1(c), prp2(c),
				    NVME_IDENTIFY_DATA_SIZE, buf, NVMEV_TO_HOST);
	kfree(buf);
	return st;
}

/* ---- features ------------------------------------------------------------ */

static void features_default(struct nvmev_ctrl *ctrl, struct nvmev_features *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->arbitration = 3;			/* burst of 8 */
	f->temp_thresh[0] = TEMP_WARN_KELVIN;
	f->temp_thresh[1] = 0;
	f->vwc = 1;
	f->nr_queues = ((NVMEV_MAX_IO_QUEUES - 1) << 16) |
		       (NVMEV_MAX_IO_QUEUES - 1);
	for (i = 0; i < NVMEV_MSIX_VECTORS; i++)
		f->irq_config[i] = i;
}

static void check_temperature(struct nvmev_ctrl *ctrl)
{
	bool over = TEMP_KELVIN > ctrl->feat.temp_thresh[0];
	bool under = ctrl->feat.temp_thresh[1] &&
		     TEMP_KELVIN < ctrl->feat.temp_thresh[1];

	if (over || under) {
		if (!(ctrl->critical_warning & NVME_SMART_CRIT_TEMPERATURE)) {
			ctrl->critical_warning |= NVME_SMART_CRIT_TEMPERATURE;
			if (ctrl->feat.async_event & AEC_TEMP)
				nvmev_raise_aer(ctrl, AER_TYPE_SMART,
						AER_SMART_TEMP, NVME_LOG_SMART);
		}
	} else {
		ctrl->critical_warning &= ~NVME_SMART_CRIT_TEMPERATURE;
	}
}

static u16 feature_value(struct nvmev_ctrl *ctrl, struct nvmev_features *f,
			 u8 fid, u32 dw11, u32 *val)
{
	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		*val = f->arbitration;
		break;
	case NVME_FEAT_POWER_MGMT:
		*val = f->power_mgmt;
		break;
	case NVME_FEAT_TEMP_THRESH: {
		u32 tmpsel = (dw11 >> 16) & 0xf, thsel = (dw11 >> 20) & 3;

		if (tmpsel != 0 || thsel > 1)
			return SC_INVALID_FIELD;
		*val = f->temp_thresh[thsel] | (thsel << 20);
		break;
	}
	case NVME_FEAT_ERR_RECOVERY:
		*val = f->err_recovery;
		break;
	case NVME_FEAT_VOLATILE_WC:
		*val = f->vwc;
		break;
	case NVME_FEAT_NUM_QUEUES:
		*val = f->nr_queues;
		break;
	case NVME_FEAT_IRQ_COALESCE:
		*val = f->irq_coalesce;
		break;
	case NVME_FEAT_IRQ_CONFIG:
		if ((dw11 & 0xffff) >= NVMEV_MSIX_VECTORS)
			return SC_INVALID_FIELD;
		*val = f->irq_config[dw11 & 0xffff];
		break;
	case NVME_FEAT_WRITE_ATOMIC:
		*val = f->write_atomicity;
		break;
	case NVME_FEAT_ASYNC_EVENT:
		*val = f->async_event;
		break;
	case FEAT_IOCS_PROFILE:
		/* combination 0 of Identify CNS 1Ch, the only one */
		if (!ctrl->zoned)
			return SC_INVALID_FIELD;
		*val = 0;
		break;
	default:
		return SC_INVALID_FIELD;
	}
	return SC_SUCCESS;
}

static u16 get_features(struct nvmev_ctrl *ctrl, struct admin_ctx *a)
{
	const struct nvme_command *c = a->cmd;
	u8 fid = cdw(c, 10) & 0xff, sel = (cdw(c, 10) >> 8) & 7;
	struct nvmev_features def;
	u32 val;
	u16 st;

	NVMEV_FN();
	switch (sel) {
	case FEAT_SEL_CURRENT:
		return feature_value(ctrl, &ctrl->feat, fid, cdw(c, 11),
				     &a->result);
	case FEAT_SEL_DEFAULT:
	case FEAT_SEL_SAVED:	/* nothing is saveable: saved == default */
		features_default(ctrl, &def);
		return feature_value(ctrl, &def, fid, cdw(c, 11), &a->result);
	case FEAT_SEL_CAPS:
		st = feature_value(ctrl, &ctrl->feat, fid, cdw(c, 11), &val);
		if (!st)
			a->result = FEAT_CAP_CHANGEABLE;
		return st;
	default:
		return SC_INVALID_FIELD;
	}
}

static u16 set_features(struct nvmev_ctrl *ctrl, struct admin_ctx *a)
{
	const struct nvme_command *c = a->cmd;
	u8 fid = cdw(c, 10) & 0xff;
	u32 dw11 = cdw(c, 11);
	struct nvmev_features *f = &ctrl->feat;

	NVMEV_FN();
	if (cdw(c, 10) & BIT(31))
		return SC_NOT_SAVEABLE;
	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		f->arbitration = dw11;
		break;
	case NVME_FEAT_POWER_MGMT:
		if ((dw11 & 0x1f) != 0)		/* one power state */
			return SC_INVALID_FIELD;
		f->power_mgmt = dw11 & 0xff;
		break;
	case NVME_FEAT_TEMP_THRESH: {
		u32 tmpsel = (dw11 >> 16) & 0xf, thsel = (dw11 >> 20) & 3;

		if (tmpsel != 0 || thsel > 1)
			return SC_INVALID_FIELD;
		f->temp_thresh[thsel] = dw11 & 0xffff;
		check_temperature(ctrl);
		break;
	}
	case NVME_FEAT_ERR_RECOVERY:
		f->err_recovery = dw11 & 0x1ffff;
		break;
	case NVME_FEAT_VOLATILE_WC:
		f->vwc = dw11 & 1;
		break;
	case NVME_FEAT_NUM_QUEUES: {
		u32 nsq = dw11 & 0xffff, ncq = dw11 >> 16;

		if (nsq == 0xffff || ncq == 0xffff)
			return SC_INVALID_FIELD;
		/* only before any I/O queue exists (NVMe 1.4, 5.21.1.7) */
		if (ctrl->io_queues_created)
			return SC_CMD_SEQ_ERROR;
		nsq = min_t(u32, nsq, NVMEV_MAX_IO_QUEUES - 1);
		ncq = min_t(u32, ncq, NVMEV_MAX_IO_QUEUES - 1);
		ctrl->nr_io_sq_granted = nsq + 1;
		ctrl->nr_io_cq_granted = ncq + 1;
		f->nr_queues = (ncq << 16) | nsq;
		a->result = f->nr_queues;
		break;
	}
	case NVME_FEAT_IRQ_COALESCE:
		f->irq_coalesce = dw11 & 0xffff;
		break;
	case NVME_FEAT_IRQ_CONFIG:
		if ((dw11 & 0xffff) >= NVMEV_MSIX_VECTORS)
			return SC_INVALID_FIELD;
		f->irq_config[dw11 & 0xffff] = dw11 & 0x1ffff;
		break;
	case NVME_FEAT_WRITE_ATOMIC:
		f->write_atomicity = dw11 & 1;
		break;
	case NVME_FEAT_ASYNC_EVENT:
		f->async_event = dw11;
		check_temperature(ctrl);
		break;
	case FEAT_IOCS_PROFILE:
		if (!ctrl->zoned)
			return SC_INVALID_FIELD;
		if (dw11 & 0x1ff)	/* no combination beyond index 0 */
			return SC_IOCS_COMBINATION;
		break;
	default:
		return SC_INVALID_FIELD;
	}
	return SC_SUCCESS;
}

/* ---- log pages ------------------------------------------------------------ */

static u64 units_1000(u64 units512)
{
	return div_u64(units512 + 999, 1000);
}

static size_t log_smart(struct nvmev_ctrl *ctrl, void *buf)
{
	struct nvme_smart_log *s = buf;
	u64 now = nvmev_now();

	NVMEV_FN();
	s->critical_warning = ctrl->critical_warning;
	put_unaligned_le16(TEMP_KELVIN, s->temperature);
	s->avail_spare = 100;
	s->spare_thresh = 10;
	s->percent_used = min_t(u8, nvmev_model_percentage_used(ctrl), 255);
	put_unaligned_le64(units_1000(atomic64_read(&ctrl->stats.data_units_read)),
			   s->data_units_read);
	put_unaligned_le64(units_1000(atomic64_read(&ctrl->stats.data_units_written)),
			   s->data_units_written);
	put_unaligned_le64(atomic64_read(&ctrl->stats.host_read_cmds),
			   s->host_reads);
	put_unaligned_le64(atomic64_read(&ctrl->stats.host_write_cmds),
			   s->host_writes);
	put_unaligned_le64(div64_u64(atomic64_read(&ctrl->stats.busy_ns),
				     60 * NSEC_PER_SEC), s->ctrl_busy_time);
	put_unaligned_le64(ctrl->power_cycles, s->power_cycles);
	put_unaligned_le64(div64_u64(now - ctrl->power_on_ns,
				     3600ULL * NSEC_PER_SEC), s->power_on_hours);
	put_unaligned_le64(ctrl->unsafe_shutdowns, s->unsafe_shutdowns);
	put_unaligned_le64(atomic64_read(&ctrl->stats.media_errors),
			   s->media_errors);
	put_unaligned_le64(ctrl->err_count, s->num_err_log_entries);
	s->temp_sensor[0] = cpu_to_le16(TEMP_KELVIN);
	return sizeof(*s);
}

static size_t log_error(struct nvmev_ctrl *ctrl, void *buf)
{
	struct nvme_error_slot *slot = buf;
	unsigned long flags;
	u64 n, i;

	NVMEV_FN();
	spin_lock_irqsave(&ctrl->err_lock, flags);
	n = min_t(u64, ctrl->err_count, NVMEV_ERR_LOG_ENTRIES);
	for (i = 0; i < n; i++) {	/* newest first */
		struct nvmev_err_entry *e = &ctrl->errlog[(ctrl->err_count -
					1 - i) % NVMEV_ERR_LOG_ENTRIES];

		slot[i].error_count = cpu_to_le64(e->count);
		slot[i].sqid = cpu_to_le16(e->sqid);
		slot[i].cmdid = (__force __le16)e->cid;
		slot[i].status_field = cpu_to_le16(e->status << 1);
		slot[i].param_error_location = cpu_to_le16(0xffff);
		slot[i].lba = cpu_to_le64(e->lba);
		slot[i].nsid = cpu_to_le32(e->nsid);
	}
	spin_unlock_irqrestore(&ctrl->err_lock, flags);
	return NVMEV_ERR_LOG_ENTRIES * sizeof(*slot);
}

static size_t log_fw_slot(struct nvmev_ctrl *ctrl, void *buf)
{
	struct nvme_fw_slot_info_log *fw = buf;

	fw->afi = 1;
	memcpy(&fw->frs[0], ctrl->firmware, strnlen(ctrl->firmware, 8));
	return sizeof(*fw);
}

/*
 * Commands Supported and Effects of command set @csi: the admin commands,
 * and the I/O commands of that set that the controller's namespaces take.
 * 0 for a command set the controller does not have.
 */
static size_t log_effects(struct nvmev_ctrl *ctrl, void *buf, u8 csi)
{
	static const u8 admin_ops[] = {
		nvme_admin_delete_sq, nvme_admin_create_sq,
		nvme_admin_get_log_page, nvme_admin_delete_cq,
		nvme_admin_create_cq, nvme_admin_identify,
		nvme_admin_abort_cmd, nvme_admin_set_features,
		nvme_admin_get_features, nvme_admin_async_event,
	};
	static const u8 io_ops[] = {
		nvme_cmd_flush, nvme_cmd_read, nvme_cmd_compare,
		nvme_cmd_verify,
	};
	static const u8 io_change_ops[] = {
		nvme_cmd_write, nvme_cmd_write_zeroes, nvme_cmd_dsm,
		NVMEV_CMD_COPY,
	};
	/* zoned: no Dataset Management, no Copy; the zone commands */
	static const u8 zns_change_ops[] = {
		nvme_cmd_write, nvme_cmd_write_zeroes,
		nvme_cmd_zone_mgmt_send, nvme_cmd_zone_append,
	};
	struct nvme_effects_log *e = buf;
	int i;

	if (csi != NVME_CSI_NVM && !(csi == NVME_CSI_ZNS && ctrl->zoned))
		return 0;

	/* namespace inventory changes: the host rescans after them */
	e->acs[nvme_admin_ns_mgmt] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
						 NVME_CMD_EFFECTS_NIC);
	e->acs[nvme_admin_ns_attach] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
						   NVME_CMD_EFFECTS_NIC);
	/* a format changes data and the LBA size; nothing runs beside it */
	e->acs[nvme_admin_format_nvm] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
						    NVME_CMD_EFFECTS_LBCC |
						    NVME_CMD_EFFECTS_NCC |
						    (1 << 16));

	for (i = 0; i < ARRAY_SIZE(admin_ops); i++)
		e->acs[admin_ops[i]] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP);
	for (i = 0; i < ARRAY_SIZE(io_ops); i++)
		e->iocs[io_ops[i]] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP);
	if (ctrl->zoned) {
		for (i = 0; i < ARRAY_SIZE(zns_change_ops); i++)
			e->iocs[zns_change_ops[i]] =
				cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
					    NVME_CMD_EFFECTS_LBCC);
		if (csi == NVME_CSI_ZNS)
			e->iocs[nvme_cmd_zone_mgmt_recv] =
				cpu_to_le32(NVME_CMD_EFFECTS_CSUPP);
		else	/* NVM set: not the zone commands */
			e->iocs[nvme_cmd_zone_mgmt_send] =
				e->iocs[nvme_cmd_zone_append] = 0;
		return sizeof(*e);
	}
	for (i = 0; i < ARRAY_SIZE(io_change_ops); i++)
		e->iocs[io_change_ops[i]] = cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
							NVME_CMD_EFFECTS_LBCC);
	return sizeof(*e);
}

/*
 * Supported Log Pages (LID 00h, NVMe 2.0): one LID Supported and Effects
 * entry per LID, LSUPP set for every log get_log_page() answers.  IOS
 * (index offsets) is clear: offsets are in bytes only.  No LID Specific
 * Parameter applies to these logs.
 */
#define LID_SUPPORTED_LOGS	0x00
#define LSUPP			BIT(0)

static const u8 supported_lids[] = {
	LID_SUPPORTED_LOGS, NVME_LOG_ERROR, NVME_LOG_SMART, NVME_LOG_FW_SLOT,
	NVME_LOG_CHANGED_NS, NVME_LOG_CMD_EFFECTS,
};

static size_t log_supported(struct nvmev_ctrl *ctrl, void *buf)
{
	__le32 *e = buf;
	int i;

	for (i = 0; i < ARRAY_SIZE(supported_lids); i++)
		e[supported_lids[i]] = cpu_to_le32(LSUPP);
	return 256 * sizeof(*e);
}

struct log_xfer {
	const u8 *log;
	size_t size;
	size_t pos;
};

static int log_fn(void *host, size_t len, void *priv)
{
	struct log_xfer *x = priv;
	size_t n = x->pos < x->size ? min(len, x->size - x->pos) : 0;

	memcpy(host, x->log + x->pos, n);
	memset(host + n, 0, len - n);	/* beyond the log: zeroes */
	x->pos += len;
	return 0;
}

static u16 get_log_page(struct nvmev_ctrl *ctrl, const struct nvme_command *c)
{
	u8 lid = cdw(c, 10) & 0xff;
	bool rae = cdw(c, 10) & BIT(15);
	u64 numd = ((u64)(cdw(c, 11) & 0xffff) << 16 | (cdw(c, 10) >> 16)) + 1;
	u64 off = ((u64)cdw(c, 13) << 32) | cdw(c, 12);
	u32 nsid = le32_to_cpu(c->common.nsid);
	struct log_xfer x = { 0 };
	u8 *buf;
	u16 st;

	NVMEV_FN();
	if (off & 3)
		return SC_INVALID_FIELD;
	/* Offset Type 1 (index): no log has IOS set (Supported Log Pages) */
	if (cdw(c, 14) & BIT(23))
		return SC_INVALID_FIELD;
	/* a transfer is bounded by MDTS, this one too */
	if (numd * 4 > ((u64)NVMEV_PAGE_SIZE << ctrl->mdts))
		return SC_INVALID_FIELD;
	buf = kzalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return SC_INTERNAL;
	/* every log below is listed in supported_lids[] */
	switch (lid) {
	case LID_SUPPORTED_LOGS:
		x.size = log_supported(ctrl, buf);
		break;
	case NVME_LOG_ERROR:
		x.size = log_error(ctrl, buf);
		if (!rae)
			ctrl->aer_masked &= ~BIT(AER_TYPE_ERROR);
		break;
	case NVME_LOG_SMART:
		/* the controller's figures, whichever namespace is named */
		if (nsid != 0 && nsid != 0xffffffff &&
		    !nvmev_ns_active(ctrl, nsid)) {
			kfree(buf);
			return SC_INVALID_NS;
		}
		x.size = log_smart(ctrl, buf);
		if (!rae)
			ctrl->aer_masked &= ~BIT(AER_TYPE_SMART);
		break;
	case NVME_LOG_FW_SLOT:
		x.size = log_fw_slot(ctrl, buf);
		break;
	case NVME_LOG_CHANGED_NS:
		x.size = nvmev_log_changed_ns(ctrl, buf, rae);
		if (!rae)
			ctrl->aer_masked &= ~BIT(NVMEV_AER_TYPE_NOTICE);
		break;
	case NVME_LOG_CMD_EFFECTS:
		/* per command set: CSI, bits 31:24 of CDW14 */
		x.size = log_effects(ctrl, buf, cdw(c, 14) >> 24);
		break;
	default:
		kfree(buf);
		return SC_INVALID_LOG_PAGE;
	}
	if (off >= x.size) {
		kfree(buf);
		return SC_INVALID_FIELD;
	}
	x.log = buf;
	x.pos = off;
	st = nvmev_prp_walk(ctrl, prp1(c), prp2(c), numd * 4, NVMEV_TO_HOST,
			    log_fn, &x);
	kfree(buf);
	return st;
}

/* ---- asynchronous events -------------------------------------------------- */

/*
 * Complete outstanding AERs for pending, unmasked event types, as long as
 * the admin CQ has room: an admin command being processed holds one slot
 * for its own completion, which an event must not take.
 */
static void deliver_aer(struct nvmev_ctrl *ctrl)
{
	u32 reserve = ctrl->admin_in_cmd ? 1 : 0;

	while (ctrl->nr_aer && (ctrl->aer_pending & ~ctrl->aer_masked) &&
	       nvmev_cq_free_slots(ctrl, &ctrl->cq[0]) > reserve) {
		unsigned int type = __ffs(ctrl->aer_pending & ~ctrl->aer_masked);
		u32 info = (ctrl->aer_info[type] >> 8) & 0xff;
		u32 log = ctrl->aer_info[type] & 0xff;
		struct nvme_command c = { };

		ctrl->aer_pending &= ~BIT(type);
		ctrl->aer_masked |= BIT(type);	/* until its log is read */
		c.common.command_id = ctrl->aer_cids[--ctrl->nr_aer];
		atomic64_inc(&ctrl->stats.aer_events);
		admin_complete(ctrl, &c, SC_SUCCESS,
			       (log << 16) | (info << 8) | type, 0);
	}
}

void nvmev_raise_aer(struct nvmev_ctrl *ctrl, u8 type, u8 info, u8 log)
{
	ctrl->aer_pending |= BIT(type);
	ctrl->aer_info[type] = (info << 8) | log;
	deliver_aer(ctrl);
}

/* Is an AER outstanding that can carry an event of @type now or soon? */
bool nvmev_aer_can_report(struct nvmev_ctrl *ctrl, u8 type)
{
	return ctrl->nr_aer && !(ctrl->aer_masked & BIT(type)) &&
	       !(ctrl->aer_pending & BIT(type));
}

/* Dispatcher: events held back by a full admin CQ. */
void nvmev_admin_deliver_aer(struct nvmev_ctrl *ctrl)
{
	if (ctrl->nr_aer && (ctrl->aer_pending & ~ctrl->aer_masked))
		deliver_aer(ctrl);
}

/* ---- dispatch ------------------------------------------------------------- */

void nvmev_admin_reset(struct nvmev_ctrl *ctrl)
{
	ctrl->nr_aer = 0;
	ctrl->aer_pending = 0;
	ctrl->aer_masked = 0;
	ctrl->io_queues_created = false;
	ctrl->admin_in_cmd = false;
	ctrl->nr_io_sq_granted = NVMEV_MAX_IO_QUEUES;
	ctrl->nr_io_cq_granted = NVMEV_MAX_IO_QUEUES;
	features_default(ctrl, &ctrl->feat);
	check_temperature(ctrl);
}

void nvmev_admin_process(struct nvmev_ctrl *ctrl, struct nvme_command *cmd)
{
	struct admin_ctx a = { .cmd = cmd };
	u64 t_fetch = nvmev_now();
	u16 st;

	NVMEV_FN();
	nvmev_trace_set_cmd(0, cmd->common.command_id);
	trace_nvmev_cmd_fetch(0, cmd->common.command_id, cmd->common.opcode,
			      le32_to_cpu(cmd->common.nsid), 0, 0);
	if (cmd->common.flags & NVME_CMD_SGL_ALL) {
		st = SC_INVALID_FIELD;
		goto out;
	}
	ctrl->admin_in_cmd = true;
	switch (cmd->common.opcode) {
	case nvme_admin_delete_sq:
		st = delete_sq(ctrl, cmd);
		break;
	case nvme_admin_create_sq:
		st = create_sq(ctrl, cmd);
		break;
	case nvme_admin_get_log_page:
		st = get_log_page(ctrl, cmd);
		break;
	case nvme_admin_delete_cq:
		st = delete_cq(ctrl, cmd);
		break;
	case nvme_admin_create_cq:
		st = create_cq(ctrl, cmd);
		break;
	case nvme_admin_identify:
		st = identify(ctrl, cmd);
		break;
	case nvme_admin_abort_cmd:
		/* commands are never aborted: DW0 bit 0 says so */
		a.result = 1;
		st = SC_SUCCESS;
		break;
	case nvme_admin_set_features:
		st = set_features(ctrl, &a);
		break;
	case nvme_admin_get_features:
		st = get_features(ctrl, &a);
		break;
	case nvme_admin_ns_mgmt:
		st = nvmev_admin_ns_mgmt(ctrl, cmd, &a.result);
		break;
	case nvme_admin_ns_attach:
		st = nvmev_admin_ns_attach(ctrl, cmd);
		break;
	case nvme_admin_format_nvm:
		st = nvmev_admin_format(ctrl, cmd);
		break;
	case nvme_admin_async_event:
		if (ctrl->nr_aer >= NVMEV_MAX_AER) {
			st = SC_ASYNC_LIMIT;
			break;
		}
		ctrl->aer_cids[ctrl->nr_aer++] = cmd->common.command_id;
		/* its own completion may take the slot it holds */
		ctrl->admin_in_cmd = false;
		deliver_aer(ctrl);
		nvmev_trace_clear_cmd();
		return;		/* held until an event exists */
	default:
		st = SC_INVALID_OPCODE;
		break;
	}
out:
	ctrl->admin_in_cmd = false;
	admin_complete(ctrl, cmd, st, a.result, t_fetch);
	nvmev_trace_clear_cmd();
}
