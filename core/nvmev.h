/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev: a virtual PCIe NVMe controller backed by reserved memory.
 *
 * Threading model
 * ---------------
 * One dispatcher kthread (cpus[0]) owns all controller state: registers,
 * queue creation/deletion, admin commands and the fetching of I/O commands.
 * It hands each fetched I/O command to one of the I/O worker kthreads
 * (cpus[1..]) through a single-producer/single-consumer ring.  A worker
 * copies the data, keeps its commands in a min-heap ordered by model
 * completion time and posts each completion at that time, then raises the
 * completion queue's MSI-X vector.
 *
 * Queue teardown (Delete SQ/CQ, CC.EN=0) is synchronised with the workers
 * by an epoch handshake: the dispatcher invalidates the queue, bumps
 * ctrl->epoch and waits until every worker has observed the new epoch at
 * the top of its loop, where a worker drops every command whose queue is
 * gone.  After the handshake no worker touches the queue's host memory.
 */
#ifndef _NVMEV_H
#define _NVMEV_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>
#include <linux/nvme.h>
#include <linux/pci.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/hrtimer.h>
#include <linux/sched/clock.h>
#include <linux/configfs.h>
#include <linux/completion.h>
#include <linux/badblocks.h>
#include <linux/workqueue.h>

#define NVMEV_DRV_NAME		"nvmev"
#define NVMEV_VERSION		"0.1.0"

#define NVMEV_PCI_DOMAIN	0x1000
#define NVMEV_PCI_VENDOR	0x0c51
#define NVMEV_PCI_DEVICE	0x0110

/* Layout of the reserved region: BAR0 first, storage after 1 MiB. */
#define NVMEV_BAR_SIZE		0x4000		/* 16 KiB, power of two */
#define NVMEV_MSIX_TABLE_OFF	0x2000
#define NVMEV_MSIX_PBA_OFF	0x3000
#define NVMEV_STORAGE_OFF	(1UL << 20)
#define NVMEV_MIN_STORAGE	(16UL << 20)

#define NVMEV_MAX_IO_QUEUES	64
#define NVMEV_NR_QUEUES		(NVMEV_MAX_IO_QUEUES + 1)	/* + admin */
#define NVMEV_MSIX_VECTORS	NVMEV_NR_QUEUES
#define NVMEV_MQES		1023		/* 1024 entries, 0's based */
#define NVMEV_MAX_AER		4
#define NVMEV_ERR_LOG_ENTRIES	64
#define NVMEV_PAGE_SHIFT	12		/* CC.MPS = 0 only */
#define NVMEV_PAGE_SIZE		(1U << NVMEV_PAGE_SHIFT)

#define NVMEV_MAX_NS		32	/* Identify NN */

/* Status field helpers: (SCT << 8 | SC), DNR is bit 14 of the 15-bit field */
#define NVMEV_SCT_GENERIC	0x0
#define NVMEV_SCT_CMD		0x1
#define NVMEV_SCT_MEDIA		0x2
#define NVMEV_SC(sct, sc)	((u16)(((sct) << 8) | (sc)))
#define NVMEV_DNR		0x4000
#define NVMEV_ERR(sct, sc)	(NVMEV_SC(sct, sc) | NVMEV_DNR)

#define SC_SUCCESS		0
#define SC_INVALID_OPCODE	NVMEV_ERR(NVMEV_SCT_GENERIC, 0x01)
#define SC_INVALID_FIELD	NVMEV_ERR(NVMEV_SCT_GENERIC, 0x02)
#define SC_DATA_XFER_ERROR	NVMEV_ERR(NVMEV_SCT_GENERIC, 0x04)
#define SC_INTERNAL		NVMEV_ERR(NVMEV_SCT_GENERIC, 0x06)
#define SC_ABORT_SQ_DELETED	NVMEV_SC(NVMEV_SCT_GENERIC, 0x08)
#define SC_INVALID_NS		NVMEV_ERR(NVMEV_SCT_GENERIC, 0x0b)
#define SC_CMD_SEQ_ERROR	NVMEV_ERR(NVMEV_SCT_GENERIC, 0x0c)
#define SC_PRP_OFFSET		NVMEV_ERR(NVMEV_SCT_GENERIC, 0x13)
#define SC_LBA_RANGE		NVMEV_ERR(NVMEV_SCT_GENERIC, 0x80)
#define SC_CQ_INVALID		NVMEV_ERR(NVMEV_SCT_CMD, 0x00)
#define SC_QID_INVALID		NVMEV_ERR(NVMEV_SCT_CMD, 0x01)
#define SC_QUEUE_SIZE		NVMEV_ERR(NVMEV_SCT_CMD, 0x02)
#define SC_ASYNC_LIMIT		NVMEV_ERR(NVMEV_SCT_CMD, 0x05)
#define SC_INVALID_VECTOR	NVMEV_ERR(NVMEV_SCT_CMD, 0x08)
#define SC_INVALID_LOG_PAGE	NVMEV_ERR(NVMEV_SCT_CMD, 0x09)
#define SC_INVALID_QDELETE	NVMEV_ERR(NVMEV_SCT_CMD, 0x0c)
#define SC_NOT_SAVEABLE		NVMEV_ERR(NVMEV_SCT_CMD, 0x0d)
#define SC_INVALID_FORMAT	NVMEV_ERR(NVMEV_SCT_CMD, 0x0a)
#define SC_NS_INSUFFICIENT_CAP	NVMEV_ERR(NVMEV_SCT_CMD, 0x15)
#define SC_NS_ID_UNAVAILABLE	NVMEV_ERR(NVMEV_SCT_CMD, 0x16)
#define SC_NS_ALREADY_ATTACHED	NVMEV_ERR(NVMEV_SCT_CMD, 0x18)
#define SC_NS_IS_PRIVATE	NVMEV_ERR(NVMEV_SCT_CMD, 0x19)
#define SC_NS_NOT_ATTACHED	NVMEV_ERR(NVMEV_SCT_CMD, 0x1a)
#define SC_THIN_PROV_NOT_SUPP	NVMEV_ERR(NVMEV_SCT_CMD, 0x1b)
#define SC_CTRL_LIST_INVALID	NVMEV_ERR(NVMEV_SCT_CMD, 0x1c)
#define SC_CMD_SIZE_LIMIT	NVMEV_ERR(NVMEV_SCT_CMD, 0x83)	/* Copy: MSRC, MSSRL, MCL */
#define SC_COMPARE_FAILED	NVMEV_ERR(NVMEV_SCT_MEDIA, 0x85)
#define SC_UNRECOVERED_READ	NVMEV_ERR(NVMEV_SCT_MEDIA, 0x81)

/* Controller register block at the start of BAR0 (NVMe 1.4, 3.1). */
struct nvmev_regs {
	u64 cap;
	u32 vs;
	u32 intms;
	u32 intmc;
	u32 cc;
	u32 rsvd1;
	u32 csts;
	u32 nssr;
	u32 aqa;
	u64 asq;
	u64 acq;
} __packed;

struct nvmev_sq {
	bool valid;
	u16 qid;
	u16 cqid;
	u32 size;		/* entries */
	u32 head;		/* next entry the device fetches */
	u32 instance;		/* bumps on every create: stale work is dropped */
	u8 prio;
	bool db_error;		/* invalid tail written: ignored until deleted */
	struct nvme_command *cmds;
};

struct nvmev_cq {
	bool valid;
	bool irq_enabled;
	u16 qid;
	u16 vector;
	u32 size;
	u32 tail;		/* next entry the device writes */
	u32 phase;
	int nr_sqs;		/* SQs bound to this CQ */
	bool db_error;		/* invalid head written: reported once */
	spinlock_t lock;	/* workers and dispatcher post concurrently */
	struct nvme_completion *cqes;
	/* interrupt coalescing is not modelled: one interrupt per batch */
};

/*
 * Largest transfer in 4 KiB mapping units: MDTS 9 (2 MiB), plus one for a
 * transfer that starts inside a unit.
 */
#define NVMEV_MAX_XFER_UNITS	((NVMEV_PAGE_SIZE << 9) / 4096 + 1)

/*
 * Copy (NVM opcode 19h, not in <linux/nvme.h> of 6.1): the limits Identify
 * Namespace advertises.  MSSRL = MCL = 1 MiB of LBAs: one Copy holds a
 * worker about as long as a 1 MiB Read.  MSRC + 1 = 128 source ranges,
 * whose descriptors fill one 4 KiB page.  The unmapped units of every source
 * range fit io->unmapped: 1 MiB / 4 KiB + 2 per range = 512 bits.
 */
#define NVMEV_CMD_COPY		0x19
#define NVMEV_COPY_MAX_BYTES	(1U << 20)
#define NVMEV_COPY_MAX_RANGES	128

/* nvmev_io.flags */
#define NVMEV_IO_HOLES		BIT(0)	/* read/compare/copy: see io->unmapped */
#define NVMEV_IO_ERR_LBA	BIT(1)	/* the error is at io->err_lba */
#define NVMEV_IO_STUCK		BIT(2)	/* injected: never completed */

struct nvmev_ctrl;

/* Per namespace, written by the dispatcher at fetch time. */
struct nvmev_ns_stats {
	u64 read_cmds;
	u64 write_cmds;
	u64 read_bytes;
	u64 write_bytes;
	u64 other_cmds;
	u64 errors;
};

/* A namespace, see core/ns.c. */
struct nvmev_ns {
	struct nvmev_ctrl *ctrl;
	u32 nsid;
	unsigned int lba_shift;
	u64 nr_lbas;
	u64 base;		/* first controller logical byte */
	u64 bytes;		/* extent: whole 4 KiB units */
	u32 gen;		/* 0 at power-on, then per creation: new IDs */
	bool attached;
	bool zoned;		/* of a kind=zns controller: io/zns.c */
	struct nvmev_ns_stats stats;
	/*
	 * LBAs that fail reads with Unrecovered Read Error until written
	 * again (configfs namespaces/<nsid>/badblocks, changed on the
	 * dispatcher; the kernel's badblocks table, in LBAs).
	 */
	struct badblocks bb;
};

/* A fetched I/O command travelling from dispatcher to worker. */
struct nvmev_io {
	struct nvme_command cmd;
	struct nvmev_ns *ns;	/* NULL for a command of no namespace */
	u64 t_fetch;		/* ns, when the dispatcher fetched it */
	u64 t_target;		/* ns, when its completion is due */
	u32 sq_instance;
	u16 sqid;
	u16 status;		/* precomputed error status, 0 if to execute */
	u32 flags;		/* NVMEV_IO_* */
	u64 result;		/* completion DW0-1: Zone Append's LBA */
	u64 err_lba;		/* NVMEV_IO_ERR_LBA: the LBA the error log names */
	u32 data_lbas;		/* zoned read/compare: LBAs holding data */
	/*
	 * Read/compare with NVMEV_IO_HOLES: the 4 KiB units (from the one
	 * holding the first LBA) that were unmapped at fetch time; they
	 * read as zeroes without touching the storage.  Copy: the same for
	 * each source range in turn, range i's units after range i-1's.
	 */
	DECLARE_BITMAP(unmapped, NVMEV_MAX_XFER_UNITS);
};

struct nvmev_worker;
struct seq_file;

enum { NVMEV_LAT_READ, NVMEV_LAT_WRITE, NVMEV_LAT_OTHER, NVMEV_LAT_CLASSES };
#define NVMEV_LAT_BUCKETS	32

/* Per worker, per opcode class; sums in ns.  Read without locks. */
struct nvmev_lat_stats {
	u64 count;
	u64 target_ns;		/* model: completion time - fetch time */
	u64 actual_ns;		/* measured: CQ post time - fetch time */
	u64 late_ns;		/* sum of max(0, post - target) */
	u64 late_max_ns;
	/* lateness histogram: [0] on time, [i] in [2^(i-1), 2^i) ns */
	u64 late_hist[NVMEV_LAT_BUCKETS];
};

struct nvmev_stats {
	atomic64_t data_units_read;	/* 512-byte units; SMART rounds */
	atomic64_t data_units_written;
	atomic64_t host_read_cmds;
	atomic64_t host_write_cmds;
	atomic64_t busy_ns;
	atomic64_t errors;
	atomic64_t irqs;
	atomic64_t irqs_masked;
	atomic64_t aer_events;		/* AERs completed with an event */
	atomic64_t media_errors;	/* unrecovered data errors (SMART) */
};

struct nvmev_err_entry {
	u64 count;
	u16 sqid;
	u16 cid;
	u16 status;
	u64 lba;
	u32 nsid;
};

struct nvmev_features {
	u32 arbitration;
	u32 power_mgmt;
	u32 temp_thresh[2];	/* [0] over, [1] under; composite sensor */
	u32 err_recovery;
	u32 vwc;
	u32 nr_queues;		/* as granted: NCQA << 16 | NSQA, 0's based */
	u32 irq_coalesce;
	u32 irq_config[NVMEV_MSIX_VECTORS];
	u32 write_atomicity;
	u32 async_event;
};

/*
 * Figures of the device model that a controller may set (module
 * parameters of the same name for the one the parameters create, configfs
 * attributes for every controller); unset ones come from the profile.
 */
#define NVMEV_MODEL_FIGURES(X)						\
	X(nr_ch, "channels")						\
	X(luns_per_ch, "LUNs (dies) per channel")			\
	X(pls_per_lun, "planes per LUN")				\
	X(blks_per_pl, "blocks per plane = lines (0 = auto)")		\
	X(pgs_per_blk, "flash pages per block (0 = auto)")		\
	X(pg_size, "flash page size, bytes, multiple of 4096")		\
	X(op_permille, "over-provisioning, (physical-logical)/logical in 1/1000") \
	X(cell_type, "cell type: 1 SLC, 2 MLC, 3 TLC, 4 QLC, 9 3D XPoint") \
	X(t_read_ns, "NAND page read latency, ns")			\
	X(t_prog_ns, "NAND page program latency, ns")			\
	X(t_erase_ns, "NAND block erase latency, ns")			\
	X(ch_mbps, "channel bandwidth, MB/s")				\
	X(pcie_mbps, "PCIe bandwidth per direction, MB/s")		\
	X(fw_read_ns, "firmware overhead per read command, ns")	\
	X(fw_write_ns, "firmware overhead per write command, ns")	\
	X(fw_other_ns, "firmware overhead per flush/trim command, ns")	\
	X(wb_copy_ns, "write-buffer copy cost per 4 KiB, ns")		\
	X(wb_bytes, "write buffer bytes (0 = auto)")			\
	X(pe_cycles, "rated program/erase cycles")			\
	X(gc_policy, "GC victim policy: 0 greedy, 1 cost-benefit")	\
	X(gc_low_lines, "foreground GC when free lines <= this (0 = auto)") \
	X(gc_high_lines, "background GC when free lines < this (0 = auto)") \
	X(gc_step_units, "background GC units moved per idle call (0 = auto)") \
	X(zone_size, "kind=zns: zone size, bytes (0 = auto)")		\
	X(zone_cap, "kind=zns: zone capacity, bytes, <= zone_size (0 = auto)") \
	X(max_open, "kind=zns: open zones at most (0 = no limit)")	\
	X(max_active, "kind=zns: active (open + closed) zones at most (0 = no limit)") \
	X(stripe_luns, "kind=zns: LUNs a zone is striped over (0 = all)")

enum nvmev_figure {
#define X(name, help) NVMEV_FIG_##name,
	NVMEV_MODEL_FIGURES(X)
#undef X
	NVMEV_NR_FIGURES
};

/* The figures from zone_size on are the zoned model's (ftl/zns.h). */
#define NVMEV_FIG_FIRST_ZONE	NVMEV_FIG_zone_size

/* What a controller keeps of the data written to it (store=). */
enum nvmev_store {
	NVMEV_STORE_FULL,	/* every byte, in the reserved region */
	NVMEV_STORE_NONE,	/* nothing: reads return zeroes; flash_size free */
	NVMEV_NR_STORES
};

/* Device model kinds, chosen per controller (kind=). */
enum nvmev_kind {
	NVMEV_KIND_CONV,	/* page-mapped FTL with GC: ftl/ftl.c */
	NVMEV_KIND_ZNS,		/* zoned namespace: ftl/zns.c */
	NVMEV_NR_KINDS
};

#define NVMEV_PROFILE_LEN	16

struct nvmev_model_cfg {
	enum nvmev_kind kind;
	enum nvmev_store store;
	u64 flash_size;		/* bytes of modelled flash; 0: the storage */
	bool fresh;		/* start empty: ignore what the region holds */
	char profile[NVMEV_PROFILE_LEN];
	u64 val[NVMEV_NR_FIGURES];
	DECLARE_BITMAP(set, NVMEV_NR_FIGURES);	/* else: the profile's */
};

#define NVMEV_NAME_LEN		32

/* Injected faults, core/fault.c; knobs from configfs faults/. */
struct nvmev_faults {
	bool on;			/* any knob set: the I/O path looks */
	u64 seed;
	u64 rng;			/* dispatcher */
	u32 read_error_ppm;		/* reads failing, per million */
	u32 write_error_ppm;		/* writes failing (Write Fault) */
	u32 latency_ppm;		/* commands delayed */
	u32 latency_us;			/* by [latency_us, 2 * latency_us) */
	bool sticky;			/* a read error marks the LBA bad */
	atomic64_t read_error_after;	/* the Nth read from now fails */
	atomic64_t stuck_after;		/* the Nth command never completes */
	/* what was injected (dispatcher) */
	u64 read_errors, write_errors, retired_pages, delayed, stuck;
};

struct nvmev_ctrl {
	/* identity and configuration, see core/instance.c */
	char name[NVMEV_NAME_LEN];	/* configfs directory, debugfs too */
	struct config_group group;	/* /sys/kernel/config/nvmev/<name> */
	bool builtin;			/* made by the module parameters */
	bool live;			/* enabled: PCI function and threads */
	bool model_stale;		/* configuration changed: rebuild */
	char *cpulist;			/* cpus as written */
	struct nvmev_model_cfg model_cfg;

	/* reserved region */
	phys_addr_t mem_start;
	u64 mem_size;
	void *bar;			/* BAR0 mapping */
	struct nvmev_regs *regs;
	u32 __iomem *db;		/* doorbells, plain memory really */
	void *storage;
	u64 storage_size;		/* region minus BAR: the model's flash */
	u64 capacity;			/* logical bytes (tnvmcap), after OP */

	/* the controllers, see core/main.c */
	struct list_head node;
	unsigned int index;		/* nvmev<index>, PCI domain 1000h + index */

	/* PCI */
	struct pci_sysdata sysdata;	/* its root bus's; bus->sysdata */
	struct pci_bus *bus;
	struct pci_dev *pdev;
	u8 cfg[PCI_CFG_SPACE_EXP_SIZE];	/* config space image */

	/* namespaces, see core/ns.c */
	struct nvmev_ns *ns[NVMEV_MAX_NS + 1];	/* by NSID */
	DECLARE_BITMAP(ns_changed, NVMEV_MAX_NS + 1);	/* log 04h */
	u32 ns_gen;			/* namespaces created while enabled */
	struct list_head ns_cfgs;	/* configfs namespaces/<nsid> */
	struct config_group ns_group;	/* configfs namespaces/ */
	unsigned int mdts;		/* as 2^n pages */

	/* controller state, owned by the dispatcher */
	u32 cc;				/* last CC value acted on */
	bool enabled;
	bool iocs_all;			/* CC.CSS 110b: not the NVM set only */
	u32 epoch;			/* see header comment */
	struct nvmev_sq sq[NVMEV_NR_QUEUES];
	struct nvmev_cq cq[NVMEV_NR_QUEUES];
	bool io_queues_created;		/* since the last reset */
	bool admin_in_cmd;		/* an admin command holds a CQ slot */
	u16 nr_io_sq_granted;
	u16 nr_io_cq_granted;
	u16 aer_cids[NVMEV_MAX_AER];
	int nr_aer;
	u32 aer_pending;		/* bitmask of event types to report */
	u32 aer_masked;			/* event types awaiting a log read */
	u16 aer_info[8];		/* per type: info << 8 | log page */
	struct nvmev_features feat;
	u64 power_on_ns;
	u32 power_cycles;
	u32 unsafe_shutdowns;
	u8 critical_warning;

	/*
	 * Power loss (configfs power_cut, power_on, power_restore_ms; see
	 * core/instance.c).  power_off: cut, not yet back (enable still
	 * says 1); gone: the PCI function reads as surprise-removed.
	 */
	bool power_off;
	bool gone;
	unsigned int power_restore_ms;	/* 0: back only on power_on */
	struct delayed_work power_work;
	u32 power_cuts;

	struct nvmev_faults faults;
	struct config_group faults_group;	/* configfs faults/ */

	/* error log, written by dispatcher and workers */
	spinlock_t err_lock;
	struct nvmev_err_entry errlog[NVMEV_ERR_LOG_ENTRIES];
	u64 err_count;

	struct nvmev_stats stats;

	/* threads */
	unsigned int *cpus;
	unsigned int nr_cpus;
	struct task_struct *dispatcher;
	struct nvmev_worker *workers;	/* threaded, one per CPU after the first */
	unsigned int nr_workers;
	struct nvmev_worker *inline_w;	/* run by the dispatcher, core/worker.c */
	unsigned int next_worker;

	/* identity */
	char serial[21];
	char model_name[41];
	char firmware[9];

	struct dentry *debugfs;

	struct nvmev_model *model;	/* device model, dispatcher-only */
	bool zoned;			/* the model is of kind zns */
	bool dataless;			/* store=none: the data is not kept */
	u64 flash_bytes;		/* the model's flash (flash_size or storage) */

	/* dispatcher cost, busy passes only (debugfs cpu) */
	u64 disp_busy_ns;
	u64 disp_cmds;
	/* deep idle: a timer watches the doorbells, see core/ctrl.c */
	struct hrtimer watch;
	u64 watch_ticks;
	u64 watch_ns;			/* time spent in the watch callback */
	u64 watch_capped;		/* ticks counted as WATCH_TICK_CAP_NS */
	u64 watch_wakeups;
	u64 idle_enter_deep;
	u64 watch_hit_ns;		/* the tick that saw work, 0 if none */
	u16 watch_qid[NVMEV_NR_QUEUES];	/* the SQs the watch looks at */
	unsigned int watch_nq;
	u64 wake_cnt, wake_sum_ns, wake_max_ns;

	/* parking the polling threads, see nvmev_threads_park() */
	struct mutex park_lock;
	bool park;
	bool park_held;			/* park_lock taken by nvmev_threads_park() */
	atomic_t parked;
	wait_queue_head_t park_wq;
	struct nvme_dsm_range *dsm_buf;	/* dispatcher scratch, 256 ranges */

	/* work for the dispatcher from other threads, nvmev_dispatcher_call() */
	struct mutex call_lock;
	struct nvmev_call *call;
};

/*
 * Every controller, under nvmev_ctrls_lock, which also serialises enabling
 * and disabling and every change of a controller's configuration
 * (core/instance.c).
 */
extern struct list_head nvmev_ctrls;
extern struct mutex nvmev_ctrls_lock;

/* core/instance.c */
struct nvmev_ctrl *nvmev_ctrl_alloc(const char *name);
void nvmev_ctrl_free(struct nvmev_ctrl *ctrl);
int nvmev_ctrl_enable(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_disable(struct nvmev_ctrl *ctrl);
int nvmev_ctrl_power_cut(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_fatal(struct nvmev_ctrl *ctrl, const char *why);
void nvmev_faults_reseed(struct nvmev_faults *f);
void nvmev_faults_update(struct nvmev_faults *f);
u16 nvmev_fault_pre(struct nvmev_ctrl *ctrl, struct nvmev_io *io);
void nvmev_fault_post(struct nvmev_ctrl *ctrl, struct nvmev_io *io);
int nvmev_ctrl_power_on(struct nvmev_ctrl *ctrl);
int nvmev_parse_size(const char *name, const char *s, u64 *out);
int nvmev_ctrl_set_cpus(struct nvmev_ctrl *ctrl, const char *list);
extern struct dentry *nvmev_debugfs_root;

/* core/ns.c */
struct nvmev_ns *nvmev_ns_active(struct nvmev_ctrl *ctrl, u32 nsid);
struct nvmev_ns *nvmev_ns_get(struct nvmev_ctrl *ctrl, u32 nsid);
u64 nvmev_ns_unallocated(struct nvmev_ctrl *ctrl);
int nvmev_ns_create(struct nvmev_ctrl *ctrl, u32 nsid, u64 nr_lbas,
		    unsigned int lba_shift, struct nvmev_ns **out);
int nvmev_ns_delete(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns);
int nvmev_ns_format(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
		    unsigned int lba_shift);
void nvmev_ns_attach(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns, bool on);
void nvmev_ns_changed(struct nvmev_ctrl *ctrl, u32 nsid);
void nvmev_ns_free_all(struct nvmev_ctrl *ctrl);
int nvmev_ns_badblocks(struct nvmev_ns *ns, bool bad, u64 first, u64 last);

/* core/ctrl.c: run @fn on the dispatcher (directly while disabled) */
struct nvmev_call {
	int (*fn)(struct nvmev_ctrl *ctrl, void *arg);
	void *arg;
	int ret;
	struct completion done;
};
int nvmev_dispatcher_call(struct nvmev_ctrl *ctrl,
			  int (*fn)(struct nvmev_ctrl *ctrl, void *arg),
			  void *arg);

/* core/debugfs.c */
void nvmev_ctrl_debugfs_init(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_debugfs_exit(struct nvmev_ctrl *ctrl);

/* core/configfs.c */
int nvmev_configfs_init(void);
void nvmev_configfs_exit(void);
int nvmev_configfs_add_builtin(struct nvmev_ctrl *ctrl);
void nvmev_configfs_del_builtin(struct nvmev_ctrl *ctrl);
int nvmev_configfs_pin(struct nvmev_ctrl *ctrl);
void nvmev_configfs_unpin(struct nvmev_ctrl *ctrl);
int nvmev_configfs_ns_instantiate(struct nvmev_ctrl *ctrl);
int nvmev_configfs_builtin_ns(struct nvmev_ctrl *ctrl, unsigned int lba_shift);
void nvmev_configfs_ns_free(struct nvmev_ctrl *ctrl);

/* module parameters shared across files */
extern unsigned int nvmev_idle_spin_us;
extern unsigned int nvmev_inline_depth;
extern unsigned int nvmev_offload_pct;
extern unsigned int nvmev_idle_sleep_us;
extern unsigned int nvmev_idle_deep_ms;

/* core/pci.c */
int nvmev_pci_init(struct nvmev_ctrl *ctrl);
void nvmev_pci_exit(struct nvmev_ctrl *ctrl);
void nvmev_signal_irq(struct nvmev_ctrl *ctrl, u16 vector);
void nvmev_msix_poll_pending(struct nvmev_ctrl *ctrl);

/* core/ctrl.c */
int nvmev_dispatcher_start(struct nvmev_ctrl *ctrl);
void nvmev_dispatcher_stop(struct nvmev_ctrl *ctrl);
void nvmev_reset_registers(struct nvmev_ctrl *ctrl);
u32 nvmev_db_read(struct nvmev_ctrl *ctrl, unsigned int qid, bool cq);
void nvmev_db_clear(struct nvmev_ctrl *ctrl, unsigned int qid, bool cq);
u32 nvmev_cq_free_slots(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq);
void nvmev_sync_workers(struct nvmev_ctrl *ctrl);
void nvmev_ctrl_cpu_show(struct nvmev_ctrl *ctrl, struct seq_file *m);
bool nvmev_post_cqe(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq,
		    u16 sqid, u16 cid, u16 status, u64 result, bool *need_irq);
bool nvmev_cq_full(struct nvmev_ctrl *ctrl, struct nvmev_cq *cq);
void nvmev_record_error(struct nvmev_ctrl *ctrl, u16 sqid, u16 cid,
			u16 status, u64 lba, u32 nsid);

/* core/model.c */
struct nvmev_model;
struct ftl_stats;
extern const char *const nvmev_figure_names[NVMEV_NR_FIGURES];
int nvmev_model_cfg_from_params(struct nvmev_model_cfg *c);
int nvmev_model_cfg_profile(struct nvmev_model_cfg *c, const char *name);
int nvmev_model_cfg_kind(struct nvmev_model_cfg *c, const char *name);
int nvmev_model_cfg_store(struct nvmev_model_cfg *c, const char *name);
int nvmev_model_cfg_fresh(struct nvmev_model_cfg *c, const char *val);
/* the region is (re)mapped: the model's persistent parts follow it */
void nvmev_model_region_mapped(struct nvmev_ctrl *ctrl);
void nvmev_model_region_unmapped(struct nvmev_ctrl *ctrl);
const char *nvmev_store_name(enum nvmev_store s);
const char *nvmev_kind_name(enum nvmev_kind k);
int nvmev_parse_figure(const char *name, const char *s, u64 *v);
int nvmev_model_ns_setup(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns);
void nvmev_model_ns_erase(struct nvmev_ctrl *ctrl, struct nvmev_ns *ns,
			  unsigned int lba_shift);
/* core/model_zns.c */
u64 nvmev_zns_zone_bytes(struct nvmev_ctrl *ctrl);
u64 nvmev_zns_max_open(struct nvmev_ctrl *ctrl);
u64 nvmev_zns_max_active(struct nvmev_ctrl *ctrl);

/* The I/O Command Set of a namespace (Identify CSI descriptor). */
static inline u8 nvmev_ns_csi(const struct nvmev_ns *ns)
{
	return ns->zoned ? NVME_CSI_ZNS : NVME_CSI_NVM;
}
int nvmev_model_init(struct nvmev_ctrl *ctrl);
void nvmev_model_exit(struct nvmev_ctrl *ctrl);
void nvmev_model_debugfs(struct nvmev_ctrl *ctrl);
u64 nvmev_model_rw(struct nvmev_ctrl *ctrl, u8 opcode, u64 off, u64 len,
		   bool fua, u64 now);
u64 nvmev_model_trim(struct nvmev_ctrl *ctrl, u64 off, u64 len, u64 now);
void nvmev_model_idle(struct nvmev_ctrl *ctrl, u64 now);
bool nvmev_model_idle_pending(struct nvmev_ctrl *ctrl);
int nvmev_model_stats(struct nvmev_ctrl *ctrl, struct ftl_stats *st);
/* threads stopped: take back what had not reached NAND at @now */
int nvmev_model_power_cut(struct nvmev_ctrl *ctrl, u64 now);
u8 nvmev_model_percentage_used(struct nvmev_ctrl *ctrl);
u64 nvmev_model_logical_bytes(struct nvmev_ctrl *ctrl);
unsigned int nvmev_model_unmapped(struct nvmev_ctrl *ctrl, u64 off, u64 len,
				  unsigned long *bits, unsigned int nbits);
bool nvmev_model_unit_mapped(struct nvmev_ctrl *ctrl, u64 off);

/* core/ctrl.c: parking */
void nvmev_threads_park(void);
void nvmev_threads_unpark(void);
void nvmev_park_self(struct nvmev_ctrl *ctrl, u32 *epoch_seen);

/* core/worker.c */
int nvmev_workers_start(struct nvmev_ctrl *ctrl);
void nvmev_workers_stop(struct nvmev_ctrl *ctrl);
bool nvmev_worker_submit(struct nvmev_ctrl *ctrl, const struct nvmev_io *io);
bool nvmev_workers_have_room(struct nvmev_ctrl *ctrl);
void nvmev_workers_kick(struct nvmev_ctrl *ctrl);
unsigned int nvmev_workers_ack_epoch(struct nvmev_ctrl *ctrl, u32 epoch);
void nvmev_workers_lat_stats(struct nvmev_ctrl *ctrl,
			     struct nvmev_lat_stats out[NVMEV_LAT_CLASSES]);
void nvmev_workers_cpu_show(struct nvmev_ctrl *ctrl, struct seq_file *m);
void nvmev_inline_sync(struct nvmev_ctrl *ctrl, u32 epoch);
bool nvmev_inline_pass(struct nvmev_ctrl *ctrl, u64 t);
u64 nvmev_inline_next_due(struct nvmev_ctrl *ctrl);
void nvmev_offload_update(struct nvmev_ctrl *ctrl, u64 now);
int nvmev_workers_drain(struct nvmev_ctrl *ctrl);

/* admin/admin.c */
void nvmev_admin_process(struct nvmev_ctrl *ctrl, struct nvme_command *cmd);
void nvmev_admin_reset(struct nvmev_ctrl *ctrl);
void nvmev_raise_aer(struct nvmev_ctrl *ctrl, u8 type, u8 info, u8 log);
bool nvmev_aer_can_report(struct nvmev_ctrl *ctrl, u8 type);
void nvmev_admin_deliver_aer(struct nvmev_ctrl *ctrl);

/* Asynchronous event types and the event information nvmev reports */
#define NVMEV_AER_TYPE_ERROR		0
#define NVMEV_AER_TYPE_SMART		1
#define NVMEV_AER_TYPE_NOTICE		2
#define NVMEV_AER_ERR_INVALID_DB	0x00	/* write to invalid doorbell */
#define NVMEV_AER_ERR_INVALID_DB_VAL	0x01	/* invalid doorbell value */

/* io/io.c */
u16 nvmev_io_prepare(struct nvmev_ctrl *ctrl, struct nvmev_io *io);
void nvmev_io_execute(struct nvmev_ctrl *ctrl, struct nvmev_io *io);
bool nvmev_io_beyond_mdts(struct nvmev_ctrl *ctrl, u64 bytes);
u16 nvmev_io_bad_read(struct nvmev_ctrl *ctrl, struct nvmev_io *io, u64 slba,
		      u32 nlb);
void nvmev_io_rewritten(struct nvmev_ns *ns, u64 slba, u32 nlb);

/* io/zns.c: the commands of a zoned namespace */
u16 nvmev_zns_prepare(struct nvmev_ctrl *ctrl, struct nvmev_io *io, u64 *t,
		      u64 *bytes);
u16 nvmev_zns_execute(struct nvmev_ctrl *ctrl, struct nvmev_io *io);

/* io/prp.c */
enum nvmev_dir { NVMEV_TO_HOST, NVMEV_FROM_HOST };
/* Called per host chunk (within one page); returns 0 or an NVMe status. */
typedef int (*nvmev_xfer_fn)(void *host, size_t len, void *priv);
u16 nvmev_prp_xfer(struct nvmev_ctrl *ctrl, u64 prp1, u64 prp2, size_t len,
		   void *buf, enum nvmev_dir dir);
u16 nvmev_prp_walk(struct nvmev_ctrl *ctrl, u64 prp1, u64 prp2, size_t len,
		   enum nvmev_dir dir, nvmev_xfer_fn fn, void *priv);
void *nvmev_host_map(u64 addr, size_t len, bool write);

/* io/copy.c: the data phase's copy, the faster of two measured at load */
void nvmev_copy(void *dst, const void *src, size_t len);
void nvmev_zero(void *dst, size_t len);
void nvmev_copy_calibrate(void);
void nvmev_copy_show(struct seq_file *m);
bool nvmev_host_range_ok(u64 addr, u64 len);

/*
 * One pass of an idle polling loop.  cpu_relax() (PAUSE) every
 * spin_pause_every passes: under single-threaded TCG a PAUSE hands the one
 * host thread to the other vCPUs (the host's, the other polling thread's),
 * without it a spinning vCPU keeps it until QEMU's round-robin kick;
 * under multi-threaded TCG each PAUSE leaves the vCPU's execution loop and
 * takes QEMU's global lock, and under KVM it feeds pause-loop exiting.
 * 0 = never; auto (-1, the default) = every pass when the CPUs were found
 * not to run at once (core/spin.c), never when they do.
 */
extern int nvmev_spin_pause_every;
extern int nvmev_cpus_parallel;

/* PAUSE every this many idle passes, 0 = never (auto resolved) */
static inline unsigned int nvmev_spin_pause_period(void)
{
	int v = READ_ONCE(nvmev_spin_pause_every);

	/* auto: never when the CPUs run at once; unprobed counts as not */
	if (v < 0)
		return READ_ONCE(nvmev_cpus_parallel) == 1 ? 0 : 1;
	return v;
}

static inline void nvmev_spin_relax(unsigned int *spins)
{
	unsigned int every = nvmev_spin_pause_period();

	if (every && ++*spins >= every) {
		*spins = 0;
		cpu_relax();
	}
}
void nvmev_probe_parallel(const unsigned int *cpus, unsigned int n);

/* Bus Master Enable: without it the function may not touch host memory. */
static inline bool nvmev_bus_master(struct nvmev_ctrl *ctrl)
{
	return READ_ONCE(ctrl->cfg[PCI_COMMAND]) & PCI_COMMAND_MASTER;
}

/*
 * The polling threads' clock: local_clock(), the scheduler clock, in ns.
 * It never reads the clocksource device (HPET, ACPI PM timer), whose every
 * read is an MMIO access (in a TCG guest one that takes QEMU's global
 * lock); on x86 it is the TSC, scaled.  Across CPUs it is consistent when
 * sched_clock_stable() (a synchronised TSC, kvm-clock); on a host with an
 * unstable TSC the kernel keeps each CPU's value within one tick of the
 * global clock (kernel/sched/clock.c), so a completion is at worst a tick
 * early or late and never out of order on the CPU that posts it.  See
 * Documentation/controller.rst, "Time".
 */
static inline u64 nvmev_now(void)
{
	return local_clock();
}

#endif /* _NVMEV_H */
