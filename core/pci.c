// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual PCI side of nvmev: a root bus in its own PCI domain with one
 * function, class 01:08:02 (NVM Express), whose 64-bit BAR0 is the start
 * of the reserved memory region.  Config space is an in-memory image with
 * per-register write masks; MSI-X table and PBA live in BAR0.
 *
 * Interrupts are delivered the way a device's MSI write would be: the
 * message address/data the kernel programmed into the MSI-X table entry is
 * decoded into a destination APIC and a vector, and the vector is sent to
 * that CPU as an IPI.  A masked vector sets its PBA bit instead and is
 * delivered when unmasked.
 */
#define pr_fmt(fmt) "nvmev: " fmt

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/ioport.h>
#include <linux/msi.h>
#include <linux/irq.h>
#include <asm/apic.h>
#include <asm/pci.h>
#include <asm/msi.h>

#include "nvmev.h"
#include "../trace/nvmev_trace.h"
#include "../trace/events.h"

#define CAP_PM		0x40
#define CAP_MSIX	0x50
#define CAP_EXP		0x60

static struct pci_ops nvmev_pci_ops;

/* Each controller's root bus carries the controller's own sysdata. */
static inline struct nvmev_ctrl *bus_ctrl(struct pci_bus *bus)
{
	return container_of(bus->sysdata, struct nvmev_ctrl, sysdata);
}

/* Writable bits of each config dword (everything else is read-only). */
static u32 cfg_write_mask(unsigned int dw)
{
	switch (dw << 2) {
	case PCI_COMMAND:
		return PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		       PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE |
		       PCI_COMMAND_PARITY;
	case PCI_CACHE_LINE_SIZE:
		return 0x0000ffff;
	case PCI_BASE_ADDRESS_0:
		return ~(NVMEV_BAR_SIZE - 1);
	case PCI_BASE_ADDRESS_1:
		return 0xffffffff;
	case PCI_INTERRUPT_LINE:
		return 0x000000ff;
	case CAP_PM + PCI_PM_CTRL:
		return PCI_PM_CTRL_STATE_MASK;
	case CAP_MSIX:
		return (u32)(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL) << 16;
	case CAP_EXP + PCI_EXP_DEVCTL:
		return 0x0000ffff & ~PCI_EXP_DEVCTL_BCR_FLR;
	case CAP_EXP + PCI_EXP_DEVCTL2:
		return 0x0000ffff;
	default:
		return 0;
	}
}

static inline u32 cfg_dw(struct nvmev_ctrl *ctrl, unsigned int off)
{
	return le32_to_cpu(*(__le32 *)&ctrl->cfg[off & ~3]);
}

static inline void cfg_set_dw(struct nvmev_ctrl *ctrl, unsigned int off, u32 v)
{
	*(__le32 *)&ctrl->cfg[off & ~3] = cpu_to_le32(v);
}

static int nvmev_pci_read(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 *val)
{
	struct nvmev_ctrl *ctrl = bus_ctrl(bus);
	u32 dw;

	if (devfn != 0 || !ctrl || where < 0 ||
	    where + size > PCI_CFG_SPACE_EXP_SIZE) {
		*val = ~0U;
		return PCIBIOS_DEVICE_NOT_FOUND;
	}
	/* power cut: a surprise-removed function reads as all ones */
	if (READ_ONCE(ctrl->gone)) {
		*val = size == 4 ? ~0U : (1U << (size * 8)) - 1;
		return PCIBIOS_SUCCESSFUL;
	}
	dw = cfg_dw(ctrl, where) >> ((where & 3) * 8);
	switch (size) {
	case 1:
		*val = dw & 0xff;
		break;
	case 2:
		*val = dw & 0xffff;
		break;
	default:
		*val = dw;
		break;
	}
	return PCIBIOS_SUCCESSFUL;
}

static int nvmev_pci_write(struct pci_bus *bus, unsigned int devfn, int where,
			   int size, u32 val)
{
	struct nvmev_ctrl *ctrl = bus_ctrl(bus);
	unsigned int shift = (where & 3) * 8;
	u32 bytes_mask, mask, old;

	if (devfn != 0 || !ctrl || where < 0 ||
	    where + size > PCI_CFG_SPACE_EXP_SIZE)
		return PCIBIOS_DEVICE_NOT_FOUND;

	bytes_mask = size == 4 ? 0xffffffff : ((1U << (size * 8)) - 1) << shift;
	mask = cfg_write_mask(where >> 2) & bytes_mask;
	old = cfg_dw(ctrl, where);
	cfg_set_dw(ctrl, where, (old & ~mask) | ((val << shift) & mask));
	return PCIBIOS_SUCCESSFUL;
}

static void nvmev_init_cfg(struct nvmev_ctrl *ctrl)
{
	u8 *c = ctrl->cfg;

	memset(c, 0, sizeof(ctrl->cfg));
	*(__le16 *)&c[PCI_VENDOR_ID] = cpu_to_le16(NVMEV_PCI_VENDOR);
	*(__le16 *)&c[PCI_DEVICE_ID] = cpu_to_le16(NVMEV_PCI_DEVICE);
	*(__le16 *)&c[PCI_STATUS] = cpu_to_le16(PCI_STATUS_CAP_LIST);
	c[PCI_REVISION_ID] = 0x01;
	c[PCI_CLASS_PROG] = 0x02;		/* NVM Express */
	c[PCI_CLASS_DEVICE] = 0x08;		/* Non-volatile memory */
	c[PCI_CLASS_DEVICE + 1] = 0x01;		/* Mass storage */
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	cfg_set_dw(ctrl, PCI_BASE_ADDRESS_0,
		   lower_32_bits(ctrl->mem_start) |
		   PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64);
	cfg_set_dw(ctrl, PCI_BASE_ADDRESS_1, upper_32_bits(ctrl->mem_start));
	*(__le16 *)&c[PCI_SUBSYSTEM_VENDOR_ID] = cpu_to_le16(NVMEV_PCI_VENDOR);
	*(__le16 *)&c[PCI_SUBSYSTEM_ID] = cpu_to_le16(NVMEV_PCI_DEVICE);
	c[PCI_CAPABILITY_LIST] = CAP_PM;
	c[PCI_INTERRUPT_PIN] = 0;		/* MSI-X only */

	/* Power management, D0 only */
	c[CAP_PM] = PCI_CAP_ID_PM;
	c[CAP_PM + 1] = CAP_MSIX;
	*(__le16 *)&c[CAP_PM + PCI_PM_PMC] = cpu_to_le16(3);
	*(__le16 *)&c[CAP_PM + PCI_PM_CTRL] = cpu_to_le16(PCI_PM_CTRL_NO_SOFT_RESET);

	/* MSI-X: one vector per queue, table and PBA in BAR0 */
	c[CAP_MSIX] = PCI_CAP_ID_MSIX;
	c[CAP_MSIX + 1] = CAP_EXP;
	*(__le16 *)&c[CAP_MSIX + PCI_MSIX_FLAGS] =
		cpu_to_le16(NVMEV_MSIX_VECTORS - 1);
	cfg_set_dw(ctrl, CAP_MSIX + PCI_MSIX_TABLE, NVMEV_MSIX_TABLE_OFF | 0);
	cfg_set_dw(ctrl, CAP_MSIX + PCI_MSIX_PBA, NVMEV_MSIX_PBA_OFF | 0);

	/* PCI Express, Root Complex Integrated Endpoint: no link to model */
	c[CAP_EXP] = PCI_CAP_ID_EXP;
	c[CAP_EXP + 1] = 0;
	*(__le16 *)&c[CAP_EXP + PCI_EXP_FLAGS] =
		cpu_to_le16(2 | (PCI_EXP_TYPE_RC_END << 4));
	cfg_set_dw(ctrl, CAP_EXP + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_RBER);
	cfg_set_dw(ctrl, CAP_EXP + PCI_EXP_DEVCTL,
		   PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN);
}

/* ---- interrupts -------------------------------------------------------- */

static inline bool msix_enabled(struct nvmev_ctrl *ctrl)
{
	u16 flags = le16_to_cpu(READ_ONCE(*(__le16 *)&ctrl->cfg[CAP_MSIX +
								PCI_MSIX_FLAGS]));

	return (flags & (PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)) ==
	       PCI_MSIX_FLAGS_ENABLE;
}

static inline u32 *msix_entry(struct nvmev_ctrl *ctrl, u16 vector)
{
	return ctrl->bar + NVMEV_MSIX_TABLE_OFF + vector * PCI_MSIX_ENTRY_SIZE;
}

static inline unsigned long *msix_pba(struct nvmev_ctrl *ctrl)
{
	return ctrl->bar + NVMEV_MSIX_PBA_OFF;
}

static int apicid_to_cpu(u32 apicid)
{
	int cpu;

	for_each_online_cpu(cpu)
		if (per_cpu(x86_cpu_to_apicid, cpu) == apicid)
			return cpu;
	return -1;
}

/* Decode an x86 MSI message and send its vector, as the chipset would. */
static bool deliver_msi(struct nvmev_ctrl *ctrl, u32 addr_lo, u32 addr_hi,
			u32 data)
{
	struct msi_msg msg = {
		.address_lo = addr_lo,
		.address_hi = addr_hi,
		.data = data,
	};
	u32 dest;
	int cpu = -1;
	u8 vector = data & 0xff;

	if ((addr_lo >> 20) != 0xfee || (addr_lo & BIT(4))) {
		pr_warn_once("MSI-X message 0x%08x:%08x is not a compatibility-format x86 MSI (interrupt remapping on?): boot the host with intremap=off\n",
			     addr_hi, addr_lo);
		return false;
	}
	if (vector < FIRST_EXTERNAL_VECTOR)
		return false;

	dest = x86_msi_msg_get_destid(&msg, true);
	if (!msg.arch_addr_lo.dest_mode_logical) {
		cpu = apicid_to_cpu(dest);
	} else if (x2apic_mode) {
		/* x2APIC cluster: cluster id in [31:16], member bitmap below */
		u32 bits = dest & 0xffff;

		if (bits)
			cpu = apicid_to_cpu(((dest >> 16) << 4) | __ffs(bits));
	} else {
		/* xAPIC flat logical: Linux gives CPU n logical id BIT(n) */
		u32 bits = dest & 0xff;

		if (bits && __ffs(bits) < nr_cpu_ids && cpu_online(__ffs(bits)))
			cpu = __ffs(bits);
	}
	if (cpu < 0) {
		pr_warn_ratelimited("MSI-X destination 0x%x matches no online CPU\n",
				    dest);
		return false;
	}
	apic->send_IPI(cpu, vector);
	return true;
}

void nvmev_signal_irq(struct nvmev_ctrl *ctrl, u16 vector)
{
	u32 *e;

	NVMEV_FN();
	if (vector >= NVMEV_MSIX_VECTORS)
		return;
	e = msix_entry(ctrl, vector);
	/* an MSI is a memory write: none without Bus Master Enable */
	if (!msix_enabled(ctrl) || !nvmev_bus_master(ctrl) ||
	    (READ_ONCE(e[PCI_MSIX_ENTRY_VECTOR_CTRL / 4]) &
	     PCI_MSIX_ENTRY_CTRL_MASKBIT)) {
		set_bit(vector, msix_pba(ctrl));
		atomic64_inc(&ctrl->stats.irqs_masked);
		return;
	}
	if (deliver_msi(ctrl, READ_ONCE(e[PCI_MSIX_ENTRY_LOWER_ADDR / 4]),
			READ_ONCE(e[PCI_MSIX_ENTRY_UPPER_ADDR / 4]),
			READ_ONCE(e[PCI_MSIX_ENTRY_DATA / 4])))
		atomic64_inc(&ctrl->stats.irqs);
}

/* Deliver pending vectors whose mask has been lifted (dispatcher, 10 ms). */
void nvmev_msix_poll_pending(struct nvmev_ctrl *ctrl)
{
	unsigned long *pba = msix_pba(ctrl);
	unsigned int v;

	if (!msix_enabled(ctrl) || !nvmev_bus_master(ctrl))
		return;
	for_each_set_bit(v, pba, NVMEV_MSIX_VECTORS) {
		u32 *e = msix_entry(ctrl, v);

		if (READ_ONCE(e[PCI_MSIX_ENTRY_VECTOR_CTRL / 4]) &
		    PCI_MSIX_ENTRY_CTRL_MASKBIT)
			continue;
		if (test_and_clear_bit(v, pba))
			nvmev_signal_irq(ctrl, v);
	}
}

/* ---- bus --------------------------------------------------------------- */

/*
 * Undo pci_scan_bus().  pci_remove_root_bus() only device_del()s the host
 * bridge: the reference pci_alloc_host_bridge() took is the creator's to
 * drop, and dropping it frees the bridge and its resource windows (found
 * by kmemleak on the debug kernel: 2.5 KiB leaked per insmod/rmmod).
 */
static void remove_root_bus(struct pci_bus *bus)
{
	struct pci_host_bridge *bridge = to_pci_host_bridge(bus->bridge);

	pci_stop_root_bus(bus);
	pci_remove_root_bus(bus);
	put_device(&bridge->dev);
}

int nvmev_pci_init(struct nvmev_ctrl *ctrl)
{
	struct pci_bus *bus;
	struct pci_dev *pdev;
	struct resource *res;
	u32 *e;
	int i, ret;

	/* MSI-X vectors reset to masked */
	for (i = 0; i < NVMEV_MSIX_VECTORS; i++) {
		e = msix_entry(ctrl, i);
		e[PCI_MSIX_ENTRY_VECTOR_CTRL / 4] = PCI_MSIX_ENTRY_CTRL_MASKBIT;
	}
	nvmev_init_cfg(ctrl);

	nvmev_pci_ops.read = nvmev_pci_read;
	nvmev_pci_ops.write = nvmev_pci_write;
	memset(&ctrl->sysdata, 0, sizeof(ctrl->sysdata));
	/* one PCI domain per controller */
	ctrl->sysdata.domain = NVMEV_PCI_DOMAIN + ctrl->index;
	ctrl->sysdata.node = cpu_to_node(ctrl->cpus[0]);

	pci_lock_rescan_remove();
	bus = pci_scan_bus(0, &nvmev_pci_ops, &ctrl->sysdata);
	if (!bus) {
		pci_unlock_rescan_remove();
		pr_err("cannot create PCI domain %04x (already in use?)\n",
		       ctrl->sysdata.domain);
		return -ENODEV;
	}
	pdev = pci_get_slot(bus, PCI_DEVFN(0, 0));
	if (!pdev) {
		ret = -ENODEV;
		pr_err("virtual function not found on bus %04x:00\n",
		       ctrl->sysdata.domain);
		goto err_bus;
	}
	pci_dev_put(pdev);	/* the bus holds its own reference */

	/* Claim BAR0 inside the reserved region so /proc/iomem shows it. */
	res = &pdev->resource[0];
	if (res->start != ctrl->mem_start ||
	    resource_size(res) != NVMEV_BAR_SIZE) {
		ret = -ENODEV;
		pr_err("BAR0 read back as %pR, expected %pa\n", res,
		       &ctrl->mem_start);
		goto err_bus;
	}
	ret = insert_resource(&iomem_resource, res);
	if (ret) {
		pr_err("cannot claim BAR0 %pR: %d (region in use?)\n", res, ret);
		goto err_bus;
	}
	ctrl->bus = bus;
	ctrl->pdev = pdev;
	pci_bus_add_devices(bus);
	pci_unlock_rescan_remove();
	pr_info("virtual NVMe controller at %s, BAR0 %pR\n", pci_name(pdev),
		res);
	return 0;

err_bus:
	remove_root_bus(bus);
	pci_unlock_rescan_remove();
	return ret;
}

void nvmev_pci_exit(struct nvmev_ctrl *ctrl)
{
	if (!ctrl->bus)
		return;
	pci_lock_rescan_remove();
	remove_root_bus(ctrl->bus);
	pci_unlock_rescan_remove();
	ctrl->bus = NULL;
	ctrl->pdev = NULL;
}
