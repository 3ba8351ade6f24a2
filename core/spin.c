// SPDX-License-Identifier: GPL-2.0
/*
 * Do the CPUs run at once?  The polling loops' PAUSE policy depends on it.
 *
 * On real hardware, under KVM and under QEMU's multi-threaded TCG every
 * vCPU runs in parallel; under single-threaded TCG one host thread runs
 * the vCPUs in turn, and a vCPU that spins without PAUSE keeps that thread
 * until QEMU's round-robin kick (100 ms), starving the host's own vCPU.
 * PAUSE there is what lets the others run; under multi-threaded TCG it is
 * what costs most (each one leaves the vCPU loop and takes QEMU's global
 * lock, the lock every interrupt and clock read of every vCPU needs).
 *
 * The probe: a thread on a second CPU counts as fast as it can; this CPU
 * samples the count in a loop for 2 ms with preemption off and without
 * PAUSE.  When the CPUs run at once the count moves between most pairs of
 * samples; under single-threaded TCG it can move only when QEMU switched
 * vCPUs in between (an interrupt for another vCPU kicks the running one),
 * a few times per window out of thousands of samples.  Five windows, the
 * majority decides; see nvmev_probe_parallel() for the rounds.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/delay.h>
#include <linux/completion.h>

#include "nvmev.h"

#define WINDOW_NS	(2 * NSEC_PER_MSEC)
#define WINDOWS		5
#define COUNT_MAX_NS	(500 * NSEC_PER_MSEC)	/* the counter gives up */

/* -1: not probed; 0: the CPUs take turns; 1: they run at once */
int nvmev_cpus_parallel = -1;

struct probe {
	unsigned long count ____cacheline_aligned;
	bool stop;
	int parallel;			/* windows in which the count kept moving */
	unsigned long last_moved, last_samples;
	struct completion done;
};

/* A probe thread's end: kthread_stop() needs the task to still exist. */
static int wait_for_stop(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_IDLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int counter_fn(void *data)
{
	struct probe *p = data;
	u64 t0 = local_clock();

	unsigned int i = 0;

	/* an occasional PAUSE: under single-threaded TCG the watcher gets turns */
	while (!READ_ONCE(p->stop) && local_clock() - t0 < COUNT_MAX_NS) {
		WRITE_ONCE(p->count, p->count + 1);
		if (!(++i & 1023))
			cpu_relax();
	}
	return wait_for_stop();
}

static int watcher_fn(void *data)
{
	struct probe *p = data;
	int i;

	/* the counter is running once the count moves (sleeping lets it) */
	for (i = 0; i < 100 && !READ_ONCE(p->count); i++)
		usleep_range(1000, 2000);
	for (i = 0; i < WINDOWS; i++) {
		unsigned long c, prev, samples = 0, moved = 0;
		u64 t0;

		preempt_disable();
		prev = READ_ONCE(p->count);
		t0 = local_clock();
		while (local_clock() - t0 < WINDOW_NS) {
			c = READ_ONCE(p->count);
			moved += c != prev;
			prev = c;
			samples++;
		}
		preempt_enable();
		/* at once: moved in most samples; in turns: a handful */
		if (moved * 4 > samples)
			p->parallel++;
		p->last_moved = moved;
		p->last_samples = samples;
		usleep_range(1000, 2000);
	}
	WRITE_ONCE(p->stop, true);
	complete(&p->done);
	return wait_for_stop();
}

static unsigned int other_cpu(unsigned int cpu)
{
	unsigned int c;

	for_each_online_cpu(c)
		if (c != cpu)
			return c;
	return cpu;
}

/* One round: five windows; true when the majority saw the count moving. */
static bool probe_round(unsigned int cpu0, unsigned int c1, int *parallel,
			unsigned long *moved, unsigned long *samples)
{
	struct task_struct *counter, *watcher;
	struct probe *p;
	bool at_once = false;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return false;
	init_completion(&p->done);
	counter = kthread_create(counter_fn, p, "nvmev_probe_c");
	if (IS_ERR(counter))
		goto free;
	watcher = kthread_create(watcher_fn, p, "nvmev_probe_w");
	if (IS_ERR(watcher)) {
		kthread_stop(counter);
		goto free;
	}
	kthread_bind(counter, c1);
	kthread_bind(watcher, cpu0);
	/* real-time, briefly: nothing else on those CPUs may hide the answer */
	sched_set_fifo(counter);
	sched_set_fifo(watcher);
	wake_up_process(counter);
	wake_up_process(watcher);
	wait_for_completion(&p->done);
	kthread_stop(watcher);
	kthread_stop(counter);
	at_once = p->parallel > WINDOWS / 2;
	*parallel = p->parallel;
	*moved = p->last_moved;
	*samples = p->last_samples;
free:
	kfree(p);
	return at_once;
}

/*
 * Probe on @cpus (the dispatcher's first, then the workers'), before the
 * polling threads start; with one online CPU there is nothing to run at
 * once.  Sets nvmev_cpus_parallel, which the auto PAUSE policy follows.
 *
 * "At once" needs the count moving between most samples, which turns
 * cannot fake; "in turns" can also be a counting vCPU that the host did
 * not run for those 20 ms (a busy host under multi-threaded TCG).  So up
 * to three rounds, and one that sees the CPUs at once decides.
 */
#define ROUNDS		3

void nvmev_probe_parallel(const unsigned int *cpus, unsigned int n)
{
	unsigned int c1 = n > 1 ? cpus[1] : other_cpu(cpus[0]);
	unsigned long moved = 0, samples = 0;
	int parallel = 0, r;

	WRITE_ONCE(nvmev_cpus_parallel, 0);
	if (c1 == cpus[0])
		return;
	for (r = 1; r <= ROUNDS; r++) {
		if (probe_round(cpus[0], c1, &parallel, &moved, &samples)) {
			WRITE_ONCE(nvmev_cpus_parallel, 1);
			break;
		}
		msleep(20);
	}
	pr_info("CPUs %u and %u %s (the count kept moving in %d of %d windows of %llu us, round %d; last: %lu of %lu samples): idle polling PAUSEs %s\n",
		cpus[0], c1, nvmev_cpus_parallel ? "run at once" : "take turns",
		parallel, WINDOWS, (u64)(WINDOW_NS / NSEC_PER_USEC),
		min(r, ROUNDS), moved, samples,
		nvmev_cpus_parallel ? "never" : "every pass");
}
