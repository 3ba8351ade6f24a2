// SPDX-License-Identifier: GPL-2.0
/*
 * zappend: NVMe Zone Append at a queue depth, from user space, with the
 * written LBAs checked.  Linux gives user space no block-layer zone
 * append, so this issues the NVMe command itself (NVME_IOCTL_IO64_CMD on
 * the namespace's block device, the LBA written comes back in the
 * completion's DW0-1), from THREADS threads at once: the queue depth.
 *
 *   zappend [-q THREADS] [-b BYTES] [-t SECONDS] [-z FIRST_ZONE]
 *           [-n ZONES] [-V] DEVICE
 *
 * The zones [FIRST_ZONE, FIRST_ZONE + ZONES) (default: all from 0) are
 * reset first, then every thread appends BYTES (default 4096) to the
 * current zone; the thread that sees Zone Is Full (or Zone Boundary
 * Error, for a tail too small) moves everyone on to the next zone.  It
 * stops after SECONDS (default 10) or when the zones are full.  -V: each
 * append's data names its thread and sequence number; at the end every
 * returned LBA is checked (inside the zone appended to, no two the same)
 * and read back.
 *
 * Output, one line: "iops=N mib_s=N lat_mean_us=N lat_p99_us=N ios=N
 * zones=N errors=N verified=N|-", exit 0 if no command failed and the
 * check (with -V) passed.  Used by tools/vm/guest/bench.sh (the zoned
 * append row) and the zoned tests.  Static build: no library but libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/nvme_ioctl.h>

#define OP_ZONE_MGMT_SEND	0x79
#define OP_ZONE_APPEND		0x7d
#define ZSA_RESET		0x4
#define SC_ZONE_BOUNDARY	0x1b8
#define SC_ZONE_FULL		0x1b9
#define MAX_THREADS		256
#define LAT_BUCKETS		4096	/* 10 us each: p99 up to 40 ms, then the last */

struct rec {
	uint64_t lba;
	uint32_t zone;
	uint32_t tid, seq;
};

static int fd;
static unsigned int nsid, lba_shift, threads = 32, bytes = 4096, seconds = 10;
static unsigned int first_zone, nr_zones, verify;
static uint64_t zone_lbas, cap_lbas;
static atomic_uint cur_zone;		/* relative to first_zone */
static atomic_int stop;
static atomic_ullong ios, errors, lat_sum_ns;
static atomic_ullong hist[LAT_BUCKETS];
static struct rec *recs[MAX_THREADS];
static unsigned int nrecs[MAX_THREADS], caprecs[MAX_THREADS];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int read_sysfs(const char *dev, const char *attr, uint64_t *v)
{
	char path[256], buf[64];
	const char *base = strrchr(dev, '/');
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/%s", base ? base + 1 : dev, attr);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		fprintf(stderr, "zappend: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	*v = strtoull(buf, NULL, 0);
	return 0;
}

/* status (SCT << 8 | SC) or -errno; *result: DW0-1 */
static int nvme_io(uint8_t op, uint64_t slba, uint32_t cdw12, uint32_t cdw13,
		   void *data, uint32_t len, uint64_t *result)
{
	struct nvme_passthru_cmd64 c;
	int r;

	memset(&c, 0, sizeof(c));
	c.opcode = op;
	c.nsid = nsid;
	c.addr = (uint64_t)(uintptr_t)data;
	c.data_len = len;
	c.cdw10 = (uint32_t)slba;
	c.cdw11 = (uint32_t)(slba >> 32);
	c.cdw12 = cdw12;
	c.cdw13 = cdw13;
	r = ioctl(fd, NVME_IOCTL_IO64_CMD, &c);
	if (r < 0)
		return -errno;
	if (result)
		*result = c.result;
	return r & 0x7ff;
}

static void *worker(void *arg)
{
	unsigned int tid = (unsigned int)(uintptr_t)arg, seq = 0;
	uint32_t nlb = (bytes >> lba_shift) - 1;
	unsigned char *buf;

	if (posix_memalign((void **)&buf, 4096, bytes))
		return NULL;
	memset(buf, 0xa5, bytes);
	while (!atomic_load(&stop)) {
		unsigned int z = atomic_load(&cur_zone);
		uint64_t zslba = (uint64_t)(first_zone + z) * zone_lbas, lba = 0;
		uint64_t t0, dt;
		int st;

		if (z >= nr_zones)
			break;
		memcpy(buf, &tid, sizeof(tid));
		memcpy(buf + 4, &seq, sizeof(seq));
		memcpy(buf + 8, &zslba, sizeof(zslba));
		t0 = now_ns();
		st = nvme_io(OP_ZONE_APPEND, zslba, nlb, 0, buf, bytes, &lba);
		dt = now_ns() - t0;
		if (st == SC_ZONE_FULL || st == SC_ZONE_BOUNDARY) {
			/* whoever sees it first moves everyone on */
			atomic_compare_exchange_strong(&cur_zone, &z, z + 1);
			continue;
		}
		if (st) {
			fprintf(stderr, "zappend: thread %u: append to zone %u: status %#x\n",
				tid, first_zone + z, st);
			atomic_fetch_add(&errors, 1);
			if (st < 0)
				break;
			continue;
		}
		atomic_fetch_add(&ios, 1);
		atomic_fetch_add(&lat_sum_ns, dt);
		atomic_fetch_add(&hist[dt / 10000 < LAT_BUCKETS ? dt / 10000 : LAT_BUCKETS - 1], 1);
		if (verify) {
			if (nrecs[tid] == caprecs[tid]) {
				caprecs[tid] = caprecs[tid] ? 2 * caprecs[tid] : 4096;
				recs[tid] = realloc(recs[tid], caprecs[tid] * sizeof(struct rec));
				if (!recs[tid]) {
					atomic_fetch_add(&errors, 1);
					break;
				}
			}
			recs[tid][nrecs[tid]++] = (struct rec){ lba, first_zone + z, tid, seq };
		}
		seq++;
	}
	free(buf);
	return NULL;
}

static int cmp_lba(const void *a, const void *b)
{
	uint64_t x = ((const struct rec *)a)->lba, y = ((const struct rec *)b)->lba;

	return x < y ? -1 : x > y;
}

/* every returned LBA inside its zone's capacity, unique, holding its data */
static long check(void)
{
	uint64_t n = 0, i, j, bad = 0, zslba, blocks = bytes >> lba_shift;
	unsigned char *buf;
	struct rec *all;
	unsigned int t;

	for (t = 0; t < threads; t++)
		n += nrecs[t];
	all = malloc((n ? n : 1) * sizeof(*all));
	if (!all || posix_memalign((void **)&buf, 4096, bytes))
		return -1;
	for (t = 0, j = 0; t < threads; t++)
		for (i = 0; i < nrecs[t]; i++)
			all[j++] = recs[t][i];
	qsort(all, n, sizeof(*all), cmp_lba);
	for (i = 0; i < n; i++) {
		zslba = (uint64_t)all[i].zone * zone_lbas;
		if (all[i].lba < zslba || all[i].lba + blocks > zslba + cap_lbas) {
			fprintf(stderr, "zappend: LBA %" PRIu64 " outside zone %u\n",
				all[i].lba, all[i].zone);
			bad++;
		}
		if (i && all[i].lba < all[i - 1].lba + blocks) {
			fprintf(stderr, "zappend: LBA %" PRIu64 " returned twice (overlap)\n",
				all[i].lba);
			bad++;
		}
		if (pread(fd, buf, bytes, (off_t)(all[i].lba << lba_shift)) != (ssize_t)bytes ||
		    memcmp(buf, &all[i].tid, 4) || memcmp(buf + 4, &all[i].seq, 4) ||
		    memcmp(buf + 8, &zslba, 8)) {
			if (bad < 10)
				fprintf(stderr, "zappend: LBA %" PRIu64 ": not thread %u's append %u\n",
					all[i].lba, all[i].tid, all[i].seq);
			bad++;
		}
	}
	free(all);
	free(buf);
	return bad ? -(long)bad : (long)n;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	uint64_t v, total_zones, t0, t1, n, sum = 0, p99 = 0;
	unsigned int i, zones_used;
	long verified = 0;
	int opt, st;

	while ((opt = getopt(argc, argv, "q:b:t:z:n:V")) != -1) {
		switch (opt) {
		case 'q': threads = atoi(optarg); break;
		case 'b': bytes = atoi(optarg); break;
		case 't': seconds = atoi(optarg); break;
		case 'z': first_zone = atoi(optarg); break;
		case 'n': nr_zones = atoi(optarg); break;
		case 'V': verify = 1; break;
		default:
			fprintf(stderr, "usage: zappend [-q THREADS] [-b BYTES] [-t SECONDS] [-z FIRST_ZONE] [-n ZONES] [-V] DEVICE\n");
			return 2;
		}
	}
	if (optind != argc - 1 || !threads || threads > MAX_THREADS || !bytes) {
		fprintf(stderr, "zappend: one device; 1..%u threads\n", MAX_THREADS);
		return 2;
	}
	fd = open(argv[optind], O_RDWR | O_DIRECT);
	if (fd < 0) {
		perror(argv[optind]);
		return 1;
	}
	st = ioctl(fd, NVME_IOCTL_ID);
	if (st <= 0) {
		fprintf(stderr, "zappend: %s: not an NVMe namespace\n", argv[optind]);
		return 1;
	}
	nsid = st;
	if (read_sysfs(argv[optind], "queue/logical_block_size", &v))
		return 1;
	lba_shift = __builtin_ctzll(v);
	if (bytes % v) {
		fprintf(stderr, "zappend: -b %u: not a multiple of the %" PRIu64 " B block\n", bytes, v);
		return 2;
	}
	if (read_sysfs(argv[optind], "queue/chunk_sectors", &v) || !v)
		return 1;
	zone_lbas = (v << 9) >> lba_shift;
	if (read_sysfs(argv[optind], "queue/nr_zones", &total_zones))
		return 1;
	if (!nr_zones)
		nr_zones = total_zones - first_zone;
	if (first_zone + nr_zones > total_zones) {
		fprintf(stderr, "zappend: zones %u..%u: the device has %" PRIu64 "\n",
			first_zone, first_zone + nr_zones - 1, total_zones);
		return 2;
	}
	/* capacity: what a zone takes before it is full (report of zone 0 below) */
	cap_lbas = zone_lbas;
	{
		unsigned char rep[128];
		struct nvme_passthru_cmd64 c;

		memset(&c, 0, sizeof(c));
		c.opcode = 0x7a;	/* Zone Management Receive: report */
		c.nsid = nsid;
		c.addr = (uint64_t)(uintptr_t)rep;
		c.data_len = sizeof(rep);
		c.cdw10 = (uint32_t)((uint64_t)first_zone * zone_lbas);
		c.cdw11 = (uint32_t)(((uint64_t)first_zone * zone_lbas) >> 32);
		c.cdw12 = sizeof(rep) / 4 - 1;
		if (ioctl(fd, NVME_IOCTL_IO64_CMD, &c) == 0)
			memcpy(&cap_lbas, rep + 64 + 8, 8);
	}
	for (i = 0; i < nr_zones; i++) {
		st = nvme_io(OP_ZONE_MGMT_SEND, (uint64_t)(first_zone + i) * zone_lbas, 0,
			     ZSA_RESET, NULL, 0, NULL);
		if (st) {
			fprintf(stderr, "zappend: reset of zone %u: status %#x\n", first_zone + i, st);
			return 1;
		}
	}
	t0 = now_ns();
	for (i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
	while (now_ns() - t0 < (uint64_t)seconds * 1000000000ull &&
	       atomic_load(&cur_zone) < nr_zones && !atomic_load(&errors))
		usleep(10000);
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	t1 = now_ns();
	n = atomic_load(&ios);
	for (i = 0; i < LAT_BUCKETS; i++) {
		sum += hist[i];
		if (sum * 100 >= n * 99) {
			p99 = (uint64_t)(i + 1) * 10;
			break;
		}
	}
	zones_used = atomic_load(&cur_zone) + 1;
	if (zones_used > nr_zones)
		zones_used = nr_zones;
	if (verify)
		verified = check();
	printf("iops=%.0f mib_s=%.2f lat_mean_us=%.1f lat_p99_us=%" PRIu64 " ios=%" PRIu64
	       " zones=%u errors=%llu verified=",
	       n * 1e9 / (t1 - t0), (double)n * bytes / (1 << 20) * 1e9 / (t1 - t0),
	       n ? atomic_load(&lat_sum_ns) / 1000.0 / n : 0.0, p99, n, zones_used,
	       (unsigned long long)atomic_load(&errors));
	if (verify)
		printf("%ld\n", verified);
	else
		printf("-\n");
	return atomic_load(&errors) || verified < 0 ? 1 : 0;
}
