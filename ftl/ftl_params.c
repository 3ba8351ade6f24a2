// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev FTL: profiles, the parameter name table, geometry derivation.
 * Figures and their sources are documented in Documentation/ftl.rst.
 */
#include "ftl.h"

#define P(field, help) { #field, offsetof(struct ftl_params, field), help }

const struct ftl_param_desc ftl_param_table[] = {
	P(capacity_bytes, "physical flash bytes (memmap storage size)"),
	P(nr_ch, "channels"),
	P(luns_per_ch, "LUNs (dies) per channel"),
	P(pls_per_lun, "planes per LUN"),
	P(blks_per_pl, "blocks per plane = number of lines (0 = auto)"),
	P(pgs_per_blk, "flash pages per block (0 = auto)"),
	P(pg_size, "flash page size in bytes (multiple of 4096)"),
	P(op_permille, "over-provisioning, (physical-logical)/logical in 1/1000"),
	P(cell_type, "cell type: 1 SLC, 2 MLC, 3 TLC, 4 QLC, 9 3D XPoint"),
	P(t_read_ns, "NAND page read latency (ns)"),
	P(t_prog_ns, "NAND page program latency (ns)"),
	P(t_erase_ns, "NAND block erase latency (ns)"),
	P(ch_mbps, "channel bandwidth (MB/s)"),
	P(pcie_mbps, "PCIe bandwidth per direction (MB/s)"),
	P(fw_read_ns, "firmware overhead per read command (ns)"),
	P(fw_write_ns, "firmware overhead per write command (ns)"),
	P(fw_other_ns, "firmware overhead per flush/trim command (ns)"),
	P(wb_copy_ns, "write-buffer copy cost per 4 KiB (ns)"),
	P(wb_bytes, "write buffer bytes (0 = auto: 2 flash pages per LUN)"),
	P(pe_cycles, "rated program/erase cycles"),
	P(gc_policy, "GC victim policy: 0 greedy, 1 cost-benefit"),
	P(gc_low_lines, "foreground GC when free lines <= this (0 = auto)"),
	P(gc_high_lines, "background GC when free lines < this (0 = auto)"),
	P(gc_step_units, "background GC units moved per idle call (0 = auto)"),
};
#undef P
const unsigned int ftl_param_count = ARRAY_SIZE(ftl_param_table);

const char *const ftl_profile_names[] = { "970pro", "optane", "qlc" };
const unsigned int ftl_profile_count = ARRAY_SIZE(ftl_profile_names);

static void set_name(struct ftl_params *p, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < FTL_PROFILE_LEN && name[i]; i++)
		p->profile[i] = name[i];
	p->profile[i] = '\0';
}

/*
 * Samsung 970 PRO class: 64-layer MLC V-NAND, 8 channels.  Channel/LUN
 * layout, page size, NAND read/program, channel/PCIe bandwidth and buffer
 * size follow the NVMeVirt (FAST '23) 970 PRO calibration; erase is the
 * typical MLC figure (NVMeVirt leaves it 0); firmware overheads calibrated
 * to the datasheet QD1 figures (15K read IOPS, 55K write IOPS).
 */
static void profile_970pro(struct ftl_params *p)
{
	p->nr_ch = 8;
	p->luns_per_ch = 2;
	p->pls_per_lun = 1;
	p->pg_size = 32768;
	p->op_permille = 70;
	p->cell_type = FTL_CELL_MLC;
	p->t_read_ns = 35760;
	p->t_prog_ns = 185000;
	p->t_erase_ns = 3000000;
	p->ch_mbps = 800;
	p->pcie_mbps = 3360;
	p->fw_read_ns = 21500;
	p->fw_write_ns = 16000;
	p->fw_other_ns = 2000;
	p->wb_copy_ns = 460;
	p->pe_cycles = 3000;
}

/*
 * Intel Optane SSD (900P / P4800X class): 3D XPoint, 7 channels, ~10 us
 * QD1 read and write, 2.5 / 2.0 GB/s sequential, 550K/500K random IOPS.
 * XPoint writes in place; the "erase" is a token cost so GC stays cheap.
 */
static void profile_optane(struct ftl_params *p)
{
	p->nr_ch = 7;
	p->luns_per_ch = 4;
	p->pls_per_lun = 1;
	p->pg_size = 4096;
	p->op_permille = 70;
	p->cell_type = FTL_CELL_XPOINT;
	p->t_read_ns = 3500;
	p->t_prog_ns = 20000;
	p->t_erase_ns = 1000;
	p->ch_mbps = 2000;
	p->pcie_mbps = 2600;
	p->fw_read_ns = 3000;
	p->fw_write_ns = 7000;
	p->fw_other_ns = 1000;
	p->wb_copy_ns = 300;
	p->pe_cycles = 55000;
}

/*
 * QLC drive without SLC cache (Intel 660p / Samsung 870 QVO class native
 * QLC): 4 channels x 2 dies of 1 Tb 4-bit/cell NAND, 4-plane 64 KiB
 * program unit at ~30 MB/s per die (ISSCC 2020 QLC figure), slow reads,
 * 1000 rated P/E cycles.
 */
static void profile_qlc(struct ftl_params *p)
{
	p->nr_ch = 4;
	p->luns_per_ch = 2;
	p->pls_per_lun = 1;
	p->pg_size = 65536;
	p->op_permille = 70;
	p->cell_type = FTL_CELL_QLC;
	p->t_read_ns = 120000;
	p->t_prog_ns = 2200000;
	p->t_erase_ns = 10000000;
	p->ch_mbps = 667;
	p->pcie_mbps = 3300;
	p->fw_read_ns = 15000;
	p->fw_write_ns = 12000;
	p->fw_other_ns = 2000;
	p->wb_copy_ns = 460;
	p->pe_cycles = 1000;
}

int ftl_params_default(struct ftl_params *p, const char *profile, u64 capacity_bytes)
{
	FTL_FN();
	memset(p, 0, sizeof(*p));
	if (!profile || !profile[0])
		profile = "970pro";

	if (!ftl_strcmp(profile, "970pro") || !ftl_strcmp(profile, "default"))
		profile_970pro(p);
	else if (!ftl_strcmp(profile, "optane"))
		profile_optane(p);
	else if (!ftl_strcmp(profile, "qlc"))
		profile_qlc(p);
	else
		return -EINVAL;

	set_name(p, profile);
	p->capacity_bytes = capacity_bytes;
	p->gc_policy = FTL_GC_GREEDY;
	return 0;
}

static const struct ftl_param_desc *find_param(const char *name)
{
	unsigned int i;

	for (i = 0; i < ftl_param_count; i++)
		if (!ftl_strcmp(ftl_param_table[i].name, name))
			return &ftl_param_table[i];
	return NULL;
}

int ftl_param_set(struct ftl_params *p, const char *name, u64 value)
{
	const struct ftl_param_desc *d = find_param(name);

	if (!d)
		return -ENOENT;
	*(u64 *)((char *)p + d->offset) = value;
	return 0;
}

int ftl_param_get(const struct ftl_params *p, const char *name, u64 *value)
{
	const struct ftl_param_desc *d = find_param(name);

	if (!d)
		return -ENOENT;
	*value = *(const u64 *)((const char *)p + d->offset);
	return 0;
}

#define MIN_LINES	16
#define TARGET_LINES	256

/* Sane upper bounds: anything beyond is a typo, not a device. */
#define MAX_TIME_NS	1000000000ull		/* 1 s per NAND op / overhead */
#define MAX_MBPS	1000000ull		/* 1 TB/s */
#define MAX_PE		10000000ull
#define MAX_LINES	(1ull << 24)
#define MAX_PGS_PER_BLK	65535ull

/* Refuse a parameter, naming it: every -EINVAL of resolve says why. */
#define REFUSE(name, val, fmt, ...)					\
	({								\
		ftl_warn("%s=%llu: " fmt "\n", name,			\
			 (unsigned long long)(val), ##__VA_ARGS__);	\
		-EINVAL;						\
	})

static int check_range(const char *name, u64 v, u64 lo, u64 hi)
{
	if (v < lo || v > hi)
		return REFUSE(name, v, "must be %llu..%llu",
			      (unsigned long long)lo, (unsigned long long)hi);
	return 0;
}

/* Timing and rate figures, each within its bound. */
static int check_figures(const struct ftl_params *p)
{
	static const struct { const char *name; size_t off; u64 lo, hi; } t[] = {
#define F(f, lo, hi) { #f, offsetof(struct ftl_params, f), lo, hi }
		F(t_read_ns, 0, MAX_TIME_NS),
		F(t_prog_ns, 0, MAX_TIME_NS),
		F(t_erase_ns, 0, MAX_TIME_NS),
		F(ch_mbps, 1, MAX_MBPS),
		F(pcie_mbps, 1, MAX_MBPS),
		F(fw_read_ns, 0, MAX_TIME_NS),
		F(fw_write_ns, 0, MAX_TIME_NS),
		F(fw_other_ns, 0, MAX_TIME_NS),
		F(wb_copy_ns, 0, MAX_TIME_NS),
		F(pe_cycles, 0, MAX_PE),
		F(gc_policy, 0, FTL_GC_COST_BENEFIT),
		F(op_permille, 0, 10000),
		F(nr_ch, 1, 64),
		F(luns_per_ch, 1, 64),
		F(pls_per_lun, 1, 16),
		F(pg_size, FTL_UNIT_SIZE, 256u << 10),
		F(pgs_per_blk, 0, MAX_PGS_PER_BLK),
		F(blks_per_pl, 0, MAX_LINES),
		F(cell_type, 0, FTL_CELL_XPOINT),
#undef F
	};
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ret = check_range(t[i].name,
				  *(const u64 *)((const char *)p + t[i].off),
				  t[i].lo, t[i].hi);
		if (ret)
			return ret;
	}
	if (p->pg_size & (FTL_UNIT_SIZE - 1))
		return REFUSE("pg_size", p->pg_size, "must be a multiple of %u",
			      FTL_UNIT_SIZE);
	return 0;
}

/*
 * Fill the "auto" fields and validate.  Every product below is of
 * operands bounded first (check_figures), so none can overflow 64 bits:
 * stripe_bytes <= 64 * 64 * 16 * 256 KiB = 2^34, times pgs_per_blk
 * (< 2^16) is < 2^50, and line counts are compared by division.
 */
int ftl_params_resolve(struct ftl_params *p)
{
	u64 upp, stripe_bytes, nluns, lines, upl, pgs, blk_bytes, bound;
	int ret;

	FTL_FN();
	ret = check_figures(p);
	if (ret)
		return ret;

	upp = p->pg_size >> FTL_UNIT_SHIFT;
	nluns = p->nr_ch * p->luns_per_ch;
	stripe_bytes = nluns * p->pls_per_lun * p->pg_size;

	if (!p->pgs_per_blk) {
		pgs = 256;
		while (pgs > 4 && ftl_div64(p->capacity_bytes, stripe_bytes * pgs) < TARGET_LINES)
			pgs >>= 1;
		p->pgs_per_blk = pgs;
	}
	if (p->pgs_per_blk < 2 || p->pgs_per_blk * upp > 65535)
		return REFUSE("pgs_per_blk", p->pgs_per_blk,
			      "need 2..%llu pages per block of %llu bytes (per-block counts are 16-bit)",
			      (unsigned long long)(65535 / upp),
			      (unsigned long long)p->pg_size);
	blk_bytes = stripe_bytes * p->pgs_per_blk;	/* one line */
	if (!p->blks_per_pl)
		p->blks_per_pl = ftl_div64(p->capacity_bytes, blk_bytes);
	lines = p->blks_per_pl;
	if (lines < MIN_LINES)
		return REFUSE("blks_per_pl", lines,
			      "%llu MiB of flash makes fewer than %u lines of %llu KiB: use smaller pages, blocks or fewer channels/LUNs",
			      (unsigned long long)(p->capacity_bytes >> 20), MIN_LINES,
			      (unsigned long long)(blk_bytes >> 10));
	if (lines > ftl_div64(p->capacity_bytes, blk_bytes))
		return REFUSE("blks_per_pl", lines,
			      "%llu lines of %llu KiB do not fit in %llu MiB of flash",
			      (unsigned long long)lines,
			      (unsigned long long)(blk_bytes >> 10),
			      (unsigned long long)(p->capacity_bytes >> 20));
	upl = (stripe_bytes >> FTL_UNIT_SHIFT) * p->pgs_per_blk;
	if (upl * lines >= U32_MAX)
		return REFUSE("blks_per_pl", lines,
			      "more than 2^32 4 KiB units of flash");

	if (!p->gc_low_lines)
		p->gc_low_lines = 2 + (lines >> 7);
	if (!p->gc_high_lines)
		p->gc_high_lines = p->gc_low_lines + ftl_max64(2, lines >> 5);
	if (p->gc_low_lines < 2 || p->gc_low_lines >= lines)
		return REFUSE("gc_low_lines", p->gc_low_lines,
			      "must be 2..%llu for %llu lines",
			      (unsigned long long)(lines - 1),
			      (unsigned long long)lines);
	if (p->gc_high_lines < p->gc_low_lines || p->gc_high_lines + 8 > lines)
		return REFUSE("gc_high_lines", p->gc_high_lines,
			      "must be gc_low_lines (%llu)..%llu for %llu lines",
			      (unsigned long long)p->gc_low_lines,
			      (unsigned long long)(lines - 8),
			      (unsigned long long)lines);
	/*
	 * The capacity GC can always make progress with (see ftl_init):
	 * (lines - low - 3) lines of data less one page per line.  Leave
	 * at least one line of it, or the namespace is empty or negative.
	 */
	bound = lines - p->gc_low_lines;
	if (bound < 4 || (bound - 3) * upl < lines * upp + upl)
		return REFUSE("gc_low_lines", p->gc_low_lines,
			      "leaves GC no room in %llu lines of %llu KiB: lower it",
			      (unsigned long long)lines,
			      (unsigned long long)(blk_bytes >> 10));
	if (!p->wb_bytes)
		p->wb_bytes = 2 * nluns * p->pg_size;
	if ((p->wb_bytes >> FTL_UNIT_SHIFT) < 2 * upp ||
	    (p->wb_bytes >> FTL_UNIT_SHIFT) > (1u << 24))
		return REFUSE("wb_bytes", p->wb_bytes,
			      "must be %llu..%llu bytes (2 flash pages .. 64 GiB)",
			      (unsigned long long)(2 * p->pg_size),
			      (unsigned long long)((1ull << 24) << FTL_UNIT_SHIFT));
	if (!p->gc_step_units)
		p->gc_step_units = ftl_max64(upp, ftl_div64(upl, 8));
	if (p->gc_step_units > upl * lines)
		return REFUSE("gc_step_units", p->gc_step_units,
			      "more than the %llu units of flash",
			      (unsigned long long)(upl * lines));
	if (!p->pe_cycles)
		p->pe_cycles = 3000;
	return 0;
}

static u64 xfer_ns(u64 mbps, u64 bytes)
{
	/* MB/s = 10^6 B/s, so ns = bytes * 1000 / MBps */
	return ftl_div64(bytes * 1000, mbps);
}

u64 ftl_expected_read_latency(const struct ftl_params *p)
{
	return p->fw_read_ns + p->t_read_ns + xfer_ns(p->ch_mbps, FTL_UNIT_SIZE) +
	       xfer_ns(p->pcie_mbps, FTL_UNIT_SIZE);
}

u64 ftl_expected_unmapped_read_latency(const struct ftl_params *p)
{
	return p->fw_read_ns + xfer_ns(p->pcie_mbps, FTL_UNIT_SIZE);
}

u64 ftl_expected_write_latency(const struct ftl_params *p)
{
	return p->fw_write_ns + xfer_ns(p->pcie_mbps, FTL_UNIT_SIZE) + p->wb_copy_ns;
}
