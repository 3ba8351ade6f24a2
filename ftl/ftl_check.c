// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev FTL: full consistency check of the FTL metadata.  O(units); the
 * unit tests call it after every operation (sampled in the long runs).
 */
#include "ftl.h"

#define FAIL(...) do { snprintf(msg, len, __VA_ARGS__); ret = -EINVAL; goto out; } while (0)

int ftl_check(const struct ftl *f, char *msg, size_t len)
{
	u32 *vcount = NULL, *bcount = NULL;
	u8 *member = NULL;
	u64 sum_vpc = 0;
	u32 lpn, ppa, i, mapped = 0, wbu = 0;
	int ret = 0;

	FTL_FN();
	vcount = ftl_zalloc(f->nlines * sizeof(u32));
	bcount = ftl_zalloc((size_t)f->nlines * f->blks_per_line * sizeof(u32));
	member = ftl_zalloc(f->nlines);
	if (!vcount || !bcount || !member) {
		snprintf(msg, len, "no memory for check");
		ret = -ENOMEM;
		goto out;
	}

	/* map -> rmap */
	for (lpn = 0; lpn < f->logical_units; lpn++) {
		ppa = f->map[lpn];
		if (ppa == FTL_INVALID)
			continue;
		mapped++;
		if (ppa >= f->phys_units)
			FAIL("lpn %u maps to out-of-range ppa %u", lpn, ppa);
		if (f->rmap[ppa] != lpn)
			FAIL("lpn %u -> ppa %u but rmap says %u", lpn, ppa, f->rmap[ppa]);
	}
	if (mapped != f->mapped)
		FAIL("mapped counter %u, map holds %u", f->mapped, mapped);

	/* rmap -> map, recount valid per line and block */
	for (ppa = 0; ppa < f->phys_units; ppa++) {
		u32 l = f->rmap[ppa];

		if (l == FTL_INVALID)
			continue;
		if (l >= f->logical_units || f->map[l] != ppa)
			FAIL("rmap[%u] = %u does not map back", ppa, l);
		vcount[ppa / f->upl]++;
		bcount[(ppa / f->upl) * f->blks_per_line + ((ppa % f->upl) / f->upp) % f->stripe]++;
	}

	/* list membership */
	for (i = 0; i < f->free_cnt; i++) {
		u32 id = f->free_q[(f->free_head + i) % f->nlines];

		member[id]++;
		if (f->lines[id].state != FTL_LINE_FREE)
			FAIL("line %u in free list has state %s", id,
			     ftl_line_state_name(f->lines[id].state));
	}
	for (i = 0; i < f->heap_cnt; i++) {
		u32 id = f->heap[i];

		member[id]++;
		if (f->lines[id].state != FTL_LINE_FULL)
			FAIL("line %u in full heap has state %s", id,
			     ftl_line_state_name(f->lines[id].state));
		if (f->lines[id].pos != i)
			FAIL("line %u heap pos %u != %u", id, f->lines[id].pos, i);
		if (i && f->lines[f->heap[(i - 1) / 2]].vpc > f->lines[id].vpc)
			FAIL("heap order broken at %u", i);
	}
	if (f->host_wp.line != FTL_INVALID) {
		member[f->host_wp.line]++;
		if (f->lines[f->host_wp.line].state != FTL_LINE_HOST_OPEN)
			FAIL("host wp line %u not host-open", f->host_wp.line);
	}
	if (f->gc_wp.line != FTL_INVALID) {
		member[f->gc_wp.line]++;
		if (f->lines[f->gc_wp.line].state != FTL_LINE_GC_OPEN)
			FAIL("gc wp line %u not gc-open", f->gc_wp.line);
	}
	if (f->victim != FTL_INVALID) {
		member[f->victim]++;
		if (f->lines[f->victim].state != FTL_LINE_VICTIM)
			FAIL("victim line %u not in victim state", f->victim);
	}

	for (i = 0; i < f->nlines; i++) {
		const struct ftl_line *l = &f->lines[i];
		u32 written, b;

		if (member[i] != 1)
			FAIL("line %u (%s) is in %u lists", i, ftl_line_state_name(l->state),
			     member[i]);
		if (l->vpc != vcount[i])
			FAIL("line %u vpc %u, recount %u", i, l->vpc, vcount[i]);
		for (b = 0; b < f->blks_per_line; b++)
			if (f->blk_vpc[i * f->blks_per_line + b] != bcount[i * f->blks_per_line + b])
				FAIL("line %u block %u vpc %u, recount %u", i, b,
				     f->blk_vpc[i * f->blks_per_line + b],
				     bcount[i * f->blks_per_line + b]);
		sum_vpc += l->vpc;
		switch (l->state) {
		case FTL_LINE_FREE:
			written = 0;
			break;
		case FTL_LINE_HOST_OPEN:
			written = f->host_wp.off;
			break;
		case FTL_LINE_GC_OPEN:
			written = f->gc_wp.off;
			break;
		default:
			written = f->upl;
			break;
		}
		if (l->vpc + l->ipc != written)
			FAIL("line %u (%s): vpc %u + ipc %u != written %u", i,
			     ftl_line_state_name(l->state), l->vpc, l->ipc, written);
		if (written < f->upl) {
			for (ppa = i * f->upl + written; ppa < (i + 1) * f->upl; ppa++)
				if (f->rmap[ppa] != FTL_INVALID)
					FAIL("valid unit %u in free space of line %u (%s)", ppa, i,
					     ftl_line_state_name(l->state));
		}
	}
	/* persistent OOB: says exactly what the mapping says */
	if (f->oob) {
		for (ppa = 0; ppa < f->phys_units; ppa++) {
			const struct ftl_oob *o = &f->oob[ppa];
			bool live = (o->flags & FTL_OOB_PROG) && !(o->flags & FTL_OOB_STALE);

			if (f->rmap[ppa] != FTL_INVALID) {
				if (!live || o->lpn != f->rmap[ppa])
					FAIL("ppa %u holds lpn %u, OOB says lpn %u flags %u", ppa,
					     f->rmap[ppa], o->lpn, o->flags);
			} else if (live && o->lpn < f->logical_units) {
				FAIL("ppa %u invalid, OOB says valid lpn %u", ppa, o->lpn);
			}
		}
	}
	if (sum_vpc != f->mapped)
		FAIL("sum of line valid counts %llu != mapped %u",
		     (unsigned long long)sum_vpc, f->mapped);

	for (i = 0; i < f->fl.wb_n; i++)
		wbu += f->fl.wb[i].units;
	if (f->host_wp.line != FTL_INVALID)
		wbu += f->host_wp.off % f->upp;
	if (wbu != f->fl.wb_used || f->fl.wb_used > f->fl.wb_cap)
		FAIL("write buffer holds %u units, counter %u, capacity %u", wbu,
		     f->fl.wb_used, f->fl.wb_cap);
	if (f->free_cnt == 0)
		FAIL("no free line left");
out:
	ftl_free(vcount);
	ftl_free(bcount);
	ftl_free(member);
	return ret;
}
