/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bind the FTL's tracing hooks to nvmev tracing.
 *
 * ftl/ is plain C shared with user-space unit tests; it calls hook macros
 * (FTL_FN(), FTL_TRACE_*()) that default to nothing in ftl/compat.h and
 * ftl/ftl.h (#ifndef defaults).  In the kernel build this header is forced
 * in front of every ftl/ object, so the defaults are never used there:
 *
 *   CFLAGS_ftl/foo.o += -include $(src)/trace/ftl_hooks.h
 *
 * (see Documentation/tracing.rst, "Building").  Outside __KERNEL__ it
 * defines nothing.
 */
#ifndef _NVMEV_FTL_HOOKS_H
#define _NVMEV_FTL_HOOKS_H

#ifdef __KERNEL__

#include "nvmev_trace.h"

/* Enter/exit of an FTL function: first statement, like NVMEV_FN(). */
#define FTL_FN()				NVMEV_FN()

#define FTL_TRACE_WRITE(lpn, ppa)		trace_nvmev_ftl_write((u64)(lpn), (u64)(ppa))
#define FTL_TRACE_READ(lpn, ppa)		trace_nvmev_ftl_read((u64)(lpn), (u64)(ppa))
#define FTL_TRACE_BUFFER_FULL(occupancy)	trace_nvmev_ftl_buffer_full((u64)(occupancy))
#define FTL_TRACE_GC_MOVE(lpn, from, to)	trace_nvmev_gc_move((u64)(lpn), (u64)(from), (u64)(to))
#define FTL_TRACE_PROGRAM(ppa, start, done)	trace_nvmev_nand_program((u64)(ppa), (u64)(start), (u64)(done))
/* state is enum ftl_line_state: named only when the event is on. */
#define FTL_TRACE_LINE_STATE(line, state)				\
	do {								\
		if (trace_nvmev_ftl_line_state_enabled())		\
			trace_nvmev_ftl_line_state((u32)(line),		\
				ftl_line_state_name(state));		\
	} while (0)
#define FTL_TRACE_GC_START(victim, valid)	trace_nvmev_gc_start((u32)(victim), (u32)(valid))
#define FTL_TRACE_GC_END(victim, moved)		trace_nvmev_gc_end((u32)(victim), (u32)(moved))
#define FTL_TRACE_ERASE(line)			trace_nvmev_erase((u32)(line))
#define FTL_TRACE_ZONE_STATE(zone, from, to)	trace_nvmev_zone_state((u32)(zone), (u8)(from), (u8)(to))
#define FTL_TRACE_ZONE_RESET(zone, wp)		trace_nvmev_zone_reset((u32)(zone), (u64)(wp))

/* The command served on this CPU, if the FTL learns it itself. */
#define FTL_TRACE_SET_CMD(qid, cid)		nvmev_trace_set_cmd((qid), (cid))
#define FTL_TRACE_CLEAR_CMD()			nvmev_trace_clear_cmd()

#endif /* __KERNEL__ */

#endif /* _NVMEV_FTL_HOOKS_H */
