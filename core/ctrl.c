// SPDX-License-Identifier: GPL-2.0
/*
 * Controller state machine and the dispatcher kthread: CC/CSTS handling,
 * admin SQ processing, I/O SQ fetching with round-robin arbitration, and
 * completion posting helpers shared with the workers.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/delay.h>
#include <linux/ioport.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/math64.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"
#include "../trace/events.h"

#define CC_EN(cc)	((cc) & 1)
#define CC_CSS(cc)	(((cc) >> NVME_CC_CSS_SHIFT) & 7)
#define CC_MPS(cc)	(((cc) >> NVME_CC_MPS_SHIFT) & 0xf)
#define CC_AMS(cc)	(((cc) >> NVME_CC_AMS_SHIFT) & 7)
#define CC_SHN(cc)	(((cc) >> NVME_CC_SHN_SHIFT) & 3)

/* CC.CSS 110b: every I/O command set CAP.CSS bit 6 reports */
#define CSS_ALL_IOCS	6

static u64 nvmev_cap(struct nvmev_ctrl *ctrl)
{
	u64 cap = 0;

	cap |= NVMEV_MQES;			/* MQES */
	cap |= 1ULL << 16;			/* CQR: contiguous queues only */
	cap |= 20ULL << 24;			/* TO: 10 s in 500 ms units */
	cap |= 0ULL << 32;			/* DSTRD: 4-byte stride */
	cap |= 1ULL << 37;			/* CSS: NVM command set */
	/* zoned: I/O command sets (NVM, Zoned Namespace) chosen by CSI */
	if (ctrl->zoned)
		cap |= 1ULL << (37 + CSS_ALL_IOCS);
	cap |= 0ULL << 48;			/* MPSMIN: 4 KiB */
	cap |= 0ULL << 52;			/* MPSMAX: 4 KiB */
	return cap;
}

void nvmev_reset_registers(struct nvmev_ctrl *ctrl)
{
	struct nvmev_regs *r = ctrl->regs;

	memset(ctrl->bar, 0, NVMEV_MSIX_TABLE_OFF);
	r->cap = nvmev_cap(ctrl);
	r->vs = 0x00010400;			/* NVMe 1.4 */
	ctrl->cc = 0;
}

/* Doorbells: SQy tail at 0x1000 + 8y, CQy head at 0x1000 + 8y + 4. */
u32 nvmev_db_read(struct nvmev_ctrl *ctrl, unsigned int qid, bool cq)
{
	u32 *db = ctrl->bar + NVME_REG_DBS;

	return READ_ONCE(db[qid * 2 + cq]);
}

void nvmev_db_clear(struct nvmev_ctrl *ctrl, unsigned int qid, bool cq)
{
	u32 *db = ctrl->bar + NVME_REG_DBS;

	WRITE_ONCE(db[qid * 2 + cq], 0);
}

static void set_csts(struct nvmev_ctrl *ctrl, u32 clear, u32 set)
{
	u32 csts = READ_ONCE(ctrl->regs->csts);

	WRITE_ONCE(ctrl->regs->csts, (csts & ~clear) | set);
}

static void teardown_queues(struct nvmev_ctrl *ctrl);

/*
 * Controller Fatal Status.  A failed controller stops all DMA at once: the
 * host driver, seeing CFS (or RDY clear), cancels every outstanding
 * command and frees its buffers without disabling the controller first,
 * so the workers must drop everything in flight before the host can
 * observe CFS.
 */
static void controller_fatal(struct nvmev_ctrl *ctrl, const char *why)
{
	if (READ_ONCE(ctrl->regs->csts) & NVME_CSTS_CFS)
		return;
	pr_err("controller fatal status: %s\n", why);
	teardown_queues(ctrl);
	set_csts(ctrl, 0, NVME_CSTS_CFS);
	trace_nvmev_ctrl_state("fatal");
}

/* Dispatcher: controller fatal status on demand (configfs faults/fatal). */
void nvmev_ctrl_fatal(struct nvmev_ctrl *ctrl, const char *why)
{
	controller_fatal(ctrl, why);
}

/*
 * Wait until every worker has dropped work for queues invalidated before
 * this call.  See the threading model in nvmev.h.
 */
void nvmev_sync_workers(struct nvmev_ctrl *ctrl)
{
	u32 epoch = ctrl->epoch + 1;
	unsigned long warn_at = jiffies + 5 * HZ;

	NVMEV_FN();
	smp_store_release(&ctrl->epoch, epoch);
	nvmev_inline_sync(ctrl, epoch);
	/*
	 * Wake sleeping workers and parked ones: a parked worker waits on
	 * park_wq, where only a new epoch or the unpark lets it go.
	 */
	nvmev_workers_kick(ctrl);
	wake_up_all(&ctrl->park_wq);
	while (nvmev_workers_ack_epoch(ctrl, epoch) < ctrl->nr_workers) {
		if (time_after(jiffies, warn_at)) {
			pr_warn("waiting for I/O workers to drain\n");
			warn_at = jiffies + 5 * HZ;
		}
		nvmev_workers_kick(ctrl);
		wake_up_all(&ctrl->park_wq);
		usleep_range(10, 50);
	}
}

/* A controller reset returns every doorbell to zero, as the host expects. */
static void clear_all_doorbells(struct nvmev_ctrl *ctrl)
{
	memset(ctrl->bar + NVME_REG_DBS, 0, NVMEV_NR_QUEUES * 8);
}

static void teardown_queues(struct nvmev_ctrl *ctrl)
{
	int i;

	for (i = 0; i < NVMEV_NR_QUEUES; i++) {
		WRITE_ONCE(ctrl->sq[i].valid, false);
		WRITE_ONCE(ctrl->cq[i].valid, false);
		ctrl->cq[i].nr_sqs = 0;
	}
	nvmev_sync_workers(ctrl);
	clear_all_doorbells(ctrl);
}

static void controller_disable(struct nvmev_ctrl *ctrl)
{
	NVMEV_FN();
	teardown_queues(ctrl);
	nvmev_admin_reset(ctrl);
	ctrl->enabled = false;
	set_csts(ctrl, NVME_CSTS_RDY | NVME_CSTS_CFS, 0);
	trace_nvmev_ctrl_state("disable");
	pr_debug("controller disabled\n");
}

static void controller_enable(struct nvmev_ctrl *ctrl, u32 cc)
{
	struct nvmev_regs *r = ctrl->regs;
	u32 aqa = READ_ONCE(r->aqa);
	u32 asqs = (aqa & 0xfff) + 1, acqs = ((aqa >> 16) & 0xfff) + 1;
	u64 asq = READ_ONCE(r->asq), acq = READ_ONCE(r->acq);
	struct nvmev_sq *sq = &ctrl->sq[0];
	struct nvmev_cq *cq = &ctrl->cq[0];
	const char *why = NULL;

	NVMEV_FN();
	trace_nvmev_ctrl_state("enable");
	if (CC_MPS(cc) != 0)
		why = "CC.MPS outside CAP.MPSMIN..MPSMAX";
	else if (CC_CSS(cc) != 0 && !(ctrl->zoned && CC_CSS(cc) == CSS_ALL_IOCS))
		why = "CC.CSS selects an unsupported command set";
	else if (CC_AMS(cc) != 0)
		why = "CC.AMS selects an unsupported arbitration";
	else if (asqs < 2 || acqs < 2)
		why = "admin queue size below 2 entries";
	else if (!asq || !acq || (asq | acq) & (NVMEV_PAGE_SIZE - 1))
		why = "admin queue base not page aligned";
	else if (!nvmev_host_range_ok(asq, (u64)asqs * sizeof(struct nvme_command)) ||
		 !nvmev_host_range_ok(acq, (u64)acqs * sizeof(struct nvme_completion)))
		why = "admin queue outside host RAM";
	if (why) {
		controller_fatal(ctrl, why);
		return;
	}

	clear_all_doorbells(ctrl);
	sq->cmds = phys_to_virt(asq);
	sq->size = asqs;
	sq->head = 0;
	sq->qid = 0;
	sq->cqid = 0;
	sq->instance++;
	cq->cqes = phys_to_virt(acq);
	cq->size = acqs;
	cq->tail = 0;
	cq->phase = 1;
	cq->qid = 0;
	cq->vector = 0;
	cq->irq_enabled = true;
	cq->nr_sqs = 1;
	WRITE_ONCE(cq->valid, true);
	WRITE_ONCE(sq->valid, true);
	ctrl->iocs_all = CC_CSS(cc) == CSS_ALL_IOCS;
	ctrl->enabled = true;
	set_csts(ctrl, NVME_CSTS_SHST_MASK | NVME_CSTS_CFS, NVME_CSTS_RDY);
	trace_nvmev_ctrl_state("ready");
	pr_debug("controller ready: admin SQ %u @%llx, CQ %u @%llx\n", asqs,
		 asq, acqs, acq);
}

static void check_registers(struct nvmev_ctrl *ctrl)
{
	struct nvmev_regs *r = ctrl->regs;
	u32 cc = READ_ONCE(r->cc);
	u32 changed = cc ^ ctrl->cc;

	/* read-only registers: undo stray host writes */
	if (unlikely(READ_ONCE(r->cap) != nvmev_cap(ctrl)))
		r->cap = nvmev_cap(ctrl);
	if (unlikely(READ_ONCE(r->vs) != 0x00010400))
		r->vs = 0x00010400;

	if (likely(!changed))
		return;
	ctrl->cc = cc;

	if ((changed & NVME_CC_SHN_MASK) && CC_SHN(cc)) {
		/* Shutdown: nothing volatile to lose; report completion. */
		trace_nvmev_ctrl_state("shutdown");
		set_csts(ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_OCCUR);
		nvmev_sync_workers(ctrl);
		set_csts(ctrl, NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	}
	if (changed & NVME_CC_ENABLE) {
		if (CC_EN(cc))
			controller_enable(ctrl, cc);
		else
			controller_disable(ctrl);
	}
}

/* ---- completion queue helpers (any thread) ----------------------------- */

/*
 * Entries the device may still post to @cq before it is full.  An invalid
 * head is caught by the dispatcher; it counts as a full queue here.
 */
u32 nvmev_cq_free_slots(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq)
{
	u32 head = nvmev_db_read(ctrl, cq->qid, true);

	if (head >= cq->size)
		return 0;
	return (head + cq->size - cq->tail - 1) % cq->size;
}

bool nvmev_cq_full(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq)
{
	return !nvmev_cq_free_slots(ctrl, cq);
}

bool nvmev_post_cqe(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq,
		    u16 sqid, u16 cid, u16 status, u64 result, bool *need_irq)
{
	struct nvme_completion *cqe;
	unsigned long flags;

	NVMEV_FN();
	spin_lock_irqsave(&cq->lock, flags);
	if (nvmev_cq_full(ctrl, cq)) {
		spin_unlock_irqrestore(&cq->lock, flags);
		return false;
	}
	/* the host's reads of the entries it freed precede our overwrite */
	smp_mb();
	cqe = &cq->cqes[cq->tail];
	cqe->result.u64 = cpu_to_le64(result);
	cqe->sq_head = cpu_to_le16(READ_ONCE(ctrl->sq[sqid].head));
	cqe->sq_id = cpu_to_le16(sqid);
	cqe->command_id = cid;	/* opaque, copied as the host wrote it */
	/* the phase tag is the last thing the host may observe */
	dma_wmb();
	WRITE_ONCE(cqe->status, cpu_to_le16((status << 1) | cq->phase));
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase ^= 1;
	}
	spin_unlock_irqrestore(&cq->lock, flags);
	if (cq->irq_enabled)
		*need_irq = true;
	return true;
}

void nvmev_record_error(struct nvmev_ctrl *ctrl, u16 sqid, u16 cid,
			u16 status, u64 lba, u32 nsid)
{
	struct nvmev_err_entry *e;
	unsigned long flags;

	atomic64_inc(&ctrl->stats.errors);
	spin_lock_irqsave(&ctrl->err_lock, flags);
	e = &ctrl->errlog[ctrl->err_count % NVMEV_ERR_LOG_ENTRIES];
	e->count = ++ctrl->err_count;
	e->sqid = sqid;
	e->cid = cid;
	e->status = status;
	e->lba = lba;
	e->nsid = nsid;
	spin_unlock_irqrestore(&ctrl->err_lock, flags);
}

/* ---- dispatcher -------------------------------------------------------- */

/*
 * The host wrote a value outside the queue to an I/O queue's doorbell.
 * With an Asynchronous Event Request outstanding the controller reports
 * Invalid Doorbell Write Value and ignores the queue until the host
 * deletes it (NVMe 1.4, 4.1 and 5.2.1); without one it has no way to tell
 * the host and fails as a whole.
 */
static void doorbell_value_invalid(struct nvmev_ctrl *ctrl, u16 qid, bool cq)
{
	if (!nvmev_aer_can_report(ctrl, NVMEV_AER_TYPE_ERROR)) {
		controller_fatal(ctrl, cq ? "CQ head doorbell beyond queue" :
					    "I/O SQ tail doorbell beyond queue");
		return;
	}
	pr_warn_ratelimited("%s %u: doorbell value %u beyond the queue: Invalid Doorbell Write Value event\n",
			    cq ? "CQ" : "SQ", qid, nvmev_db_read(ctrl, qid, cq));
	if (cq)
		ctrl->cq[qid].db_error = true;
	else
		ctrl->sq[qid].db_error = true;
	nvmev_record_error(ctrl, 0, 0xffff, SC_INVALID_FIELD, 0, 0);
	nvmev_raise_aer(ctrl, NVMEV_AER_TYPE_ERROR,
			NVMEV_AER_ERR_INVALID_DB_VAL, NVME_LOG_ERROR);
}

static bool process_admin_sq(struct nvmev_ctrl *ctrl)
{
	struct nvmev_sq *sq = &ctrl->sq[0];
	struct nvmev_cq *cq = &ctrl->cq[0];
	u32 tail = nvmev_db_read(ctrl, 0, false);
	struct nvme_command cmd;
	bool did = false;

	if (tail == sq->head)
		return false;
	NVMEV_FN();
	if (tail >= sq->size) {
		controller_fatal(ctrl, "admin SQ tail doorbell beyond queue");
		return false;
	}
	/* the entries the host wrote before the doorbell are visible now */
	dma_rmb();
	while (sq->head != tail && ctrl->enabled &&
	       !(READ_ONCE(ctrl->regs->csts) & NVME_CSTS_CFS)) {
		if (nvmev_cq_full(ctrl, cq))
			break;
		memcpy(&cmd, &sq->cmds[sq->head], sizeof(cmd));
		WRITE_ONCE(sq->head, (sq->head + 1) % sq->size);
		nvmev_admin_process(ctrl, &cmd);
		did = true;
	}
	return did;
}

static unsigned int arbitration_burst(struct nvmev_ctrl *ctrl)
{
	unsigned int ab = ctrl->feat.arbitration & 7;

	return ab == 7 ? UINT_MAX : 1U << ab;
}

/*
 * Fetch up to @burst commands of @sq.  They are all fetched at @t: one
 * clock read per pass, not per command.  Returns how many.
 */
static unsigned int process_io_sq(struct nvmev_ctrl *ctrl, struct nvmev_sq *sq,
				  unsigned int burst, u64 t)
{
	u32 tail = nvmev_db_read(ctrl, sq->qid, false);
	struct nvmev_io io;
	unsigned int n = 0;

	if (tail == sq->head || unlikely(sq->db_error))
		return false;
	if (unlikely(tail >= sq->size)) {
		doorbell_value_invalid(ctrl, sq->qid, false);
		return false;
	}
	NVMEV_FN();
	dma_rmb();
	while (sq->head != tail && n < burst) {
		if (!nvmev_workers_have_room(ctrl))
			break;
		memcpy(&io.cmd, &sq->cmds[sq->head], sizeof(io.cmd));
		WRITE_ONCE(sq->head, (sq->head + 1) % sq->size);
		io.sqid = sq->qid;
		io.sq_instance = sq->instance;
		io.t_fetch = t;
		io.result = 0;
		io.flags = 0;
		nvmev_trace_set_cmd(sq->qid, io.cmd.common.command_id);
		trace_nvmev_cmd_sqe(sq->qid, io.cmd.common.command_id);
		io.status = nvmev_io_prepare(ctrl, &io);
		/* injected: fetched, never completed (the host times out) */
		if (likely(!(io.flags & NVMEV_IO_STUCK)))
			nvmev_worker_submit(ctrl, &io);
		nvmev_trace_clear_cmd();
		n++;
	}
	return n;
}

static void check_cq_doorbells(struct nvmev_ctrl *ctrl)
{
	int i;

	for (i = 0; i < NVMEV_NR_QUEUES; i++) {
		struct nvmev_cq *cq = &ctrl->cq[i];

		if (!cq->valid || cq->db_error ||
		    nvmev_db_read(ctrl, i, true) < cq->size)
			continue;
		if (i == 0) {
			controller_fatal(ctrl, "admin CQ head doorbell beyond queue");
			return;
		}
		doorbell_value_invalid(ctrl, i, true);
		if (READ_ONCE(ctrl->regs->csts) & NVME_CSTS_CFS)
			return;
	}
}

/*
 * Doorbells of queues that do not exist are zero (creation, deletion and
 * reset clear them), so a non-zero one was written by the host: report
 * Write to Invalid Doorbell Register if it can be reported, and forget it.
 * The unused doorbell space up to the MSI-X table counts too.
 */
static void check_invalid_doorbells(struct nvmev_ctrl *ctrl)
{
	u32 *db = ctrl->bar + NVME_REG_DBS;
	unsigned int i, n = (NVMEV_MSIX_TABLE_OFF - NVME_REG_DBS) / 4;
	bool seen = false;

	for (i = 0; i < n; i++) {
		unsigned int qid = i / 2;

		if (likely(!READ_ONCE(db[i])))
			continue;
		if (qid < NVMEV_NR_QUEUES &&
		    (i & 1 ? READ_ONCE(ctrl->cq[qid].valid) :
			     READ_ONCE(ctrl->sq[qid].valid)))
			continue;
		pr_warn_ratelimited("write of %u to the doorbell at BAR0 0x%x, which belongs to no queue\n",
				    READ_ONCE(db[i]), NVME_REG_DBS + i * 4);
		WRITE_ONCE(db[i], 0);
		seen = true;
	}
	if (seen && nvmev_aer_can_report(ctrl, NVMEV_AER_TYPE_ERROR)) {
		nvmev_record_error(ctrl, 0, 0xffff, SC_INVALID_FIELD, 0, 0);
		nvmev_raise_aer(ctrl, NVMEV_AER_TYPE_ERROR,
				NVMEV_AER_ERR_INVALID_DB, NVME_LOG_ERROR);
	}
}

/* Every 10 ms, busy or not. */
static void slow_checks(struct nvmev_ctrl *ctrl)
{
	if (ctrl->enabled && nvmev_bus_master(ctrl) &&
	    !(READ_ONCE(ctrl->regs->csts) & NVME_CSTS_CFS)) {
		check_cq_doorbells(ctrl);
		check_invalid_doorbells(ctrl);
		nvmev_admin_deliver_aer(ctrl);
	}
	nvmev_msix_poll_pending(ctrl);
}

/* One pass over the registers and every SQ; returns the commands fetched. */
static unsigned int dispatch_once(struct nvmev_ctrl *ctrl, u64 t)
{
	unsigned int burst, n = 0;
	int i;

	check_registers(ctrl);
	if (!ctrl->enabled || (READ_ONCE(ctrl->regs->csts) & NVME_CSTS_CFS))
		return 0;
	/* fetching commands is DMA: none while Bus Master Enable is clear */
	if (unlikely(!nvmev_bus_master(ctrl)))
		return 0;

	n += process_admin_sq(ctrl);
	burst = arbitration_burst(ctrl);
	for (i = 1; i < NVMEV_NR_QUEUES && ctrl->enabled; i++) {
		struct nvmev_sq *sq = &ctrl->sq[i];

		if (sq->valid)
			n += process_io_sq(ctrl, sq, burst, t);
	}
	return n;
}

/* ---- deep idle: a timer watches the doorbells --------------------------- */

/*
 * Would the dispatcher have anything to do?  Called from the watch timer
 * (hard interrupt) while the dispatcher sleeps, so everything it reads is
 * stable or a plain host write.  @all: also look for doorbell writes that
 * only the 10 ms checks care about (invalid values, queues that do not
 * exist); the timer looks only at the SQs that exist (ctrl->watch_qid[],
 * listed before the dispatcher went to sleep): a tick must be cheap.
 */
static bool dispatcher_has_work(struct nvmev_ctrl *ctrl, bool all)
{
	u32 *db = ctrl->bar + NVME_REG_DBS;
	unsigned int i;

	if (READ_ONCE(ctrl->regs->cc) != ctrl->cc ||
	    READ_ONCE(ctrl->park) || READ_ONCE(ctrl->call))
		return true;
	if (!ctrl->enabled)
		return false;
	if (!all) {
		for (i = 0; i < ctrl->watch_nq; i++) {
			struct nvmev_sq *sq = &ctrl->sq[ctrl->watch_qid[i]];

			if (READ_ONCE(db[2 * sq->qid]) != sq->head)
				return true;
		}
		return false;
	}
	for (i = 0; i < NVMEV_NR_QUEUES; i++) {
		struct nvmev_sq *sq = &ctrl->sq[i];
		struct nvmev_cq *cq = &ctrl->cq[i];
		u32 tail = READ_ONCE(db[2 * i]), head = READ_ONCE(db[2 * i + 1]);

		/* a new command, or any doorbell write the checks must see */
		if (sq->valid ? tail != sq->head && !sq->db_error : tail != 0)
			return true;
		if (cq->valid ? head >= cq->size && !cq->db_error : head != 0)
			return true;
	}
	/* AERs held back by a full admin CQ the host has since reaped */
	return ctrl->nr_aer && (ctrl->aer_pending & ~ctrl->aer_masked) &&
	       nvmev_cq_free_slots(ctrl, &ctrl->cq[0]);
}

/* a doorbell written just after a tick waits one period, then the wake-up */
#define WATCH_PERIOD_NS		(700 * NSEC_PER_USEC)
#define WATCH_FULL_EVERY	64	/* ticks; a power of two */
#define WATCH_TICK_CAP_NS	(20 * NSEC_PER_USEC)
/* a completion of the inline worker due sooner than this is waited for by polling */
#define INLINE_SPIN_NS		(200 * NSEC_PER_USEC)
/* ... and sooner than this, on the clock alone */
#define INLINE_FINE_NS		(10 * NSEC_PER_USEC)

static enum hrtimer_restart watch_fn(struct hrtimer *t)
{
	struct nvmev_ctrl *ctrl = container_of(t, struct nvmev_ctrl, watch);
	/*
	 * Every 64th tick (~45 ms) look at every doorbell, for hostile
	 * writes; the others look only at the SQ tails and CC.
	 */
	bool full = !(++ctrl->watch_ticks & (WATCH_FULL_EVERY - 1));
	u64 t0 = nvmev_now(), dt;
	enum hrtimer_restart ret = HRTIMER_RESTART;

	if (dispatcher_has_work(ctrl, full)) {
		ctrl->watch_wakeups++;
		ctrl->watch_hit_ns = nvmev_now();
		/*
		 * Only the dispatcher: after an idle period the load is light
		 * and it does the I/O itself; it kicks a worker when it hands
		 * one a command.
		 */
		wake_up_process(ctrl->dispatcher);
		ret = HRTIMER_NORESTART;
	} else {
		/* from the last expiry: no clock read */
		hrtimer_add_expires_ns(t, WATCH_PERIOD_NS);
	}
	/*
	 * Every tick's own time.  One the vCPU spent descheduled by the host
	 * (or, under single-threaded TCG, running the other vCPUs) counts
	 * WATCH_TICK_CAP_NS: the callback reads a dozen words.
	 */
	dt = nvmev_now() - t0;
	if (dt > WATCH_TICK_CAP_NS) {
		dt = WATCH_TICK_CAP_NS;
		ctrl->watch_capped++;
	}
	WRITE_ONCE(ctrl->watch_ns, ctrl->watch_ns + dt);
	return ret;
}

/*
 * Deep idle: sleep until the watch timer sees a doorbell or register
 * change.  Checking every ~1 ms from a timer interrupt costs far less than
 * waking the thread as often: no context switch, a few hundred loads.
 * The first command after an idle period waits at most one period.
 * kthread_stop(), parking and nvmev_dispatcher_call() wake us directly.
 */
static void dispatcher_watch(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	ctrl->watch_nq = 0;
	for (i = 0; i < NVMEV_NR_QUEUES; i++)
		if (ctrl->sq[i].valid && !ctrl->sq[i].db_error)
			ctrl->watch_qid[ctrl->watch_nq++] = i;
	set_current_state(TASK_IDLE);
	if (dispatcher_has_work(ctrl, true) || kthread_should_stop()) {
		__set_current_state(TASK_RUNNING);
		return;
	}
	ctrl->idle_enter_deep++;
	ctrl->watch_hit_ns = 0;
	hrtimer_start(&ctrl->watch, ns_to_ktime(WATCH_PERIOD_NS),
		      HRTIMER_MODE_REL);
	schedule();
	hrtimer_cancel(&ctrl->watch);
	__set_current_state(TASK_RUNNING);
}

/* The first fetch after a wake by the watch: how long the wake-up took. */
static void watch_wake_done(struct nvmev_ctrl *ctrl, u64 now)
{
	u64 d = now - ctrl->watch_hit_ns;

	ctrl->watch_hit_ns = 0;
	WRITE_ONCE(ctrl->wake_cnt, ctrl->wake_cnt + 1);
	WRITE_ONCE(ctrl->wake_sum_ns, ctrl->wake_sum_ns + d);
	if (d > ctrl->wake_max_ns)
		WRITE_ONCE(ctrl->wake_max_ns, d);
}

void nvmev_ctrl_cpu_show(struct nvmev_ctrl *ctrl, struct seq_file *m)
{
	u64 cmds = READ_ONCE(ctrl->disp_cmds), ns = READ_ONCE(ctrl->disp_busy_ns);

	seq_printf(m, "dispatcher_cmds %llu\n", cmds);
	seq_printf(m, "dispatcher_busy_ns %llu\n", ns);
	seq_printf(m, "dispatcher_ns_per_cmd %llu\n", cmds ? div64_u64(ns, cmds) : 0);
	if (ctrl->dispatcher)
		seq_printf(m, "dispatcher_runtime_ns %llu\n",
			   (u64)ctrl->dispatcher->se.sum_exec_runtime);
	seq_printf(m, "idle_deep_entries %llu\n", READ_ONCE(ctrl->idle_enter_deep));
	seq_printf(m, "idle_watch_ticks %llu\n", READ_ONCE(ctrl->watch_ticks));
	seq_printf(m, "idle_watch_wakeups %llu\n", READ_ONCE(ctrl->watch_wakeups));
	seq_printf(m, "idle_watch_period_ns %lu\n", WATCH_PERIOD_NS);
	/* every tick timed, each capped at WATCH_TICK_CAP_NS */
	seq_printf(m, "idle_watch_ns %llu\n", READ_ONCE(ctrl->watch_ns));
	seq_printf(m, "idle_watch_capped %llu\n", READ_ONCE(ctrl->watch_capped));
	/* from the tick that saw the doorbell to the fetch */
	seq_printf(m, "idle_wake_count %llu\n", READ_ONCE(ctrl->wake_cnt));
	seq_printf(m, "idle_wake_avg_ns %llu\n", ctrl->wake_cnt ?
		   div64_u64(READ_ONCE(ctrl->wake_sum_ns), ctrl->wake_cnt) : 0);
	seq_printf(m, "idle_wake_max_ns %llu\n", READ_ONCE(ctrl->wake_max_ns));
	/* worst case: written just after a tick */
	seq_printf(m, "idle_first_cmd_max_delay_ns %llu\n",
		   WATCH_PERIOD_NS + READ_ONCE(ctrl->wake_max_ns));
}

/*
 * Parking: nvmev_threads_park() stops the dispatcher and every worker at
 * the top of their loops, asleep, and returns once all of them are there;
 * nvmev_threads_unpark() lets them go.  Code patching uses it: flipping the
 * tracing static key rewrites instructions in the loops these threads run,
 * and under QEMU's multi-threaded TCG a vCPU can execute a stale
 * translation with the temporary int3 after the kernel's patching protocol
 * has finished (an "Oops: int3").  Parked threads execute none of it.
 */
static void park_one(struct nvmev_ctrl *ctrl)
{
	unsigned long deadline;

	if (!ctrl->dispatcher)
		return;
	mutex_lock(&ctrl->park_lock);
	ctrl->park_held = true;
	WRITE_ONCE(ctrl->park, true);
	/* the threads see park before we count them */
	smp_mb();
	deadline = jiffies + 2 * HZ;
	while (atomic_read(&ctrl->parked) < (int)ctrl->nr_workers + 1) {
		wake_up_process(ctrl->dispatcher);
		nvmev_workers_kick(ctrl);
		if (time_after(jiffies, deadline)) {
			pr_warn("threads did not park in 2 s; going on\n");
			break;
		}
		usleep_range(50, 100);
	}
}

static void unpark_one(struct nvmev_ctrl *ctrl)
{
	if (!ctrl->park_held)
		return;
	ctrl->park_held = false;
	WRITE_ONCE(ctrl->park, false);
	wake_up_all(&ctrl->park_wq);
	mutex_unlock(&ctrl->park_lock);
}

/*
 * Every controller's threads, parked until nvmev_threads_unpark(); the
 * list of controllers stays as it is meanwhile.
 */
void nvmev_threads_park(void)
{
	struct nvmev_ctrl *ctrl;

	mutex_lock(&nvmev_ctrls_lock);
	list_for_each_entry(ctrl, &nvmev_ctrls, node)
		park_one(ctrl);
}

void nvmev_threads_unpark(void)
{
	struct nvmev_ctrl *ctrl;

	list_for_each_entry(ctrl, &nvmev_ctrls, node)
		unpark_one(ctrl);
	mutex_unlock(&nvmev_ctrls_lock);
}

/* Called by a polling thread at the top of its loop. */
void nvmev_park_self(struct nvmev_ctrl *ctrl, u32 *epoch_seen)
{
	atomic_inc(&ctrl->parked);
	wait_event_idle(ctrl->park_wq, !READ_ONCE(ctrl->park) ||
			kthread_should_stop() ||
			(epoch_seen &&
			 smp_load_acquire(&ctrl->epoch) != *epoch_seen));
	atomic_dec(&ctrl->parked);
}

/*
 * Run @fn(@ctrl, @arg) on the dispatcher, between two of its passes, and
 * return what it returns: the way other threads (configfs, debugfs) use
 * state the dispatcher owns.  A disabled controller has no dispatcher:
 * @fn runs here.  Callers: configfs under nvmev_ctrls_lock (which
 * serialises enable and disable), and debugfs readers (their files go
 * before the dispatcher stops, see nvmev_ctrl_disable()).
 */
int nvmev_dispatcher_call(struct nvmev_ctrl *ctrl,
			  int (*fn)(struct nvmev_ctrl *ctrl, void *arg),
			  void *arg)
{
	struct nvmev_call c = { .fn = fn, .arg = arg };

	if (!ctrl->dispatcher)
		return fn(ctrl, arg);
	init_completion(&c.done);
	mutex_lock(&ctrl->call_lock);
	smp_store_release(&ctrl->call, &c);
	wake_up_process(ctrl->dispatcher);
	wait_for_completion(&c.done);
	mutex_unlock(&ctrl->call_lock);
	return c.ret;
}

static void serve_call(struct nvmev_ctrl *ctrl)
{
	struct nvmev_call *c = smp_load_acquire(&ctrl->call);

	c->ret = c->fn(ctrl, c->arg);
	WRITE_ONCE(ctrl->call, NULL);
	complete(&c->done);
}

static int nvmev_dispatcher(void *data)
{
	struct nvmev_ctrl *ctrl = data;
	u64 last_busy = nvmev_now(), last_slow = 0, last_idle = 0;
	unsigned int sleep_us = 0, spins = 0;

	pr_info("dispatcher running on CPU %d\n", smp_processor_id());
	while (!kthread_should_stop()) {
		unsigned int n;
		u64 now, end, due;

		if (unlikely(READ_ONCE(ctrl->park))) {
			nvmev_park_self(ctrl, NULL);
			continue;
		}
		if (unlikely(READ_ONCE(ctrl->call)))
			serve_call(ctrl);
		/* one clock read per pass: the fetch time of its commands */
		now = nvmev_now();
		n = dispatch_once(ctrl, now);
		/*
		 * Doorbell sanity, asynchronous events held back by a full
		 * admin CQ and MSI-X vectors pending behind a mask: every
		 * 10 ms even when busy, so a long busy period delays none.
		 */
		if (now - last_slow > 10 * NSEC_PER_MSEC) {
			last_slow = now;
			slow_checks(ctrl);
		}
		if (unlikely(ctrl->watch_hit_ns)) {
			if (n)
				watch_wake_done(ctrl, now);
			else
				ctrl->watch_hit_ns = 0;	/* not a command */
		}
		end = now;
		if (n) {
			end = nvmev_now();
			/* the emulator's own cost: busy passes only */
			WRITE_ONCE(ctrl->disp_busy_ns, ctrl->disp_busy_ns + end - now);
			WRITE_ONCE(ctrl->disp_cmds, ctrl->disp_cmds + n);
		}
		/* the inline worker: the commands kept here, and their completions */
		nvmev_offload_update(ctrl, now);
		if (nvmev_inline_pass(ctrl, end) || n) {
			last_busy = end;
			sleep_us = 0;
			cond_resched();
			continue;
		}
		/*
		 * Background GC in steps, at most every 50 us of idle
		 * polling: often enough to keep up, rarely enough not to
		 * flood the function trace with an idle loop.
		 */
		if (now - last_idle > 50 * NSEC_PER_USEC) {
			last_idle = now;
			nvmev_model_idle(ctrl, now);
		}
		/*
		 * Idle.  Poll for idle_spin_us, then sleep between polls,
		 * backing off up to idle_sleep_us; after idle_deep_ms, let a
		 * timer watch the doorbells.  A completion of the inline
		 * worker due soon is waited for by polling; one due later
		 * bounds the sleep.
		 */
		due = nvmev_inline_next_due(ctrl);
		/*
		 * A completion of ours due within INLINE_FINE_NS: wait for it
		 * on the clock alone, so that it is posted on time.  A pass
		 * (and under single-threaded TCG the other vCPUs' turn that a
		 * PAUSE gives away) can take longer than that.
		 */
		if (due > now && due - now <= INLINE_FINE_NS) {
			while (nvmev_now() < due)
				barrier();
			continue;
		}
		if (now - last_busy < (u64)READ_ONCE(nvmev_idle_spin_us) * NSEC_PER_USEC ||
		    due < now + INLINE_SPIN_NS) {
			nvmev_spin_relax(&spins);
			cond_resched();
			continue;
		}
		if (READ_ONCE(nvmev_idle_deep_ms) && due == U64_MAX &&
		    now - last_busy >= (u64)READ_ONCE(nvmev_idle_deep_ms) * NSEC_PER_MSEC &&
		    !nvmev_model_idle_pending(ctrl)) {
			dispatcher_watch(ctrl);
			continue;
		}
		sleep_us = clamp(sleep_us * 2, 10U,
				 max(READ_ONCE(nvmev_idle_sleep_us), 10U));
		if (due != U64_MAX)
			sleep_us = min_t(u64, sleep_us,
					 div_u64(due - now - INLINE_SPIN_NS / 2,
						 NSEC_PER_USEC));
		usleep_range(sleep_us, sleep_us + sleep_us / 4);
	}
	return 0;
}

int nvmev_dispatcher_start(struct nvmev_ctrl *ctrl)
{
	struct task_struct *t;
	int i;

	for (i = 0; i < NVMEV_NR_QUEUES; i++)
		spin_lock_init(&ctrl->cq[i].lock);
	hrtimer_init(&ctrl->watch, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ctrl->watch.function = watch_fn;
	t = kthread_create(nvmev_dispatcher, ctrl, "nvmev%u_dispatch",
			   ctrl->index);
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, ctrl->cpus[0]);
	ctrl->dispatcher = t;
	wake_up_process(t);
	return 0;
}

void nvmev_dispatcher_stop(struct nvmev_ctrl *ctrl)
{
	if (ctrl->dispatcher) {
		kthread_stop(ctrl->dispatcher);
		hrtimer_cancel(&ctrl->watch);
		ctrl->dispatcher = NULL;
	}
}
