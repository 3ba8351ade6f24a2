// SPDX-License-Identifier: GPL-2.0
/*
 * nvmev-raw library: sysfs plumbing, BAR0 registers, DMA memory with known
 * physical addresses, queues, doorbells and completion polling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <libgen.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "raw.h"

int raw_verbose;
int raw_failed;
unsigned long raw_stray;

/* ---- reporting ------------------------------------------------------------ */

static void vout(const char *tag, const char *fmt, va_list ap)
{
	printf("%s", tag);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void raw_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout("  ", fmt, ap);
	va_end(ap);
}

void raw_ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vout("raw-ok: ", fmt, ap);
	va_end(ap);
}

void raw_fail(const char *fmt, ...)
{
	va_list ap;

	raw_failed = 1;
	va_start(ap, fmt);
	vout("raw-FAIL: ", fmt, ap);
	va_end(ap);
}

void raw_die(const char *fmt, ...)
{
	va_list ap;

	raw_failed = 1;
	va_start(ap, fmt);
	vout("raw-FAIL: ", fmt, ap);
	va_end(ap);
	exit(1);	/* atexit: controller disabled, function rebound */
}

bool raw_check(bool cond, const char *fmt, ...)
{
	va_list ap;

	if (!cond)
		raw_failed = 1;
	va_start(ap, fmt);
	vout(cond ? "raw-ok: " : "raw-FAIL: ", fmt, ap);
	va_end(ap);
	return cond;
}

const char *raw_status_str(uint16_t st)
{
	static char buf[8][64];
	static int n;
	char *b = buf[n++ & 7];

	if (st == ST_TIMEOUT) {
		snprintf(b, 64, "no completion (timeout)");
		return b;
	}
	snprintf(b, 64, "0x%04x (SCT %u SC 0x%02x%s)", st, ST_SCT(st),
		 ST_SC(st), ST_DNR(st) ? " DNR" : "");
	return b;
}

bool raw_check_status(uint16_t got, uint16_t want, const char *what)
{
	/* compare SCT/SC only; DNR is checked separately where it matters */
	if (got != ST_TIMEOUT && (got & 0x7ff) == (want & 0x7ff)) {
		raw_ok("%s: status %s", what, raw_status_str(got));
		return true;
	}
	raw_fail("%s: got status %s, expected SCT %u SC 0x%02x", what,
		 raw_status_str(got), ST_SCT(want), ST_SC(want));
	return false;
}

uint64_t raw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void raw_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- sysfs ---------------------------------------------------------------- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

static long read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 0);
}

int raw_map_bar(struct raw_dev *d, const char *bdf)
{
	char path[200];
	struct stat st;

	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	snprintf(d->sysdir, sizeof(d->sysdir), "/sys/bus/pci/devices/%s", bdf);
	snprintf(path, sizeof(path), "%s/resource0", d->sysdir);
	d->bar_fd = open(path, O_RDWR | O_SYNC);
	if (d->bar_fd < 0) {
		printf("open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(d->bar_fd, &st) || st.st_size < 0x2000)
		d->bar_len = 0x4000;
	else
		d->bar_len = st.st_size;
	d->bar = mmap(NULL, d->bar_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      d->bar_fd, 0);
	if (d->bar == MAP_FAILED) {
		printf("mmap %s (%zu bytes): %s\n", path, d->bar_len,
		       strerror(errno));
		d->bar = NULL;
		close(d->bar_fd);
		d->bar_fd = -1;
		return -1;
	}
	d->cap = raw_r64(d, REG_CAP);
	d->dstrd = 4u << ((d->cap >> 32) & 0xf);
	return 0;
}

int raw_unbind(struct raw_dev *d)
{
	char path[200], link[200];
	ssize_t n;
	int ret;

	snprintf(path, sizeof(path), "%s/driver", d->sysdir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		d->old_driver[0] = 0;	/* nothing bound */
		return 0;
	}
	link[n] = 0;
	snprintf(d->old_driver, sizeof(d->old_driver), "%s", basename(link));
	snprintf(path, sizeof(path), "%s/driver/unbind", d->sysdir);
	ret = write_file(path, d->bdf);
	if (ret) {
		printf("unbind %s from %s: %s\n", d->bdf, d->old_driver,
		       strerror(-ret));
		return ret;
	}
	raw_log("unbound %s from driver %s", d->bdf, d->old_driver);
	return 0;
}

int raw_rebind(struct raw_dev *d)
{
	char path[200];
	const char *drv = d->old_driver[0] ? d->old_driver : "nvme";
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", drv);
	ret = write_file(path, d->bdf);
	if (ret) {
		raw_log("bind via %s: %s; trying drivers_probe", path,
			strerror(-ret));
		ret = write_file("/sys/bus/pci/drivers_probe", d->bdf);
	}
	if (!ret)
		raw_log("rebound %s to %s", d->bdf, drv);
	return ret;
}

uint16_t raw_cfg_read16(struct raw_dev *d, unsigned int off)
{
	uint16_t v = 0xffff;

	if (pread(d->cfg_fd, &v, 2, off) != 2)
		raw_die("config space read at 0x%x: %s", off, strerror(errno));
	return v;
}

void raw_cfg_write16(struct raw_dev *d, unsigned int off, uint16_t v)
{
	if (pwrite(d->cfg_fd, &v, 2, off) != 2)
		raw_die("config space write at 0x%x: %s", off, strerror(errno));
}

#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4

void raw_set_bme(struct raw_dev *d, bool on)
{
	uint16_t cmd = raw_cfg_read16(d, PCI_COMMAND);

	cmd = on ? cmd | PCI_COMMAND_MASTER : cmd & ~PCI_COMMAND_MASTER;
	raw_cfg_write16(d, PCI_COMMAND, cmd);
}

/* ---- registers -------------------------------------------------------- */

uint32_t raw_r32(struct raw_dev *d, unsigned int off)
{
	return *(volatile uint32_t *)(d->bar + off);
}

void raw_w32(struct raw_dev *d, unsigned int off, uint32_t v)
{
	__sync_synchronize();	/* SQ entries before the doorbell */
	*(volatile uint32_t *)(d->bar + off) = v;
	__sync_synchronize();
}

uint64_t raw_r64(struct raw_dev *d, unsigned int off)
{
	uint32_t lo = raw_r32(d, off), hi = raw_r32(d, off + 4);

	return (uint64_t)hi << 32 | lo;
}

void raw_w64(struct raw_dev *d, unsigned int off, uint64_t v)
{
	raw_w32(d, off, (uint32_t)v);
	raw_w32(d, off + 4, (uint32_t)(v >> 32));
}

unsigned int raw_sq_db(struct raw_dev *d, unsigned int qid)
{
	return REG_DBS + 2 * qid * d->dstrd;
}

unsigned int raw_cq_db(struct raw_dev *d, unsigned int qid)
{
	return REG_DBS + (2 * qid + 1) * d->dstrd;
}

/* ---- DMA memory ---------------------------------------------------------- */

static long meminfo(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = strtol(line + kl + 1, NULL, 10);
	fclose(f);
	return v;
}

int raw_dma_init(struct raw_dev *d, size_t bytes)
{
	size_t n = (bytes + RAW_HUGE - 1) / RAW_HUGE;
	long total = read_long("/proc/sys/vm/nr_hugepages");
	long free = meminfo("HugePages_Free");
	char buf[32];

	if (total < 0 || free < 0)
		raw_die("no hugepage support (/proc/sys/vm/nr_hugepages)");
	d->huge_orig = -1;
	if ((size_t)free < n) {
		snprintf(buf, sizeof(buf), "%ld", total + (long)(n - free));
		write_file("/proc/sys/vm/nr_hugepages", buf);
		d->huge_orig = total;
	}
	d->pool_len = n * RAW_HUGE;
	d->pool = mmap(NULL, d->pool_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		       -1, 0);
	if (d->pool == MAP_FAILED) {
		d->pool = NULL;
		raw_die("cannot get %zu hugepages of 2 MiB (HugePages_Free %ld): %s",
			n, meminfo("HugePages_Free"), strerror(errno));
	}
	if (mlock(d->pool, d->pool_len))
		raw_die("mlock DMA pool: %s", strerror(errno));
	memset(d->pool, 0, d->pool_len);
	d->pool_used = 0;
	raw_log("DMA pool: %zu MiB of hugepages, first at pa 0x%llx", d->pool_len >> 20,
		(unsigned long long)raw_pa(d->pool));
	return 0;
}

uint64_t raw_pa(const void *va)
{
	static int fd = -1;
	uint64_t e, off = ((uintptr_t)va / RAW_PAGE) * 8;

	if (fd < 0)
		fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &e, 8, off) != 8)
		raw_die("/proc/self/pagemap: %s", strerror(errno));
	if (!(e & (1ULL << 63)) || !(e & ((1ULL << 55) - 1)))
		raw_die("page %p not present or PFN hidden (need root)", va);
	return (e & ((1ULL << 55) - 1)) * RAW_PAGE + ((uintptr_t)va & (RAW_PAGE - 1));
}

struct raw_mem raw_alloc(struct raw_dev *d, size_t len, size_t align)
{
	struct raw_mem m;
	size_t off;

	if (!align)
		align = RAW_PAGE;
	if (len > RAW_HUGE)
		raw_die("%s: %zu bytes is more than one hugepage", __func__, len);
	off = (d->pool_used + align - 1) & ~(align - 1);
	if (off / RAW_HUGE != (off + len - 1) / RAW_HUGE)
		off = (off + RAW_HUGE - 1) & ~((size_t)RAW_HUGE - 1);
	if (off + len > d->pool_len)
		raw_die("DMA pool exhausted (%zu of %zu used, want %zu)",
			d->pool_used, d->pool_len, len);
	d->pool_used = off + len;
	m.va = d->pool + off;
	m.len = len;
	memset(m.va, 0, len);
	m.pa = raw_pa(m.va);
	return m;
}

uint64_t raw_iomem_find(const char *name, uint64_t *end)
{
	char line[256];
	FILE *f = fopen("/proc/iomem", "r");
	uint64_t s = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		char *p = strstr(line, " : ");

		if (!p || strncmp(p + 3, name, strlen(name)))
			continue;
		if (sscanf(line, " %llx-%llx", &a, &b) == 2) {
			s = a;
			if (end)
				*end = b;
			break;
		}
	}
	fclose(f);
	return s;
}

int raw_kcore_read(uint64_t pa, void *buf, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open("/proc/kcore", O_RDONLY), i, ret = -1;

	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize) !=
		    sizeof(ph))
			goto out;
		if (ph.p_type != PT_LOAD || ph.p_paddr == (Elf64_Addr)-1)
			continue;
		if (pa < ph.p_paddr || pa + len > ph.p_paddr + ph.p_memsz)
			continue;
		if (pread(fd, buf, len, ph.p_offset + (pa - ph.p_paddr)) ==
		    (ssize_t)len)
			ret = 0;
		break;
	}
out:
	close(fd);
	return ret;
}

/* ---- controller ------------------------------------------------------- */

int raw_wait_csts(struct raw_dev *d, uint32_t mask, uint32_t val,
		  uint32_t timeout_ms)
{
	uint64_t end = raw_now_ms() + timeout_ms;

	for (;;) {
		uint32_t csts = raw_r32(d, REG_CSTS);

		if ((csts & mask) == val)
			return 0;
		if (raw_now_ms() > end)
			return -1;
		raw_sleep_ms(1);
	}
}

int raw_disable(struct raw_dev *d, uint32_t timeout_ms)
{
	unsigned int i;

	raw_w32(d, REG_CC, raw_r32(d, REG_CC) & ~1u);
	for (i = 1; i <= RAW_MAX_QID; i++) {
		d->sq[i].live = false;
		d->cq[i].live = false;
	}
	d->nr_aer = 0;
	return raw_wait_csts(d, CSTS_RDY, 0, timeout_ms);
}

int raw_enable(struct raw_dev *d, uint32_t asq_size, uint32_t acq_size)
{
	struct raw_sq *sq = &d->sq[0];
	struct raw_cq *cq = &d->cq[0];

	if (!sq->mem.va || sq->mem.len < asq_size * 64)
		sq->mem = raw_alloc(d, asq_size * 64 < RAW_PAGE ? RAW_PAGE :
				    asq_size * 64, RAW_PAGE);
	if (!cq->mem.va || cq->mem.len < acq_size * 16)
		cq->mem = raw_alloc(d, acq_size * 16 < RAW_PAGE ? RAW_PAGE :
				    acq_size * 16, RAW_PAGE);
	memset(sq->mem.va, 0, sq->mem.len);
	memset(cq->mem.va, 0, cq->mem.len);
	sq->live = cq->live = true;
	sq->qid = sq->cqid = cq->qid = 0;
	sq->size = asq_size;
	sq->tail = sq->head = 0;
	cq->size = acq_size;
	cq->head = 0;
	cq->phase = 1;
	raw_w32(d, REG_AQA, (acq_size - 1) << 16 | (asq_size - 1));
	raw_w64(d, REG_ASQ, sq->mem.pa);
	raw_w64(d, REG_ACQ, cq->mem.pa);
	/* IOCQES 4, IOSQES 6, MPS 0 (4 KiB), CSS NVM, AMS RR, EN */
	raw_w32(d, REG_CC, 4u << 20 | 6u << 16 | 1);
	if (raw_wait_csts(d, CSTS_RDY | CSTS_CFS, CSTS_RDY, 10000)) {
		raw_log("enable: CSTS 0x%x", raw_r32(d, REG_CSTS));
		return -1;
	}
	return 0;
}

int raw_reset(struct raw_dev *d)
{
	struct raw_mem id;
	uint16_t st;
	uint32_t res;
	uint8_t *p;

	if (raw_disable(d, 10000)) {
		raw_log("reset: RDY still set 10 s after CC.EN=0 (CSTS 0x%x)",
			raw_r32(d, REG_CSTS));
		return -1;
	}
	if (raw_enable(d, RAW_ADMIN_DEPTH, RAW_ADMIN_DEPTH))
		return -1;
	id = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	st = raw_identify(d, 1, 0, &id);
	if (st)
		return -1;
	p = id.va;
	d->mdts_bytes = p[77] ? RAW_PAGE << p[77] : 1u << 20;
	memset(id.va, 0, RAW_PAGE);
	st = raw_identify(d, 0, 1, &id);
	if (st)
		return -1;
	d->nsze = *(uint64_t *)id.va;
	d->lba_shift = p[128 + 4 * (p[26] & 0xf) + 2];
	st = raw_set_features(d, 0x07, 63u << 16 | 63u, &res);
	if (st)
		return -1;
	return 0;
}

/* ---- queues --------------------------------------------------------------- */

uint16_t raw_cid(struct raw_dev *d)
{
	d->next_cid = (d->next_cid + 1) & 0x7fff;	/* 0x8000+ for tests */
	return d->next_cid;
}

void raw_sq_put(struct raw_dev *d, uint16_t qid, const struct raw_cmd *c)
{
	struct raw_sq *sq = &d->sq[qid];

	memcpy((uint8_t *)sq->mem.va + (size_t)sq->tail * 64, c, 64);
	sq->tail = (sq->tail + 1) % sq->size;
}

void raw_sq_ring(struct raw_dev *d, uint16_t qid)
{
	raw_w32(d, raw_sq_db(d, qid), d->sq[qid].tail);
}

uint32_t raw_sq_room(struct raw_dev *d, uint16_t qid)
{
	struct raw_sq *sq = &d->sq[qid];

	return (sq->head + sq->size - sq->tail - 1) % sq->size;
}

bool raw_cq_peek(struct raw_dev *d, uint16_t qid, struct raw_cqe *e)
{
	struct raw_cq *cq = &d->cq[qid];
	volatile struct raw_cqe *p = (struct raw_cqe *)cq->mem.va + cq->head;

	if ((p->status & 1) != cq->phase)
		return false;
	__sync_synchronize();
	memcpy(e, (void *)p, sizeof(*e));
	return true;
}

unsigned int raw_cq_pending(struct raw_dev *d, uint16_t qid)
{
	struct raw_cq *cq = &d->cq[qid];
	unsigned int n = 0, h = cq->head;
	uint8_t ph = cq->phase;

	while (n < cq->size) {
		volatile struct raw_cqe *p = (struct raw_cqe *)cq->mem.va + h;

		if ((p->status & 1) != ph)
			break;
		n++;
		if (++h == cq->size) {
			h = 0;
			ph ^= 1;
		}
	}
	return n;
}

void raw_cq_advance(struct raw_dev *d, uint16_t qid)
{
	struct raw_cq *cq = &d->cq[qid];

	if (++cq->head == cq->size) {
		cq->head = 0;
		cq->phase ^= 1;
	}
}

void raw_cq_ring(struct raw_dev *d, uint16_t qid)
{
	raw_w32(d, raw_cq_db(d, qid), d->cq[qid].head);
}

static void note_sq_head(struct raw_dev *d, const struct raw_cqe *e)
{
	if (e->sq_id <= RAW_MAX_QID && d->sq[e->sq_id].live &&
	    e->sq_head < d->sq[e->sq_id].size)
		d->sq[e->sq_id].head = e->sq_head;
}

bool raw_cq_wait(struct raw_dev *d, uint16_t qid, struct raw_cqe *e,
		 uint32_t timeout_ms)
{
	uint64_t end = raw_now_ms() + timeout_ms;
	unsigned int spins = 0;

	while (!raw_cq_peek(d, qid, e)) {
		if (raw_now_ms() > end)
			return false;
		if (++spins > 100)
			usleep(100);
	}
	raw_cq_advance(d, qid);
	raw_cq_ring(d, qid);
	note_sq_head(d, e);
	return true;
}

#define AER_CID_BASE	0xa000

uint16_t raw_cmd_sync(struct raw_dev *d, uint16_t qid, struct raw_cmd *c,
		      struct raw_cqe *out, uint32_t timeout_ms)
{
	uint16_t cqid = d->sq[qid].cqid;
	uint64_t end;
	struct raw_cqe e;

	if (!timeout_ms)
		timeout_ms = d->timeout_ms;
	end = raw_now_ms() + timeout_ms;
	c->cid = raw_cid(d);
	raw_sq_put(d, qid, c);
	raw_sq_ring(d, qid);
	for (;;) {
		uint64_t now = raw_now_ms();

		if (now > end || !raw_cq_wait(d, cqid, &e, end - now)) {
			raw_log("no completion for cid %u (opcode 0x%02x) on SQ %u in %u ms; CSTS 0x%x",
				c->cid, c->opcode, qid, timeout_ms,
				raw_r32(d, REG_CSTS));
			return ST_TIMEOUT;
		}
		if (e.sq_id == qid && e.cid == c->cid)
			break;
		if (qid == 0 && e.sq_id == 0 && (e.cid & 0xff00) == AER_CID_BASE) {
			if (d->nr_aer < 16)	/* keep the first 16 */
				d->aer[d->nr_aer++] = e;
			continue;
		}
		raw_stray++;
		raw_log("stray completion while waiting: sqid %u cid 0x%x status %s",
			e.sq_id, e.cid, raw_status_str(e.status >> 1));
	}
	if (out)
		*out = e;
	return e.status >> 1;
}

uint16_t raw_admin(struct raw_dev *d, struct raw_cmd *c, struct raw_cqe *out)
{
	return raw_cmd_sync(d, 0, c, out, 0);
}

bool raw_take_aer(struct raw_dev *d, struct raw_cqe *e, uint32_t timeout_ms)
{
	uint64_t end = raw_now_ms() + timeout_ms;
	struct raw_cqe x;

	for (;;) {
		if (d->nr_aer) {
			*e = d->aer[0];
			memmove(d->aer, d->aer + 1, --d->nr_aer * sizeof(*e));
			return true;
		}
		if (!raw_cq_peek(d, 0, &x)) {
			if (raw_now_ms() > end)
				return false;
			usleep(200);
			continue;
		}
		raw_cq_advance(d, 0);
		raw_cq_ring(d, 0);
		if ((x.cid & 0xff00) == AER_CID_BASE && d->nr_aer < 16)
			d->aer[d->nr_aer++] = x;
		else if (++raw_stray)
			raw_log("stray admin completion cid 0x%x status %s",
				x.cid, raw_status_str(x.status >> 1));
	}
}

/* ---- admin commands ------------------------------------------------------- */

uint16_t raw_identify(struct raw_dev *d, uint8_t cns, uint32_t nsid,
		      struct raw_mem *buf)
{
	struct raw_cmd c = { .opcode = ADM_IDENTIFY, .nsid = nsid,
			     .prp1 = buf->pa, .cdw10 = cns };

	return raw_admin(d, &c, NULL);
}

/* Set or Get Features: the status, and DW0 of the completion in *result */
static uint16_t features(struct raw_dev *d, uint8_t opcode, uint8_t fid,
			 uint32_t dw11, uint32_t *result)
{
	struct raw_cmd c = { .opcode = opcode, .cdw10 = fid, .cdw11 = dw11 };
	struct raw_cqe e;
	uint16_t st = raw_admin(d, &c, &e);

	if (result)
		*result = st == ST_TIMEOUT ? 0 : e.dw0;
	return st;
}

uint16_t raw_set_features(struct raw_dev *d, uint8_t fid, uint32_t dw11,
			  uint32_t *result)
{
	return features(d, ADM_SET_FEAT, fid, dw11, result);
}

uint16_t raw_get_features(struct raw_dev *d, uint8_t fid, uint32_t dw11,
			  uint32_t *result)
{
	return features(d, ADM_GET_FEAT, fid, dw11, result);
}

uint16_t raw_create_cq(struct raw_dev *d, uint16_t qid, uint32_t size,
		       uint64_t pa, bool ien, uint16_t vector)
{
	struct raw_cmd c = { .opcode = ADM_CREATE_CQ, .prp1 = pa,
			     .cdw10 = (size - 1) << 16 | qid,
			     .cdw11 = (uint32_t)vector << 16 | (ien ? 2 : 0) | 1 };

	return raw_admin(d, &c, NULL);
}

uint16_t raw_create_sq(struct raw_dev *d, uint16_t qid, uint32_t size,
		       uint64_t pa, uint16_t cqid)
{
	struct raw_cmd c = { .opcode = ADM_CREATE_SQ, .prp1 = pa,
			     .cdw10 = (size - 1) << 16 | qid,
			     .cdw11 = (uint32_t)cqid << 16 | 1 };

	return raw_admin(d, &c, NULL);
}

uint16_t raw_delete_sq(struct raw_dev *d, uint16_t qid)
{
	struct raw_cmd c = { .opcode = ADM_DELETE_SQ, .cdw10 = qid };
	uint16_t st = raw_admin(d, &c, NULL);

	if (!st)
		d->sq[qid].live = false;
	return st;
}

uint16_t raw_delete_cq(struct raw_dev *d, uint16_t qid)
{
	struct raw_cmd c = { .opcode = ADM_DELETE_CQ, .cdw10 = qid };
	uint16_t st = raw_admin(d, &c, NULL);

	if (!st)
		d->cq[qid].live = false;
	return st;
}

uint16_t raw_new_cq(struct raw_dev *d, uint16_t qid, uint32_t size)
{
	struct raw_cq *cq = &d->cq[qid];
	size_t bytes = (size_t)size * 16;
	uint16_t st;

	if (!cq->mem.va || cq->mem.len < bytes)
		cq->mem = raw_alloc(d, bytes < RAW_PAGE ? RAW_PAGE : bytes,
				    RAW_PAGE);
	memset(cq->mem.va, 0, cq->mem.len);
	st = raw_create_cq(d, qid, size, cq->mem.pa, false, 0);
	if (!st) {
		cq->live = true;
		cq->qid = qid;
		cq->size = size;
		cq->head = 0;
		cq->phase = 1;
	}
	return st;
}

uint16_t raw_new_sq(struct raw_dev *d, uint16_t qid, uint16_t cqid,
		    uint32_t size)
{
	struct raw_sq *sq = &d->sq[qid];
	size_t bytes = (size_t)size * 64;
	uint16_t st;

	if (!sq->mem.va || sq->mem.len < bytes)
		sq->mem = raw_alloc(d, bytes < RAW_PAGE ? RAW_PAGE : bytes,
				    RAW_PAGE);
	memset(sq->mem.va, 0, sq->mem.len);
	st = raw_create_sq(d, qid, size, sq->mem.pa, cqid);
	if (!st) {
		sq->live = true;
		sq->qid = qid;
		sq->cqid = cqid;
		sq->size = size;
		sq->head = sq->tail = 0;
	}
	return st;
}

void raw_get_log_cmd(struct raw_cmd *c, uint8_t lid, uint64_t bytes,
		     uint64_t prp1, uint64_t prp2)
{
	uint64_t numd = bytes / 4 - 1;

	memset(c, 0, sizeof(*c));
	c->opcode = ADM_GET_LOG;
	c->nsid = 0xffffffff;
	c->prp1 = prp1;
	c->prp2 = prp2;
	c->cdw10 = (uint32_t)(numd & 0xffff) << 16 | lid;
	c->cdw11 = (uint32_t)(numd >> 16) & 0xffff;
}

uint16_t raw_get_log(struct raw_dev *d, uint8_t lid, struct raw_mem *buf,
		     size_t bytes)
{
	struct raw_cmd c;
	uint64_t p1, p2;

	raw_prps(buf, 0, bytes, NULL, &p1, &p2);
	raw_get_log_cmd(&c, lid, bytes, p1, p2);
	return raw_admin(d, &c, NULL);
}

/* ---- I/O ------------------------------------------------------------------ */

void raw_rw_cmd(struct raw_cmd *c, uint8_t op, uint64_t slba, uint32_t nlb,
		uint64_t prp1, uint64_t prp2)
{
	memset(c, 0, sizeof(*c));
	c->opcode = op;
	c->nsid = 1;
	c->prp1 = prp1;
	c->prp2 = prp2;
	c->cdw10 = (uint32_t)slba;
	c->cdw11 = (uint32_t)(slba >> 32);
	c->cdw12 = nlb - 1;
}

static struct raw_mem scratch_list;

void raw_prps(const struct raw_mem *buf, size_t off, size_t len,
	      struct raw_mem *list, uint64_t *prp1, uint64_t *prp2)
{
	uint64_t pa = buf->pa + off, first = RAW_PAGE - (pa & (RAW_PAGE - 1));
	uint64_t *e;
	size_t i;

	*prp1 = pa;
	*prp2 = 0;
	if (len <= first)
		return;
	if (len - first <= RAW_PAGE) {
		*prp2 = (pa + first);
		return;
	}
	if (!list)
		list = &scratch_list;
	if (!list->va)
		raw_die("%s: no PRP list page", __func__);
	e = list->va;
	for (i = 0; first + i * RAW_PAGE < len; i++) {
		if (i >= 511)
			raw_die("%s: transfer too long for one list page",
				__func__);
		e[i] = pa + first + i * RAW_PAGE;
	}
	*prp2 = list->pa;
}

uint16_t raw_rw(struct raw_dev *d, uint16_t qid, uint8_t op, uint64_t slba,
		const struct raw_mem *buf, size_t len)
{
	struct raw_cmd c;
	uint64_t p1, p2;

	if (!scratch_list.va)
		scratch_list = raw_alloc(d, RAW_PAGE, RAW_PAGE);
	raw_prps(buf, 0, len, &scratch_list, &p1, &p2);
	raw_rw_cmd(&c, op, slba, len >> d->lba_shift, p1, p2);
	return raw_cmd_sync(d, qid, &c, NULL, 0);
}

/* ---- open/close ------------------------------------------------------------ */

static struct raw_dev *open_dev;

static void cleanup(void)
{
	struct raw_dev *d = open_dev;

	if (!d)
		return;
	open_dev = NULL;
	raw_close(d, true);
}

int raw_open(struct raw_dev *d, const char *bdf)
{
	char path[200];

	memset(d, 0, sizeof(*d));
	d->cfg_fd = d->bar_fd = -1;
	d->timeout_ms = 5000;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	snprintf(d->sysdir, sizeof(d->sysdir), "/sys/bus/pci/devices/%s", bdf);
	if (access(d->sysdir, F_OK))
		raw_die("%s: no such PCI function (is nvmev loaded?)", d->sysdir);
	if (raw_unbind(d))
		raw_die("cannot unbind %s", bdf);
	open_dev = d;
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/config", d->sysdir);
	d->cfg_fd = open(path, O_RDWR);
	if (d->cfg_fd < 0)
		raw_die("open %s: %s", path, strerror(errno));
	raw_cfg_write16(d, PCI_COMMAND, raw_cfg_read16(d, PCI_COMMAND) |
			PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if (raw_map_bar(d, bdf))
		raw_die("cannot map BAR0 of %s", bdf);
	raw_log("BAR0 mapped: CAP 0x%016llx VS 0x%08x CSTS 0x%08x",
		(unsigned long long)d->cap, raw_r32(d, REG_VS),
		raw_r32(d, REG_CSTS));
	raw_dma_init(d, 48u << 20);
	return 0;
}

void raw_close(struct raw_dev *d, bool rebind)
{
	bool quiet = true;

	if (open_dev == d)
		open_dev = NULL;
	/* Bus Master back on first: a case may have left it off */
	if (d->cfg_fd >= 0)
		raw_set_bme(d, true);
	if (d->bar) {
		if (raw_disable(d, 10000)) {
			quiet = false;
			printf("raw-FAIL: close: controller did not clear RDY 10 s after CC.EN=0 (CSTS 0x%x)\n",
			       raw_r32(d, REG_CSTS));
		}
		munmap((void *)d->bar, d->bar_len);
		d->bar = NULL;
	}
	if (d->cfg_fd >= 0) {
		close(d->cfg_fd);
		d->cfg_fd = -1;
	}
	if (d->bar_fd >= 0)
		close(d->bar_fd);
	d->bar_fd = -1;
	if (d->pool) {
		munmap(d->pool, d->pool_len);
		d->pool = NULL;
		/* give the hugepages back, unless the device may still DMA */
		if (quiet && d->huge_orig >= 0) {
			char buf[32];

			snprintf(buf, sizeof(buf), "%ld", d->huge_orig);
			write_file("/proc/sys/vm/nr_hugepages", buf);
		}
	}
	if (rebind && raw_rebind(d))
		printf("raw-FAIL: could not rebind %s\n", d->bdf);
}
