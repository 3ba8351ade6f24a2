// SPDX-License-Identifier: GPL-2.0
/*
 * The data phase's copy: memcpy() or a loop of 8-byte moves, whichever
 * this machine runs faster, measured at load.
 *
 * On hardware, and under KVM, the kernel's memcpy() (REP MOVSB with ERMS)
 * is the fastest there is.  Under QEMU's TCG, REP MOVSB and REP STOSB are
 * emulated one byte at a time, each byte a softmmu load and store: a
 * 128 KiB copy took ~420 us of guest time, most of a 128 KiB command's
 * cost.  Eight-byte moves are one softmmu access per eight bytes.  Which
 * one wins is a property of the machine, so nvmev times both on 64 KiB
 * at load and keeps the faster (debugfs nvmev/cpu, "copy").
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#include "../core/nvmev.h"

#define CAL_BYTES	(64 * 1024)
#define CAL_RUNS	4

static bool use_words;
static u64 memcpy_ns, words_ns;		/* per CAL_BYTES, best of CAL_RUNS */

static void copy_words(void *dst, const void *src, size_t len)
{
	u8 *d = dst;
	const u8 *s = src;

	while (len >= 32) {
		u64 a = get_unaligned((const u64 *)s);
		u64 b = get_unaligned((const u64 *)(s + 8));
		u64 c = get_unaligned((const u64 *)(s + 16));
		u64 e = get_unaligned((const u64 *)(s + 24));

		put_unaligned(a, (u64 *)d);
		put_unaligned(b, (u64 *)(d + 8));
		put_unaligned(c, (u64 *)(d + 16));
		put_unaligned(e, (u64 *)(d + 24));
		/* keep the compiler from turning the loop back into memcpy() */
		barrier();
		d += 32;
		s += 32;
		len -= 32;
	}
	while (len--)
		*d++ = *s++;
}

static void zero_words(void *dst, size_t len)
{
	u8 *d = dst;

	while (len >= 32) {
		put_unaligned(0ULL, (u64 *)d);
		put_unaligned(0ULL, (u64 *)(d + 8));
		put_unaligned(0ULL, (u64 *)(d + 16));
		put_unaligned(0ULL, (u64 *)(d + 24));
		barrier();
		d += 32;
		len -= 32;
	}
	while (len--)
		*d++ = 0;
}

void nvmev_copy(void *dst, const void *src, size_t len)
{
	if (use_words)
		copy_words(dst, src, len);
	else
		memcpy(dst, src, len);
}

void nvmev_zero(void *dst, size_t len)
{
	if (use_words)
		zero_words(dst, len);
	else
		memset(dst, 0, len);
}

static u64 time_copy(bool words, void *dst, const void *src)
{
	u64 best = U64_MAX;
	int i;

	for (i = 0; i < CAL_RUNS; i++) {
		u64 t0 = local_clock(), t;

		if (words)
			copy_words(dst, src, CAL_BYTES);
		else
			memcpy(dst, src, CAL_BYTES);
		t = local_clock() - t0;
		best = min(best, t);
		cond_resched();
	}
	return best;
}

/* At load, before any I/O: time both on 64 KiB and keep the faster. */
void nvmev_copy_calibrate(void)
{
	u8 *src = kmalloc(CAL_BYTES, GFP_KERNEL);
	u8 *dst = kmalloc(CAL_BYTES, GFP_KERNEL);

	if (src && dst) {
		memset(src, 0x5a, CAL_BYTES);
		memcpy_ns = time_copy(false, dst, src);
		words_ns = time_copy(true, dst, src);
		/* a clear win only: memcpy() is the kernel's tuned default */
		use_words = words_ns * 5 < memcpy_ns * 4;
		pr_info("data copy: %s (64 KiB: memcpy %llu ns, 8-byte moves %llu ns)\n",
			use_words ? "8-byte moves" : "memcpy", memcpy_ns, words_ns);
	}
	kfree(src);
	kfree(dst);
}

void nvmev_copy_show(struct seq_file *m)
{
	seq_printf(m, "copy %s\n", use_words ? "words" : "memcpy");
	seq_printf(m, "copy_64k_memcpy_ns %llu\n", memcpy_ns);
	seq_printf(m, "copy_64k_words_ns %llu\n", words_ns);
}
