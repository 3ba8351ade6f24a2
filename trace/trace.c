// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev function enter/exit tracing and tracepoints.
 *
 * Producers: NVMEV_FN() call sites, from any CPU.  Each CPU owns one ring;
 * a record is written with local interrupts off on that CPU, so there is
 * exactly one writer per ring and no lock shared between CPUs.  A full ring
 * drops the record and counts it; the writer never waits.
 *
 * Readers (debugfs trace, trace_pipe, clear, resize) serialize among
 * themselves with nvmev_trace_lock, which producers never take.  A ring is
 * a power-of-two array with free-running head (producer, release) and tail
 * (consumer, release) indexes; the producer reads tail with acquire before
 * reusing a slot, the reader reads head with acquire before reading slots.
 * Rings are replaced (buffer_size_kb) under RCU: producers run with
 * interrupts off, which is an RCU read-side critical section.
 */
#include "nvmev_trace.h"
#define CREATE_TRACE_POINTS
#include "events.h"
#include "../core/nvmev.h"

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/cpu.h>
#include <linux/completion.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

DEFINE_STATIC_KEY_FALSE(nvmev_trace_key);
DEFINE_PER_CPU(u64, nvmev_trace_cmd);

/* per-CPU ring size limit, KiB (256 MiB) */
#define NVMEV_TRACE_MAX_KB	(256 * 1024)

#define NVMEV_REC_ENTER		1
#define NVMEV_REC_EXIT		2
#define NVMEV_REC_HAS_CMD	0x80

struct nvmev_trace_rec {
	u64 ts;			/* local_clock(), ns */
	const char *fn;		/* __func__ of the call site */
	u64 dur;		/* exit: duration of the call, ns */
	u16 qid;
	u16 cid;
	u8 type;		/* NVMEV_REC_* */
	u8 depth;
	u16 pad;
};

struct nvmev_ring {
	unsigned long head ____cacheline_aligned;	/* producer */
	unsigned long tail ____cacheline_aligned;	/* consumer */
	unsigned long mask;
	struct nvmev_trace_rec rec[] ____cacheline_aligned;
};

struct nvmev_trace_cpu {
	struct nvmev_ring __rcu *ring;
	atomic_t depth;
	u64 recorded;		/* written by the producer only */
	u64 dropped;		/* written by the producer only */
	u64 base_recorded;	/* at the last clear (reader side) */
	u64 base_dropped;
};

static DEFINE_PER_CPU(struct nvmev_trace_cpu, nvmev_tc);

#define NVMEV_FILTER_MAX	64

struct nvmev_filter {
	struct rcu_head rcu;
	unsigned int n;
	const char *pat[NVMEV_FILTER_MAX];
	char buf[];
};

static DEFINE_MUTEX(nvmev_trace_lock);	/* readers and configuration */
static bool nvmev_ring_on;		/* debugfs "enable" */
static unsigned int nvmev_buf_kb = 1024;	/* per CPU */
static struct nvmev_filter __rcu *nvmev_filter;
static unsigned int nvmev_filter_gen = 1;	/* never 0: site cache */
static struct dentry *nvmev_trace_files[9];

/* ---- filter ------------------------------------------------------------ */

/* '*' matches any run, '?' any one character. */
static bool nvmev_glob(const char *p, const char *s)
{
	const char *star = NULL, *ss = NULL;

	while (*s) {
		if (*p == '?' || *p == *s) {
			p++;
			s++;
		} else if (*p == '*') {
			star = p++;
			ss = s;
		} else if (star) {
			p = star + 1;
			s = ++ss;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

/* No pattern: all pass.  "!glob" excludes; otherwise some glob must match. */
static bool nvmev_filter_match(const struct nvmev_filter *f, const char *fn)
{
	bool any = false, hit = false;
	unsigned int i;

	if (!f)
		return true;
	for (i = 0; i < f->n; i++) {
		const char *p = f->pat[i];

		if (*p == '!') {
			if (nvmev_glob(p + 1, fn))
				return false;
		} else {
			any = true;
			if (!hit && nvmev_glob(p, fn))
				hit = true;
		}
	}
	return !any || hit;
}

static bool nvmev_site_pass(struct nvmev_trace_site *site)
{
	unsigned int gen = smp_load_acquire(&nvmev_filter_gen) & 0x7fffffff;
	unsigned int c = READ_ONCE(site->filter);
	bool pass;

	if ((c >> 1) == gen)
		return c & 1;
	rcu_read_lock();
	pass = nvmev_filter_match(rcu_dereference(nvmev_filter), site->fn);
	rcu_read_unlock();
	WRITE_ONCE(site->filter, (gen << 1) | pass);
	return pass;
}

/* ---- recording ----------------------------------------------------------- */

/* Local interrupts off: the only writer of this CPU's ring. */
static void nvmev_ring_put(struct nvmev_trace_cpu *tc,
			   const struct nvmev_trace_rec *r)
{
	struct nvmev_ring *ring = rcu_dereference_sched(tc->ring);
	unsigned long head, tail;

	if (unlikely(!ring)) {
		WRITE_ONCE(tc->dropped, tc->dropped + 1);
		return;
	}
	head = ring->head;
	tail = smp_load_acquire(&ring->tail);
	if (unlikely(head - tail > ring->mask)) {
		WRITE_ONCE(tc->dropped, tc->dropped + 1);
		return;
	}
	ring->rec[head & ring->mask] = *r;
	smp_store_release(&ring->head, head + 1);
	WRITE_ONCE(tc->recorded, tc->recorded + 1);
}

static void nvmev_fill_cmd(struct nvmev_trace_rec *r, u64 cmd)
{
	if (cmd & NVMEV_TRACE_CMD_VALID) {
		r->type |= NVMEV_REC_HAS_CMD;
		r->qid = (u16)(cmd >> 16);
		r->cid = (u16)cmd;
	}
}

struct nvmev_trace_scope *__nvmev_fn_enter(struct nvmev_trace_site *site,
					   struct nvmev_trace_scope *s)
{
	bool tp_enter = trace_nvmev_fn_enter_enabled();
	bool tp = tp_enter || trace_nvmev_fn_exit_enabled();
	bool ring = READ_ONCE(nvmev_ring_on) && nvmev_site_pass(site);
	struct nvmev_trace_rec r = { .type = NVMEV_REC_ENTER };
	struct nvmev_trace_cpu *tc;
	unsigned long flags;
	u64 cmd;
	int depth;

	if (!ring && !tp)
		return NULL;

	local_irq_save(flags);
	tc = this_cpu_ptr(&nvmev_tc);
	cmd = __this_cpu_read(nvmev_trace_cmd);
	depth = atomic_inc_return(&tc->depth) - 1;
	s->site = site;
	s->cpu = smp_processor_id();
	s->depth = clamp(depth, 0, 255);
	s->flags = 0;
	s->t0 = local_clock();
	if (ring) {
		r.ts = s->t0;
		r.fn = site->fn;
		r.depth = s->depth;
		nvmev_fill_cmd(&r, cmd);
		nvmev_ring_put(tc, &r);
		s->flags |= NVMEV_TS_RING;
	}
	local_irq_restore(flags);

	if (tp) {
		/* exit fires (with its duration) even if only it is enabled */
		s->flags |= NVMEV_TS_TP;
		if (!(cmd & NVMEV_TRACE_CMD_VALID))
			cmd = 0xffffffff;	/* qid = cid = 0xffff: none */
		if (tp_enter)
			trace_nvmev_fn_enter(site->fn, (u16)(cmd >> 16),
					     (u16)cmd);
	}
	return s;
}

void __nvmev_fn_exit(struct nvmev_trace_scope *s)
{
	struct nvmev_trace_rec r = { .type = NVMEV_REC_EXIT };
	unsigned long flags;
	u64 cmd, now;
	s64 dur;

	local_irq_save(flags);
	now = local_clock();
	dur = (s64)(now - s->t0);
	if (dur < 0)	/* exit on another CPU whose clock lags */
		dur = 0;
	atomic_dec(&per_cpu_ptr(&nvmev_tc, s->cpu)->depth);
	cmd = __this_cpu_read(nvmev_trace_cmd);
	if (s->flags & NVMEV_TS_RING) {
		r.ts = now;
		r.fn = s->site->fn;
		r.dur = dur;
		r.depth = s->depth;
		nvmev_fill_cmd(&r, cmd);
		nvmev_ring_put(this_cpu_ptr(&nvmev_tc), &r);
	}
	local_irq_restore(flags);

	if (!(cmd & NVMEV_TRACE_CMD_VALID))
		cmd = 0xffffffff;
	if (s->flags & NVMEV_TS_TP)
		trace_nvmev_fn_exit(s->site->fn, (u16)(cmd >> 16), (u16)cmd,
				    dur);
}

/*
 * The polling threads run the code this key patches: park them while it
 * flips (see nvmev_threads_park() in core/ctrl.c).
 */
static void nvmev_trace_key_inc(void)
{
	nvmev_threads_park();
	static_branch_inc(&nvmev_trace_key);
	nvmev_threads_unpark();
}

static void nvmev_trace_key_dec(void)
{
	nvmev_threads_park();
	static_branch_dec(&nvmev_trace_key);
	nvmev_threads_unpark();
}

int nvmev_fn_tp_reg(void)
{
	nvmev_trace_key_inc();
	return 0;
}

void nvmev_fn_tp_unreg(void)
{
	nvmev_trace_key_dec();
}

/* ---- rings ---------------------------------------------------------------- */

static unsigned long nvmev_ring_entries(unsigned int kb)
{
	unsigned long n = (unsigned long)kb * 1024 /
			  sizeof(struct nvmev_trace_rec);

	return rounddown_pow_of_two(max(n, 16UL));
}

static struct nvmev_ring *nvmev_ring_get(int cpu)
{
	return rcu_dereference_protected(per_cpu(nvmev_tc, cpu).ring,
					 lockdep_is_held(&nvmev_trace_lock));
}

/* Allocate (or reallocate at a new size) every CPU's ring.  Lock held. */
static int nvmev_rings_alloc(unsigned int kb, bool resize)
{
	unsigned long n = nvmev_ring_entries(kb);
	struct nvmev_ring **old, **fresh;
	int cpu, ret = 0;

	old = kcalloc(nr_cpu_ids, sizeof(*old), GFP_KERNEL);
	fresh = kcalloc(nr_cpu_ids, sizeof(*fresh), GFP_KERNEL);
	if (!old || !fresh) {
		ret = -ENOMEM;
		goto out;
	}

	/* All or nothing: allocate every new ring before replacing any. */
	for_each_possible_cpu(cpu) {
		struct nvmev_ring *ring = nvmev_ring_get(cpu);

		if (ring && !resize)
			continue;
		ring = kvzalloc_node(struct_size(ring, rec, n),
				     GFP_KERNEL | __GFP_NOWARN, cpu_to_node(cpu));
		if (!ring) {
			ret = -ENOMEM;
			goto out;
		}
		ring->mask = n - 1;
		fresh[cpu] = ring;
	}
	for_each_possible_cpu(cpu) {
		struct nvmev_trace_cpu *tc = per_cpu_ptr(&nvmev_tc, cpu);

		if (!fresh[cpu])
			continue;
		old[cpu] = nvmev_ring_get(cpu);
		rcu_assign_pointer(tc->ring, fresh[cpu]);
		fresh[cpu] = NULL;
		tc->base_recorded = READ_ONCE(tc->recorded);
		tc->base_dropped = READ_ONCE(tc->dropped);
	}
	synchronize_rcu();
out:
	for_each_possible_cpu(cpu) {
		if (old)
			kvfree(old[cpu]);
		if (fresh)
			kvfree(fresh[cpu]);
	}
	kfree(old);
	kfree(fresh);
	return ret;
}

static void nvmev_rings_free(void)
{
	struct nvmev_ring **old;
	int cpu;

	old = kcalloc(nr_cpu_ids, sizeof(*old), GFP_KERNEL);
	for_each_possible_cpu(cpu) {
		struct nvmev_trace_cpu *tc = per_cpu_ptr(&nvmev_tc, cpu);

		if (old)
			old[cpu] = nvmev_ring_get(cpu);
		RCU_INIT_POINTER(tc->ring, NULL);
	}
	synchronize_rcu();
	if (!old)
		return;		/* -ENOMEM: leak rather than race */
	for_each_possible_cpu(cpu)
		kvfree(old[cpu]);
	kfree(old);
}

/* Empty every ring and restart the stats.  Lock held. */
static void nvmev_rings_clear(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nvmev_trace_cpu *tc = per_cpu_ptr(&nvmev_tc, cpu);
		struct nvmev_ring *ring = nvmev_ring_get(cpu);

		if (ring)
			smp_store_release(&ring->tail,
					  smp_load_acquire(&ring->head));
		tc->base_recorded = READ_ONCE(tc->recorded);
		tc->base_dropped = READ_ONCE(tc->dropped);
	}
}

/* ---- readers: trace (snapshot) and trace_pipe (consuming) --------------- */

struct nvmev_reader {
	bool consume;
	bool header;		/* header still to print */
	struct nvmev_ring **ring;	/* identity only, never dereferenced */
	unsigned long *pos;
	unsigned long *end;
	size_t len, off;
	char buf[PAGE_SIZE];
};

static struct nvmev_reader *nvmev_reader_new(bool consume)
{
	struct nvmev_reader *rd = kvzalloc(sizeof(*rd), GFP_KERNEL);

	if (!rd)
		return NULL;
	rd->consume = consume;
	rd->header = !consume;
	rd->ring = kcalloc(nr_cpu_ids, sizeof(*rd->ring), GFP_KERNEL);
	rd->pos = kcalloc(nr_cpu_ids, sizeof(*rd->pos), GFP_KERNEL);
	rd->end = kcalloc(nr_cpu_ids, sizeof(*rd->end), GFP_KERNEL);
	if (!rd->ring || !rd->pos || !rd->end) {
		kfree(rd->ring);
		kfree(rd->pos);
		kfree(rd->end);
		kvfree(rd);
		return NULL;
	}
	return rd;
}

static void nvmev_reader_free(struct nvmev_reader *rd)
{
	kfree(rd->ring);
	kfree(rd->pos);
	kfree(rd->end);
	kvfree(rd);
}

/* Snapshot: a "trace" reader shows what was in the rings when opened. */
static void nvmev_reader_snapshot(struct nvmev_reader *rd)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nvmev_ring *ring = nvmev_ring_get(cpu);

		rd->ring[cpu] = ring;
		if (ring) {
			rd->pos[cpu] = READ_ONCE(ring->tail);
			rd->end[cpu] = smp_load_acquire(&ring->head);
		}
	}
}

/* Oldest unread record over all CPUs.  Lock held. */
static bool nvmev_reader_next(struct nvmev_reader *rd,
			      struct nvmev_trace_rec *out, int *out_cpu)
{
	struct nvmev_ring *best_ring = NULL;
	unsigned long best_i = 0;
	int cpu, best = -1;
	u64 best_ts = 0;

	for_each_possible_cpu(cpu) {
		struct nvmev_ring *ring = nvmev_ring_get(cpu);
		unsigned long i, end;
		u64 ts;

		if (!ring)
			continue;
		if (rd->consume) {
			i = READ_ONCE(ring->tail);
			end = smp_load_acquire(&ring->head);
		} else {
			if (ring != rd->ring[cpu])	/* resized: gone */
				continue;
			/* Consumed or cleared meanwhile: skip ahead. */
			i = max(rd->pos[cpu], READ_ONCE(ring->tail));
			if ((long)(i - rd->end[cpu]) > 0)
				i = rd->end[cpu];
			rd->pos[cpu] = i;
			end = rd->end[cpu];
		}
		if (i == end)
			continue;
		ts = ring->rec[i & ring->mask].ts;
		if (best < 0 || ts < best_ts) {
			best = cpu;
			best_ts = ts;
			best_ring = ring;
			best_i = i;
		}
	}
	if (best < 0)
		return false;

	/* Slots in [tail, head) are never rewritten; tail moves under lock. */
	*out = best_ring->rec[best_i & best_ring->mask];
	*out_cpu = best;
	if (rd->consume)
		smp_store_release(&best_ring->tail, best_i + 1);
	else
		rd->pos[best] = best_i + 1;
	return true;
}

static int nvmev_format(char *buf, size_t size, int cpu,
			const struct nvmev_trace_rec *r)
{
	u64 ts_s = r->ts, ts_ns;
	char qid[8] = "-", cid[8] = "-";
	bool enter = (r->type & 0x7f) == NVMEV_REC_ENTER;
	int n;

	ts_ns = do_div(ts_s, NSEC_PER_SEC);
	if (r->type & NVMEV_REC_HAS_CMD) {
		snprintf(qid, sizeof(qid), "%u", r->qid);
		snprintf(cid, sizeof(cid), "%u", r->cid);
	}
	n = scnprintf(buf, size, "%3d) %6llu.%09llu | %5s %5s  %*s%s{func: %s}",
		      cpu, ts_s, ts_ns, qid, cid, 2 * r->depth, "",
		      enter ? "+enter" : "-exit", r->fn);
	if (!enter)
		n += scnprintf(buf + n, size - n, " %llu.%03llu us",
			       r->dur / 1000, r->dur % 1000);
	n += scnprintf(buf + n, size - n, "\n");
	return n;
}

static size_t nvmev_header(char *buf, size_t size)
{
	u64 rec = 0, drop = 0, unread = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nvmev_trace_cpu *tc = per_cpu_ptr(&nvmev_tc, cpu);
		struct nvmev_ring *ring = nvmev_ring_get(cpu);

		rec += READ_ONCE(tc->recorded) - tc->base_recorded;
		drop += READ_ONCE(tc->dropped) - tc->base_dropped;
		if (ring)
			unread += smp_load_acquire(&ring->head) -
				  READ_ONCE(ring->tail);
	}
	return scnprintf(buf, size,
			 "# nvmev function trace\n"
			 "# entries-in-buffer/entries-written: %llu/%llu   dropped: %llu\n"
			 "#\n"
			 "# CPU       TIMESTAMP(s)   QID   CID  FUNCTION\n"
			 "#  |              |         |     |     |\n",
			 unread, rec, drop);
}

/* Fill rd->buf with as many whole lines as fit.  Lock held. */
static void nvmev_reader_fill(struct nvmev_reader *rd)
{
	struct nvmev_trace_rec r;
	char line[256];
	int cpu, n;

	rd->len = 0;
	rd->off = 0;
	if (rd->header) {
		rd->len = nvmev_header(rd->buf, sizeof(rd->buf));
		rd->header = false;
	}
	while (rd->len + sizeof(line) <= sizeof(rd->buf) &&
	       nvmev_reader_next(rd, &r, &cpu)) {
		n = nvmev_format(line, sizeof(line), cpu, &r);
		memcpy(rd->buf + rd->len, line, n);
		rd->len += n;
	}
}

static ssize_t nvmev_reader_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct nvmev_reader *rd = file->private_data;
	ssize_t done = 0;

	while (count) {
		size_t n;

		if (rd->off == rd->len) {
			if (mutex_lock_interruptible(&nvmev_trace_lock))
				return done ? done : -ERESTARTSYS;
			nvmev_reader_fill(rd);
			mutex_unlock(&nvmev_trace_lock);
		}
		if (rd->off == rd->len) {
			/*
			 * Nothing new.  trace_pipe waits for more only while
			 * recording is on: reading an idle pipe ends.
			 */
			if (!rd->consume || done || !READ_ONCE(nvmev_ring_on))
				break;
			if (file->f_flags & O_NONBLOCK)
				return -EAGAIN;
			if (schedule_timeout_interruptible(HZ / 10) ||
			    signal_pending(current))
				return -EINTR;
			continue;
		}
		n = min(count, rd->len - rd->off);
		if (copy_to_user(ubuf + done, rd->buf + rd->off, n))
			return done ? done : -EFAULT;
		rd->off += n;
		done += n;
		count -= n;
	}
	*ppos += done;
	return done;
}

static int nvmev_trace_open(struct inode *inode, struct file *file)
{
	struct nvmev_reader *rd;

	if ((file->f_mode & FMODE_WRITE) && (file->f_flags & O_TRUNC)) {
		mutex_lock(&nvmev_trace_lock);
		nvmev_rings_clear();
		mutex_unlock(&nvmev_trace_lock);
	}
	if (!(file->f_mode & FMODE_READ))
		return 0;
	rd = nvmev_reader_new(false);
	if (!rd)
		return -ENOMEM;
	mutex_lock(&nvmev_trace_lock);
	nvmev_reader_snapshot(rd);
	mutex_unlock(&nvmev_trace_lock);
	file->private_data = rd;
	return nonseekable_open(inode, file);
}

static int nvmev_trace_pipe_open(struct inode *inode, struct file *file)
{
	struct nvmev_reader *rd = nvmev_reader_new(true);

	if (!rd)
		return -ENOMEM;
	file->private_data = rd;
	return nonseekable_open(inode, file);
}

static int nvmev_reader_release(struct inode *inode, struct file *file)
{
	if (file->private_data)
		nvmev_reader_free(file->private_data);
	return 0;
}

static ssize_t nvmev_clear_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	mutex_lock(&nvmev_trace_lock);
	nvmev_rings_clear();
	mutex_unlock(&nvmev_trace_lock);
	*ppos += count;
	return count;
}

static const struct file_operations nvmev_trace_fops = {
	.owner = THIS_MODULE,
	.open = nvmev_trace_open,
	.read = nvmev_reader_read,
	.write = nvmev_clear_write,
	.release = nvmev_reader_release,
};

static const struct file_operations nvmev_trace_pipe_fops = {
	.owner = THIS_MODULE,
	.open = nvmev_trace_pipe_open,
	.read = nvmev_reader_read,
	.release = nvmev_reader_release,
};

static ssize_t nvmev_empty_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	return 0;
}

static const struct file_operations nvmev_clear_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmev_empty_read,
	.write = nvmev_clear_write,
};

/* ---- enable, buffer_size_kb, filter, stats ------------------------------ */

static int nvmev_set_enable(bool on)
{
	int ret = 0;

	mutex_lock(&nvmev_trace_lock);
	if (on == nvmev_ring_on)
		goto out;
	if (on) {
		ret = nvmev_rings_alloc(nvmev_buf_kb, false);
		if (ret)
			goto out;
		WRITE_ONCE(nvmev_ring_on, true);
		nvmev_trace_key_inc();
	} else {
		WRITE_ONCE(nvmev_ring_on, false);
		nvmev_trace_key_dec();
	}
out:
	mutex_unlock(&nvmev_trace_lock);
	return ret;
}

static ssize_t nvmev_enable_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[4];

	snprintf(buf, sizeof(buf), "%d\n", READ_ONCE(nvmev_ring_on));
	return simple_read_from_buffer(ubuf, count, ppos, buf, 2);
}

static ssize_t nvmev_enable_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	bool on;
	int ret;

	ret = kstrtobool_from_user(ubuf, count, &on);
	if (ret)
		return ret;
	ret = nvmev_set_enable(on);
	if (ret)
		return ret;
	*ppos += count;
	return count;
}

static const struct file_operations nvmev_enable_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmev_enable_read,
	.write = nvmev_enable_write,
	.llseek = default_llseek,
};

static ssize_t nvmev_size_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%u\n", READ_ONCE(nvmev_buf_kb));

	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static ssize_t nvmev_size_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	unsigned int kb;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &kb);
	if (ret)
		return ret;
	if (kb < 1 || kb > NVMEV_TRACE_MAX_KB) {
		pr_warn_ratelimited("nvmev: buffer_size_kb=%u: must be 1..%u\n",
				    kb, NVMEV_TRACE_MAX_KB);
		return -EINVAL;
	}
	/* one ring per possible CPU: at most a quarter of RAM in all */
	if ((u64)kb * num_possible_cpus() >
	    ((u64)totalram_pages() << (PAGE_SHIFT - 10)) / 4) {
		pr_warn_ratelimited("nvmev: buffer_size_kb=%u: %u CPUs x %u KiB is more than a quarter of RAM\n",
				    kb, num_possible_cpus(), kb);
		return -ENOMEM;
	}
	mutex_lock(&nvmev_trace_lock);
	/* Allocated rings are replaced now; otherwise at the next enable. */
	if (nvmev_ring_get(cpumask_first(cpu_possible_mask)))
		ret = nvmev_rings_alloc(kb, true);
	if (!ret)
		nvmev_buf_kb = kb;	/* only a size that is in force */
	mutex_unlock(&nvmev_trace_lock);
	if (ret)
		return ret;
	*ppos += count;
	return count;
}

static const struct file_operations nvmev_size_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmev_size_read,
	.write = nvmev_size_write,
	.llseek = default_llseek,
};

static ssize_t nvmev_filter_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	struct nvmev_filter *f;
	unsigned int i;
	size_t n = 0;
	ssize_t ret;
	char *buf;

	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&nvmev_trace_lock);
	f = rcu_dereference_protected(nvmev_filter,
				      lockdep_is_held(&nvmev_trace_lock));
	if (!f || !f->n)
		n = scnprintf(buf, PAGE_SIZE, "#### all functions enabled ####\n");
	for (i = 0; f && i < f->n; i++)
		n += scnprintf(buf + n, PAGE_SIZE - n, "%s\n", f->pat[i]);
	mutex_unlock(&nvmev_trace_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, buf, n);
	kfree(buf);
	return ret;
}

/*
 * Patterns separated by blanks, commas or newlines.  "echo pat > filter"
 * replaces, "echo pat >> filter" (O_APPEND) adds, "echo > filter" clears.
 */
static ssize_t nvmev_filter_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct nvmev_filter *old, *f;
	size_t oldlen = 0, len;
	unsigned int i;
	char *p, *tok;
	int ret = 0;

	if (count >= PAGE_SIZE)
		return -E2BIG;

	mutex_lock(&nvmev_trace_lock);
	old = rcu_dereference_protected(nvmev_filter,
					lockdep_is_held(&nvmev_trace_lock));
	if (old && (file->f_flags & O_APPEND))
		for (i = 0; i < old->n; i++)
			oldlen += strlen(old->pat[i]) + 1;
	len = oldlen + count + 1;
	f = kzalloc(struct_size(f, buf, len), GFP_KERNEL);
	if (!f) {
		ret = -ENOMEM;
		goto out;
	}
	p = f->buf;
	if (oldlen) {
		for (i = 0; i < old->n; i++) {
			strcpy(p, old->pat[i]);
			f->pat[f->n++] = p;
			p += strlen(p) + 1;
		}
	}
	if (copy_from_user(p, ubuf, count)) {
		ret = -EFAULT;
		goto err;
	}
	p[count] = '\0';
	while ((tok = strsep(&p, " \t\n,")) != NULL) {
		if (!*tok)
			continue;
		if (f->n == NVMEV_FILTER_MAX) {
			ret = -ENOSPC;
			goto err;
		}
		f->pat[f->n++] = tok;
	}
	rcu_assign_pointer(nvmev_filter, f);
	smp_store_release(&nvmev_filter_gen,
			  ((nvmev_filter_gen + 1) & 0x7fffffff) ?: 1);
	if (old)
		kfree_rcu(old, rcu);
	goto out;
err:
	kfree(f);
out:
	mutex_unlock(&nvmev_trace_lock);
	if (ret)
		return ret;
	*ppos += count;
	return count;
}

static const struct file_operations nvmev_filter_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmev_filter_read,
	.write = nvmev_filter_write,
	.llseek = default_llseek,
};

static ssize_t nvmev_stats_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	u64 trec = 0, tdrop = 0, tunread = 0;
	size_t size = 4096 + 96 * (size_t)nr_cpu_ids, n;
	ssize_t ret;
	char *buf;
	int cpu;

	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	mutex_lock(&nvmev_trace_lock);
	n = scnprintf(buf, size,
		      "enabled: %d\nbuffer_size_kb: %u (%lu records/cpu, %zu bytes/record)\n"
		      "tracepoints: %s\n\n%4s %14s %14s %10s %6s\n",
		      READ_ONCE(nvmev_ring_on), nvmev_buf_kb,
		      nvmev_ring_entries(nvmev_buf_kb),
		      sizeof(struct nvmev_trace_rec),
		      trace_nvmev_fn_enter_enabled() ||
		      trace_nvmev_fn_exit_enabled() ? "on" : "off",
		      "cpu", "recorded", "dropped", "entries", "depth");
	for_each_possible_cpu(cpu) {
		struct nvmev_trace_cpu *tc = per_cpu_ptr(&nvmev_tc, cpu);
		struct nvmev_ring *ring = nvmev_ring_get(cpu);
		u64 rec = READ_ONCE(tc->recorded) - tc->base_recorded;
		u64 drop = READ_ONCE(tc->dropped) - tc->base_dropped;
		u64 unread = ring ? smp_load_acquire(&ring->head) -
				    READ_ONCE(ring->tail) : 0;

		trec += rec;
		tdrop += drop;
		tunread += unread;
		n += scnprintf(buf + n, size - n, "%4d %14llu %14llu %10llu %6d\n",
			       cpu, rec, drop, unread,
			       atomic_read(&tc->depth));
	}
	n += scnprintf(buf + n, size - n, "%4s %14llu %14llu %10llu\n",
		       "all", trec, tdrop, tunread);
	mutex_unlock(&nvmev_trace_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, buf, n);
	kvfree(buf);
	return ret;
}

static const struct file_operations nvmev_stats_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmev_stats_read,
	.llseek = default_llseek,
};

/* ---- bench: the cost of one NVMEV_FN() call site, as things stand ------ */

#define NVMEV_BENCH_ITERS	10000

static noinline int nvmev_bench_plain(int x)
{
	barrier();
	return x + 1;
}

static noinline int nvmev_bench_traced(int x)
{
	NVMEV_FN();
	barrier();
	return x + 1;
}

/*
 * ns for @iters calls of @fn, best of 5 rounds (least disturbed).  Timed
 * with the clocksource, not local_clock(): with the TSC marked unstable
 * (these guests) local_clock() is clamped to one tick past the last tick
 * the CPU saw, and a round inside that clamp measured 0 ns.
 */
static u64 nvmev_bench_run(int (*fn)(int), int iters)
{
	u64 best = U64_MAX;
	int round, i, x = 0;

	for (round = 0; round < 5; round++) {
		u64 t0, t;

		preempt_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < iters; i++)
			x = fn(x);
		t = ktime_get_ns() - t0;
		preempt_enable();
		best = min(best, t);
		cond_resched();
	}
	return best;
}

static ssize_t nvmev_bench_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	u64 plain, traced;
	s64 d;
	char buf[320];
	int n;

	if (*ppos)
		return 0;
	plain = nvmev_bench_run(nvmev_bench_plain, NVMEV_BENCH_ITERS);
	traced = nvmev_bench_run(nvmev_bench_traced, NVMEV_BENCH_ITERS);
	d = ((s64)traced - (s64)plain) * 100 / NVMEV_BENCH_ITERS; /* 1/100 ns */
	n = scnprintf(buf, sizeof(buf),
		      "calls: %d x 5 rounds (best), recording: %s, fn tracepoints: %s\n"
		      "plain function:      %6llu.%02llu ns/call\n"
		      "with NVMEV_FN():     %6llu.%02llu ns/call\n"
		      "NVMEV_FN() cost:     %s%lld.%02lld ns/call\n",
		      NVMEV_BENCH_ITERS, READ_ONCE(nvmev_ring_on) ? "on" : "off",
		      trace_nvmev_fn_enter_enabled() ? "on" : "off",
		      plain / NVMEV_BENCH_ITERS,
		      plain * 100 / NVMEV_BENCH_ITERS % 100,
		      traced / NVMEV_BENCH_ITERS,
		      traced * 100 / NVMEV_BENCH_ITERS % 100,
		      d < 0 ? "-" : "", abs(d) / 100, abs(d) % 100);
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static const struct file_operations nvmev_bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmev_bench_read,
	.llseek = default_llseek,
};

/*
 * ---- trace_bench: events per second through the ring's record path -----
 *
 * What one recorded event costs the CPU that records it: interrupts off,
 * command context and nesting depth read, local_clock(), the 32-byte
 * record filled and put into a per-CPU ring by nvmev_ring_put() (the same
 * function NVMEV_FN() uses), counters updated.  The rings are the bench's
 * own (NVMEV_RB_ENTRIES records per CPU, emptied whenever full, the way a
 * reader that keeps up would), so reading trace_bench neither needs nor
 * disturbs the debugfs buffers.  Two runs of NVMEV_RB_MS each:
 *   single: one producer, on the reading task's CPU;
 *   all:    one producer kthread on every online CPU at once, each on its
 *           own ring, as when every polling thread records.
 */
#define NVMEV_RB_ENTRIES	(1UL << 15)
#define NVMEV_RB_MS		200
#define NVMEV_RB_TARGET		10000000ULL	/* events/s per CPU */

struct nvmev_rb {
	struct nvmev_trace_cpu tc;
	struct nvmev_ring *ring;
	struct task_struct *task;
	struct completion done;
	atomic_t *go;
	u64 events;
	u64 ns;
	int cpu;
};

static struct nvmev_trace_site nvmev_rb_site = { .fn = "nvmev_ring_bench" };

/* Producer loop: as many events as fit in NVMEV_RB_MS; preemption off. */
static void nvmev_rb_produce(struct nvmev_rb *b)
{
	struct nvmev_trace_rec r = { .type = NVMEV_REC_ENTER };
	u64 t0, t, end, n = 0;
	unsigned long flags;
	int i;

	preempt_disable();
	b->cpu = smp_processor_id();
	t0 = local_clock();
	end = t0 + NVMEV_RB_MS * NSEC_PER_MSEC;
	do {
		for (i = 0; i < 1024; i++) {
			local_irq_save(flags);
			r.depth = atomic_inc_return(&b->tc.depth) - 1;
			r.ts = local_clock();
			r.fn = nvmev_rb_site.fn;
			nvmev_fill_cmd(&r, __this_cpu_read(nvmev_trace_cmd));
			nvmev_ring_put(&b->tc, &r);
			atomic_dec(&b->tc.depth);
			local_irq_restore(flags);
		}
		n += i;
		/* the reader that keeps up: empty a full ring */
		if (b->ring->head - b->ring->tail > b->ring->mask - 1024)
			smp_store_release(&b->ring->tail, b->ring->head);
		t = local_clock();
	} while (t < end);
	preempt_enable();
	b->events = n;
	b->ns = t - t0;
}

static int nvmev_rb_thread(void *arg)
{
	struct nvmev_rb *b = arg;

	atomic_dec(b->go);
	while (atomic_read(b->go) > 0)	/* start together */
		cpu_relax();
	nvmev_rb_produce(b);
	complete(&b->done);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int nvmev_rb_init(struct nvmev_rb *b, int cpu)
{
	memset(b, 0, sizeof(*b));
	b->cpu = cpu;
	init_completion(&b->done);
	b->ring = kvzalloc(struct_size(b->ring, rec, NVMEV_RB_ENTRIES),
			   GFP_KERNEL);
	if (!b->ring)
		return -ENOMEM;
	b->ring->mask = NVMEV_RB_ENTRIES - 1;
	RCU_INIT_POINTER(b->tc.ring, b->ring);
	return 0;
}

static u64 nvmev_rb_rate(const struct nvmev_rb *b)
{
	return b->ns ? div64_u64(b->events * NSEC_PER_SEC, b->ns) : 0;
}

static int nvmev_rb_line(char *buf, size_t size, const char *what,
			 const struct nvmev_rb *b)
{
	u64 eps = nvmev_rb_rate(b);

	return scnprintf(buf, size,
			 "%-8s cpu %3d %12llu events %9llu us %6llu.%02llu M events/s %6llu.%01llu ns/event\n",
			 what, b->cpu, b->events, div64_u64(b->ns, 1000),
			 div64_u64(eps, 1000000), div64_u64(eps, 10000) % 100,
			 b->events ? div64_u64(b->ns, b->events) : 0,
			 b->events ? div64_u64(b->ns * 10, b->events) % 10 : 0);
}

static ssize_t nvmev_rb_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	const size_t size = 256 + 96 * (num_online_cpus() + 4);
	struct nvmev_rb *all = NULL, one;
	u64 min_eps = U64_MAX, sum = 0;
	unsigned int nr = 0, i;
	atomic_t go;
	char *buf;
	ssize_t ret;
	int cpu, n;

	if (*ppos)
		return 0;
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = nvmev_rb_init(&one, raw_smp_processor_id());
	if (ret)
		goto out;
	nvmev_rb_produce(&one);
	kvfree(one.ring);

	cpus_read_lock();
	all = kcalloc(num_online_cpus(), sizeof(*all), GFP_KERNEL);
	if (!all) {
		cpus_read_unlock();
		ret = -ENOMEM;
		goto out;
	}
	atomic_set(&go, num_online_cpus());
	for_each_online_cpu(cpu) {
		struct nvmev_rb *b = &all[nr];

		if (nvmev_rb_init(b, cpu))
			break;
		b->go = &go;
		b->task = kthread_create_on_node(nvmev_rb_thread, b,
						 cpu_to_node(cpu),
						 "nvmev_rbench/%d", cpu);
		if (IS_ERR(b->task)) {
			kvfree(b->ring);
			break;
		}
		kthread_bind(b->task, cpu);
		nr++;
	}
	/* the producers that could not be made do not hold the others */
	atomic_sub(num_online_cpus() - nr, &go);
	for (i = 0; i < nr; i++)
		wake_up_process(all[i].task);
	/* every producer runs before any is stopped: they wait for each other */
	for (i = 0; i < nr; i++)
		wait_for_completion(&all[i].done);
	for (i = 0; i < nr; i++) {
		kthread_stop(all[i].task);
		kvfree(all[i].ring);
		sum += nvmev_rb_rate(&all[i]);
		min_eps = min(min_eps, nvmev_rb_rate(&all[i]));
	}
	cpus_read_unlock();
	if (!nr)
		min_eps = 0;

	n = scnprintf(buf, size,
		      "ring record path: %zu-byte records, per-CPU rings of %lu, %d ms per producer\n",
		      sizeof(struct nvmev_trace_rec), NVMEV_RB_ENTRIES,
		      NVMEV_RB_MS);
	n += nvmev_rb_line(buf + n, size - n, "single", &one);
	for (i = 0; i < nr; i++)
		n += nvmev_rb_line(buf + n, size - n, "all", &all[i]);
	n += scnprintf(buf + n, size - n,
		       "all      %u producers: %llu.%02llu M events/s together, %llu.%02llu M events/s on the slowest CPU\n",
		       nr, div64_u64(sum, 1000000), div64_u64(sum, 10000) % 100,
		       div64_u64(min_eps, 1000000),
		       div64_u64(min_eps, 10000) % 100);
	n += scnprintf(buf + n, size - n,
		       "target   %llu M events/s per CPU: single %s, all %s\n",
		       NVMEV_RB_TARGET / 1000000,
		       nvmev_rb_rate(&one) >= NVMEV_RB_TARGET ? "met" : "not met",
		       nr && min_eps >= NVMEV_RB_TARGET ? "met" : "not met");
	ret = simple_read_from_buffer(ubuf, count, ppos, buf, n);
out:
	kfree(all);
	kfree(buf);
	return ret;
}

static const struct file_operations nvmev_rb_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = nvmev_rb_read,
	.llseek = default_llseek,
};


/* ---- init / exit ---------------------------------------------------------- */

int nvmev_trace_init(struct dentry *parent)
{
	static const struct {
		const char *name;
		umode_t mode;
		const struct file_operations *fops;
	} files[] = {
		{ "trace", 0644, &nvmev_trace_fops },
		{ "trace_pipe", 0444, &nvmev_trace_pipe_fops },
		{ "enable", 0644, &nvmev_enable_fops },
		{ "filter", 0644, &nvmev_filter_fops },
		{ "buffer_size_kb", 0644, &nvmev_size_fops },
		{ "clear", 0200, &nvmev_clear_fops },
		{ "stats", 0444, &nvmev_stats_fops },
		{ "bench", 0444, &nvmev_bench_fops },
		{ "trace_bench", 0400, &nvmev_rb_fops },
	};
	unsigned int i;

	BUILD_BUG_ON(sizeof(struct nvmev_trace_rec) != 32);
	BUILD_BUG_ON(ARRAY_SIZE(files) > ARRAY_SIZE(nvmev_trace_files));

	if (IS_ERR_OR_NULL(parent))
		return 0;	/* no debugfs: tracepoints still work */
	for (i = 0; i < ARRAY_SIZE(files); i++)
		nvmev_trace_files[i] = debugfs_create_file(files[i].name,
							   files[i].mode,
							   parent, NULL,
							   files[i].fops);
	return 0;
}

void nvmev_trace_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nvmev_trace_files); i++) {
		debugfs_remove(nvmev_trace_files[i]);
		nvmev_trace_files[i] = NULL;
	}
	nvmev_set_enable(false);
	mutex_lock(&nvmev_trace_lock);
	nvmev_rings_free();
	kfree(rcu_dereference_protected(nvmev_filter,
					lockdep_is_held(&nvmev_trace_lock)));
	RCU_INIT_POINTER(nvmev_filter, NULL);
	mutex_unlock(&nvmev_trace_lock);
}
