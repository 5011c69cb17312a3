// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's figures 1 to 7: the driver against the kernel's and
 * libc's references (tools/bench/README.md).
 */
#define _GNU_SOURCE
#include "bench.h"

/* ---- figures 1 and 2: cold population -------------------------------- */

static const unsigned long bench_cold_sizes[] = { 1, 16, 256, 1024 };

/*
 * Calls of @pages pages that make BENCH_COLD_PAGES: small calls are timed
 * as a batch, each on a range of its own, so the clock's own cost does not
 * count.
 */
static unsigned long bench_batch(unsigned long pages)
{
	return pages < BENCH_COLD_PAGES ? BENCH_COLD_PAGES / pages : 1;
}

/* ns per page of cold USE_RANGE calls of @pages pages. */
static double bench_cold_use_ns(unsigned long pages)
{
	unsigned long i, batch = bench_batch(pages);
	int fds[BENCH_COLD_PAGES];
	char *maps[BENCH_COLD_PAGES];
	double t0, t1;

	for (i = 0; i < batch; i++)
		fds[i] = bench_open_range(pages, &maps[i]);
	t0 = bench_now_ns();
	for (i = 0; i < batch; i++)
		if (bench_check(prlib_use_range(fds[i], 0, pages),
				"USE_RANGE") != (long)pages)
			errx(1, "cold USE_RANGE found present pages");
	t1 = bench_now_ns();
	for (i = 0; i < batch; i++)
		bench_close_range(fds[i], maps[i], pages);
	return (t1 - t0) / (batch * pages);
}

/* The reference design's shape: one call, and one lock round, per page. */
static double bench_single_calls_ns(unsigned long pages)
{
	double t0, t1;
	unsigned long i;
	char *map;
	int fd;

	fd = bench_open_range(pages, &map);
	t0 = bench_now_ns();
	for (i = 0; i < pages; i++)
		if (bench_check(prlib_use_range(fd, i, i + 1), "USE_RANGE") != 1)
			errx(1, "cold USE_RANGE found a present page");
	t1 = bench_now_ns();
	bench_close_range(fd, map, pages);
	return (t1 - t0) / pages;
}

/* First-touch write faults (the driver's pages are zeroed and writable by it). */
static double bench_first_touch_ns(unsigned long pages)
{
	unsigned long i, j, batch = bench_batch(pages);
	char *maps[BENCH_COLD_PAGES];
	double t0, t1;

	for (i = 0; i < batch; i++)
		maps[i] = bench_anon(pages * prlib_page_size, 0);
	t0 = bench_now_ns();
	for (i = 0; i < batch; i++) {
		for (j = 0; j < pages; j++)
			maps[i][j * prlib_page_size] = 1;
		bench_clobber(maps[i]);
	}
	t1 = bench_now_ns();
	for (i = 0; i < batch; i++)
		munmap(maps[i], pages * prlib_page_size);
	return (t1 - t0) / (batch * pages);
}

/* mmap(MAP_POPULATE): the kernel's own "allocate and map N pages" call. */
static double bench_populate_ns(unsigned long pages)
{
	unsigned long i, batch = bench_batch(pages);
	char *maps[BENCH_COLD_PAGES];
	double t0, t1;

	t0 = bench_now_ns();
	for (i = 0; i < batch; i++)
		maps[i] = bench_anon(pages * prlib_page_size, MAP_POPULATE);
	t1 = bench_now_ns();
	for (i = 0; i < batch; i++)
		munmap(maps[i], pages * prlib_page_size);
	return (t1 - t0) / (batch * pages);
}

/* Figure 2 repeats figure 1 at this size as single-page calls. */
#define BENCH_SINGLE_PAGES	1024

void bench_fig_cold(void)
{
	double use[BENCH_MAX_REPS], touch[BENCH_MAX_REPS];
	double pop[BENCH_MAX_REPS], single[BENCH_MAX_REPS];
	double use_single = 0, m_use, m_pop, m_touch, m_single;
	struct bench_row *r;
	unsigned long pages;
	size_t s;
	int i;

	for (s = 0; s < BENCH_ARRAY_SIZE(bench_cold_sizes); s++) {
		pages = bench_cold_sizes[s];
		bench_progress("figure %s: cold USE_RANGE of %lu pages",
			       pages == BENCH_SINGLE_PAGES ? "1 and 2" : "1",
			       pages);
		/*
		 * Interleaved, so that noise from the host hits all of them:
		 * at 1024 pages, figure 2 too.
		 */
		for (i = 0; i < bench_reps; i++) {
			use[i] = bench_cold_use_ns(pages);
			pop[i] = bench_populate_ns(pages);
			touch[i] = bench_first_touch_ns(pages);
			if (pages == BENCH_SINGLE_PAGES)
				single[i] = bench_single_calls_ns(pages);
		}
		m_use = bench_median(use, bench_reps);
		m_pop = bench_median(pop, bench_reps);
		m_touch = bench_median(touch, bench_reps);
		r = bench_add_row(1, "cold_use_range", pages, "pages", m_use,
				  "ns/page", "map_populate", m_pop);
		if (pages >= 256)
			bench_goal(r, -INFINITY, 1.0);
		bench_add_row(1, "cold_use_range", pages, "pages", m_use,
			      "ns/page", "first_touch", m_touch);
		if (pages == BENCH_SINGLE_PAGES)
			use_single = m_use;
	}

	m_single = bench_median(single, bench_reps);
	bench_add_row(2, "single_page_calls", BENCH_SINGLE_PAGES, "pages",
		      m_single, "ns/page", "one_call_fig1", use_single);
}

/* ---- figure 3: hot USE_RANGE + STOP_USING_RANGE ---------------------- */

static const unsigned long bench_hot_sizes[] = { 1, 16, 256, 1024 };

/* ns per ioctl of @loops no-op round trips of @cmd; @cmd must fail ENOTTY or succeed. */
static double bench_ioctl_ns(int fd, unsigned long cmd, unsigned long loops)
{
	struct pagerange_info info;
	double t0, t1;
	unsigned long i;
	int ret;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++) {
		ret = prlib_ioctl(fd, cmd, &info);
		if (ret != -ENOTTY)
			bench_check(ret, "no-op ioctl");
	}
	t1 = bench_now_ns();
	return (t1 - t0) / loops;
}

/* ns per call, over USE_RANGE + STOP_USING_RANGE pairs of @pages present pages. */
static double bench_hot_ns(int fd, unsigned long pages, unsigned long loops)
{
	double t0, t1;
	unsigned long i;
	long allocated = 0;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++) {
		allocated += bench_check(prlib_use_range(fd, 0, pages),
					 "USE_RANGE");
		bench_check(prlib_stop_using(fd, 0, pages), "STOP_USING_RANGE");
	}
	t1 = bench_now_ns();
	if (allocated)
		bench_progress("  (the shrinker took %ld pages meanwhile)",
			       allocated);
	return (t1 - t0) / (2 * loops);
}

void bench_fig_hot(void)
{
	double hot[BENCH_MAX_REPS], noop[BENCH_MAX_REPS];
	double info[BENCH_MAX_REPS];
	unsigned long pages, loops, noop_loops = bench_loops(20000);
	double m_hot, m_noop, m_info;
	struct bench_row *r;
	char *map;
	size_t s;
	int fd, i;

	fd = bench_open_range(1024, &map);
	bench_check(prlib_use_range(fd, 0, 1024), "USE_RANGE");
	bench_check(prlib_stop_using(fd, 0, 1024), "STOP_USING_RANGE");

	bench_progress("figure 3: no-op ioctls");
	for (i = 0; i < bench_reps; i++) {
		noop[i] = bench_ioctl_ns(fd, BENCH_IOC_NOOP, noop_loops);
		info[i] = bench_ioctl_ns(fd, PAGERANGE_IOC_GET_INFO, noop_loops);
	}
	m_noop = bench_median(noop, bench_reps);
	m_info = bench_median(info, bench_reps);

	for (s = 0; s < BENCH_ARRAY_SIZE(bench_hot_sizes); s++) {
		pages = bench_hot_sizes[s];
		loops = bench_loops(pages > 1 ? 20000 / pages + 20 : 10000);
		bench_progress("figure 3: hot USE_RANGE+STOP_USING_RANGE of %lu pages",
			       pages);
		for (i = 0; i < bench_reps; i++) {
			hot[i] = bench_hot_ns(fd, pages, loops);
			noop[i] = bench_ioctl_ns(fd, BENCH_IOC_NOOP,
						 noop_loops / 4);
		}
		m_hot = bench_median(hot, bench_reps);
		m_noop = bench_median(noop, bench_reps);
		r = bench_add_row(3, "hot_use_stop_per_call", pages, "pages",
				  m_hot, "ns/call", "noop_ioctl", m_noop);
		if (pages == 1)
			bench_goal(r, -INFINITY, 2.0);
		bench_add_row(3, "hot_use_stop_per_page", pages, "pages",
			      m_hot / pages, "ns/page", "noop_ioctl", m_noop);
	}
	bench_add_row(3, "get_info", 1, "call", m_info, "ns/call",
		      "noop_ioctl", m_noop);
	bench_close_range(fd, map, 1024);
}

/* ---- figure 4: WRITE and READ throughput ---------------------------- */

static const unsigned long bench_io_sizes[] = {
	4096, 16384, 65536, 262144, 1048576
};

#define BENCH_IO_MAX		1048576UL
/* Room for the buffers to move by, in pages (see bench_fig_io()). */
#define BENCH_IO_SKEW		64UL
/* Bytes each repetition moves, whatever the size of one copy. */
#define BENCH_IO_BYTES		(16UL << 20)

/* MB/s (10^6 bytes) of @loops copies of @len bytes. */
static double bench_mbps(double ns, unsigned long len, unsigned long loops)
{
	return (double)len * loops / ns * 1e3;
}

static double bench_io_mbps(int fd, unsigned long cmd, char *buf,
			    unsigned long len, unsigned long loops)
{
	const char *what = cmd == PAGERANGE_IOC_WRITE ? "WRITE" : "READ";
	double t0, t1;
	unsigned long i;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++)
		bench_check(prlib_io(fd, cmd, 0, len, prlib_u64(buf), 0), what);
	t1 = bench_now_ns();
	return bench_mbps(t1 - t0, len, loops);
}

static double bench_memcpy_mbps(char *dst, const char *src,
				unsigned long len, unsigned long loops)
{
	double t0, t1;
	unsigned long i;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++) {
		memcpy(dst, src, len);
		bench_clobber(dst);
	}
	t1 = bench_now_ns();
	return bench_mbps(t1 - t0, len, loops);
}

/*
 * The instruction the kernel's copy_to_user() and copy_from_user() use on
 * CPUs with ERMS. libc's memcpy() picks vector loops instead at some sizes,
 * which an emulator such as TCG may run several times faster: this row
 * tells such a copy apart from a cost of the driver's own.
 */
#if defined(__x86_64__)
#define BENCH_HAVE_REP_MOVSB 1
static double bench_rep_movsb_mbps(char *dst, const char *src,
				   unsigned long len, unsigned long loops)
{
	double t0, t1;
	unsigned long i;
	void *d;
	const void *s;
	size_t n;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++) {
		d = dst;
		s = src;
		n = len;
		__asm__ __volatile__("rep movsb"
				     : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	}
	t1 = bench_now_ns();
	return bench_mbps(t1 - t0, len, loops);
}
#else
#define BENCH_HAVE_REP_MOVSB 0
static double bench_rep_movsb_mbps(char *dst, const char *src,
				   unsigned long len, unsigned long loops)
{
	return bench_memcpy_mbps(dst, src, len, loops);
}
#endif

void bench_fig_io(void)
{
	double wr[BENCH_MAX_REPS], rd[BENCH_MAX_REPS];
	double cp[BENCH_MAX_REPS], rep[BENCH_MAX_REPS], m_cp;
	unsigned long pages = BENCH_IO_MAX / prlib_page_size;
	unsigned long len, loops, span;
	struct bench_row *r;
	char *map, *base, *src, *dst;
	size_t s;
	int fd, i;

	fd = bench_open_range(pages, &map);
	bench_check(prlib_use_range(fd, 0, pages), "USE_RANGE");
	/*
	 * Both buffers in one mapping, an odd number of pages apart and at
	 * other addresses in each repetition: buffers a power of two apart,
	 * or unlucky against the driver's pages, alias in an emulator's
	 * direct-mapped software TLB (QEMU's TCG), which makes byte-wise
	 * copies between them many times slower. The median then measures
	 * the copy, not the placement.
	 */
	span = 2 * BENCH_IO_MAX + BENCH_IO_SKEW * prlib_page_size;
	base = bench_anon(span, MAP_POPULATE);
	memset(base, 0x5a, span);

	for (s = 0; s < BENCH_ARRAY_SIZE(bench_io_sizes); s++) {
		len = bench_io_sizes[s];
		loops = bench_loops(BENCH_IO_BYTES / len);
		bench_progress("figure 4: WRITE/READ of %lu KiB", len >> 10);
		for (i = 0; i < bench_reps; i++) {
			src = base + (i * 5 % 16) * prlib_page_size;
			dst = src + BENCH_IO_MAX + (17 + 2 * (i % 7)) * prlib_page_size;
			wr[i] = bench_io_mbps(fd, PAGERANGE_IOC_WRITE, src, len,
					      loops);
			rd[i] = bench_io_mbps(fd, PAGERANGE_IOC_READ, dst, len,
					      loops);
			cp[i] = bench_memcpy_mbps(dst, src, len, loops);
			rep[i] = bench_rep_movsb_mbps(dst, src, len, loops);
		}
		m_cp = bench_median(cp, bench_reps);
		r = bench_add_row(4, "write", len >> 10, "KiB",
				  bench_median(wr, bench_reps), "MB/s",
				  "memcpy", m_cp);
		if (len >= 65536)
			bench_goal(r, 0.8, INFINITY);
		r = bench_add_row(4, "read", len >> 10, "KiB",
				  bench_median(rd, bench_reps), "MB/s",
				  "memcpy", m_cp);
		if (len >= 65536)
			bench_goal(r, 0.8, INFINITY);
		if (BENCH_HAVE_REP_MOVSB)
			bench_add_row(4, "rep_movsb", len >> 10, "KiB",
				      bench_median(rep, bench_reps), "MB/s",
				      "memcpy", m_cp);
	}
	if (memcmp(base, map, BENCH_IO_MAX))
		errx(1, "the mapping does not hold what WRITE copied");
	munmap(base, span);
	bench_close_range(fd, map, pages);
}

/* ---- figures 5 and 7: reclaim ---------------------------------------- */

/*
 * Spread BENCH_RECLAIM_PAGES reclaimable pages over @nr_ranges ranges and
 * time one @reclaim_ns, less an empty one just before it if @baseline. The
 * fds are closed once the pages are reclaimable (each mapping keeps its
 * range alive), so 1024 ranges need no more than a few fds.
 */
struct bench_reclaim
bench_reclaim_by(unsigned long nr_ranges, double (*reclaim_ns)(void),
		 bool baseline)
{
	unsigned long i, pages = BENCH_RECLAIM_PAGES / nr_ranges;
	struct bench_reclaim res;
	double base = 0, loaded;
	long long before;
	char **maps;
	int fd;

	maps = calloc(nr_ranges, sizeof(*maps));
	if (!maps)
		err(1, "calloc");
	if (baseline)
		base = reclaim_ns();
	for (i = 0; i < nr_ranges; i++) {
		fd = bench_open_range(pages, &maps[i]);
		bench_check(prlib_use_range(fd, 0, pages), "USE_RANGE");
		bench_check(prlib_stop_using(fd, 0, pages), "STOP_USING_RANGE");
		close(fd);
	}
	before = bench_reclaimed();
	loaded = reclaim_ns();
	res.freed = bench_reclaimed() - before;
	res.ns = loaded - base;
	for (i = 0; i < nr_ranges; i++)
		munmap(maps[i], pages * prlib_page_size);
	free(maps);
	return res;
}

/* With drop_caches and its baseline: figures 5 and 7. */
static struct bench_reclaim bench_reclaim_once(unsigned long nr_ranges)
{
	return bench_reclaim_by(nr_ranges, bench_drop_caches_ns, true);
}

static double bench_munmap_ns(unsigned long pages)
{
	size_t len = pages * prlib_page_size;
	char *p = bench_anon(len, MAP_POPULATE);
	double t0, t1;

	t0 = bench_now_ns();
	munmap(p, len);
	t1 = bench_now_ns();
	return t1 - t0;
}

void bench_fig_reclaim_rate(void)
{
	double rate[BENCH_MAX_REPS], unmap[BENCH_MAX_REPS];
	unsigned long pages = BENCH_RECLAIM_PAGES;
	struct bench_reclaim res;
	struct bench_row *r;
	int i;

	bench_progress("figure 5: drop_caches over 16 ranges of %lu pages",
		       pages / 16);
	for (i = 0; i < bench_reps; i++) {
		res = bench_reclaim_once(16);
		if (res.freed != (long)pages)
			bench_progress("  drop_caches freed %ld of %lu pages",
				       res.freed, pages);
		rate[i] = res.freed / res.ns * 1e9;
		unmap[i] = pages / bench_munmap_ns(pages) * 1e9;
	}
	r = bench_add_row(5, "reclaim_rate", pages >> 8, "MiB",
			  bench_median(rate, bench_reps), "pages/s", "munmap",
			  bench_median(unmap, bench_reps));
	bench_goal(r, 0.5, INFINITY);
}

static const unsigned long bench_reclaim_ranges[] = {
	1, 4, 16, 64, 256, 1024
};

#define BENCH_NR_SPREAD		BENCH_ARRAY_SIZE(bench_reclaim_ranges)

/* Cost per page of one drop_caches over @n ranges; reports short reclaim. */
static double bench_reclaim_cost_ns(unsigned long n)
{
	struct bench_reclaim res = bench_reclaim_once(n);

	if (res.freed != (long)BENCH_RECLAIM_PAGES)
		bench_progress("  %lu ranges: %ld of %lu freed", n, res.freed,
			       BENCH_RECLAIM_PAGES);
	return res.ns / (res.freed ? res.freed : 1);
}

void bench_fig_reclaim_spread(void)
{
	double cost[BENCH_NR_SPREAD][BENCH_MAX_REPS];
	double m_cost[BENCH_NR_SPREAD];
	struct bench_row *r;
	size_t s;
	int i;

	/* Every count in each repetition, so that noise hits them alike. */
	for (i = 0; i < bench_reps; i++) {
		bench_progress("figure 7: drop_caches over 1..1024 ranges, %d of %d",
			       i + 1, bench_reps);
		for (s = 0; s < BENCH_NR_SPREAD; s++)
			cost[s][i] = bench_reclaim_cost_ns(bench_reclaim_ranges[s]);
	}
	for (s = 0; s < BENCH_NR_SPREAD; s++) {
		m_cost[s] = bench_median(cost[s], bench_reps);
		r = bench_add_row(7, "reclaim_cost", bench_reclaim_ranges[s],
				  "ranges", m_cost[s], "ns/page", "one_range",
				  m_cost[0]);
		if (s)
			bench_goal(r, 0.8, 1.2);
	}
}

/* ---- figure 6: transactions between two processes --------------------- */

/* How the sender of figure 6 puts a message into the owner's buffer. */
enum bench_tx_mode {
	BENCH_TX_WRITE_USE,	/* one WRITE with PAGERANGE_WRITE_USE */
	BENCH_TX_TWO_CALLS,	/* USE_RANGE, then WRITE */
	BENCH_TX_MEMFD,		/* pwrite() to a memfd */
	BENCH_TX_EMPTY,		/* nothing: the exchange alone */
	BENCH_TX_MODES
};

/*
 * The receiver orders the sender, a prlib_sender of its own, to put message
 * @offset (its sequence number) in its page of the ring; the reply's @used
 * says which message is in.
 */
struct bench_tx {
	struct prlib_sender sender;
	int fd;		/* /dev/pagerange, or the memfd */
	char *map;	/* the receiver's read-only view of the buffer */
	char *msg;	/* the sender's message: a page of 0xa5 */
	enum bench_tx_mode mode;
};

static bool bench_tx_range(const struct bench_tx *tx)
{
	return tx->mode == BENCH_TX_WRITE_USE || tx->mode == BENCH_TX_TWO_CALLS;
}

/* The sender's part of one transaction: 4 KiB from @msg into @page. */
static void bench_tx_put(struct bench_tx *tx, const char *msg,
			 unsigned long page)
{
	__u64 off = page * prlib_page_size;

	switch (tx->mode) {
	case BENCH_TX_WRITE_USE:
		bench_check(prlib_write_use(tx->fd, off, msg, prlib_page_size),
			    "WRITE_USE");
		break;
	case BENCH_TX_TWO_CALLS:
		bench_check(prlib_use_range(tx->fd, page, page + 1),
			    "USE_RANGE");
		bench_check(prlib_write(tx->fd, off, msg, prlib_page_size), "WRITE");
		break;
	case BENCH_TX_MEMFD:
		if (pwrite(tx->fd, msg, prlib_page_size, off) != (ssize_t)prlib_page_size)
			err(1, "pwrite memfd");
		break;
	default:
		break;
	}
}

/*
 * The sender: on each order, copy a 4 KiB message stamped with its
 * sequence number into a page of the ring.
 */
static void bench_tx_sender(void *arg, const struct prlib_order *o,
			    struct prlib_reply *r)
{
	struct bench_tx *tx = arg;
	uint64_t seq = o->offset;

	memcpy(tx->msg, &seq, sizeof(seq));
	bench_tx_put(tx, tx->msg, seq % BENCH_TX_RING);
	r->used = seq;
}

static void bench_tx_start(struct bench_tx *tx, enum bench_tx_mode mode)
{
	size_t len = BENCH_TX_RING * prlib_page_size;

	tx->mode = mode;
	tx->msg = malloc(prlib_page_size);
	if (!tx->msg)
		err(1, "malloc");
	memset(tx->msg, 0xa5, prlib_page_size);
	if (bench_tx_range(tx)) {
		tx->fd = bench_open_range(BENCH_TX_RING, &tx->map);
	} else {
		tx->fd = memfd_create("pagerange-bench", MFD_CLOEXEC);
		if (tx->fd < 0 || ftruncate(tx->fd, len))
			err(1, "memfd");
		tx->map = prlib_map(tx->fd, len);
		if (tx->map == MAP_FAILED)
			err(1, "mmap memfd");
	}
	if (prlib_sender_start_fn(&tx->sender, bench_tx_sender, tx))
		err(1, "fork");
}

static void bench_tx_stop(struct bench_tx *tx)
{
	if (prlib_sender_stop(&tx->sender))
		errx(1, "the sender failed");
	free(tx->msg);
	bench_close_range(tx->fd, tx->map, BENCH_TX_RING);
}

/* The receiver: request, wait, read the message through the mapping, release. */
static double bench_tx_run(struct bench_tx *tx, uint64_t *seq,
			   unsigned long count)
{
	char *copy = malloc(prlib_page_size);
	struct prlib_reply got;
	unsigned long page, i;
	uint64_t stamp;
	double t0, t1;

	if (!copy)
		err(1, "malloc");
	t0 = bench_now_ns();
	for (i = 0; i < count; i++, (*seq)++) {
		got = prlib_sender_do(&tx->sender, PRLIB_ORDER_WRITE, *seq, 0, 0);
		page = *seq % BENCH_TX_RING;
		stamp = *seq;
		if (tx->mode != BENCH_TX_EMPTY) {
			memcpy(copy, tx->map + page * prlib_page_size, prlib_page_size);
			bench_clobber(copy);
			memcpy(&stamp, copy, sizeof(stamp));
		}
		if (bench_tx_range(tx))
			bench_check(prlib_stop_using(tx->fd, page, page + 1),
				    "STOP_USING_RANGE");
		if (got.used != (__s64)*seq || stamp != *seq)
			errx(1, "transaction %llu read %llu",
			     (unsigned long long)*seq,
			     (unsigned long long)stamp);
	}
	t1 = bench_now_ns();
	free(copy);
	return count / (t1 - t0) * 1e9;
}

/*
 * The calls of a transaction alone, in one process: the sender's and the
 * owner's release (STOP_USING_RANGE) for a range, pwrite() for the memfd.
 * ns per transaction.
 */
static double bench_tx_calls_ns(struct bench_tx *tx, const char *msg,
				unsigned long loops)
{
	unsigned long i, page;
	double t0, t1;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++) {
		page = i % BENCH_TX_RING;
		bench_tx_put(tx, msg, page);
		if (bench_tx_range(tx))
			bench_check(prlib_stop_using(tx->fd, page, page + 1),
				    "STOP_USING_RANGE");
	}
	t1 = bench_now_ns();
	return (t1 - t0) / loops;
}

static const char *const bench_tx_names[BENCH_TX_MODES] = {
	[BENCH_TX_WRITE_USE] = "transactions",
	[BENCH_TX_TWO_CALLS] = "two_calls",
	[BENCH_TX_EMPTY] = "empty_exchange",
};

/*
 * Transactions per second of a range's one-call WRITE, of the two-call
 * form and of the exchange alone, each against the memfd, all four
 * interleaved; then the calls of a transaction by themselves.
 */
void bench_fig_tx(void)
{
	double tps[BENCH_TX_MODES][BENCH_MAX_REPS], m_mf;
	unsigned long count = bench_loops(2000);
	uint64_t seq[BENCH_TX_MODES] = { 0 };
	struct bench_tx tx[BENCH_TX_MODES];
	struct bench_row *r;
	int i, m;
	char *msg;

	bench_progress("figure 6: transactions between two processes");
	for (m = 0; m < BENCH_TX_MODES; m++) {
		bench_tx_start(&tx[m], m);
		bench_tx_run(&tx[m], &seq[m], BENCH_TX_WARMUP);
	}
	for (i = 0; i < bench_reps; i++)
		for (m = 0; m < BENCH_TX_MODES; m++)
			tps[m][i] = bench_tx_run(&tx[m], &seq[m], count);
	m_mf = bench_median(tps[BENCH_TX_MEMFD], bench_reps);
	for (m = 0; m < BENCH_TX_MODES; m++) {
		if (m == BENCH_TX_MEMFD)
			continue;
		r = bench_add_row(6, bench_tx_names[m], 4, "KiB",
				  bench_median(tps[m], bench_reps), "tx/s",
				  "memfd", m_mf);
		if (m == BENCH_TX_WRITE_USE)
			bench_goal(r, 1.2, INFINITY);
	}

	/* Where a transaction's time goes: its calls, by themselves. */
	msg = malloc(prlib_page_size);
	if (!msg)
		err(1, "malloc");
	memset(msg, 0xa5, prlib_page_size);
	for (i = 0; i < bench_reps; i++) {
		tps[BENCH_TX_WRITE_USE][i] =
			bench_tx_calls_ns(&tx[BENCH_TX_WRITE_USE], msg, count);
		tps[BENCH_TX_MEMFD][i] =
			bench_tx_calls_ns(&tx[BENCH_TX_MEMFD], msg, count);
	}
	bench_add_row(6, "tx_calls", 4, "KiB",
		      bench_median(tps[BENCH_TX_WRITE_USE], bench_reps),
		      "ns/tx", "memfd_pwrite",
		      bench_median(tps[BENCH_TX_MEMFD], bench_reps));
	free(msg);
	for (m = 0; m < BENCH_TX_MODES; m++)
		bench_tx_stop(&tx[m]);
}

