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

int ftl_params_resolve(struct ftl_params *p)
{
	u64 upp, stripe_bytes, nluns, lines, upl, pgs;

	FTL_FN();
	if (!p->nr_ch || !p->luns_per_ch || !p->pls_per_lun)
		return -EINVAL;
	if (p->nr_ch > 64 || p->luns_per_ch > 64 || p->pls_per_lun > 16)
		return -EINVAL;
	if (!p->pg_size || (p->pg_size & (FTL_UNIT_SIZE - 1)) || p->pg_size > (256u << 10))
		return -EINVAL;
	if (!p->ch_mbps || !p->pcie_mbps || p->gc_policy > FTL_GC_COST_BENEFIT)
		return -EINVAL;
	if (p->op_permille > 10000)
		return -EINVAL;

	upp = p->pg_size >> FTL_UNIT_SHIFT;
	nluns = p->nr_ch * p->luns_per_ch;
	stripe_bytes = nluns * p->pls_per_lun * p->pg_size;

	if (!p->pgs_per_blk) {
		pgs = 256;
		while (pgs > 4 && ftl_div64(p->capacity_bytes, stripe_bytes * pgs) < TARGET_LINES)
			pgs >>= 1;
		p->pgs_per_blk = pgs;
	}
	if (p->pgs_per_blk * upp > 65535)
		return -EINVAL;	/* per-block valid counts are u16 */
	if (!p->blks_per_pl)
		p->blks_per_pl = ftl_div64(p->capacity_bytes, stripe_bytes * p->pgs_per_blk);
	lines = p->blks_per_pl;
	if (lines < MIN_LINES)
		return -EINVAL;	/* capacity too small for this geometry */
	if (lines * stripe_bytes * p->pgs_per_blk > p->capacity_bytes)
		return -EINVAL;	/* explicit geometry larger than the storage */
	upl = (stripe_bytes >> FTL_UNIT_SHIFT) * p->pgs_per_blk;
	if (upl * lines >= U32_MAX || upl < 2 * upp)
		return -EINVAL;

	if (!p->gc_low_lines)
		p->gc_low_lines = 2 + (lines >> 7);
	if (!p->gc_high_lines)
		p->gc_high_lines = p->gc_low_lines + ftl_max64(2, lines >> 5);
	if (p->gc_low_lines < 2 || p->gc_high_lines < p->gc_low_lines ||
	    p->gc_high_lines + 8 > lines)
		return -EINVAL;
	if (!p->wb_bytes)
		p->wb_bytes = 2 * nluns * p->pg_size;
	if ((p->wb_bytes >> FTL_UNIT_SHIFT) < 2 * upp ||
	    (p->wb_bytes >> FTL_UNIT_SHIFT) > (1u << 24))
		return -EINVAL;
	if (!p->gc_step_units)
		p->gc_step_units = ftl_max64(upp, ftl_div64(upl, 8));
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
