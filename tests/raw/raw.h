/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmev-raw: a small NVMe driver in user space, for hostile tests of nvmev.
 *
 * It takes a PCI function away from the kernel's nvme driver (sysfs
 * driver/unbind), enables Memory Space and Bus Master through the sysfs
 * config file, maps BAR0 through sysfs resource0 and drives the
 * controller itself: registers, admin and I/O queues, doorbells, PRPs and
 * completion polling (no interrupts).  DMA memory comes from hugepages,
 * whose physical addresses are read from /proc/self/pagemap.
 */
#ifndef NVMEV_RAW_H
#define NVMEV_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __packed
#define __packed		__attribute__((packed))
#endif
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define __noreturn		__attribute__((noreturn))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define RAW_BDF			"1000:00:00.0"
#define RAW_PAGE		4096u
#define RAW_HUGE		(2u << 20)
#define RAW_MAX_QID		64
#define RAW_ADMIN_DEPTH		32

/* Register offsets (NVMe 1.4, 3.1) */
#define REG_CAP		0x00
#define REG_VS		0x08
#define REG_INTMS	0x0c
#define REG_INTMC	0x10
#define REG_CC		0x14
#define REG_CSTS	0x1c
#define REG_NSSR	0x20
#define REG_AQA		0x24
#define REG_ASQ		0x28
#define REG_ACQ		0x30
#define REG_DBS		0x1000

#define CSTS_RDY	0x1
#define CSTS_CFS	0x2

/* Status helpers on the 15-bit status field (CQE DW3 bits 31:17). */
#define ST_SC(s)	((s) & 0xff)
#define ST_SCT(s)	(((s) >> 8) & 0x7)
#define ST_DNR(s)	(((s) >> 14) & 1)
#define ST(sct, sc)	((uint16_t)(((sct) << 8) | (sc)))
#define ST_TIMEOUT	0xffff		/* no completion in time */

/* Opcodes */
enum {
	ADM_DELETE_SQ = 0x00, ADM_CREATE_SQ = 0x01, ADM_GET_LOG = 0x02,
	ADM_DELETE_CQ = 0x04, ADM_CREATE_CQ = 0x05, ADM_IDENTIFY = 0x06,
	ADM_ABORT = 0x08, ADM_SET_FEAT = 0x09, ADM_GET_FEAT = 0x0a,
	ADM_AER = 0x0c,
	IO_FLUSH = 0x00, IO_WRITE = 0x01, IO_READ = 0x02, IO_COMPARE = 0x05,
	IO_WRITE_ZEROES = 0x08, IO_DSM = 0x09,
};

struct raw_cmd {
	uint8_t opcode;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
} __packed;

struct raw_cqe {
	uint32_t dw0;
	uint32_t dw1;
	uint16_t sq_head;
	uint16_t sq_id;
	uint16_t cid;
	uint16_t status;	/* bit 0: phase; 15:1 status field */
} __packed;

/* A physically contiguous piece of DMA memory. */
struct raw_mem {
	void *va;
	uint64_t pa;
	size_t len;
};

struct raw_sq {
	bool live;
	uint16_t qid, cqid;
	uint32_t size;
	uint32_t tail;		/* next slot the host writes */
	uint32_t head;		/* last sq_head the device reported */
	struct raw_mem mem;
};

struct raw_cq {
	bool live;
	uint16_t qid;
	uint32_t size;
	uint32_t head;		/* next slot the host reads */
	uint8_t phase;
	struct raw_mem mem;
};

struct raw_dev {
	char bdf[32];
	char sysdir[128];
	char old_driver[64];	/* driver bound before we took the function */
	int cfg_fd;
	int bar_fd;
	volatile uint8_t *bar;
	size_t bar_len;
	uint64_t cap;
	unsigned int dstrd;	/* doorbell stride, bytes */
	uint32_t timeout_ms;	/* default wait for a completion */
	uint16_t next_cid;
	struct raw_sq sq[RAW_MAX_QID + 1];
	struct raw_cq cq[RAW_MAX_QID + 1];

	/* asynchronous event completions seen while waiting for others */
	struct raw_cqe aer[16];
	unsigned int nr_aer;

	/* DMA pool: hugepages, bump allocated */
	uint8_t *pool;
	size_t pool_len, pool_used;
	long huge_orig;		/* nr_hugepages before us, -1 unchanged */

	/* identify */
	uint32_t mdts_bytes;
	uint64_t nsze;
	unsigned int lba_shift;
};

/* ---- reporting (every check prints one line, see tests/vm/raw_lib.sh) --- */
extern int raw_verbose;
extern int raw_failed;
extern unsigned long raw_stray;	/* completions nobody waited for */
void raw_log(const char *fmt, ...) __printf(1, 2);
void raw_ok(const char *fmt, ...) __printf(1, 2);
void raw_fail(const char *fmt, ...) __printf(1, 2);
void raw_die(const char *fmt, ...) __printf(1, 2) __noreturn;
/* check a status: prints ok/fail; returns true when it matched */
bool raw_check_status(uint16_t got, uint16_t want, const char *what);
const char *raw_status_str(uint16_t st);

/* print "raw-ok: ..." if cond holds, else "raw-FAIL: ..."; returns cond */
bool raw_check(bool cond, const char *fmt, ...)
	__printf(2, 3);

uint64_t raw_now_ms(void);
void raw_sleep_ms(unsigned int ms);

/* ---- sysfs, config space, BAR0 ------------------------------------------- */
int raw_map_bar(struct raw_dev *d, const char *bdf);
int raw_unbind(struct raw_dev *d);
int raw_rebind(struct raw_dev *d);
int raw_open(struct raw_dev *d, const char *bdf);	/* unbind + map + DMA */
void raw_close(struct raw_dev *d, bool rebind);
uint16_t raw_cfg_read16(struct raw_dev *d, unsigned int off);
void raw_cfg_write16(struct raw_dev *d, unsigned int off, uint16_t v);
void raw_set_bme(struct raw_dev *d, bool on);

uint32_t raw_r32(struct raw_dev *d, unsigned int off);
void raw_w32(struct raw_dev *d, unsigned int off, uint32_t v);
uint64_t raw_r64(struct raw_dev *d, unsigned int off);
void raw_w64(struct raw_dev *d, unsigned int off, uint64_t v);
unsigned int raw_sq_db(struct raw_dev *d, unsigned int qid);
unsigned int raw_cq_db(struct raw_dev *d, unsigned int qid);

/* ---- DMA memory -------------------------------------------------------- */
int raw_dma_init(struct raw_dev *d, size_t bytes);
uint64_t raw_pa(const void *va);
/* contiguous, `align`-aligned, zeroed; never crosses a hugepage */
struct raw_mem raw_alloc(struct raw_dev *d, size_t len, size_t align);
/* read a physical address range out of /proc/kcore (direct map); 0 = ok */
int raw_kcore_read(uint64_t pa, void *buf, size_t len);
/* first physical address of an /proc/iomem line matching name, 0 if none */
uint64_t raw_iomem_find(const char *name, uint64_t *end);

/* ---- controller ------------------------------------------------------- */
int raw_disable(struct raw_dev *d, uint32_t timeout_ms);
int raw_enable(struct raw_dev *d, uint32_t asq_size, uint32_t acq_size);
int raw_wait_csts(struct raw_dev *d, uint32_t mask, uint32_t val,
		  uint32_t timeout_ms);
/* disable + enable with default admin queues + identify + queue count */
int raw_reset(struct raw_dev *d);

/* ---- queues --------------------------------------------------------------- */
uint16_t raw_cid(struct raw_dev *d);
/* write a command at the SQ tail (cid kept as given) and advance the tail */
void raw_sq_put(struct raw_dev *d, uint16_t qid, const struct raw_cmd *c);
void raw_sq_ring(struct raw_dev *d, uint16_t qid);
/* free SQ slots as far as the host knows */
uint32_t raw_sq_room(struct raw_dev *d, uint16_t qid);
/* next CQE if its phase says it is new (not consumed) */
bool raw_cq_peek(struct raw_dev *d, uint16_t qid, struct raw_cqe *e);
/* consume the next CQE (no doorbell) / ring the CQ head doorbell */
void raw_cq_advance(struct raw_dev *d, uint16_t qid);
void raw_cq_ring(struct raw_dev *d, uint16_t qid);
/* wait for the next CQE, consume it and ring the doorbell; false on timeout */
bool raw_cq_wait(struct raw_dev *d, uint16_t qid, struct raw_cqe *e,
		 uint32_t timeout_ms);
/* number of new CQEs visible in a CQ without consuming them */
unsigned int raw_cq_pending(struct raw_dev *d, uint16_t qid);

/* submit on SQ qid and wait for the completion with that cid on its CQ */
uint16_t raw_cmd_sync(struct raw_dev *d, uint16_t qid, struct raw_cmd *c,
		      struct raw_cqe *out, uint32_t timeout_ms);
uint16_t raw_admin(struct raw_dev *d, struct raw_cmd *c, struct raw_cqe *out);
/* pop an AER completion seen so far (or wait for one); false if none */
bool raw_take_aer(struct raw_dev *d, struct raw_cqe *e, uint32_t timeout_ms);

/* admin commands */
uint16_t raw_identify(struct raw_dev *d, uint8_t cns, uint32_t nsid,
		      struct raw_mem *buf);
uint16_t raw_set_features(struct raw_dev *d, uint8_t fid, uint32_t dw11,
			  uint32_t *result);
uint16_t raw_get_features(struct raw_dev *d, uint8_t fid, uint32_t dw11,
			  uint32_t *result);
uint16_t raw_create_cq(struct raw_dev *d, uint16_t qid, uint32_t size,
		       uint64_t pa, bool ien, uint16_t vector);
uint16_t raw_create_sq(struct raw_dev *d, uint16_t qid, uint32_t size,
		       uint64_t pa, uint16_t cqid);
uint16_t raw_delete_sq(struct raw_dev *d, uint16_t qid);
uint16_t raw_delete_cq(struct raw_dev *d, uint16_t qid);
/* allocate memory and create CQ qid / SQ qid -> cqid */
uint16_t raw_new_cq(struct raw_dev *d, uint16_t qid, uint32_t size);
uint16_t raw_new_sq(struct raw_dev *d, uint16_t qid, uint16_t cqid,
		    uint32_t size);
void raw_get_log_cmd(struct raw_cmd *c, uint8_t lid, uint64_t bytes,
		     uint64_t prp1, uint64_t prp2);
uint16_t raw_get_log(struct raw_dev *d, uint8_t lid, struct raw_mem *buf,
		     size_t bytes);

/* I/O commands (namespace 1) */
void raw_rw_cmd(struct raw_cmd *c, uint8_t op, uint64_t slba, uint32_t nlb,
		uint64_t prp1, uint64_t prp2);
/* PRP1/PRP2 for a contiguous buffer, list in `list` when needed */
void raw_prps(const struct raw_mem *buf, size_t off, size_t len,
	      struct raw_mem *list, uint64_t *prp1, uint64_t *prp2);
uint16_t raw_rw(struct raw_dev *d, uint16_t qid, uint8_t op, uint64_t slba,
		const struct raw_mem *buf, size_t len);

/* ---- cases and fuzzer ---------------------------------------------------- */
struct raw_case {
	const char *name;
	const char *what;
	int (*fn)(struct raw_dev *d);
};
extern const struct raw_case raw_cases[];
int raw_fuzz(struct raw_dev *d, uint64_t seed, unsigned long count,
	     unsigned int seconds, bool strict);

#endif
