/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev tracepoints: /sys/kernel/tracing/events/nvmev/.
 *
 * Out-of-tree module: the Kbuild adds -I$(src)/trace so that
 * <trace/define_trace.h> finds this file as "./events.h".
 * trace/trace.c is the one file that defines CREATE_TRACE_POINTS.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvmev

#if !defined(_NVMEV_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _NVMEV_EVENTS_H

#include <linux/tracepoint.h>
#include <linux/string.h>

/*
 * Strings are fixed-size char arrays, not __string (__data_loc): every
 * tool (bpftrace's args->fn, perf, trace-cmd, old libtraceevent)
 * reads a char array; longer names are truncated.  Zero-padded, so that
 * equal names are equal keys (bpftrace compares the whole array).
 */
#define NVMEV_TP_FN_LEN		48
#define NVMEV_TP_STATE_LEN	16
#define nvmev_tp_strcpy(dst, src)	strscpy_pad(dst, (src) ? (src) : "?", sizeof(dst))

/* Registration hooks: switch the NVMEV_FN() static key with the events. */
int nvmev_fn_tp_reg(void);
void nvmev_fn_tp_unreg(void);

/* ---- command path ---------------------------------------------------- */

TRACE_EVENT(nvmev_cmd_fetch,
	TP_PROTO(u16 qid, u16 cid, u8 opcode, u32 nsid, u64 slba,
		 u32 len_bytes),
	TP_ARGS(qid, cid, opcode, nsid, slba, len_bytes),
	TP_STRUCT__entry(
		__field(u64, slba)
		__field(u32, nsid)
		__field(u32, len)
		__field(u16, qid)
		__field(u16, cid)
		__field(u8, opcode)
	),
	TP_fast_assign(
		__entry->slba = slba;
		__entry->nsid = nsid;
		__entry->len = len_bytes;
		__entry->qid = qid;
		__entry->cid = cid;
		__entry->opcode = opcode;
	),
	TP_printk("qid=%u cid=%u opcode=0x%02x nsid=%u slba=%llu len=%u",
		  __entry->qid, __entry->cid, __entry->opcode, __entry->nsid,
		  __entry->slba, __entry->len)
);

TRACE_EVENT(nvmev_cmd_complete,
	TP_PROTO(u16 qid, u16 cid, u16 status, u64 target_ns, u64 actual_ns),
	TP_ARGS(qid, cid, status, target_ns, actual_ns),
	TP_STRUCT__entry(
		__field(u64, target_ns)
		__field(u64, actual_ns)
		__field(u16, qid)
		__field(u16, cid)
		__field(u16, status)
	),
	TP_fast_assign(
		__entry->target_ns = target_ns;
		__entry->actual_ns = actual_ns;
		__entry->qid = qid;
		__entry->cid = cid;
		__entry->status = status;
	),
	TP_printk("qid=%u cid=%u status=0x%x target_ns=%llu actual_ns=%llu",
		  __entry->qid, __entry->cid, __entry->status,
		  __entry->target_ns, __entry->actual_ns)
);

TRACE_EVENT(nvmev_irq,
	TP_PROTO(u16 vector, u16 cqid),
	TP_ARGS(vector, cqid),
	TP_STRUCT__entry(
		__field(u16, vector)
		__field(u16, cqid)
	),
	TP_fast_assign(
		__entry->vector = vector;
		__entry->cqid = cqid;
	),
	TP_printk("vector=%u cqid=%u", __entry->vector, __entry->cqid)
);

/*
 * Stage marks of one command for the host-to-flash timeline
 * (tools/trace/nvmev-record): taken from its SQ (the fetch time the model
 * starts from), data phase begun and done on the worker.
 */
DECLARE_EVENT_CLASS(nvmev_cmd_mark,
	TP_PROTO(u16 qid, u16 cid),
	TP_ARGS(qid, cid),
	TP_STRUCT__entry(
		__field(u16, qid)
		__field(u16, cid)
	),
	TP_fast_assign(
		__entry->qid = qid;
		__entry->cid = cid;
	),
	TP_printk("qid=%u cid=%u", __entry->qid, __entry->cid)
);

DEFINE_EVENT(nvmev_cmd_mark, nvmev_cmd_sqe,
	TP_PROTO(u16 qid, u16 cid),
	TP_ARGS(qid, cid)
);

DEFINE_EVENT(nvmev_cmd_mark, nvmev_cmd_data_start,
	TP_PROTO(u16 qid, u16 cid),
	TP_ARGS(qid, cid)
);

DEFINE_EVENT(nvmev_cmd_mark, nvmev_cmd_data_done,
	TP_PROTO(u16 qid, u16 cid),
	TP_ARGS(qid, cid)
);

/* state: "enable", "ready", "disable", "reset", "shutdown", "fatal" */
TRACE_EVENT(nvmev_ctrl_state,
	TP_PROTO(const char *state),
	TP_ARGS(state),
	TP_STRUCT__entry(
		__array(char, state, NVMEV_TP_STATE_LEN)
	),
	TP_fast_assign(
		nvmev_tp_strcpy(__entry->state, state);
	),
	TP_printk("state=%s", __entry->state)
);

/* ---- FTL ------------------------------------------------------------- */

DECLARE_EVENT_CLASS(nvmev_ftl_map,
	TP_PROTO(u64 lpn, u64 ppa),
	TP_ARGS(lpn, ppa),
	TP_STRUCT__entry(
		__field(u64, lpn)
		__field(u64, ppa)
	),
	TP_fast_assign(
		__entry->lpn = lpn;
		__entry->ppa = ppa;
	),
	TP_printk("lpn=%llu ppa=0x%llx", __entry->lpn, __entry->ppa)
);

DEFINE_EVENT(nvmev_ftl_map, nvmev_ftl_write,
	TP_PROTO(u64 lpn, u64 ppa),
	TP_ARGS(lpn, ppa)
);

DEFINE_EVENT(nvmev_ftl_map, nvmev_ftl_read,
	TP_PROTO(u64 lpn, u64 ppa),
	TP_ARGS(lpn, ppa)
);

TRACE_EVENT(nvmev_ftl_buffer_full,
	TP_PROTO(u64 occupancy),
	TP_ARGS(occupancy),
	TP_STRUCT__entry(
		__field(u64, occupancy)
	),
	TP_fast_assign(
		__entry->occupancy = occupancy;
	),
	TP_printk("occupancy=%llu", __entry->occupancy)
);

TRACE_EVENT(nvmev_ftl_line_state,
	TP_PROTO(u32 line, const char *state),
	TP_ARGS(line, state),
	TP_STRUCT__entry(
		__field(u32, line)
		__array(char, state, NVMEV_TP_STATE_LEN)
	),
	TP_fast_assign(
		__entry->line = line;
		nvmev_tp_strcpy(__entry->state, state);
	),
	TP_printk("line=%u state=%s", __entry->line, __entry->state)
);

TRACE_EVENT(nvmev_gc_start,
	TP_PROTO(u32 victim, u32 valid),
	TP_ARGS(victim, valid),
	TP_STRUCT__entry(
		__field(u32, victim)
		__field(u32, valid)
	),
	TP_fast_assign(
		__entry->victim = victim;
		__entry->valid = valid;
	),
	TP_printk("victim=%u valid=%u", __entry->victim, __entry->valid)
);

TRACE_EVENT(nvmev_gc_end,
	TP_PROTO(u32 victim, u32 moved),
	TP_ARGS(victim, moved),
	TP_STRUCT__entry(
		__field(u32, victim)
		__field(u32, moved)
	),
	TP_fast_assign(
		__entry->victim = victim;
		__entry->moved = moved;
	),
	TP_printk("victim=%u moved=%u", __entry->victim, __entry->moved)
);

TRACE_EVENT(nvmev_erase,
	TP_PROTO(u32 line),
	TP_ARGS(line),
	TP_STRUCT__entry(
		__field(u32, line)
	),
	TP_fast_assign(
		__entry->line = line;
	),
	TP_printk("line=%u", __entry->line)
);

/* Zone State values (NVMe ZNS): see ftl/zns.h, enum zns_state */
#define NVMEV_ZONE_STATES					\
	{ 0x1, "empty" }, { 0x2, "iopen" }, { 0x3, "eopen" },	\
	{ 0x4, "closed" }, { 0xd, "rdonly" }, { 0xe, "full" },	\
	{ 0xf, "offline" }

TRACE_EVENT(nvmev_zone_state,
	TP_PROTO(u32 zone, u8 from, u8 to),
	TP_ARGS(zone, from, to),
	TP_STRUCT__entry(
		__field(u32, zone)
		__field(u8, from)
		__field(u8, to)
	),
	TP_fast_assign(
		__entry->zone = zone;
		__entry->from = from;
		__entry->to = to;
	),
	TP_printk("zone=%u from=%s to=%s", __entry->zone,
		  __print_symbolic(__entry->from, NVMEV_ZONE_STATES),
		  __print_symbolic(__entry->to, NVMEV_ZONE_STATES))
);

/* A reset that erases: @wp is the write pointer before it. */
TRACE_EVENT(nvmev_zone_reset,
	TP_PROTO(u32 zone, u64 wp),
	TP_ARGS(zone, wp),
	TP_STRUCT__entry(
		__field(u32, zone)
		__field(u64, wp)
	),
	TP_fast_assign(
		__entry->zone = zone;
		__entry->wp = wp;
	),
	TP_printk("zone=%u wp=%llu", __entry->zone, __entry->wp)
);

TRACE_EVENT(nvmev_gc_move,
	TP_PROTO(u64 lpn, u64 from, u64 to),
	TP_ARGS(lpn, from, to),
	TP_STRUCT__entry(
		__field(u64, lpn)
		__field(u64, from)
		__field(u64, to)
	),
	TP_fast_assign(
		__entry->lpn = lpn;
		__entry->from = from;
		__entry->to = to;
	),
	TP_printk("lpn=%llu from=0x%llx to=0x%llx", __entry->lpn,
		  __entry->from, __entry->to)
);

/* One NAND page program in the timing model: busy from start to done. */
TRACE_EVENT(nvmev_nand_program,
	TP_PROTO(u64 ppa, u64 start_ns, u64 done_ns),
	TP_ARGS(ppa, start_ns, done_ns),
	TP_STRUCT__entry(
		__field(u64, ppa)
		__field(u64, start_ns)
		__field(u64, done_ns)
	),
	TP_fast_assign(
		__entry->ppa = ppa;
		__entry->start_ns = start_ns;
		__entry->done_ns = done_ns;
	),
	TP_printk("ppa=0x%llx start_ns=%llu done_ns=%llu busy_ns=%llu",
		  __entry->ppa, __entry->start_ns, __entry->done_ns,
		  __entry->done_ns - __entry->start_ns)
);

/* ---- function enter/exit (from NVMEV_FN) ------------------------------ */

TRACE_EVENT_FN(nvmev_fn_enter,
	TP_PROTO(const char *fn, u16 qid, u16 cid),
	TP_ARGS(fn, qid, cid),
	TP_STRUCT__entry(
		__array(char, fn, NVMEV_TP_FN_LEN)
		__field(u16, qid)
		__field(u16, cid)
	),
	TP_fast_assign(
		nvmev_tp_strcpy(__entry->fn, fn);
		__entry->qid = qid;
		__entry->cid = cid;
	),
	/* qid=-1 cid=-1: no command being served */
	TP_printk("fn=%s qid=%d cid=%d", __entry->fn,
		  __entry->qid == 0xffff ? -1 : (int)__entry->qid,
		  __entry->qid == 0xffff ? -1 : (int)__entry->cid),
	nvmev_fn_tp_reg, nvmev_fn_tp_unreg
);

TRACE_EVENT_FN(nvmev_fn_exit,
	TP_PROTO(const char *fn, u16 qid, u16 cid, u64 duration_ns),
	TP_ARGS(fn, qid, cid, duration_ns),
	TP_STRUCT__entry(
		__array(char, fn, NVMEV_TP_FN_LEN)
		__field(u64, duration_ns)
		__field(u16, qid)
		__field(u16, cid)
	),
	TP_fast_assign(
		nvmev_tp_strcpy(__entry->fn, fn);
		__entry->duration_ns = duration_ns;
		__entry->qid = qid;
		__entry->cid = cid;
	),
	TP_printk("fn=%s qid=%d cid=%d duration_ns=%llu", __entry->fn,
		  __entry->qid == 0xffff ? -1 : (int)__entry->qid,
		  __entry->qid == 0xffff ? -1 : (int)__entry->cid,
		  __entry->duration_ns),
	nvmev_fn_tp_reg, nvmev_fn_tp_unreg
);

#endif /* _NVMEV_EVENTS_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE events
#include <trace/define_trace.h>
