/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev FTL: kernel / user-space compatibility layer.
 *
 * Everything in ftl/ is written against this header only, so the same
 * sources build as part of the kernel module (__KERNEL__) and as plain C
 * for the user-space unit tests and the model benchmark.
 *
 * Rules for code in ftl/:
 *  - no floating point;
 *  - 64-bit divisions only through ftl_div64()/ftl_mod64() (div64_u64 in
 *    the kernel, so 32-bit arches link);
 *  - allocate with ftl_zalloc()/ftl_free() (kvzalloc/kvfree in the kernel).
 */
#ifndef NVMEV_FTL_COMPAT_H
#define NVMEV_FTL_COMPAT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/math64.h>
#include <linux/printk.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/stddef.h>
#include <linux/sched.h>
#include <linux/overflow.h>
#include <linux/sort.h>

#define ftl_zalloc(sz)		kvzalloc((sz), GFP_KERNEL)
#define ftl_free(p)		kvfree(p)
#define ftl_info(fmt, ...)	pr_info("nvmev-ftl: " fmt, ##__VA_ARGS__)
#define ftl_warn(fmt, ...)	pr_warn("nvmev-ftl: " fmt, ##__VA_ARGS__)
#define ftl_strcmp(a, b)	strcmp((a), (b))
/* long loops on the dispatcher kthread give the CPU away now and then */
#define ftl_yield()		cond_resched()
#define ftl_sort(b, n, sz, cmp)	sort((b), (n), (sz), (cmp), NULL)

static inline u64 ftl_div64(u64 a, u64 b)
{
	return div64_u64(a, b);
}

static inline u64 ftl_mod64(u64 a, u64 b)
{
	u64 rem;

	div64_u64_rem(a, b, &rem);
	return rem;
}

#else /* !__KERNEL__ : user space */

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#ifndef U32_MAX
#define U32_MAX		((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX		((u64)~0ULL)
#endif

#define ftl_zalloc(sz)		calloc(1, (sz))
#define ftl_free(p)		free(p)
#define ftl_info(fmt, ...)	fprintf(stderr, "nvmev-ftl: " fmt, ##__VA_ARGS__)
#define ftl_warn(fmt, ...)	fprintf(stderr, "nvmev-ftl: warning: " fmt, ##__VA_ARGS__)
#define ftl_strcmp(a, b)	strcmp((a), (b))
#define ftl_yield()		do { } while (0)
#define ftl_sort(b, n, sz, cmp)	qsort((b), (n), (sz), (cmp))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef fallthrough
#define fallthrough		__attribute__((__fallthrough__))
#endif
#ifndef likely
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#endif

static inline u64 ftl_div64(u64 a, u64 b)
{
	return a / b;
}

static inline u64 ftl_mod64(u64 a, u64 b)
{
	return a % b;
}

#endif /* __KERNEL__ */

static inline u64 ftl_max64(u64 a, u64 b)
{
	return a > b ? a : b;
}

static inline u64 ftl_min64(u64 a, u64 b)
{
	return a < b ? a : b;
}

/*
 * Function enter/exit hook for tracing (trace/ftl_hooks.h binds it to
 * NVMEV_FN()).  FTL_FN(); goes among the declarations at the top of every
 * non-trivial function: the binding consists of declarations only, and so
 * does this default (a block-scope tag declaration that generates nothing),
 * so declarations may follow it.
 */
#ifndef FTL_FN
#define FTL_FN()	struct ftl_fn_unused
#endif

#endif /* NVMEV_FTL_COMPAT_H */
