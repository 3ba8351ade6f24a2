// SPDX-License-Identifier: GPL-2.0
/*
 * PRP walking.  A transfer of `len` bytes is described by PRP1 (which may
 * start inside a page) and PRP2, which is either the second data page or a
 * pointer to a PRP list; the last entry of a full list page chains to the
 * next list page.  The walker visits exactly `len` bytes of host memory,
 * never more, and checks every page it is given before touching it.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/pgtable.h>

#include "../core/nvmev.h"
#include "../trace/nvmev_trace.h"

/*
 * Return a kernel pointer to host memory [addr, addr+len) that lies within
 * one page, or NULL if the page is not ordinary RAM.  `write` is true when
 * the device writes host memory (a Read command, Identify...).
 */
void *nvmev_host_map(u64 addr, size_t len, bool write)
{
	unsigned long pfn = addr >> PAGE_SHIFT;
	struct page *page;

	if (!len || (addr & ~PAGE_MASK) + len > PAGE_SIZE || !pfn_valid(pfn))
		return NULL;
	page = pfn_to_page(pfn);
	/*
	 * Reserved pages are firmware, the kernel image or our own region:
	 * no host driver hands those out for DMA, except the shared zero
	 * page as a source of zeroes.
	 */
	if (PageReserved(page) && (write || !is_zero_pfn(pfn)))
		return NULL;
	return page_address(page) + (addr & ~PAGE_MASK);
}

/*
 * Is [addr, addr+len) ordinary host RAM, every page of it, that a host
 * driver may hand to a device (queues, buffers)?
 */
bool nvmev_host_range_ok(u64 addr, u64 len)
{
	u64 end = addr + len, a;

	if (!len || end < addr)
		return false;
	for (a = addr; a < end; a = (a & PAGE_MASK) + PAGE_SIZE) {
		size_t n = min_t(u64, end - a, PAGE_SIZE - (a & ~PAGE_MASK));

		if (!nvmev_host_map(a, n, true))
			return false;
	}
	return true;
}

static int xfer_chunk(u64 addr, size_t len, enum nvmev_dir dir,
		      nvmev_xfer_fn fn, void *priv, u16 *status)
{
	void *p = nvmev_host_map(addr, len, dir == NVMEV_TO_HOST);
	int ret;

	if (!p) {
		*status = SC_DATA_XFER_ERROR;
		return -EFAULT;
	}
	ret = fn(p, len, priv);
	if (ret)
		*status = (u16)ret;
	return ret;
}

u16 nvmev_prp_walk(struct nvmev_ctrl *ctrl, u64 prp1, u64 prp2, size_t len,
		   enum nvmev_dir dir, nvmev_xfer_fn fn, void *priv)
{
	const size_t ps = NVMEV_PAGE_SIZE;
	u16 status = SC_SUCCESS;
	size_t chunk;
	u64 list;

	NVMEV_FN();
	if (!len)
		return SC_SUCCESS;
	if (prp1 & 3)
		return SC_PRP_OFFSET;
	chunk = min_t(size_t, len, ps - (prp1 & (ps - 1)));
	if (xfer_chunk(prp1, chunk, dir, fn, priv, &status))
		return status;
	len -= chunk;
	if (!len)
		return SC_SUCCESS;

	if (len <= ps) {
		if (prp2 & (ps - 1))
			return SC_PRP_OFFSET;
		xfer_chunk(prp2, len, dir, fn, priv, &status);
		return status;
	}

	/* PRP2 is a list pointer: quadword aligned, may start mid-page */
	list = prp2;
	if (list & 7)
		return SC_PRP_OFFSET;
	while (len) {
		unsigned int n = (ps - (list & (ps - 1))) / sizeof(u64);
		__le64 *entries = nvmev_host_map(list, n * sizeof(u64), false);
		unsigned int i;

		/* long lists (chained, even onto themselves): yield per page */
		cond_resched();
		if (!entries)
			return SC_DATA_XFER_ERROR;
		for (i = 0; i < n && len; i++) {
			u64 e = le64_to_cpu(READ_ONCE(entries[i]));

			if (i == n - 1 && len > ps) {
				/* chain to the next list page */
				if (e & (ps - 1))
					return SC_PRP_OFFSET;
				list = e;
				break;
			}
			if (e & (ps - 1))
				return SC_PRP_OFFSET;
			chunk = min_t(size_t, len, ps);
			if (xfer_chunk(e, chunk, dir, fn, priv, &status))
				return status;
			len -= chunk;
		}
	}
	return SC_SUCCESS;
}

struct linear_xfer {
	u8 *buf;
	enum nvmev_dir dir;
};

static int linear_fn(void *host, size_t len, void *priv)
{
	struct linear_xfer *x = priv;

	if (x->dir == NVMEV_TO_HOST)
		nvmev_copy(host, x->buf, len);
	else
		nvmev_copy(x->buf, host, len);
	x->buf += len;
	return 0;
}

/* Copy between a kernel buffer and the host buffer the PRPs describe. */
u16 nvmev_prp_xfer(struct nvmev_ctrl *ctrl, u64 prp1, u64 prp2, size_t len,
		   void *buf, enum nvmev_dir dir)
{
	struct linear_xfer x = { .buf = buf, .dir = dir };

	return nvmev_prp_walk(ctrl, prp1, prp2, len, dir, linear_fn, &x);
}
