/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev function enter/exit tracing: the API the emulator calls.
 *
 *   NVMEV_FN();                       first statement of a traced function
 *   nvmev_trace_set_cmd(qid, cid);    command being served on this CPU
 *   nvmev_trace_clear_cmd();
 *   nvmev_trace_init(debugfs_dir);    module init (creates files in nvmev/)
 *   nvmev_trace_exit();               module exit
 *
 * NVMEV_FN() declares two locals: a static per-call-site descriptor (the
 * function name, by pointer, plus a cached filter decision) and a scope
 * variable whose __attribute__((cleanup)) handler records the exit on every
 * return path, so enters and exits always pair up.  It consists of
 * declarations only, so it may be followed by further declarations.
 *
 * Cost when tracing is off: the enter is one static branch (a NOP patched
 * by jump labels), the exit is a test of a stack slot that is known to be
 * NULL.  Everything else lives out of line in trace/trace.c.
 *
 * The tracepoints (trace_nvmev_*()) are declared in trace/events.h, which
 * this header includes.  See Documentation/tracing.rst.
 */
#ifndef _NVMEV_TRACE_H
#define _NVMEV_TRACE_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>

#include "events.h"

struct dentry;

/* On while the debugfs ring is enabled or an nvmev_fn_* tracepoint is. */
DECLARE_STATIC_KEY_FALSE(nvmev_trace_key);

/*
 * One per call site (static in the traced function).  @filter caches the
 * filter decision: (generation << 1) | pass.  Racy updates are harmless:
 * every writer stores a correct decision for some generation.
 */
struct nvmev_trace_site {
	const char *fn;
	unsigned int filter;
};

/* Lives on the traced function's stack between enter and exit. */
struct nvmev_trace_scope {
	struct nvmev_trace_site *site;
	u64 t0;				/* enter time, ns (local_clock) */
	u16 cpu;			/* CPU of the enter */
	u8 depth;			/* nesting depth at the enter */
	u8 flags;			/* NVMEV_TS_* : what the enter emitted */
};

#define NVMEV_TS_RING	0x1	/* recorded in the debugfs ring */
#define NVMEV_TS_TP	0x2	/* emitted nvmev_fn_enter tracepoint */

/*
 * Command context, per CPU: bit 32 set when valid, qid in bits 31..16,
 * cid in bits 15..0.  Written unconditionally (one store), so the context
 * is right even for commands already in flight when tracing is enabled.
 */
DECLARE_PER_CPU(u64, nvmev_trace_cmd);
#define NVMEV_TRACE_CMD_VALID	(1ULL << 32)

struct nvmev_trace_scope *__nvmev_fn_enter(struct nvmev_trace_site *site,
					   struct nvmev_trace_scope *scope);
void __nvmev_fn_exit(struct nvmev_trace_scope *scope);

/* Returns @scope if the enter was recorded (the exit must be), else NULL. */
static __always_inline struct nvmev_trace_scope *
nvmev_fn_enter(struct nvmev_trace_site *site, struct nvmev_trace_scope *scope)
{
	if (static_branch_unlikely(&nvmev_trace_key))
		return __nvmev_fn_enter(site, scope);
	return NULL;
}

static __always_inline void nvmev_fn_exit(struct nvmev_trace_scope **sp)
{
	if (unlikely(*sp))
		__nvmev_fn_exit(*sp);
}

#ifdef NVMEV_NO_FN_TRACE
/* Compiled out (KCFLAGS=-DNVMEV_NO_FN_TRACE): the "build without it". */
#define NVMEV_FN()	struct nvmev_fn_unused
#else
/*
 * Off: one NOP (static branch) on the way in, a NULL test on the way out.
 * The scope is only written by the out-of-line enter.
 */
#define NVMEV_FN()							\
	static struct nvmev_trace_site __nvmev_site = {			\
		.fn = __func__,						\
	};								\
	struct nvmev_trace_scope __nvmev_scope __uninitialized;		\
	struct nvmev_trace_scope *__nvmev_sp				\
		__attribute__((cleanup(nvmev_fn_exit), unused)) =	\
		nvmev_fn_enter(&__nvmev_site, &__nvmev_scope)
#endif

static __always_inline void nvmev_trace_set_cmd(u16 qid, u16 cid)
{
	this_cpu_write(nvmev_trace_cmd,
		       NVMEV_TRACE_CMD_VALID | ((u64)qid << 16) | cid);
}

static __always_inline void nvmev_trace_clear_cmd(void)
{
	this_cpu_write(nvmev_trace_cmd, 0);
}

int nvmev_trace_init(struct dentry *parent);
void nvmev_trace_exit(void);

#endif /* _NVMEV_TRACE_H */
