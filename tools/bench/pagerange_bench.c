// SPDX-License-Identifier: GPL-2.0
/*
 * Measure /dev/pagerange against what the kernel and libc pay for the same
 * work, as ratios to references measured in the same run. What each figure
 * measures, against what, and its goal: tools/bench/README.md.
 *
 * Figures B1 to B4 measure it against its model, Binder's buffer
 * allocator, which the benchmark loads (binder_linux.ko, -b) and drives
 * with binder_peer.c. They run last: Binder cannot be unloaded.
 *
 * Figures D1 to D3 measure it as the memory of a discardable cache,
 * against what such caches use without it; D2's client is the tile cache
 * of tools/tilecache/.
 *
 * Runs as root with the module loaded. Prints a table on stdout, then every
 * measurement as CSV between "--- csv begin" and "--- csv end", which
 * tools/bench/run takes apart. Progress goes to stderr.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "binder_peer.h"
#include "libpagerange.h"
#include "tilecache.h"

#define BENCH_THP		"/sys/kernel/mm/transparent_hugepage/enabled"
#define BENCH_CGROUP		PRLIB_CGROUP_ROOT "/pagerange_bench"

/* The driver answers every command it does not know with ENOTTY at once. */
#define BENCH_IOC_NOOP		_IO(PAGERANGE_IOC_MAGIC, 0x7f)

#define BENCH_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BENCH_MAX_REPS		31
#define BENCH_MAX_ROWS		96
/* The reclaim figures spread this many pages (64 MiB) over their ranges. */
#define BENCH_RECLAIM_PAGES	16384UL
/* Figure 1 times at least this many pages per repetition. */
#define BENCH_COLD_PAGES	256UL
/* Figure 6: the ring of pages transactions rotate through. */
#define BENCH_TX_RING		64UL
#define BENCH_TX_WARMUP		(2 * BENCH_TX_RING)

static int bench_reps = 11;
/* Scales every loop count: 2 doubles the time of the whole run. */
static double bench_scale = 1.0;
/*
 * Figures B1 to B4 are numbered 10 to 13 inside, D1 to D3 14 to 16; they
 * print as "B1".."B4" and "D1".."D3".
 */
#define BENCH_FIG_B(n)		(9 + (n))
#define BENCH_FIG_D(n)		(13 + (n))

/*
 * Figures to run, as a bit mask: bit n for figure n (2 comes with 1), bits
 * 10 to 13 for B1 to B4 (B3 and B4 come together), 14 to 16 for D1 to D3.
 */
static unsigned int bench_figures = 0x1fffe;
/* Binder's module (-b), for figures B1 to B4; NULL: skip them. */
static const char *bench_binder_ko;

/* ---- errors, clock, statistics ------------------------------------- */

/* Progress goes to stderr: stdout holds the table and the CSV only. */
#define bench_progress(fmt, ...) \
	fprintf(stderr, "bench: " fmt "\n", ##__VA_ARGS__)

/* A library call's -errno is fatal: a benchmark has nothing to fall back on. */
static long bench_check(long ret, const char *what)
{
	if (ret < 0) {
		errno = -ret;
		err(1, "%s", what);
	}
	return ret;
}

static double bench_now_ns(void)
{
	return prlib_seconds() * 1e9;
}

static unsigned long bench_loops(unsigned long base)
{
	unsigned long n = base * bench_scale;

	return n ? n : 1;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double bench_median(const double *v, int n)
{
	double s[BENCH_MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), bench_cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Keep the compiler from dropping stores whose result nobody reads. */
static inline void bench_clobber(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* ---- the system ------------------------------------------------------ */

/* Pages the shrinker has freed since the module was loaded. */
static long long bench_reclaimed(void)
{
	long long n = prlib_stat("pages_reclaimed");

	if (n < 0)
		errx(1, "no pages_reclaimed in %s", PRLIB_STATS);
	return n;
}

/* One drop_caches ("2": slab, where shrinkers live), timed. */
static double bench_drop_caches_ns(void)
{
	double t0 = bench_now_ns();

	bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
	return bench_now_ns() - t0;
}

static int bench_open_range(unsigned long pages, char **map)
{
	int fd = prlib_open();

	if (fd < 0)
		err(1, "open %s", PRLIB_DEV);
	*map = prlib_map(fd, pages * prlib_page_size);
	if (*map == MAP_FAILED)
		err(1, "mmap %lu pages of %s", pages, PRLIB_DEV);
	return fd;
}

static void bench_close_range(int fd, char *map, unsigned long pages)
{
	munmap(map, pages * prlib_page_size);
	if (fd >= 0)
		close(fd);
}

static char *bench_anon(size_t len, int flags)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		err(1, "mmap %zu anonymous bytes", len);
	return p;
}

/* ---- results --------------------------------------------------------- */

struct bench_row {
	int figure;
	const char *metric;
	unsigned long size;
	const char *size_unit;
	double value;
	const char *unit;
	const char *reference;
	double ref_value;
	double ratio;		/* value / ref_value */
	char goal[16];		/* "-" when this row has none */
	int met;		/* -1: no goal, 0: not met, 1: met */
};

static struct bench_row bench_rows[BENCH_MAX_ROWS];
static int bench_nr_rows;

static const char *bench_fig_name(int figure, char *buf, size_t len)
{
	if (figure > BENCH_FIG_D(0))
		snprintf(buf, len, "D%d", figure - BENCH_FIG_D(0));
	else if (figure > BENCH_FIG_B(0))
		snprintf(buf, len, "B%d", figure - BENCH_FIG_B(0));
	else
		snprintf(buf, len, "%d", figure);
	return buf;
}

static struct bench_row *
bench_add_row(int figure, const char *metric, unsigned long size,
	      const char *size_unit, double value, const char *unit,
	      const char *reference, double ref_value)
{
	struct bench_row *r;

	if (bench_nr_rows == BENCH_MAX_ROWS)
		errx(1, "too many rows");
	r = &bench_rows[bench_nr_rows++];
	*r = (struct bench_row){
		.figure = figure, .metric = metric, .size = size,
		.size_unit = size_unit, .value = value, .unit = unit,
		.reference = reference, .ref_value = ref_value,
		.ratio = value / ref_value, .goal = "-", .met = -1,
	};
	return r;
}

/* The goal @min <= ratio <= @max; an infinite bound is no bound. */
static void bench_goal(struct bench_row *r, double min, double max)
{
	if (isinf(min))
		snprintf(r->goal, sizeof(r->goal), "<=%.1fx", max);
	else if (isinf(max))
		snprintf(r->goal, sizeof(r->goal), ">=%.1fx", min);
	else
		snprintf(r->goal, sizeof(r->goal), "%.1f-%.1fx", min, max);
	r->met = r->ratio >= min && r->ratio <= max;
}

/* The goal that the value itself, not its ratio, is @want. */
static void bench_goal_value(struct bench_row *r, double want)
{
	snprintf(r->goal, sizeof(r->goal), "value=%.2f", want);
	r->met = r->value == want;
}

static const char *bench_met_str(int met)
{
	return met < 0 ? "-" : met ? "met" : "not met";
}

static void bench_print_table(void)
{
	const struct bench_row *r;
	char size[32], fig[16];
	int i, met = 0, missed = 0;

	printf("\n%-3s %-26s %12s %12s %-9s %-22s %12s %8s %-12s %s\n",
	       "#", "figure", "size", "value", "unit", "reference", "ref value",
	       "ratio", "goal", "met?");
	for (i = 0; i < bench_nr_rows; i++) {
		r = &bench_rows[i];
		snprintf(size, sizeof(size), "%lu %s", r->size, r->size_unit);
		printf("%-3s %-26s %12s %12.4g %-9s %-22s %12.4g %7.3fx %-12s %s\n",
		       bench_fig_name(r->figure, fig, sizeof(fig)), r->metric,
		       size, r->value, r->unit,
		       r->reference, r->ref_value, r->ratio, r->goal,
		       bench_met_str(r->met));
		met += r->met == 1;
		missed += r->met == 0;
	}
	printf("\ngoals: %d met, %d not met\n", met, missed);
	for (i = 0; i < bench_nr_rows; i++) {
		r = &bench_rows[i];
		if (!r->met)
			printf("  not met: #%s %s at %lu %s: %.3fx, goal %s\n",
			       bench_fig_name(r->figure, fig, sizeof(fig)),
			       r->metric, r->size, r->size_unit,
			       r->ratio, r->goal);
	}
}

static void bench_print_csv(void)
{
	const struct bench_row *r;
	char fig[16];
	int i;

	printf("--- csv begin\n");
	printf("figure,metric,size,size_unit,value,unit,reference,ref_value,ratio,goal,status\n");
	for (i = 0; i < bench_nr_rows; i++) {
		r = &bench_rows[i];
		printf("%s,%s,%lu,%s,%.6g,%s,%s,%.6g,%.6g,%s,%s\n",
		       bench_fig_name(r->figure, fig, sizeof(fig)), r->metric,
		       r->size, r->size_unit, r->value,
		       r->unit, r->reference, r->ref_value, r->ratio, r->goal,
		       bench_met_str(r->met));
	}
	printf("--- csv end\n");
}

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

static void bench_fig_cold(void)
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

static void bench_fig_hot(void)
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

static void bench_fig_io(void)
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

struct bench_reclaim {
	double ns;		/* the reclaim, its baseline subtracted */
	long freed;		/* pages the shrinker freed during it */
};

/*
 * Spread BENCH_RECLAIM_PAGES reclaimable pages over @nr_ranges ranges and
 * time one @reclaim_ns, less an empty one just before it if @baseline. The
 * fds are closed once the pages are reclaimable (each mapping keeps its
 * range alive), so 1024 ranges need no more than a few fds.
 */
static struct bench_reclaim
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

static void bench_fig_reclaim_rate(void)
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

static void bench_fig_reclaim_spread(void)
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

struct bench_tx {
	int req[2];	/* receiver -> sender: "send the next one" */
	int tok[2];	/* sender -> receiver: "it is in the buffer" */
	pid_t sender;
	int fd;		/* /dev/pagerange, or the memfd */
	char *map;	/* the receiver's read-only view of the buffer */
	enum bench_tx_mode mode;
};

static bool bench_tx_range(const struct bench_tx *tx)
{
	return tx->mode == BENCH_TX_WRITE_USE || tx->mode == BENCH_TX_TWO_CALLS;
}

/* A sequence number over a pipe; the other process is gone if it fails. */
static void bench_tx_xfer(int fd, uint64_t *seq, bool out)
{
	if (prlib_xfer(fd, seq, sizeof(*seq), out))
		errx(1, "pipe %s", out ? "write" : "read");
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
 * The sender: on each request, copy a 4 KiB message stamped with its
 * sequence number into a page of the ring.
 */
static void bench_tx_sender(struct bench_tx *tx)
{
	char *msg = malloc(prlib_page_size);
	uint64_t seq;

	if (!msg)
		err(1, "malloc");
	memset(msg, 0xa5, prlib_page_size);
	for (;;) {
		bench_tx_xfer(tx->req[0], &seq, false);
		if (seq == UINT64_MAX)
			_exit(0);
		memcpy(msg, &seq, sizeof(seq));
		bench_tx_put(tx, msg, seq % BENCH_TX_RING);
		bench_tx_xfer(tx->tok[1], &seq, true);
	}
}

static void bench_tx_start(struct bench_tx *tx, enum bench_tx_mode mode)
{
	size_t len = BENCH_TX_RING * prlib_page_size;

	tx->mode = mode;
	if (pipe(tx->req) || pipe(tx->tok))
		err(1, "pipe");
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
	tx->sender = prlib_fork();
	if (tx->sender < 0)
		err(1, "fork");
	if (!tx->sender)
		bench_tx_sender(tx);
	close(tx->req[0]);
	close(tx->tok[1]);
}

static void bench_tx_stop(struct bench_tx *tx)
{
	uint64_t quit = UINT64_MAX;

	bench_tx_xfer(tx->req[1], &quit, true);
	if (prlib_wait_exit(tx->sender))
		errx(1, "the sender failed");
	close(tx->req[1]);
	close(tx->tok[0]);
	bench_close_range(tx->fd, tx->map, BENCH_TX_RING);
}

/* The receiver: request, wait, read the message through the mapping, release. */
static double bench_tx_run(struct bench_tx *tx, uint64_t *seq,
			   unsigned long count)
{
	char *copy = malloc(prlib_page_size);
	unsigned long page, i;
	uint64_t got, stamp;
	double t0, t1;

	if (!copy)
		err(1, "malloc");
	t0 = bench_now_ns();
	for (i = 0; i < count; i++, (*seq)++) {
		bench_tx_xfer(tx->req[1], seq, true);
		bench_tx_xfer(tx->tok[0], &got, false);
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
		if (got != *seq || stamp != *seq)
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
static void bench_fig_tx(void)
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

/* ---- figure 8: a memory cgroup's own reclaim ------------------------- */

static struct prlib_cgroup_root bench_cgroup_root;
static bool bench_cgroup_made;

static void bench_cgroup_leave(void)
{
	prlib_cgroup_enter(PRLIB_CGROUP_ROOT, 0);
	if (bench_cgroup_made)
		rmdir(BENCH_CGROUP);
	prlib_cgroup_fini(&bench_cgroup_root);
}

static const char *bench_cgroup_make(void)
{
	const char *why = prlib_cgroup_init(&bench_cgroup_root);

	if (why)
		return why;
	if (mkdir(BENCH_CGROUP, 0755) && errno != EEXIST)
		return "cannot create " BENCH_CGROUP;
	bench_cgroup_made = true;
	if (access(BENCH_CGROUP "/memory.reclaim", W_OK))
		return "no memory.reclaim (before 5.19)";
	if (prlib_cgroup_enter(BENCH_CGROUP, 0))
		return "cannot join " BENCH_CGROUP;
	return NULL;
}

/*
 * Make the benchmark's cgroup, with the memory controller, and move the
 * benchmark into it: the ranges it opens from then on are charged there.
 * Returns true; or false, having said why figure @fig is skipped and
 * left the cgroup as it was.
 */
static bool bench_cgroup_enter(const char *fig)
{
	const char *why = bench_cgroup_make();

	if (!why)
		return true;
	bench_progress("figure %s skipped: %s", fig, why);
	bench_cgroup_leave();
	return false;
}

/*
 * One write to the cgroup's memory.reclaim asking for the reclaim figures'
 * 64 MiB, timed: the reclaim a cgroup at its memory.max runs, started by
 * hand. It fails with EAGAIN if it got less, which the page count shows.
 */
static double bench_memory_reclaim_ns(void)
{
	double t0 = bench_now_ns();
	int ret;

	ret = prlib_cgroup_write(BENCH_CGROUP, "memory.reclaim",
				 BENCH_RECLAIM_PAGES * prlib_page_size);
	if (ret != -EAGAIN)
		bench_check(ret, "write " BENCH_CGROUP "/memory.reclaim");
	return bench_now_ns() - t0;
}

/*
 * 64 MiB of reclaimable pages in 16 ranges, charged to the benchmark's
 * cgroup, freed by the cgroup's own reclaim, against the same freed by
 * drop_caches, one after the other in each repetition. Neither time has a
 * baseline taken off: an empty memory.reclaim runs its retries to the end,
 * which a full one does not.
 */
static void bench_fig_memcg_reclaim(void)
{
	double memcg[BENCH_MAX_REPS], drop[BENCH_MAX_REPS];
	unsigned long pages = BENCH_RECLAIM_PAGES;
	struct bench_reclaim res;
	int i;

	if (!bench_cgroup_enter("8"))
		return;
	bench_progress("figure 8: memory.reclaim against drop_caches, %lu pages",
		       pages);
	for (i = 0; i < bench_reps; i++) {
		res = bench_reclaim_by(16, bench_memory_reclaim_ns, false);
		if (res.freed != (long)pages)
			bench_progress("  memory.reclaim freed %ld of %lu pages",
				       res.freed, pages);
		memcg[i] = res.freed / res.ns * 1e9;
		res = bench_reclaim_by(16, bench_drop_caches_ns, false);
		drop[i] = res.freed / res.ns * 1e9;
	}
	bench_cgroup_leave();
	bench_add_row(8, "memcg_reclaim_rate", pages >> 8, "MiB",
		      bench_median(memcg, bench_reps), "pages/s", "drop_caches",
		      bench_median(drop, bench_reps));
}

/* ---- figure 9: reclaim while other ranges are busy -------------------- */

/* The idle ranges' pages, in 16 ranges. */
#define BENCH_BUSY_IDLE_PAGES	4096UL
/* Each busy range's idle pages, ahead of the idle ranges' on the list. */
#define BENCH_BUSY_HEAD		256UL
/* A busy range's transactions: spans of 16 pages, 16 of them in turn. */
#define BENCH_BUSY_SPAN		16UL
#define BENCH_BUSY_SPANS	16UL
#define BENCH_BUSY_MAX		16

static const unsigned long bench_busy_counts[] = { 1, 4, 16 };

/* What the owners of the busy ranges and the benchmark share. */
struct bench_busy_shared {
	volatile int go;			/* start the transactions */
	volatile int quiet;			/* stop after one round of spans */
	volatile unsigned long rounds[BENCH_BUSY_MAX];
	volatile int ready[BENCH_BUSY_MAX];
};

/*
 * The owner of busy range @n, on the other CPU: its idle pages first, then,
 * once told, transactions until it is killed, as a server's: make a span
 * in use, WRITE a 4 KiB message into it, stop it, the next span.
 */
static void bench_busy_serve(struct bench_busy_shared *sh, int n, int cpu)
{
	const unsigned long pages = BENCH_BUSY_HEAD +
				    BENCH_BUSY_SPANS * BENCH_BUSY_SPAN;
	unsigned long first, i;
	cpu_set_t cpus;
	char *map, *msg;
	int fd;

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		err(1, "sched_setaffinity");
	msg = malloc(prlib_page_size);
	if (!msg)
		err(1, "malloc");
	memset(msg, 0x5a, prlib_page_size);
	fd = bench_open_range(pages, &map);
	bench_check(prlib_use_range(fd, 0, BENCH_BUSY_HEAD), "USE_RANGE");
	bench_check(prlib_stop_using(fd, 0, BENCH_BUSY_HEAD),
		    "STOP_USING_RANGE");
	sh->ready[n] = 1;
	while (!sh->go)
		usleep(1000);
	for (i = 0;; i++) {
		while (sh->quiet && i >= BENCH_BUSY_SPANS)
			pause();
		first = BENCH_BUSY_HEAD + i % BENCH_BUSY_SPANS * BENCH_BUSY_SPAN;
		bench_check(prlib_use_range(fd, first, first + BENCH_BUSY_SPAN),
			    "USE_RANGE");
		bench_check(prlib_write(fd, first * prlib_page_size, msg, prlib_page_size),
			    "WRITE");
		bench_check(prlib_stop_using(fd, first,
					     first + BENCH_BUSY_SPAN),
			    "STOP_USING_RANGE");
		sh->rounds[n]++;
	}
}

/*
 * One measurement: @nr_busy ranges whose idle pages are first on the list,
 * then 16 idle ranges, then one drop_caches, timed. The busy ranges' owners
 * have gone once round their spans, and with @busy they go on running
 * transactions all the while. Returns the idle ranges' pages freed per
 * second.
 */
static double bench_busy_rate(struct bench_busy_shared *sh,
			      unsigned long nr_busy, bool busy, int cpu)
{
	const unsigned long pages = BENCH_BUSY_IDLE_PAGES / 16;
	pid_t pids[BENCH_BUSY_MAX];
	struct pagerange_info info;
	unsigned long i, freed = 0;
	char *maps[16];
	int fds[16];
	double ns;

	memset((void *)sh, 0, sizeof(*sh));
	for (i = 0; i < nr_busy; i++) {
		pids[i] = prlib_fork();
		if (pids[i] < 0)
			err(1, "fork");
		if (!pids[i])
			bench_busy_serve(sh, i, cpu);
		while (!sh->ready[i])
			usleep(1000);
	}
	for (i = 0; i < 16; i++) {
		fds[i] = bench_open_range(pages, &maps[i]);
		bench_check(prlib_use_range(fds[i], 0, pages), "USE_RANGE");
		bench_check(prlib_stop_using(fds[i], 0, pages),
			    "STOP_USING_RANGE");
	}
	/*
	 * Every owner once round its spans, so that they hold as many pages
	 * either way; then the quiet ones stop there.
	 */
	sh->quiet = !busy;
	sh->go = 1;
	for (i = 0; i < nr_busy; i++)
		while (sh->rounds[i] < BENCH_BUSY_SPANS)
			usleep(1000);
	ns = bench_drop_caches_ns();
	for (i = 0; i < nr_busy; i++) {
		kill(pids[i], SIGKILL);
		prlib_wait_exit(pids[i]);
	}
	for (i = 0; i < 16; i++) {
		bench_check(prlib_get_info(fds[i], &info), "GET_INFO");
		freed += info.pages_reclaimed;
		bench_close_range(fds[i], maps[i], pages);
	}
	if (freed != BENCH_BUSY_IDLE_PAGES)
		bench_progress("  %lu %s ranges ahead: %lu of %lu idle pages freed",
			       nr_busy, busy ? "busy" : "quiet", freed,
			       BENCH_BUSY_IDLE_PAGES);
	return freed / ns * 1e9;
}

/*
 * The idle ranges' pages freed per second by one drop_caches while 1, 4
 * and 16 other ranges, whose own idle pages come first on the list, run
 * transactions on the other CPU, against the same with those ranges quiet,
 * interleaved in each repetition.
 */
static void bench_fig_busy_reclaim(void)
{
	double busy[BENCH_ARRAY_SIZE(bench_busy_counts)][BENCH_MAX_REPS];
	double quiet[BENCH_ARRAY_SIZE(bench_busy_counts)][BENCH_MAX_REPS];
	struct bench_busy_shared *sh;
	struct bench_row *r;
	size_t c;
	int i;

	if (get_nprocs() < 2) {
		bench_progress("figure 9 skipped: one CPU");
		return;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		err(1, "mmap");
	for (i = 0; i < bench_reps; i++) {
		bench_progress("figure 9: reclaim past 1, 4, 16 busy ranges, %d of %d",
			       i + 1, bench_reps);
		for (c = 0; c < BENCH_ARRAY_SIZE(bench_busy_counts); c++) {
			quiet[c][i] = bench_busy_rate(sh, bench_busy_counts[c],
						      false, 1);
			busy[c][i] = bench_busy_rate(sh, bench_busy_counts[c],
						     true, 1);
		}
	}
	for (c = 0; c < BENCH_ARRAY_SIZE(bench_busy_counts); c++) {
		r = bench_add_row(9, "busy_reclaim_rate", bench_busy_counts[c],
				  "busy", bench_median(busy[c], bench_reps),
				  "pages/s", "none_busy",
				  bench_median(quiet[c], bench_reps));
		bench_goal(r, 0.8, INFINITY);
	}
	munmap(sh, sizeof(*sh));
}

/* ---- figures D1 to D3: a discardable cache ---------------------------- */

/*
 * What a cache of discardable memory pays: to lock and unlock a region
 * (D1), to rebuild what memory pressure took (D2, with the tile cache of
 * tools/tilecache/), and to hear of it (D3). Why each reference is the
 * fair one: tools/bench/README.md.
 */

static const unsigned long bench_d1_sizes[] = { 1, 16, 256 };

#define BENCH_D1_MAX		256UL
/*
 * Chromium's cookie: an unlocked page's first word, which reads as zero
 * once the kernel has freed the page.
 */
#define BENCH_COOKIE		1L

/* ns per lock and unlock of pages [0, @pages) of a range, @loops times. */
static double bench_d1_range_ns(int fd, unsigned long pages,
				unsigned long loops)
{
	__u64 lost[PRLIB_REPORT_WORDS(BENCH_D1_MAX)];
	unsigned long i;
	double t0, t1;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++) {
		if (bench_check(prlib_use_range_report(fd, 0, pages, lost),
				"USE_RANGE_REPORT"))
			errx(1, "D1: the region lost pages");
		bench_check(prlib_stop_using(fd, 0, pages), "STOP_USING_RANGE");
	}
	t1 = bench_now_ns();
	return (t1 - t0) / loops;
}

/* Chromium's LockPage(): a relaxed compare-and-swap of a page's first word. */
static bool bench_cookie_swap(long *word, long old, long new)
{
	return __atomic_compare_exchange_n(word, &old, new, false,
					   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

/*
 * The same with Chromium's discardable memory on anonymous memory
 * (base/memory/madv_free_discardable_memory_posix.cc). Unlock keeps each
 * page's first word in @first, puts the cookie in its place, and gives the
 * region to MADV_FREE; lock compare-and-swaps the word back, and a page
 * whose cookie is gone loses the region.
 */
static double bench_d1_cookie_ns(char *region, long *first,
				 unsigned long pages, unsigned long loops)
{
	unsigned long i, j;
	double t0, t1;
	long *word;

	t0 = bench_now_ns();
	for (i = 0; i < loops; i++) {
		for (j = 0; j < pages; j++) {
			word = (long *)(region + j * prlib_page_size);
			if (!bench_cookie_swap(word, BENCH_COOKIE, first[j]))
				errx(1, "D1: the region lost pages");
		}
		for (j = 0; j < pages; j++) {
			word = (long *)(region + j * prlib_page_size);
			first[j] = __atomic_load_n(word, __ATOMIC_RELAXED);
			__atomic_store_n(word, BENCH_COOKIE, __ATOMIC_RELAXED);
		}
		if (madvise(region, pages * prlib_page_size, MADV_FREE))
			err(1, "madvise(MADV_FREE)");
	}
	t1 = bench_now_ns();
	return (t1 - t0) / loops;
}

/* A region of BENCH_D1_MAX pages, present and unlocked, both ways. */
static char *bench_d1_setup(int *fd, char **map, long *first)
{
	size_t len = BENCH_D1_MAX * prlib_page_size;
	char *region = bench_anon(len, MAP_POPULATE);
	unsigned long j;

	*fd = bench_open_range(BENCH_D1_MAX, map);
	bench_check(prlib_use_range(*fd, 0, BENCH_D1_MAX), "USE_RANGE");
	bench_check(prlib_stop_using(*fd, 0, BENCH_D1_MAX), "STOP_USING_RANGE");
	for (j = 0; j < BENCH_D1_MAX; j++) {
		first[j] = j;
		*(long *)(region + j * prlib_page_size) = BENCH_COOKIE;
	}
	if (madvise(region, len, MADV_FREE))
		err(1, "madvise(MADV_FREE)");
	return region;
}

static void bench_fig_d1(void)
{
	double pr[BENCH_MAX_REPS], ck[BENCH_MAX_REPS];
	long first[BENCH_D1_MAX];
	unsigned long pages, loops;
	struct bench_row *r;
	char *map, *region;
	size_t s;
	int fd, i;

	region = bench_d1_setup(&fd, &map, first);
	for (s = 0; s < BENCH_ARRAY_SIZE(bench_d1_sizes); s++) {
		pages = bench_d1_sizes[s];
		loops = bench_loops(pages > 1 ? 20000 / pages + 20 : 10000);
		bench_progress("figure D1: lock and unlock of %lu pages", pages);
		for (i = 0; i < bench_reps; i++) {
			pr[i] = bench_d1_range_ns(fd, pages, loops);
			ck[i] = bench_d1_cookie_ns(region, first, pages, loops);
		}
		r = bench_add_row(BENCH_FIG_D(1), "lock_unlock", pages, "pages",
				  bench_median(pr, bench_reps), "ns/cycle",
				  "madv_free_cookie",
				  bench_median(ck, bench_reps));
		if (pages >= 16)
			bench_goal(r, -INFINITY, 1.0);
	}
	munmap(region, BENCH_D1_MAX * prlib_page_size);
	bench_close_range(fd, map, BENCH_D1_MAX);
}

static const unsigned long bench_d2_sizes[] = { 16, 256 };

/* D2: the cache's pages, and the tile accesses that order its LRU. */
#define BENCH_D2_PAGES		8192UL
#define BENCH_D2_ACCESSES(n)	(4 * (n))
/* D2: what each write to memory.reclaim asks for, in pages. */
#define BENCH_D2_STEP		128UL
/* D2: the locks between two reclaims, a sixteenth of the cache's pages. */
#define BENCH_D2_BETWEEN(tiles)	((tiles) / 16 + 1)

/* The tile cache's build callback: a stamp, then a byte of the key. */
static void bench_d2_build(void *arg, uint64_t key, unsigned int page,
			   void *buf)
{
	uint64_t stamp[2] = { key, page };

	memset(buf, (int)key, prlib_page_size);
	memcpy(buf, stamp, sizeof(stamp));
	(void)arg;
}

/* Lock the tile of @key and check its stamps: the pages it built. */
static long bench_d2_access(struct tilecache *tc, uint64_t key,
			    unsigned long tile_pages)
{
	uint64_t stamp[2] = { key, 0 };
	const char *tile;
	unsigned long i;
	long built;

	built = bench_check(tilecache_lock(tc, key, (const void **)&tile),
			    "tilecache_lock");
	for (i = 0; i < tile_pages; i++) {
		stamp[1] = i;
		if (memcmp(tile + i * prlib_page_size, stamp, sizeof(stamp)))
			errx(1, "D2: tile %llu page %lu was not rebuilt",
			     (unsigned long long)key, i);
	}
	bench_check(tilecache_unlock(tc, tile), "tilecache_unlock");
	return built;
}

/*
 * Have the cgroup's own reclaim take some pages of the range behind @fd:
 * one write of BENCH_D2_STEP pages to memory.reclaim, or more until one
 * took something (a larger request overshoots, as each of reclaim's passes
 * scans twice what the last one did). If it took any, the cache must hear
 * of it, and handles it. Returns the range's pages_reclaimed.
 */
static long bench_d2_reclaim(struct tilecache *tc, long before)
{
	struct pagerange_info info;
	struct pollfd pfd;
	int ret, tries;

	for (tries = 0; tries < 1000; tries++) {
		ret = prlib_cgroup_write(BENCH_CGROUP, "memory.reclaim",
					 BENCH_D2_STEP * prlib_page_size);
		if (ret != -EAGAIN)
			bench_check(ret, "write " BENCH_CGROUP "/memory.reclaim");
		bench_check(prlib_get_info(tilecache_fd(tc), &info),
			    "GET_INFO");
		if ((long)info.pages_reclaimed > before)
			break;
	}
	if ((long)info.pages_reclaimed == before)
		errx(1, "D2: memory.reclaim took no page of the cache");
	pfd = (struct pollfd){ .fd = tilecache_fd(tc), .events = POLLPRI };
	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLPRI))
		errx(1, "D2: no POLLPRI after the shrinker took %llu pages",
		     (unsigned long long)info.pages_reclaimed - before);
	bench_check(tilecache_purged(tc), "tilecache_purged");
	return info.pages_reclaimed;
}

/*
 * One life of a cache of @tile_pages-page tiles with @protocol, under
 * steady pressure: every tile built and accessed in a pseudo-random order;
 * then, until the cgroup's reclaim has taken half as many pages as the
 * cache has, rounds of one reclaim and a sixteenth of the cache's worth of
 * locks; then every tile once more, so that each page lost is rebuilt.
 * Returns the pages built after the first pass per page the shrinker took,
 * which is *@lost.
 */
static double bench_d2_once(unsigned long tile_pages,
			    enum tilecache_protocol protocol, long *lost)
{
	struct tilecache_config cfg = {
		.nr_tiles = BENCH_D2_PAGES / tile_pages,
		.tile_pages = tile_pages,
		.protocol = protocol,
		.build = bench_d2_build,
	};
	__u32 x = PRLIB_DEFAULT_SEED;
	struct tilecache *tc;
	unsigned long k;
	long built = 0;

	tc = tilecache_create(&cfg);
	if (!tc)
		err(1, "tilecache_create");
	for (k = 0; k < cfg.nr_tiles; k++)
		bench_d2_access(tc, k, tile_pages);
	for (k = 0; k < BENCH_D2_ACCESSES(cfg.nr_tiles); k++)
		bench_d2_access(tc, prlib_rand(&x) % cfg.nr_tiles, tile_pages);

	*lost = 0;
	while (*lost < (long)BENCH_D2_PAGES / 2) {
		*lost = bench_d2_reclaim(tc, *lost);
		for (k = 0; k < BENCH_D2_BETWEEN(cfg.nr_tiles); k++)
			built += bench_d2_access(tc,
						 prlib_rand(&x) % cfg.nr_tiles,
						 tile_pages);
	}
	for (k = 0; k < cfg.nr_tiles; k++)
		built += bench_d2_access(tc, k, tile_pages);
	tilecache_destroy(tc);
	return (double)built / *lost;
}

static void bench_fig_d2(void)
{
	double pp[BENCH_MAX_REPS], pr[BENCH_MAX_REPS];
	long lost_pp, lost_pr;
	unsigned long tile_pages;
	struct bench_row *r;
	size_t s;
	int i;

	if (!bench_cgroup_enter("D2"))
		return;
	for (s = 0; s < BENCH_ARRAY_SIZE(bench_d2_sizes); s++) {
		tile_pages = bench_d2_sizes[s];
		for (i = 0; i < bench_reps; i++) {
			pp[i] = bench_d2_once(tile_pages, TILECACHE_PER_PAGE,
					      &lost_pp);
			pr[i] = bench_d2_once(tile_pages, TILECACHE_PER_REGION,
					      &lost_pr);
			bench_progress("D2: %lu-page tiles %d/%d: lost %ld/%ld, built %.2f/%.2f",
				       tile_pages, i + 1, bench_reps, lost_pp,
				       lost_pr, pp[i], pr[i]);
		}
		r = bench_add_row(BENCH_FIG_D(2), "rebuilt_per_lost", tile_pages,
				  "pages", bench_median(pp, bench_reps),
				  "pages/page", "per_region",
				  bench_median(pr, bench_reps));
		bench_goal_value(r, 1.0);
	}
	bench_cgroup_leave();
}

/* D3: the range's pages, one run of the shrinker's. */
#define BENCH_D3_PAGES		32UL
/* D3: samples of each kind in a repetition. */
#define BENCH_D3_SAMPLES	32
#define BENCH_D3_MAX		(BENCH_MAX_REPS * BENCH_D3_SAMPLES)

/* The owner's thread blocked in epoll_wait(), and what it measured. */
struct bench_d3 {
	int fd;			/* the range */
	int ref;		/* eventfd: the reference's wake-up */
	int done;		/* eventfd: a sample is ready */
	int cpu;
	__u64 sent_ns;		/* the reference: when @ref was written */
	__u64 sample_ns;
	__u64 pages;		/* PURGED's count */
};

static __u64 bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The waiter: on POLLPRI, the time since the shrinker's run (PURGED's
 * last_ns); on the eventfd, the time since it was written. Stops when the
 * eventfd is written 2.
 */
static void *bench_d3_waiter(void *arg)
{
	struct epoll_event ev = { .events = EPOLLPRI, .data.u32 = 0 };
	struct bench_d3 *d = arg;
	struct pagerange_purged p;
	eventfd_t v = 0;
	cpu_set_t cpus;
	__u64 now;
	int ep;

	CPU_ZERO(&cpus);
	CPU_SET(d->cpu, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		err(1, "sched_setaffinity");
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, d->fd, &ev))
		err(1, "epoll");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = 1 };
	if (epoll_ctl(ep, EPOLL_CTL_ADD, d->ref, &ev))
		err(1, "epoll");
	while (v < 2) {
		if (epoll_wait(ep, &ev, 1, -1) != 1)
			continue;
		now = bench_mono_ns();
		if (ev.data.u32) {
			if (eventfd_read(d->ref, &v))
				err(1, "eventfd read");
			d->sample_ns = now - d->sent_ns;
		} else {
			bench_check(prlib_purged(d->fd, &p), "PURGED");
			d->sample_ns = now - p.last_ns;
			d->pages = p.pages;
		}
		if (eventfd_write(d->done, 1))
			err(1, "eventfd write");
	}
	close(ep);
	return NULL;
}

/*
 * One sample, in ns: the shrinker's run over the range (drop_caches), or
 * with @ref the reference's eventfd write, once the waiter has had time to
 * block.
 */
static double bench_d3_sample(struct bench_d3 *d, bool ref)
{
	eventfd_t v;

	if (!ref) {
		bench_check(prlib_use_range(d->fd, 0, BENCH_D3_PAGES),
			    "USE_RANGE");
		bench_check(prlib_stop_using(d->fd, 0, BENCH_D3_PAGES),
			    "STOP_USING_RANGE");
	}
	usleep(2000);
	if (ref) {
		d->sent_ns = bench_mono_ns();
		if (eventfd_write(d->ref, 1))
			err(1, "eventfd write");
	} else {
		bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
	}
	if (eventfd_read(d->done, &v))
		err(1, "eventfd read");
	if (!ref && d->pages != BENCH_D3_PAGES)
		bench_progress("  D3: PURGED counted %llu pages",
			       (unsigned long long)d->pages);
	return d->sample_ns;
}

static double bench_percentile(double *v, int n, double pct)
{
	int k = (int)ceil(pct / 100 * n) - 1;

	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[k < 0 ? 0 : k];
}

/* Samples of the waiter on @cpu into @notify and @ref, alternately. */
static int bench_d3_run(int cpu, double *notify, double *ref)
{
	struct bench_d3 d = { .cpu = cpu };
	int i, k, n = 0;
	pthread_t th;
	char *map;

	d.fd = bench_open_range(BENCH_D3_PAGES, &map);
	d.ref = eventfd(0, EFD_CLOEXEC);
	d.done = eventfd(0, EFD_CLOEXEC);
	if (d.ref < 0 || d.done < 0)
		err(1, "eventfd");
	errno = pthread_create(&th, NULL, bench_d3_waiter, &d);
	if (errno)
		err(1, "pthread_create");
	for (i = 0; i < bench_reps; i++) {
		bench_progress("figure D3: waiter on CPU %d, %d of %d", cpu,
			       i + 1, bench_reps);
		for (k = 0; k < BENCH_D3_SAMPLES; k++, n++) {
			notify[n] = bench_d3_sample(&d, false);
			ref[n] = bench_d3_sample(&d, true);
		}
	}
	if (eventfd_write(d.ref, 2))
		err(1, "eventfd write");
	pthread_join(th, NULL);
	close(d.ref);
	close(d.done);
	bench_close_range(d.fd, map, BENCH_D3_PAGES);
	return n;
}

static void bench_fig_d3(void)
{
	static const char *const names[2][2] = {
		{ "notify_p50_same_cpu", "notify_p99_same_cpu" },
		{ "notify_p50_other_cpu", "notify_p99_other_cpu" },
	};
	static double notify[BENCH_D3_MAX], ref[BENCH_D3_MAX];
	static const double pct[2] = { 50, 99 };
	int cpu, n, k;

	for (cpu = get_nprocs() > 1; cpu >= 0; cpu--) {
		n = bench_d3_run(cpu, notify, ref);
		for (k = 0; k < 2; k++)
			bench_add_row(BENCH_FIG_D(3), names[cpu][k],
				      BENCH_D3_PAGES, "pages",
				      bench_percentile(notify, n, pct[k]) / 1e3,
				      "us", k ? "eventfd_p99" : "eventfd_p50",
				      bench_percentile(ref, n, pct[k]) / 1e3);
	}
}

/* ---- figures B1 to B4: against Binder's allocator --------------------- */

/*
 * pagerange is modelled on Binder's buffer allocator: pages of a read-only
 * mapping installed as transactions need them, kept on a list_lru once their
 * buffer is freed, taken back by a shrinker. These figures give both the
 * same work in this run, a second process (the peer) sending, the benchmark
 * receiving: into a range it owns through USE_RANGE and WRITE, or into its
 * Binder buffer as one-way transactions (binder_peer.c). Why each is the
 * fair comparison: tools/bench/README.md.
 */

/* The receiver's Binder buffer: all Binder uses; one-way transactions get half. */
#define BENCH_BINDER_MAP	BINDER_PEER_MAP_MAX
#define BENCH_BINDER_ASYNC	(BENCH_BINDER_MAP / 2)
/* B1: pages each round installs, in spans of 1, 16 or 256 pages. */
#define BENCH_B1_PAGES		256UL
/*
 * B1: rounds in a repetition, each side of each from a drop_caches; a
 * repetition's value is their median, which one slow round does not move.
 */
#define BENCH_B1_ROUNDS		5
/* B2: drop_caches rounds in a repetition, each of a full buffer. */
#define BENCH_B2_ROUNDS		4
/*
 * B3: messages in flight at most, as in figure 6. On one CPU a deeper
 * window only changes how the scheduler interleaves the two processes: at
 * 8 the ratio swung from 0.9 to 1.4x between runs.
 */
#define BENCH_B3_WINDOW		1UL
/* B3: the largest message, in pages. */
#define BENCH_B3_MAX_PAGES	16UL
/*
 * Buffers that a copy reads and writes move by an odd number of pages in
 * each repetition, up to this many, as figure 4's do: so that the median
 * does not measure one placement that aliases in TCG's software TLB.
 */
#define BENCH_B_SKEW		16UL

static const unsigned long bench_b1_sizes[] = { 1, 16, 256 };
static const unsigned long bench_b3_sizes[] = { 1, 16 };

enum bench_peer_op {
	BENCH_PEER_EXIT,
	BENCH_PEER_BATCH,	/* send them back to back */
	BENCH_PEER_STREAM,	/* send them, at most BENCH_B3_WINDOW ahead */
};

/* What the benchmark tells its peer: send @count messages of @pages pages. */
struct bench_peer_order {
	uint32_t op;
	uint32_t pages;
	uint64_t count;
};

/*
 * The second process, and the benchmark's end of it. In the peer, @seq
 * counts messages sent; in the benchmark, messages consumed. Each message
 * starts with its sequence number, which the benchmark checks.
 */
struct bench_peer {
	bool binder;		/* Binder transactions, or pagerange messages */
	bool empty;		/* pagerange: no message, the wake-up alone */
	pid_t pid;
	int order[2];		/* benchmark -> peer: struct bench_peer_order */
	int reply[2];		/* peer -> benchmark: a batch's time, in ns */
	int credit;		/* eventfd: messages the benchmark consumed */
	int ready;		/* eventfd: messages the peer wrote (pagerange) */
	int fd;			/* the range the peer writes into (pagerange) */
	char *map;		/* the benchmark's mapping of it */
	uint64_t seq;
	uint64_t credited;	/* peer: credits taken from @credit */
	uint64_t pending;	/* benchmark: messages @ready announced, unread */
	struct binder_peer bp;	/* peer: its own /dev/binder */
};

/* The range's slots: message @seq of @pages pages starts at this page. */
static unsigned long bench_slot(uint64_t seq, unsigned long pages)
{
	return seq % BENCH_B3_WINDOW * pages;
}

/* In the peer: wait until fewer than BENCH_B3_WINDOW messages are unconsumed. */
static void bench_peer_wait_credit(struct bench_peer *pe)
{
	eventfd_t n;

	while (pe->seq - pe->credited >= BENCH_B3_WINDOW) {
		if (eventfd_read(pe->credit, &n))
			err(1, "eventfd read");
		pe->credited += n;
	}
}

/*
 * In the peer: message @pe->seq of @pages pages from @msg. A pagerange
 * sender makes its slot in use and copies the message in with one WRITE,
 * and wakes the owner with an eventfd; Binder does all of it in one
 * BC_TRANSACTION. An empty sender only wakes the owner.
 */
static void bench_peer_send(struct bench_peer *pe, char *msg,
			    unsigned long pages)
{
	unsigned long first = bench_slot(pe->seq, pages);
	size_t len = pages * prlib_page_size;

	memcpy(msg, &pe->seq, sizeof(pe->seq));
	if (pe->binder) {
		bench_check(binder_peer_send(&pe->bp, msg, len), "BC_TRANSACTION");
	} else {
		if (!pe->empty)
			bench_check(prlib_write_use(pe->fd, first * prlib_page_size,
						    msg, len), "WRITE_USE");
		if (eventfd_write(pe->ready, 1))
			err(1, "eventfd write");
	}
	pe->seq++;
}

/* The @n-th placement of a buffer that moves (BENCH_B_SKEW). */
static char *bench_skew(char *base, unsigned long n)
{
	return base + n * 5 % BENCH_B_SKEW * prlib_page_size;
}

static void bench_peer_serve(struct bench_peer *pe)
{
	size_t len = BENCH_BINDER_ASYNC + BENCH_B_SKEW * prlib_page_size;
	unsigned long i, streams = 0;
	struct bench_peer_order o;
	char *base, *msg;
	double t0, ns;

	close(pe->order[1]);
	close(pe->reply[0]);
	if (pe->binder)
		bench_check(binder_peer_open(&pe->bp, 0), "open " BINDER_PEER_DEV);
	/* Room for the largest message, B2's, wherever it starts. */
	base = bench_anon(len, MAP_POPULATE);
	memset(base, 0xa5, len);
	while (!prlib_xfer(pe->order[0], &o, sizeof(o), false)) {
		if (o.op == BENCH_PEER_EXIT)
			_exit(0);
		/* B1 compares batches: theirs stays put. */
		msg = base;
		if (o.op == BENCH_PEER_STREAM)
			msg = bench_skew(base, streams++);
		/* A batch is consumed with no credits handed back. */
		if (o.op == BENCH_PEER_BATCH)
			pe->credited += o.count;
		t0 = bench_now_ns();
		for (i = 0; i < o.count; i++) {
			if (o.op == BENCH_PEER_STREAM)
				bench_peer_wait_credit(pe);
			bench_peer_send(pe, msg, o.pages);
		}
		ns = bench_now_ns() - t0;
		if (prlib_xfer(pe->reply[1], &ns, sizeof(ns), true))
			_exit(3);
	}
	_exit(1);
}

enum bench_peer_kind {
	BENCH_PEER_BINDER,	/* one-way transactions */
	BENCH_PEER_RANGE,	/* WRITE into a range, and an eventfd */
	BENCH_PEER_EMPTY,	/* the eventfd alone */
};

/* Start a peer; a range peer writes into a new range of @pages pages. */
static void bench_peer_start(struct bench_peer *pe, enum bench_peer_kind kind,
			     unsigned long pages)
{
	bool binder = kind == BENCH_PEER_BINDER;

	memset(pe, 0, sizeof(*pe));
	pe->binder = binder;
	pe->empty = kind == BENCH_PEER_EMPTY;
	pe->fd = -1;
	pe->ready = -1;
	if (pipe2(pe->order, O_CLOEXEC) || pipe2(pe->reply, O_CLOEXEC))
		err(1, "pipe");
	pe->credit = eventfd(0, EFD_CLOEXEC);
	if (pe->credit < 0)
		err(1, "eventfd");
	if (!binder) {
		pe->ready = eventfd(0, EFD_CLOEXEC);
		if (pe->ready < 0)
			err(1, "eventfd");
		if (!pe->empty)
			pe->fd = bench_open_range(pages, &pe->map);
	}
	pe->pid = prlib_fork();
	if (pe->pid < 0)
		err(1, "fork");
	if (!pe->pid)
		bench_peer_serve(pe);
	close(pe->order[0]);
	close(pe->reply[1]);
}

static void bench_peer_stop(struct bench_peer *pe, unsigned long pages)
{
	struct bench_peer_order o = { .op = BENCH_PEER_EXIT };

	if (prlib_xfer(pe->order[1], &o, sizeof(o), true) ||
	    prlib_wait_exit(pe->pid))
		errx(1, "the %s peer failed", pe->binder ? "Binder" : "pagerange");
	close(pe->order[1]);
	close(pe->reply[0]);
	close(pe->credit);
	if (!pe->binder)
		close(pe->ready);
	if (pe->fd >= 0)
		bench_close_range(pe->fd, pe->map, pages);
}

static void bench_peer_order(struct bench_peer *pe, enum bench_peer_op op,
			     unsigned long pages, unsigned long count)
{
	struct bench_peer_order o = { .op = op, .pages = pages, .count = count };

	if (prlib_xfer(pe->order[1], &o, sizeof(o), true))
		errx(1, "the peer is gone");
}

/* The time the peer's last order took, in ns. */
static double bench_peer_wait(struct bench_peer *pe)
{
	double ns;

	if (prlib_xfer(pe->reply[0], &ns, sizeof(ns), false))
		errx(1, "the peer failed");
	return ns;
}

/* In the benchmark: check a message's size and sequence number. */
static void bench_peer_check(struct bench_peer *pe, const void *data,
			     size_t len, size_t want)
{
	uint64_t stamp;

	memcpy(&stamp, data, sizeof(stamp));
	if (len != want || stamp != pe->seq)
		errx(1, "message %llu: %zu bytes stamped %llu",
		     (unsigned long long)pe->seq, len,
		     (unsigned long long)stamp);
	pe->seq++;
}

/* Receive @count transactions of @pages pages from @pe and free them. */
static void bench_binder_drain(struct bench_peer *pe, struct binder_peer *mgr,
			       unsigned long pages, unsigned long count)
{
	struct binder_peer_msg m;
	unsigned long i;

	for (i = 0; i < count; i++) {
		bench_check(binder_peer_receive(mgr, &m), "BINDER_WRITE_READ");
		bench_peer_check(pe, m.data, m.size, pages * prlib_page_size);
		bench_check(binder_peer_free(mgr, m.data), "BC_FREE_BUFFER");
	}
	bench_check(binder_peer_flush(mgr), "BC_FREE_BUFFER");
}

/* Pages of the benchmark's Binder buffer: held by buffers, and on the lru. */
static void bench_binder_pages(long long *active, long long *lru)
{
	bench_check(binder_peer_pages(getpid(), active, lru),
		    "read " BINDER_PEER_STATS);
}

/*
 * B1, pagerange: ns per page of cold USE_RANGE calls of @pages pages over
 * BENCH_B1_PAGES pages that drop_caches has just taken back, the state
 * Binder's fresh pages are in.
 */
static double bench_b1_range_ns(int fd, unsigned long pages)
{
	unsigned long i;
	double t0, t1;

	bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
	t0 = bench_now_ns();
	for (i = 0; i < BENCH_B1_PAGES; i += pages)
		if (bench_check(prlib_use_range(fd, i, i + pages),
				"USE_RANGE") != (long)pages)
			errx(1, "cold USE_RANGE found present pages");
	t1 = bench_now_ns();
	bench_check(prlib_stop_using(fd, 0, BENCH_B1_PAGES), "STOP_USING_RANGE");
	return (t1 - t0) / BENCH_B1_PAGES;
}

/*
 * B1, Binder: ns per page the peer takes to send BENCH_B1_PAGES pages as
 * one-way transactions of @pages pages, which the benchmark then receives
 * and frees. @fresh: after drop_caches, so that Binder installs every page;
 * otherwise into the pages the last call's buffers left installed. The
 * buffers land at the same place each time: all are free before, and Binder
 * takes the first that fits.
 */
static double bench_b1_binder_ns(struct bench_peer *pe, struct binder_peer *mgr,
				 unsigned long pages, bool fresh)
{
	unsigned long count = BENCH_B1_PAGES / pages;
	long long active, lru;
	double ns;

	if (fresh) {
		bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
		bench_binder_pages(&active, &lru);
		if (active + lru)
			bench_progress("  %lld Binder pages survived drop_caches",
				       active + lru);
	}
	bench_peer_order(pe, BENCH_PEER_BATCH, pages, count);
	ns = bench_peer_wait(pe);
	bench_binder_drain(pe, mgr, pages, count);
	return ns / BENCH_B1_PAGES;
}

static void bench_fig_b1(struct bench_peer *pe, struct binder_peer *mgr)
{
	double pr[BENCH_MAX_REPS], fresh[BENCH_MAX_REPS];
	double warm[BENCH_MAX_REPS], extra[BENCH_MAX_REPS];
	double rp[BENCH_B1_ROUNDS], rf[BENCH_B1_ROUNDS];
	double rw[BENCH_B1_ROUNDS], rx[BENCH_B1_ROUNDS];
	struct bench_row *r;
	unsigned long pages;
	char *map;
	size_t s;
	int fd, i, k;

	fd = bench_open_range(BENCH_B1_PAGES, &map);
	for (s = 0; s < BENCH_ARRAY_SIZE(bench_b1_sizes); s++) {
		pages = bench_b1_sizes[s];
		bench_progress("figure B1: installing pages, %lu at a time",
			       pages);
		for (i = 0; i < bench_reps; i++) {
			for (k = 0; k < BENCH_B1_ROUNDS; k++) {
				rp[k] = bench_b1_range_ns(fd, pages);
				rf[k] = bench_b1_binder_ns(pe, mgr, pages, true);
				rw[k] = bench_b1_binder_ns(pe, mgr, pages, false);
				rx[k] = rf[k] - rw[k];
			}
			pr[i] = bench_median(rp, BENCH_B1_ROUNDS);
			fresh[i] = bench_median(rf, BENCH_B1_ROUNDS);
			warm[i] = bench_median(rw, BENCH_B1_ROUNDS);
			extra[i] = bench_median(rx, BENCH_B1_ROUNDS);
		}
		r = bench_add_row(BENCH_FIG_B(1), "cold_use_range", pages,
				  "pages", bench_median(pr, bench_reps),
				  "ns/page", "binder_install",
				  bench_median(extra, bench_reps));
		bench_goal(r, -INFINITY, 1.0);
		bench_add_row(BENCH_FIG_B(1), "binder_txn_fresh", pages, "pages",
			      bench_median(fresh, bench_reps), "ns/page",
			      "binder_txn_installed",
			      bench_median(warm, bench_reps));
	}
	bench_close_range(fd, map, BENCH_B1_PAGES);
}

/* B2: the pages one fill of Binder's buffer leaves on its lru (below). */
static unsigned long bench_b2_pages(void)
{
	return 2 * (BENCH_BINDER_ASYNC / prlib_page_size) - 4;
}

/*
 * Leave bench_b2_pages() pages of the benchmark's Binder buffer installed
 * and on Binder's lru. One-way transactions may hold half the buffer at a
 * time, so it takes three: A (half less 3 pages), then T (one page) after
 * it; A is freed, and B (half less 2 pages, a page more than A) no longer
 * fits in A's place and goes after T. The three freed, their pages stay.
 */
static void bench_b2_binder_fill(struct bench_peer *pe,
				 struct binder_peer *mgr)
{
	unsigned long half = BENCH_BINDER_ASYNC / prlib_page_size;

	bench_peer_order(pe, BENCH_PEER_BATCH, half - 3, 1);
	bench_peer_wait(pe);
	bench_peer_order(pe, BENCH_PEER_BATCH, 1, 1);
	bench_peer_wait(pe);
	bench_binder_drain(pe, mgr, half - 3, 1);
	bench_peer_order(pe, BENCH_PEER_BATCH, half - 2, 1);
	bench_peer_wait(pe);
	bench_binder_drain(pe, mgr, 1, 1);
	bench_binder_drain(pe, mgr, half - 2, 1);
}

/*
 * B2: pages per second one drop_caches frees, less an empty one timed
 * before: bench_b2_pages() pages in BENCH_B2_ROUNDS rounds, of a range made
 * reclaimable with STOP_USING_RANGE (@pe NULL), or of Binder buffers used
 * and freed.
 */
static double bench_b2_rate(struct bench_peer *pe, struct binder_peer *mgr,
			    int fd)
{
	unsigned long pages = bench_b2_pages();
	long long before, after, active, freed = 0;
	double base, ns = 0;
	int i;

	for (i = 0; i < BENCH_B2_ROUNDS; i++) {
		base = bench_drop_caches_ns();
		if (pe) {
			bench_b2_binder_fill(pe, mgr);
			bench_binder_pages(&active, &before);
		} else {
			bench_check(prlib_use_range(fd, 0, pages), "USE_RANGE");
			bench_check(prlib_stop_using(fd, 0, pages),
				    "STOP_USING_RANGE");
			before = bench_reclaimed();
		}
		ns += bench_drop_caches_ns() - base;
		if (pe) {
			bench_binder_pages(&active, &after);
			freed += before - after;
		} else {
			freed += bench_reclaimed() - before;
		}
	}
	if (freed != (long long)(BENCH_B2_ROUNDS * pages))
		bench_progress("  %s: drop_caches freed %lld of %lu pages",
			       pe ? "Binder" : "pagerange", freed,
			       BENCH_B2_ROUNDS * pages);
	return freed / ns * 1e9;
}

static void bench_fig_b2(struct bench_peer *pe, struct binder_peer *mgr)
{
	double pr[BENCH_MAX_REPS], bd[BENCH_MAX_REPS];
	unsigned long pages = bench_b2_pages();
	struct bench_row *r;
	char *map;
	int fd, i;

	bench_progress("figure B2: drop_caches of %lu pages", pages);
	fd = bench_open_range(pages, &map);
	for (i = 0; i < bench_reps; i++) {
		pr[i] = bench_b2_rate(NULL, NULL, fd);
		bd[i] = bench_b2_rate(pe, mgr, -1);
	}
	bench_close_range(fd, map, pages);
	r = bench_add_row(BENCH_FIG_B(2), "reclaim_rate", pages, "pages",
			  bench_median(pr, bench_reps), "pages/s",
			  "binder_shrinker", bench_median(bd, bench_reps));
	bench_goal(r, 1.0, INFINITY);
}

/* B3: hand the peer a credit for a message consumed. */
static void bench_b3_credit(struct bench_peer *pe)
{
	if (eventfd_write(pe->credit, 1))
		err(1, "eventfd write");
}

/*
 * B3, the benchmark's end: @count messages of @pages pages from @pe, each
 * read through the mapping into @copy and given back: STOP_USING_RANGE of
 * its slot, or BC_FREE_BUFFER (sent with the next read); an empty peer's
 * wake-ups only. Each consumed message hands the peer a credit.
 * Transactions per second.
 */
static double bench_b3_run(struct bench_peer *pe, struct binder_peer *mgr,
			   unsigned long pages, unsigned long count, char *copy)
{
	size_t len = pages * prlib_page_size;
	unsigned long i, first = 0;
	struct binder_peer_msg m;
	const char *src;
	double t0, t1;
	eventfd_t n;

	t0 = bench_now_ns();
	bench_peer_order(pe, BENCH_PEER_STREAM, pages, count);
	for (i = 0; i < count; i++) {
		if (pe->binder) {
			bench_check(binder_peer_receive(mgr, &m),
				    "BINDER_WRITE_READ");
			src = m.data;
		} else {
			if (!pe->pending) {
				if (eventfd_read(pe->ready, &n))
					err(1, "eventfd read");
				pe->pending = n;
			}
			pe->pending--;
			if (pe->empty) {
				bench_b3_credit(pe);
				pe->seq++;
				continue;
			}
			first = bench_slot(pe->seq, pages);
			src = pe->map + first * prlib_page_size;
			m.size = len;
		}
		memcpy(copy, src, len);
		bench_clobber(copy);
		if (pe->binder)
			bench_check(binder_peer_free(mgr, m.data),
				    "BC_FREE_BUFFER");
		else
			bench_check(prlib_stop_using(pe->fd, first, first + pages),
				    "STOP_USING_RANGE");
		bench_b3_credit(pe);
		bench_peer_check(pe, copy, m.size, len);
	}
	if (pe->binder)
		bench_check(binder_peer_flush(mgr), "BC_FREE_BUFFER");
	t1 = bench_now_ns();
	bench_peer_wait(pe);
	return count / (t1 - t0) * 1e9;
}

/* B4: pages the benchmark's range holds, as debugfs counts them. */
static long long bench_range_pages(void)
{
	struct prlib_ranges_line line;

	if (prlib_ranges_line(getpid(), &line) != 1)
		errx(1, "not one range of ours in %s", PRLIB_RANGES);
	return line.present;
}

/*
 * B3, and B4 after it: @rp writes into a range, @bp sends transactions,
 * @ep only wakes the benchmark, which bounds what any transport could
 * reach on this exchange.
 */
static void bench_fig_b3(struct bench_peer *rp, struct bench_peer *bp,
			 struct bench_peer *ep, struct binder_peer *mgr)
{
	double pr[BENCH_MAX_REPS], bd[BENCH_MAX_REPS], em[BENCH_MAX_REPS];
	unsigned long pages, count;
	size_t len = (BENCH_B3_MAX_PAGES + BENCH_B_SKEW) * prlib_page_size;
	long long active, lru;
	struct bench_row *r;
	char *copy;
	size_t s;
	int i;

	copy = bench_anon(len, MAP_POPULATE);
	for (s = 0; s < BENCH_ARRAY_SIZE(bench_b3_sizes); s++) {
		pages = bench_b3_sizes[s];
		count = bench_loops(pages > 1 ? 500 : 2000);
		bench_progress("figure B3: transactions of %lu KiB",
			       pages * prlib_page_size >> 10);
		/* B4 then counts what this size left, nothing from before. */
		bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
		bench_b3_run(rp, mgr, pages, 2 * BENCH_B3_WINDOW, copy);
		bench_b3_run(bp, mgr, pages, 2 * BENCH_B3_WINDOW, copy);
		bench_b3_run(ep, mgr, pages, 2 * BENCH_B3_WINDOW, copy);
		for (i = 0; i < bench_reps; i++) {
			pr[i] = bench_b3_run(rp, mgr, pages, count,
					     bench_skew(copy, i));
			bd[i] = bench_b3_run(bp, mgr, pages, count,
					     bench_skew(copy, i));
			if (pages == 1)
				em[i] = bench_b3_run(ep, mgr, pages, count,
						     copy);
		}
		r = bench_add_row(BENCH_FIG_B(3), "transactions",
				  pages * prlib_page_size >> 10, "KiB",
				  bench_median(pr, bench_reps), "tx/s",
				  "binder_oneway", bench_median(bd, bench_reps));
		bench_goal(r, pages == 1 ? 1.5 : 1.0, INFINITY);
		if (pages == 1)
			bench_add_row(BENCH_FIG_B(3), "empty_exchange",
				      pages * prlib_page_size >> 10, "KiB",
				      bench_median(em, bench_reps), "tx/s",
				      "binder_oneway",
				      bench_median(bd, bench_reps));
		bench_binder_pages(&active, &lru);
		bench_add_row(BENCH_FIG_B(4), "pages_held",
			      pages * prlib_page_size >> 10, "KiB",
			      bench_range_pages(), "pages", "binder_pages",
			      active + lru);
	}
	munmap(copy, len);
}

/*
 * Load Binder from @path with its device named as Debian names it, unless
 * the kernel has /dev/binder already. Returns NULL, or why not; *@loaded
 * says whether it was loaded here.
 */
static const char *bench_binder_load(const char *path, bool *loaded)
{
	static char why[256];
	int fd;

	*loaded = false;
	if (!access(BINDER_PEER_DEV, F_OK))
		return NULL;
	if (!path)
		return "no Binder module for this kernel (-b)";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "devices=binder", 0)) {
		snprintf(why, sizeof(why), "cannot load %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return why;
	}
	close(fd);
	*loaded = true;
	if (access(BINDER_PEER_DEV, F_OK))
		return "no " BINDER_PEER_DEV " after loading Binder";
	return NULL;
}

/*
 * binder_linux has no exit function: the kernel refuses to unload it
 * (EBUSY), short of a forced unload, which would leave its device behind
 * with no code. It stays, and nothing runs after these figures.
 */
static void bench_binder_unload(bool loaded)
{
	if (loaded && syscall(SYS_delete_module, "binder_linux", O_NONBLOCK))
		bench_progress("binder_linux stays loaded (%s): the Binder figures run last",
			       strerror(errno));
}

static void bench_fig_binder(void)
{
	bool b3 = bench_figures & 1u << BENCH_FIG_B(3);
	struct bench_peer rp, bp, ep;
	struct binder_peer mgr;
	const char *why;
	bool loaded;

	why = bench_binder_load(bench_binder_ko, &loaded);
	if (why) {
		bench_progress("figures B1 to B4 skipped: %s", why);
		bench_binder_unload(loaded);
		return;
	}
	/*
	 * The peers first. A child that inherited the benchmark's
	 * /dev/binder would flush it on exit (binder_flush()), which sends
	 * the benchmark's looper back to user space with nothing to read.
	 */
	bench_peer_start(&bp, BENCH_PEER_BINDER, 0);
	if (b3) {
		bench_peer_start(&rp, BENCH_PEER_RANGE,
				 BENCH_B3_WINDOW * BENCH_B3_MAX_PAGES);
		bench_peer_start(&ep, BENCH_PEER_EMPTY, 0);
	}
	bench_check(binder_peer_open(&mgr, BENCH_BINDER_MAP),
		    "open " BINDER_PEER_DEV);
	bench_check(binder_peer_become_manager(&mgr), "BINDER_SET_CONTEXT_MGR");

	if (bench_figures & 1u << BENCH_FIG_B(1))
		bench_fig_b1(&bp, &mgr);
	if (bench_figures & 1u << BENCH_FIG_B(2))
		bench_fig_b2(&bp, &mgr);
	if (b3)
		bench_fig_b3(&rp, &bp, &ep, &mgr);

	bench_peer_stop(&bp, 0);
	if (b3) {
		bench_peer_stop(&rp, BENCH_B3_WINDOW * BENCH_B3_MAX_PAGES);
		bench_peer_stop(&ep, 0);
	}
	binder_peer_close(&mgr);
	bench_binder_unload(loaded);
}

/* ---- main ------------------------------------------------------------- */

static long long bench_old_max_size;
static char bench_old_thp[128];

/* "always madvise [never]\n" -> "never" */
static void bench_thp_selected(char *s)
{
	char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;

	if (!open || !close) {
		s[0] = '\0';
		return;
	}
	*close = '\0';
	memmove(s, open + 1, strlen(open + 1) + 1);
}

static void bench_setup(void)
{
	struct rlimit rl;
	cpu_set_t cpus;

	/*
	 * One CPU for everything, the two processes of figure 6 included:
	 * figures then measure the driver, not wakeups across CPUs, which a
	 * virtual machine on a busy host makes erratic.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		err(1, "sched_setaffinity");

	if (access(PRLIB_DEV, F_OK))
		err(1, "%s (is the module loaded?)", PRLIB_DEV);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Figure 7 puts all 64 MiB in one range. */
	bench_old_max_size = prlib_max_size();
	if (bench_old_max_size < 0)
		errx(1, "cannot read %s", PRLIB_MAX_SIZE);
	bench_check(prlib_set_max_size(BENCH_RECLAIM_PAGES * prlib_page_size),
		    "write " PRLIB_MAX_SIZE);
	/*
	 * The driver maps 4 KiB pages; so must the references, or a huge
	 * page would stand in for 512 faults.
	 */
	if (prlib_read_file(BENCH_THP, bench_old_thp,
			    sizeof(bench_old_thp)) >= 0) {
		bench_thp_selected(bench_old_thp);
		prlib_write_file(BENCH_THP, "never");
	}
}

static void bench_restore(void)
{
	prlib_set_max_size(bench_old_max_size);
	if (bench_old_thp[0])
		prlib_write_file(BENCH_THP, bench_old_thp);
}

/* "5" is figure 5, "B2" figure B2, "D1" figure D1; its bit in bench_figures. */
static unsigned int bench_fig_bit(const char *tok)
{
	if (tok[0] == 'B' || tok[0] == 'b')
		return 1u << (BENCH_FIG_B(atoi(tok + 1)) & 31);
	if (tok[0] == 'D' || tok[0] == 'd')
		return 1u << (BENCH_FIG_D(atoi(tok + 1)) & 31);
	return 1u << (atoi(tok) & 31);
}

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: pagerange-bench [-r REPS] [-s SCALE] [-f LIST] [-b MODULE]\n"
		"  -r REPS   repetitions of each measurement, 1..%d (default 11)\n"
		"  -s SCALE  multiply every loop count by SCALE (default 1)\n"
		"  -f LIST   only these figures, e.g. -f 1,5,7,B2,D1 (2 comes with 1,\n"
		"            B3 and B4 together)\n"
		"  -b MODULE Binder's module (binder_linux.ko), for figures B1 to B4\n",
		BENCH_MAX_REPS);
	exit(2);
}

int main(int argc, char **argv)
{
	double t0 = bench_now_ns();
	char *list, *tok;
	int opt;

	while ((opt = getopt(argc, argv, "b:f:r:s:")) != -1) {
		switch (opt) {
		case 'b':
			bench_binder_ko = optarg;
			break;
		case 'r':
			bench_reps = atoi(optarg);
			break;
		case 's':
			bench_scale = atof(optarg);
			break;
		case 'f':
			bench_figures = 0;
			list = optarg;
			while ((tok = strsep(&list, ",")))
				bench_figures |= bench_fig_bit(tok);
			if (bench_figures & 1u << 2)
				bench_figures |= 1u << 1;
			if (bench_figures & 3u << BENCH_FIG_B(3))
				bench_figures |= 3u << BENCH_FIG_B(3);
			break;
		default:
			bench_usage();
		}
	}
	if (optind != argc || bench_reps < 1 || bench_reps > BENCH_MAX_REPS ||
	    bench_scale <= 0)
		bench_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	bench_setup();
	bench_progress("%d repetitions of each measurement, medians reported",
		       bench_reps);
	if (bench_figures & 1u << 1)
		bench_fig_cold();
	if (bench_figures & 1u << 3)
		bench_fig_hot();
	if (bench_figures & 1u << 4)
		bench_fig_io();
	if (bench_figures & 1u << 5)
		bench_fig_reclaim_rate();
	if (bench_figures & 1u << 6)
		bench_fig_tx();
	if (bench_figures & 1u << 7)
		bench_fig_reclaim_spread();
	if (bench_figures & 1u << 8)
		bench_fig_memcg_reclaim();
	if (bench_figures & 1u << 9)
		bench_fig_busy_reclaim();
	if (bench_figures & 1u << BENCH_FIG_D(1))
		bench_fig_d1();
	if (bench_figures & 1u << BENCH_FIG_D(2))
		bench_fig_d2();
	if (bench_figures & 1u << BENCH_FIG_D(3))
		bench_fig_d3();
	/* Last: Binder stays loaded once they have loaded it. */
	if (bench_figures & 15u << BENCH_FIG_B(1))
		bench_fig_binder();
	bench_restore();
	bench_progress("done in %.0f s", (bench_now_ns() - t0) / 1e9);

	bench_print_table();
	bench_print_csv();
	return 0;
}
