// SPDX-License-Identifier: GPL-2.0
/*
 * I/O workers.  Each worker owns a single-producer/single-consumer ring fed
 * by the dispatcher and a private min-heap of commands ordered by model
 * completion time.  A command's data is moved as soon as the worker takes
 * it; its completion is posted when the model says, then the CQ's vector
 * is raised once per batch.
 *
 * One more worker has no thread: the inline worker, run by the dispatcher
 * itself between its fetches (nvmev_inline_pass()).  It takes every
 * command until the dispatcher would be too busy (nvmev_offload_update()),
 * then inline_depth of them and the threaded workers the rest, so at low
 * load a command never crosses CPUs and one polling thread spins, not two;
 * with cpus= naming one CPU it takes everything.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/hrtimer.h>
#include <linux/seq_file.h>
#include <linux/math64.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"
#include "../trace/events.h"

#define RING_SIZE	1024			/* power of two */
#define POOL_SIZE	4096
/*
 * Below this distance to the next due completion a worker spins; further
 * away it sleeps on an hrtimer and wakes WAKE_MARGIN_NS early, which covers
 * timer and wake-up latency even under QEMU TCG, so completions are posted
 * on time.
 */
#define SPIN_NS		(200 * NSEC_PER_USEC)
#define WAKE_MARGIN_NS	(100 * NSEC_PER_USEC)

struct nvmev_worker {
	struct nvmev_ctrl *ctrl;
	struct task_struct *task;
	unsigned int id;
	unsigned int cpu;

	/* dispatcher -> worker ring */
	struct nvmev_io *ring;
	u32 ring_head ____cacheline_aligned;	/* consumer */
	u32 ring_tail ____cacheline_aligned;	/* producer */

	/* worker-private */
	struct nvmev_io *pool ____cacheline_aligned;
	u16 *free;				/* free pool slots */
	unsigned int nr_free;
	u16 *heap;				/* pool slots, by t_target */
	unsigned int nr_heap;
	u16 *deferred;				/* due, but their CQ is full */
	DECLARE_BITMAP(irq_pending, NVMEV_MSIX_VECTORS);

	int sleeping;
	u32 epoch_seen;
	u64 completed;
	u64 dropped;
	u64 pulled;
	u64 busy_ns;			/* passes that did work */
	struct nvmev_lat_stats lat[NVMEV_LAT_CLASSES];

	/* inline worker only: the offload decision, see nvmev_offload_update() */
	bool offload;
	u64 win_t, win_disp_ns, win_disp_cmds, win_inl_ns, win_inl_cmds;
	u64 inl_ns_per_cmd;		/* moving average */
	unsigned int util_pct;		/* smoothed estimate */
	u64 offload_on;			/* times offloading began */
};

static unsigned int lat_class(u8 opcode)
{
	switch (opcode) {
	case nvme_cmd_read:
		return NVMEV_LAT_READ;
	case nvme_cmd_write:
	case nvme_cmd_zone_append:	/* a write at the zone's pointer */
		return NVMEV_LAT_WRITE;
	default:
		return NVMEV_LAT_OTHER;
	}
}

/* Device-side latency: fetch to CQ post, against the model's target. */
static void account(struct nvmev_worker *w, struct nvmev_io *io, u64 t_post)
{
	struct nvmev_lat_stats *l = &w->lat[lat_class(io->cmd.common.opcode)];
	u64 late = t_post > io->t_target ? t_post - io->t_target : 0;
	unsigned int b;

	WRITE_ONCE(l->count, l->count + 1);
	WRITE_ONCE(l->target_ns, l->target_ns + io->t_target - io->t_fetch);
	WRITE_ONCE(l->actual_ns, l->actual_ns + t_post - io->t_fetch);
	WRITE_ONCE(l->late_ns, l->late_ns + late);
	if (late > l->late_max_ns)
		WRITE_ONCE(l->late_max_ns, late);
	b = min_t(unsigned int, fls64(late), NVMEV_LAT_BUCKETS - 1);
	WRITE_ONCE(l->late_hist[b], l->late_hist[b] + 1);
}

static void lat_add(struct nvmev_lat_stats out[NVMEV_LAT_CLASSES],
		    struct nvmev_worker *w)
{
	unsigned int c, b;

	for (c = 0; c < NVMEV_LAT_CLASSES; c++) {
		struct nvmev_lat_stats *l = &w->lat[c];

		out[c].count += READ_ONCE(l->count);
		out[c].target_ns += READ_ONCE(l->target_ns);
		out[c].actual_ns += READ_ONCE(l->actual_ns);
		out[c].late_ns += READ_ONCE(l->late_ns);
		out[c].late_max_ns = max(out[c].late_max_ns,
					 READ_ONCE(l->late_max_ns));
		for (b = 0; b < NVMEV_LAT_BUCKETS; b++)
			out[c].late_hist[b] += READ_ONCE(l->late_hist[b]);
	}
}

void nvmev_workers_lat_stats(struct nvmev_ctrl *ctrl,
			     struct nvmev_lat_stats out[NVMEV_LAT_CLASSES])
{
	unsigned int i;

	memset(out, 0, sizeof(*out) * NVMEV_LAT_CLASSES);
	for (i = 0; i < ctrl->nr_workers; i++)
		lat_add(out, &ctrl->workers[i]);
	if (ctrl->inline_w)
		lat_add(out, ctrl->inline_w);
}

/* ---- min-heap of pool slots keyed by t_target ------------------------- */

static inline u64 key(struct nvmev_worker *w, unsigned int i)
{
	return w->pool[w->heap[i]].t_target;
}

static void heap_push(struct nvmev_worker *w, u16 slot)
{
	unsigned int i = w->nr_heap++;

	w->heap[i] = slot;
	while (i) {
		unsigned int p = (i - 1) / 2;

		if (key(w, p) <= key(w, i))
			break;
		swap(w->heap[p], w->heap[i]);
		i = p;
	}
}

static void heap_remove(struct nvmev_worker *w, unsigned int i)
{
	w->heap[i] = w->heap[--w->nr_heap];
	for (;;) {
		unsigned int l = 2 * i + 1, r = l + 1, m = i;

		if (l < w->nr_heap && key(w, l) < key(w, m))
			m = l;
		if (r < w->nr_heap && key(w, r) < key(w, m))
			m = r;
		if (m == i)
			break;
		swap(w->heap[m], w->heap[i]);
		i = m;
	}
}

static void heap_rebuild(struct nvmev_worker *w)
{
	unsigned int n = w->nr_heap, i;

	w->nr_heap = 0;
	for (i = 0; i < n; i++)
		heap_push(w, w->heap[i]);
}

/* ---- dispatcher side ---------------------------------------------------- */

static inline bool ring_full(struct nvmev_worker *w)
{
	return w->ring_tail - smp_load_acquire(&w->ring_head) >= RING_SIZE;
}

/* Commands the inline worker holds (the dispatcher's own: plain reads). */
static inline unsigned int inline_inflight(struct nvmev_worker *w)
{
	return w->ring_tail - w->ring_head + w->nr_heap;
}

/*
 * Does the inline worker take the next command?  Always while the
 * dispatcher has time for it (not offloading); while offloading, up to
 * inline_depth commands, the threaded workers the rest.
 */
static bool inline_takes(struct nvmev_ctrl *ctrl)
{
	struct nvmev_worker *w = ctrl->inline_w;

	if (ring_full(w))
		return false;
	return !ctrl->nr_workers || !w->offload ||
	       inline_inflight(w) < READ_ONCE(nvmev_inline_depth);
}

bool nvmev_workers_have_room(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	if (inline_takes(ctrl))
		return true;
	for (i = 0; i < ctrl->nr_workers; i++)
		if (!ring_full(&ctrl->workers[i]))
			return true;
	return false;
}

static void kick(struct nvmev_worker *w)
{
	/* pairs with worker_sleep(): publish the ring, then read sleeping */
	smp_mb();
	if (READ_ONCE(w->sleeping))
		wake_up_process(w->task);
}

static void ring_put(struct nvmev_worker *w, const struct nvmev_io *io)
{
	w->ring[w->ring_tail & (RING_SIZE - 1)] = *io;
	smp_store_release(&w->ring_tail, w->ring_tail + 1);
}

bool nvmev_worker_submit(struct nvmev_ctrl *ctrl, const struct nvmev_io *io)
{
	unsigned int i;

	NVMEV_FN();
	if (inline_takes(ctrl)) {
		ring_put(ctrl->inline_w, io);
		return true;
	}
	for (i = 0; i < ctrl->nr_workers; i++) {
		struct nvmev_worker *w;

		w = &ctrl->workers[ctrl->next_worker];
		ctrl->next_worker = (ctrl->next_worker + 1) % ctrl->nr_workers;
		if (ring_full(w))
			continue;
		ring_put(w, io);
		kick(w);
		return true;
	}
	return false;	/* callers check nvmev_workers_have_room() first */
}

void nvmev_workers_kick(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	for (i = 0; i < ctrl->nr_workers; i++)
		kick(&ctrl->workers[i]);
}

unsigned int nvmev_workers_ack_epoch(struct nvmev_ctrl *ctrl, u32 epoch)
{
	unsigned int i, n = 0;

	for (i = 0; i < ctrl->nr_workers; i++)
		if (smp_load_acquire(&ctrl->workers[i].epoch_seen) == epoch)
			n++;
	return n;
}

/* ---- worker side -------------------------------------------------------- */

static bool io_stale(struct nvmev_ctrl *ctrl, struct nvmev_io *io)
{
	struct nvmev_sq *sq = &ctrl->sq[io->sqid];

	return !READ_ONCE(sq->valid) || sq->instance != io->sq_instance;
}

static void release_slot(struct nvmev_worker *w, u16 slot)
{
	w->free[w->nr_free++] = slot;
}

/* Take new commands from the ring and do their data phase. */
static bool pull(struct nvmev_worker *w)
{
	struct nvmev_ctrl *ctrl = w->ctrl;
	u32 tail = smp_load_acquire(&w->ring_tail);
	bool did = false;

	/* the data phase is DMA: none while Bus Master Enable is clear */
	if (w->ring_head == tail || unlikely(!nvmev_bus_master(ctrl)))
		return false;
	while (w->ring_head != tail && w->nr_free) {
		u16 slot = w->free[--w->nr_free];
		struct nvmev_io *io = &w->pool[slot];

		*io = w->ring[w->ring_head & (RING_SIZE - 1)];
		smp_store_release(&w->ring_head, w->ring_head + 1);
		if (io_stale(ctrl, io)) {
			w->dropped++;
			release_slot(w, slot);
			continue;
		}
		nvmev_trace_set_cmd(io->sqid, io->cmd.common.command_id);
		trace_nvmev_cmd_data_start(io->sqid, io->cmd.common.command_id);
		nvmev_io_execute(ctrl, io);
		trace_nvmev_cmd_data_done(io->sqid, io->cmd.common.command_id);
		nvmev_trace_clear_cmd();
		heap_push(w, slot);
		w->pulled++;
		did = true;
	}
	return did;
}

/*
 * A new epoch: drop every command whose queue is gone, keep the others.
 * The dispatcher waits in nvmev_sync_workers() until we acknowledge the
 * epoch and produces nothing meanwhile, so the ring between head and tail
 * is ours to rewrite: live commands are compacted towards the tail, in
 * order, and stay there (the pool may be full; nothing live is lost).
 */
static void drop_stale(struct nvmev_worker *w)
{
	struct nvmev_ctrl *ctrl = w->ctrl;
	u32 head = w->ring_head, tail = smp_load_acquire(&w->ring_tail);
	u32 src = tail, dst = tail;
	unsigned int i = 0, n = 0;

	while (src != head) {
		struct nvmev_io *io = &w->ring[--src & (RING_SIZE - 1)];

		if (io_stale(ctrl, io)) {
			w->dropped++;
			continue;
		}
		if (--dst != src)
			w->ring[dst & (RING_SIZE - 1)] = *io;
	}
	smp_store_release(&w->ring_head, dst);

	while (i < w->nr_heap) {
		u16 slot = w->heap[i];

		if (io_stale(ctrl, &w->pool[slot])) {
			w->heap[i] = w->heap[--w->nr_heap];
			release_slot(w, slot);
			w->dropped++;
			n++;
		} else {
			i++;
		}
	}
	if (n)
		heap_rebuild(w);
}

/*
 * Post the completions that are due.  A full CQ holds back only its own
 * commands: they are set aside for this pass and retried on the next, so a
 * host that stops reaping one CQ does not stall the others.
 */
static bool complete_due(struct nvmev_worker *w, u64 now)
{
	struct nvmev_ctrl *ctrl = w->ctrl;
	DECLARE_BITMAP(full, NVMEV_NR_QUEUES);
	unsigned int nr_deferred = 0, i;
	bool did = false;

	if (!w->nr_heap || key(w, 0) > now)
		return false;
	/* completions are DMA writes and MSI-X is a DMA write too */
	if (unlikely(!nvmev_bus_master(ctrl)))
		return false;
	bitmap_zero(full, NVMEV_NR_QUEUES);
	while (w->nr_heap && key(w, 0) <= now) {
		u16 slot = w->heap[0];
		struct nvmev_io *io = &w->pool[slot];
		struct nvmev_sq *sq = &ctrl->sq[io->sqid];
		struct nvmev_cq *cq = &ctrl->cq[sq->cqid];
		bool irq = false;
		u64 t_post;

		if (test_bit(sq->cqid, full)) {
			heap_remove(w, 0);
			w->deferred[nr_deferred++] = slot;
			continue;
		}
		nvmev_trace_set_cmd(io->sqid, io->cmd.common.command_id);
		if (!nvmev_post_cqe(ctrl, cq, io->sqid, io->cmd.common.command_id,
				    io->status, io->result, &irq)) {
			nvmev_trace_clear_cmd();
			/* CQ full: retry when the host frees it */
			__set_bit(sq->cqid, full);
			heap_remove(w, 0);
			w->deferred[nr_deferred++] = slot;
			continue;
		}
		t_post = now;	/* read just before this pass: no clock per CQE */
		trace_nvmev_cmd_complete(io->sqid, io->cmd.common.command_id,
					 io->status, io->t_target - io->t_fetch,
					 t_post - io->t_fetch);
		nvmev_trace_clear_cmd();
		if (!io->status)
			account(w, io, t_post);
		if (irq)
			__set_bit(cq->vector, w->irq_pending);
		heap_remove(w, 0);
		release_slot(w, slot);
		w->completed++;
		did = true;
	}
	for (i = 0; i < nr_deferred; i++)
		heap_push(w, w->deferred[i]);
	if (did) {
		unsigned int v;

		for_each_set_bit(v, w->irq_pending, NVMEV_MSIX_VECTORS) {
			__clear_bit(v, w->irq_pending);
			trace_nvmev_irq(v, v);
			nvmev_signal_irq(ctrl, v);
		}
	}
	return did;
}

/*
 * One pass, @t0 being the time it starts: take new commands (their data
 * phase), then post what is due at *@now (the clock again only if there
 * was data to move).  The threaded workers' loop and the inline worker's
 * pass.  Returns true when it did anything; its time counts as busy.
 */
static bool worker_pass(struct nvmev_worker *w, u64 t0, u64 *now)
{
	bool did = pull(w);

	*now = did ? nvmev_now() : t0;
	did |= complete_due(w, *now);
	if (did)
		/* the emulator's own cost: busy passes only */
		WRITE_ONCE(w->busy_ns, w->busy_ns + nvmev_now() - t0);
	return did;
}

/* ---- the inline worker: run by the dispatcher --------------------------- */

/*
 * A new epoch (nvmev_sync_workers(), on the dispatcher): the inline worker
 * drops its stale commands at once, as the threaded ones do on their own.
 */
void nvmev_inline_sync(struct nvmev_ctrl *ctrl, u32 epoch)
{
	struct nvmev_worker *w = ctrl->inline_w;

	drop_stale(w);
	w->epoch_seen = epoch;
}

/*
 * One pass of the inline worker, @t being the time of the dispatcher's
 * pass: the data phase of what the dispatcher just handed it, then the
 * completions that are due.  Returns true when it did anything.
 */
bool nvmev_inline_pass(struct nvmev_ctrl *ctrl, u64 t)
{
	u64 now;

	/* nothing taken and nothing due: no work, no clock read */
	if (nvmev_inline_next_due(ctrl) > t)
		return false;
	return worker_pass(ctrl->inline_w, t, &now);
}

/*
 * Dispatcher: wait until every fetched command has completed (or been
 * dropped), running the inline worker meanwhile.  The dispatcher fetches
 * nothing while it waits, so afterwards no command refers to state the
 * caller is about to change (a namespace's extent or format).  A host
 * that stops reaping a CQ could hold a completion back forever: give up
 * after 10 s with -EBUSY.
 */
static bool worker_done(struct nvmev_worker *w)
{
	/* everything handed over (ring_tail counts it) is completed or dropped */
	return (u32)(READ_ONCE(w->completed) + READ_ONCE(w->dropped)) ==
	       w->ring_tail;
}

int nvmev_workers_drain(struct nvmev_ctrl *ctrl)
{
	unsigned long deadline = jiffies + 10 * HZ;
	unsigned int i;
	bool busy;

	do {
		u64 now;

		if (!worker_done(ctrl->inline_w))
			worker_pass(ctrl->inline_w, nvmev_now(), &now);
		busy = !worker_done(ctrl->inline_w);
		for (i = 0; i < ctrl->nr_workers; i++) {
			if (!worker_done(&ctrl->workers[i])) {
				busy = true;
				kick(&ctrl->workers[i]);
			}
		}
		if (!busy)
			return 0;
		if (time_after(jiffies, deadline)) {
			pr_warn("%s: commands still in flight after 10 s (a CQ not reaped?)\n",
				ctrl->name);
			return -EBUSY;
		}
		cond_resched();
	} while (true);
}

/*
 * Every OFFLOAD_WINDOW_NS of the dispatcher's time: would it be busy more
 * than offload_pct % of its CPU if it did every command's I/O itself?  The
 * estimate is its own fetch time plus the window's commands times the
 * inline worker's average cost per command (kept fresh while offloading
 * too: it always keeps up to inline_depth commands).  Above offload_pct
 * the threaded workers take the commands beyond inline_depth; below half
 * of it the dispatcher takes them all again.  One polling CPU then serves
 * a light load and the others sleep: on a host with fewer cores than
 * busy vCPUs (QEMU's multi-threaded TCG on a small machine), a second
 * spinning thread only takes time from the vCPU that submits the I/O.
 */
#define OFFLOAD_WINDOW_NS	(4 * NSEC_PER_MSEC)

void nvmev_offload_update(struct nvmev_ctrl *ctrl, u64 now)
{
	struct nvmev_worker *w = ctrl->inline_w;
	u64 dt = now - w->win_t, cmds, inl_cmds, est;
	unsigned int pct = READ_ONCE(nvmev_offload_pct);

	if (dt < OFFLOAD_WINDOW_NS)
		return;
	cmds = ctrl->disp_cmds - w->win_disp_cmds;
	inl_cmds = w->pulled - w->win_inl_cmds;
	if (inl_cmds) {
		u64 c = div64_u64(w->busy_ns - w->win_inl_ns, inl_cmds);

		w->inl_ns_per_cmd = w->inl_ns_per_cmd ?
				    (3 * w->inl_ns_per_cmd + c) / 4 : c;
	}
	est = ctrl->disp_busy_ns - w->win_disp_ns + cmds * w->inl_ns_per_cmd;
	/*
	 * Smoothed over about four windows: a vCPU the host deschedules in
	 * the middle of a busy pass inflates one window, and must not flip
	 * the decision (each flip wakes or idles the workers).
	 */
	w->util_pct = (3 * w->util_pct +
		       min_t(u64, div64_u64(est * 100, dt), 999)) / 4;
	if (!w->offload && w->util_pct > pct && pct < 100) {
		w->offload = true;
		w->offload_on++;
	} else if (w->offload && w->util_pct < pct / 2) {
		w->offload = false;
	}
	w->win_t = now;
	w->win_disp_ns = ctrl->disp_busy_ns;
	w->win_disp_cmds = ctrl->disp_cmds;
	w->win_inl_ns = w->busy_ns;
	w->win_inl_cmds = w->pulled;
}

/*
 * When the inline worker needs the dispatcher next: 0 for now (commands
 * not yet taken), the due time of its next completion, or U64_MAX when it
 * holds nothing.
 */
u64 nvmev_inline_next_due(struct nvmev_ctrl *ctrl)
{
	struct nvmev_worker *w = ctrl->inline_w;

	if (w->ring_head != w->ring_tail)
		return 0;
	return w->nr_heap ? key(w, 0) : U64_MAX;
}

/*
 * Sleep until @until (ns, nvmev_now()) or, with 0, until kicked (a 1 s
 * timeout guards against a lost wake-up).  Returns true when an idle
 * sleep ended by a kick: work is coming.
 */
static bool worker_sleep(struct nvmev_worker *w, u64 until)
{
	bool kicked = false;

	set_current_state(TASK_IDLE);
	WRITE_ONCE(w->sleeping, 1);
	/* pairs with kick(): publish sleeping, then look at the ring */
	smp_mb();
	if (w->ring_head == smp_load_acquire(&w->ring_tail) &&
	    smp_load_acquire(&w->ctrl->epoch) == w->epoch_seen &&
	    !kthread_should_stop()) {
		u64 now = nvmev_now();

		if (until > now) {
			/* relative: nvmev_now() is not CLOCK_MONOTONIC */
			ktime_t t = ns_to_ktime(until - now);

			schedule_hrtimeout_range(&t, WAKE_MARGIN_NS / 2,
						 HRTIMER_MODE_REL);
		} else if (!until) {
			kicked = schedule_timeout(HZ) > 0;
		}
	}
	WRITE_ONCE(w->sleeping, 0);
	__set_current_state(TASK_RUNNING);
	return kicked;
}

static int nvmev_worker_fn(void *data)
{
	struct nvmev_worker *w = data;
	struct nvmev_ctrl *ctrl = w->ctrl;
	u64 last_busy = nvmev_now();
	unsigned int spins = 0;

	pr_info("I/O worker %u running on CPU %d\n", w->id, smp_processor_id());
	while (!kthread_should_stop()) {
		u32 epoch = smp_load_acquire(&ctrl->epoch);
		bool did;
		u64 t0, now;

		if (unlikely(epoch != w->epoch_seen)) {
			drop_stale(w);
			smp_store_release(&w->epoch_seen, epoch);
		}
		if (unlikely(READ_ONCE(ctrl->park))) {
			/* wakes for a new epoch too: queue teardown waits */
			nvmev_park_self(ctrl, &w->epoch_seen);
			continue;
		}
		t0 = nvmev_now();
		did = worker_pass(w, t0, &now);
		if (did) {
			last_busy = now;
			cond_resched();
			continue;
		}
		/*
		 * Idle: keep polling the ring for idle_spin_us, as the
		 * dispatcher does, so that a new command is not delayed by a
		 * wake-up; then sleep until the dispatcher kicks us.
		 */
		if (!w->nr_heap &&
		    now - last_busy > (u64)READ_ONCE(nvmev_idle_spin_us) * NSEC_PER_USEC) {
			/* kicked awake: poll again, the commands follow */
			if (worker_sleep(w, 0))
				last_busy = nvmev_now();
		} else if (w->nr_heap && key(w, 0) > now + SPIN_NS) {
			worker_sleep(w, key(w, 0) - WAKE_MARGIN_NS);
		} else {
			nvmev_spin_relax(&spins);
		}
		/* worker_sleep() may return at once (work is queued) */
		cond_resched();
	}
	return 0;
}

void nvmev_workers_cpu_show(struct nvmev_ctrl *ctrl, struct seq_file *m)
{
	struct nvmev_worker *iw = ctrl->inline_w;
	unsigned int i;

	if (iw) {
		u64 n = READ_ONCE(iw->pulled), ns = READ_ONCE(iw->busy_ns);

		/* the dispatcher's thread runs it: its run time is the dispatcher's */
		seq_printf(m, "inline_depth %u\n", READ_ONCE(nvmev_inline_depth));
		seq_printf(m, "offload_pct %u\n", READ_ONCE(nvmev_offload_pct));
		seq_printf(m, "offload %d\n", READ_ONCE(iw->offload));
		seq_printf(m, "offload_util_pct %u\n", READ_ONCE(iw->util_pct));
		seq_printf(m, "offload_on %llu\n", READ_ONCE(iw->offload_on));
		seq_printf(m, "inline_cmds %llu\n", n);
		seq_printf(m, "inline_busy_ns %llu\n", ns);
		seq_printf(m, "inline_ns_per_cmd %llu\n", n ? div64_u64(ns, n) : 0);
	}

	for (i = 0; i < ctrl->nr_workers; i++) {
		struct nvmev_worker *w = &ctrl->workers[i];
		u64 n = READ_ONCE(w->pulled), ns = READ_ONCE(w->busy_ns);

		seq_printf(m, "worker%u_cmds %llu\n", i, n);
		seq_printf(m, "worker%u_busy_ns %llu\n", i, ns);
		seq_printf(m, "worker%u_ns_per_cmd %llu\n", i, n ? div64_u64(ns, n) : 0);
		if (w->task)
			seq_printf(m, "worker%u_runtime_ns %llu\n", i,
				   (u64)w->task->se.sum_exec_runtime);
	}
}

static int worker_alloc(struct nvmev_ctrl *ctrl, struct nvmev_worker *w,
			unsigned int id, unsigned int cpu)
{
	unsigned int j;

	w->ctrl = ctrl;
	w->id = id;
	w->cpu = cpu;
	w->epoch_seen = ctrl->epoch;
	w->ring = kvcalloc(RING_SIZE, sizeof(*w->ring), GFP_KERNEL);
	w->pool = kvcalloc(POOL_SIZE, sizeof(*w->pool), GFP_KERNEL);
	w->free = kvcalloc(POOL_SIZE, sizeof(*w->free), GFP_KERNEL);
	w->heap = kvcalloc(POOL_SIZE, sizeof(*w->heap), GFP_KERNEL);
	w->deferred = kvcalloc(POOL_SIZE, sizeof(*w->deferred), GFP_KERNEL);
	if (!w->ring || !w->pool || !w->free || !w->heap || !w->deferred)
		return -ENOMEM;
	for (j = 0; j < POOL_SIZE; j++)
		w->free[j] = POOL_SIZE - 1 - j;
	w->nr_free = POOL_SIZE;
	return 0;
}

static void worker_free(struct nvmev_worker *w)
{
	if (w->task)
		kthread_stop(w->task);
	kvfree(w->ring);
	kvfree(w->pool);
	kvfree(w->free);
	kvfree(w->heap);
	kvfree(w->deferred);
}

/* The threaded workers, one per CPU after the first, and the inline one. */
int nvmev_workers_start(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	ctrl->nr_workers = ctrl->nr_cpus - 1;
	ctrl->inline_w = kzalloc(sizeof(*ctrl->inline_w), GFP_KERNEL);
	ctrl->workers = kcalloc(max(ctrl->nr_workers, 1U),
				sizeof(*ctrl->workers), GFP_KERNEL);
	if (!ctrl->workers || !ctrl->inline_w)
		goto err;
	if (worker_alloc(ctrl, ctrl->inline_w, 0, ctrl->cpus[0]))
		goto err;
	for (i = 0; i < ctrl->nr_workers; i++) {
		struct nvmev_worker *w = &ctrl->workers[i];

		if (worker_alloc(ctrl, w, i, ctrl->cpus[i + 1]))
			goto err;
		w->task = kthread_create(nvmev_worker_fn, w, "nvmev%u_io%u",
					 ctrl->index, i);
		if (IS_ERR(w->task)) {
			w->task = NULL;
			goto err;
		}
		kthread_bind(w->task, w->cpu);
	}
	for (i = 0; i < ctrl->nr_workers; i++)
		wake_up_process(ctrl->workers[i].task);
	return 0;
err:
	nvmev_workers_stop(ctrl);
	return -ENOMEM;
}

/* After the dispatcher has stopped: it runs the inline worker. */
void nvmev_workers_stop(struct nvmev_ctrl *ctrl)
{
	unsigned int i;

	if (ctrl->workers) {
		for (i = 0; i < ctrl->nr_workers; i++)
			worker_free(&ctrl->workers[i]);
		kfree(ctrl->workers);
		ctrl->workers = NULL;
	}
	if (ctrl->inline_w) {
		worker_free(ctrl->inline_w);
		kfree(ctrl->inline_w);
		ctrl->inline_w = NULL;
	}
}
