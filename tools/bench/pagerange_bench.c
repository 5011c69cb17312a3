// SPDX-License-Identifier: GPL-2.0
/*
 * Measure /dev/pagerange against what the kernel and libc pay for the same
 * work, in the same run: each figure is a ratio to a reference measured
 * next to it, and each value is the median of repeated runs. Absolute times
 * depend on the machine (under QEMU's TCG they mean little); the ratios are
 * the point.
 *
 *   1  cold USE_RANGE per page, one call of 1..1024 pages on a fresh range,
 *      against first-touch faults and MAP_POPULATE of anonymous memory
 *   2  the same 1024 pages as 1024 single-page calls, against figure 1
 *   3  hot USE_RANGE and STOP_USING_RANGE of present pages, against a no-op
 *      ioctl (an unknown command, which the driver answers with ENOTTY)
 *   4  WRITE and READ throughput, against memcpy between user buffers
 *   5  pages freed per second by drop_caches, against munmap
 *   6  transactions between two processes, against a memfd shared buffer
 *   7  reclaim cost per page as the number of ranges grows
 *   8  pages freed per second by a memory cgroup's own reclaim
 *      (memory.reclaim), against drop_caches of the same pages
 *
 * Runs as root with the module loaded, on CPU 0 only. It sets the module's
 * max_size and turns transparent huge pages off while it runs (both are
 * put back at the end), and writes to drop_caches. Figure 8 runs in a
 * cgroup of its own (mounting cgroup2 if it has to), removed at the end. Prints a table on stdout,
 * then every measurement as CSV between "--- csv begin" and "--- csv end".
 * Progress goes to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/pagerange.h>

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn		__attribute__((noreturn))
#endif

#define PAGERANGE_DEV		"/dev/pagerange"
#define PAGERANGE_MAX_SIZE	"/sys/module/pagerange/parameters/max_size"
#define PAGERANGE_STATS		"/sys/kernel/debug/pagerange/stats"
#define PAGERANGE_DROP_CACHES	"/proc/sys/vm/drop_caches"
#define PAGERANGE_THP		"/sys/kernel/mm/transparent_hugepage/enabled"
#define PAGERANGE_CGROUP_ROOT	"/sys/fs/cgroup"
#define PAGERANGE_CGROUP	PAGERANGE_CGROUP_ROOT "/pagerange_bench"

/* The driver answers every command it does not know with ENOTTY at once. */
#define PAGERANGE_IOC_NOOP	_IO(PAGERANGE_IOC_MAGIC, 0x7f)

#define PAGERANGE_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGERANGE_MAX_REPS	31
#define PAGERANGE_MAX_ROWS	96
/* The reclaim figures spread this many pages (64 MiB) over their ranges. */
#define PAGERANGE_RECLAIM_PAGES	16384UL
/* Figure 1 times at least this many pages per repetition. */
#define PAGERANGE_COLD_PAGES	256UL
/* Figure 6: the ring of pages transactions rotate through. */
#define PAGERANGE_TX_RING	64UL
#define PAGERANGE_TX_WARMUP	(2 * PAGERANGE_TX_RING)

static unsigned long pagerange_page_size;
static int pagerange_reps = 11;
/* Scales every loop count: 2 doubles the time of the whole run. */
static double pagerange_scale = 1.0;
/* Figures to run, as a bit mask: bit n for figure n (2 comes with 1). */
static unsigned int pagerange_figures = 0x1fe;

/* ---- errors, clock, statistics ------------------------------------- */

static __noreturn __printf(1, 2) void pagerange_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "pagerange-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static __printf(1, 2) void pagerange_progress(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double pagerange_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static unsigned long pagerange_loops(unsigned long base)
{
	unsigned long n = base * pagerange_scale;

	return n ? n : 1;
}

static int pagerange_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pagerange_median(const double *v, int n)
{
	double s[PAGERANGE_MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), pagerange_cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Keep the compiler from dropping a copy whose result nobody reads. */
static inline void pagerange_clobber(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* ---- files ---------------------------------------------------------- */

static int pagerange_write_file(const char *path, const char *s)
{
	ssize_t len = strlen(s);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, len);
	close(fd);
	return n == len ? 0 : -1;
}

static int pagerange_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The "pages_reclaimed" line of the driver's debugfs stats. */
static long pagerange_reclaimed_total(void)
{
	char buf[1024], *p;

	if (pagerange_read_file(PAGERANGE_STATS, buf, sizeof(buf)))
		pagerange_die("read %s", PAGERANGE_STATS);
	p = strstr(buf, "pages_reclaimed ");
	if (!p)
		pagerange_die("no pages_reclaimed in %s", PAGERANGE_STATS);
	return strtol(p + strlen("pages_reclaimed "), NULL, 10);
}

/* One write of "2" (slab, where shrinkers live) to drop_caches, timed. */
static double pagerange_drop_caches_ns(void)
{
	int fd = open(PAGERANGE_DROP_CACHES, O_WRONLY | O_CLOEXEC);
	double t0, t1;

	if (fd < 0)
		pagerange_die("open %s", PAGERANGE_DROP_CACHES);
	t0 = pagerange_now_ns();
	if (write(fd, "2", 1) != 1)
		pagerange_die("write %s", PAGERANGE_DROP_CACHES);
	t1 = pagerange_now_ns();
	close(fd);
	return t1 - t0;
}

/* ---- the device ------------------------------------------------------ */

static int pagerange_open_range(unsigned long pages, char **map)
{
	int fd = open(PAGERANGE_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		pagerange_die("open %s", PAGERANGE_DEV);
	*map = mmap(NULL, pages * pagerange_page_size, PROT_READ, MAP_SHARED,
		    fd, 0);
	if (*map == MAP_FAILED)
		pagerange_die("mmap %lu pages of %s", pages, PAGERANGE_DEV);
	return fd;
}

static void pagerange_close_range(int fd, char *map, unsigned long pages)
{
	munmap(map, pages * pagerange_page_size);
	if (fd >= 0)
		close(fd);
}

static uint64_t pagerange_span(int fd, unsigned long cmd, uint64_t start,
			       uint64_t end)
{
	struct pagerange_range r = { .start = start, .end = end };

	if (ioctl(fd, cmd, &r))
		pagerange_die("%s [%llu, %llu)",
			      cmd == PAGERANGE_IOC_USE_RANGE ?
			      "USE_RANGE" : "STOP_USING_RANGE",
			      (unsigned long long)start,
			      (unsigned long long)end);
	return r.result;
}

static uint64_t pagerange_use(int fd, uint64_t start, uint64_t end)
{
	return pagerange_span(fd, PAGERANGE_IOC_USE_RANGE, start, end);
}

static uint64_t pagerange_stop(int fd, uint64_t start, uint64_t end)
{
	return pagerange_span(fd, PAGERANGE_IOC_STOP_USING_RANGE, start, end);
}

static void pagerange_io(int fd, unsigned long cmd, uint64_t offset,
			 uint64_t len, void *buf)
{
	struct pagerange_io io = {
		.offset = offset,
		.len = len,
		.buf = (uint64_t)(uintptr_t)buf,
	};

	if (ioctl(fd, cmd, &io))
		pagerange_die("%s of %llu bytes",
			      cmd == PAGERANGE_IOC_WRITE ? "WRITE" : "READ",
			      (unsigned long long)len);
}

static char *pagerange_anon(size_t len, int flags)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		pagerange_die("mmap %zu anonymous bytes", len);
	return p;
}

/* ---- results --------------------------------------------------------- */

struct pagerange_row {
	int figure;
	const char *metric;
	unsigned long size;
	const char *size_unit;
	double value;
	const char *unit;
	const char *reference;
	double ref_value;
	double ratio;		/* value / ref_value */
	const char *goal;	/* "-" when this row has none */
	int met;		/* -1: no goal, 0: not met, 1: met */
};

static struct pagerange_row pagerange_rows[PAGERANGE_MAX_ROWS];
static int pagerange_nr_rows;

static struct pagerange_row *
pagerange_add_row(int figure, const char *metric, unsigned long size,
		  const char *size_unit, double value, const char *unit,
		  const char *reference, double ref_value)
{
	struct pagerange_row *r = &pagerange_rows[pagerange_nr_rows++];

	if (pagerange_nr_rows > PAGERANGE_MAX_ROWS) {
		fprintf(stderr, "pagerange-bench: too many rows\n");
		exit(1);
	}
	*r = (struct pagerange_row){
		.figure = figure, .metric = metric, .size = size,
		.size_unit = size_unit, .value = value, .unit = unit,
		.reference = reference, .ref_value = ref_value,
		.ratio = value / ref_value, .goal = "-", .met = -1,
	};
	return r;
}

static void pagerange_goal_at_most(struct pagerange_row *r, double max,
				   const char *goal)
{
	r->goal = goal;
	r->met = r->ratio <= max;
}

static void pagerange_goal_at_least(struct pagerange_row *r, double min,
				    const char *goal)
{
	r->goal = goal;
	r->met = r->ratio >= min;
}

static const char *pagerange_met_str(int met)
{
	return met < 0 ? "-" : met ? "met" : "not met";
}

static void pagerange_print_table(void)
{
	const struct pagerange_row *r;
	char size[32];
	int i, met = 0, missed = 0;

	printf("\n%-3s %-26s %12s %12s %-9s %-22s %12s %8s %-12s %s\n",
	       "#", "figure", "size", "value", "unit", "reference", "ref value",
	       "ratio", "goal", "met?");
	for (i = 0; i < pagerange_nr_rows; i++) {
		r = &pagerange_rows[i];
		snprintf(size, sizeof(size), "%lu %s", r->size, r->size_unit);
		printf("%-3d %-26s %12s %12.4g %-9s %-22s %12.4g %7.3fx %-12s %s\n",
		       r->figure, r->metric, size, r->value, r->unit,
		       r->reference, r->ref_value, r->ratio, r->goal,
		       pagerange_met_str(r->met));
		met += r->met == 1;
		missed += r->met == 0;
	}
	printf("\ngoals: %d met, %d not met\n", met, missed);
	for (i = 0; i < pagerange_nr_rows; i++) {
		r = &pagerange_rows[i];
		if (!r->met)
			printf("  not met: #%d %s at %lu %s: %.3fx, goal %s\n",
			       r->figure, r->metric, r->size, r->size_unit,
			       r->ratio, r->goal);
	}
}

static void pagerange_print_csv(void)
{
	const struct pagerange_row *r;
	int i;

	printf("--- csv begin\n");
	printf("figure,metric,size,size_unit,value,unit,reference,ref_value,ratio,goal,status\n");
	for (i = 0; i < pagerange_nr_rows; i++) {
		r = &pagerange_rows[i];
		printf("%d,%s,%lu,%s,%.6g,%s,%s,%.6g,%.6g,%s,%s\n",
		       r->figure, r->metric, r->size, r->size_unit, r->value,
		       r->unit, r->reference, r->ref_value, r->ratio, r->goal,
		       pagerange_met_str(r->met));
	}
	printf("--- csv end\n");
}

/* ---- figures 1 and 2: cold population -------------------------------- */

static const unsigned long pagerange_cold_sizes[] = { 1, 16, 256, 1024 };

/*
 * Ranges of @pages pages, as many as make PAGERANGE_COLD_PAGES: small calls
 * are timed as a batch, each on a range of its own, so the clock's own cost
 * does not count. Returns ns per page.
 */
static double pagerange_cold_use_ns(unsigned long pages)
{
	unsigned long i, batch = PAGERANGE_COLD_PAGES / pages;
	int fds[PAGERANGE_COLD_PAGES];
	char *maps[PAGERANGE_COLD_PAGES];
	double t0, t1;

	if (!batch)
		batch = 1;
	for (i = 0; i < batch; i++)
		fds[i] = pagerange_open_range(pages, &maps[i]);
	t0 = pagerange_now_ns();
	for (i = 0; i < batch; i++)
		if (pagerange_use(fds[i], 0, pages) != pages)
			pagerange_die("cold USE_RANGE found present pages");
	t1 = pagerange_now_ns();
	for (i = 0; i < batch; i++)
		pagerange_close_range(fds[i], maps[i], pages);
	return (t1 - t0) / (batch * pages);
}

/* The reference design's shape: one call, and one lock round, per page. */
static double pagerange_single_calls_ns(unsigned long pages)
{
	double t0, t1;
	unsigned long i;
	char *map;
	int fd;

	fd = pagerange_open_range(pages, &map);
	t0 = pagerange_now_ns();
	for (i = 0; i < pages; i++)
		if (pagerange_use(fd, i, i + 1) != 1)
			pagerange_die("cold USE_RANGE found a present page");
	t1 = pagerange_now_ns();
	pagerange_close_range(fd, map, pages);
	return (t1 - t0) / pages;
}

/* First-touch write faults (the driver's pages are zeroed and writable by it). */
static double pagerange_first_touch_ns(unsigned long pages)
{
	unsigned long i, j, batch = PAGERANGE_COLD_PAGES / pages;
	char *maps[PAGERANGE_COLD_PAGES];
	double t0, t1;

	if (!batch)
		batch = 1;
	for (i = 0; i < batch; i++)
		maps[i] = pagerange_anon(pages * pagerange_page_size, 0);
	t0 = pagerange_now_ns();
	for (i = 0; i < batch; i++)
		for (j = 0; j < pages; j++)
			((volatile char *)maps[i])[j * pagerange_page_size] = 1;
	t1 = pagerange_now_ns();
	for (i = 0; i < batch; i++)
		munmap(maps[i], pages * pagerange_page_size);
	return (t1 - t0) / (batch * pages);
}

/* mmap(MAP_POPULATE): the kernel's own "allocate and map N pages" call. */
static double pagerange_populate_ns(unsigned long pages)
{
	unsigned long i, batch = PAGERANGE_COLD_PAGES / pages;
	char *maps[PAGERANGE_COLD_PAGES];
	double t0, t1;

	if (!batch)
		batch = 1;
	t0 = pagerange_now_ns();
	for (i = 0; i < batch; i++)
		maps[i] = pagerange_anon(pages * pagerange_page_size,
					 MAP_POPULATE);
	t1 = pagerange_now_ns();
	for (i = 0; i < batch; i++)
		munmap(maps[i], pages * pagerange_page_size);
	return (t1 - t0) / (batch * pages);
}

/* Figure 2 repeats figure 1 at this size as single-page calls. */
#define PAGERANGE_SINGLE_PAGES	1024

static void pagerange_fig_cold(void)
{
	double use[PAGERANGE_MAX_REPS], touch[PAGERANGE_MAX_REPS];
	double pop[PAGERANGE_MAX_REPS], single[PAGERANGE_MAX_REPS];
	double use_single = 0, m_use, m_pop, m_touch, m_single;
	struct pagerange_row *r;
	unsigned long pages;
	size_t s;
	int i;

	for (s = 0; s < PAGERANGE_ARRAY_SIZE(pagerange_cold_sizes); s++) {
		pages = pagerange_cold_sizes[s];
		pagerange_progress("figure %s: cold USE_RANGE of %lu pages",
				   pages == PAGERANGE_SINGLE_PAGES ? "1 and 2" : "1",
				   pages);
		/*
		 * Interleaved, so that noise from the host hits all of them:
		 * at 1024 pages, figure 2 too.
		 */
		for (i = 0; i < pagerange_reps; i++) {
			use[i] = pagerange_cold_use_ns(pages);
			pop[i] = pagerange_populate_ns(pages);
			touch[i] = pagerange_first_touch_ns(pages);
			if (pages == PAGERANGE_SINGLE_PAGES)
				single[i] = pagerange_single_calls_ns(pages);
		}
		m_use = pagerange_median(use, pagerange_reps);
		m_pop = pagerange_median(pop, pagerange_reps);
		m_touch = pagerange_median(touch, pagerange_reps);
		r = pagerange_add_row(1, "cold_use_range", pages, "pages",
				      m_use, "ns/page", "map_populate", m_pop);
		if (pages >= 256)
			pagerange_goal_at_most(r, 1.0, "<=1.0x");
		pagerange_add_row(1, "cold_use_range", pages, "pages", m_use,
				  "ns/page", "first_touch", m_touch);
		if (pages == PAGERANGE_SINGLE_PAGES)
			use_single = m_use;
	}

	m_single = pagerange_median(single, pagerange_reps);
	pagerange_add_row(2, "single_page_calls", PAGERANGE_SINGLE_PAGES,
			  "pages", m_single, "ns/page", "one_call_fig1",
			  use_single);
}

/* ---- figure 3: hot USE_RANGE + STOP_USING_RANGE ---------------------- */

static const unsigned long pagerange_hot_sizes[] = { 1, 16, 256, 1024 };

/* ns per ioctl of @loops no-op round trips of @cmd; @cmd must fail ENOTTY or succeed. */
static double pagerange_ioctl_ns(int fd, unsigned long cmd, unsigned long loops)
{
	struct pagerange_info info;
	double t0, t1;
	unsigned long i;

	t0 = pagerange_now_ns();
	for (i = 0; i < loops; i++) {
		if (ioctl(fd, cmd, &info) && errno != ENOTTY)
			pagerange_die("no-op ioctl");
	}
	t1 = pagerange_now_ns();
	return (t1 - t0) / loops;
}

/* ns per call, over USE_RANGE + STOP_USING_RANGE pairs of @pages present pages. */
static double pagerange_hot_ns(int fd, unsigned long pages, unsigned long loops)
{
	double t0, t1;
	unsigned long i;
	uint64_t allocated = 0;

	t0 = pagerange_now_ns();
	for (i = 0; i < loops; i++) {
		allocated += pagerange_use(fd, 0, pages);
		pagerange_stop(fd, 0, pages);
	}
	t1 = pagerange_now_ns();
	if (allocated)
		pagerange_progress("  (the shrinker took %llu pages meanwhile)",
				   (unsigned long long)allocated);
	return (t1 - t0) / (2 * loops);
}

static void pagerange_fig_hot(void)
{
	double hot[PAGERANGE_MAX_REPS], noop[PAGERANGE_MAX_REPS];
	double info[PAGERANGE_MAX_REPS];
	unsigned long pages, loops, noop_loops = pagerange_loops(20000);
	double m_hot, m_noop, m_info;
	struct pagerange_row *r;
	char *map;
	size_t s;
	int fd, i;

	fd = pagerange_open_range(1024, &map);
	pagerange_use(fd, 0, 1024);
	pagerange_stop(fd, 0, 1024);

	pagerange_progress("figure 3: no-op ioctls");
	for (i = 0; i < pagerange_reps; i++) {
		noop[i] = pagerange_ioctl_ns(fd, PAGERANGE_IOC_NOOP, noop_loops);
		info[i] = pagerange_ioctl_ns(fd, PAGERANGE_IOC_GET_INFO,
					     noop_loops);
	}
	m_noop = pagerange_median(noop, pagerange_reps);
	m_info = pagerange_median(info, pagerange_reps);

	for (s = 0; s < PAGERANGE_ARRAY_SIZE(pagerange_hot_sizes); s++) {
		pages = pagerange_hot_sizes[s];
		loops = pagerange_loops(pages > 1 ? 20000 / pages + 20 : 10000);
		pagerange_progress("figure 3: hot USE_RANGE+STOP_USING_RANGE of %lu pages",
				   pages);
		for (i = 0; i < pagerange_reps; i++) {
			hot[i] = pagerange_hot_ns(fd, pages, loops);
			noop[i] = pagerange_ioctl_ns(fd, PAGERANGE_IOC_NOOP,
						     noop_loops / 4);
		}
		m_hot = pagerange_median(hot, pagerange_reps);
		m_noop = pagerange_median(noop, pagerange_reps);
		r = pagerange_add_row(3, "hot_use_stop_per_call", pages,
				      "pages", m_hot, "ns/call", "noop_ioctl",
				      m_noop);
		if (pages == 1)
			pagerange_goal_at_most(r, 2.0, "<=2.0x");
		pagerange_add_row(3, "hot_use_stop_per_page", pages, "pages",
				  m_hot / pages, "ns/page", "noop_ioctl",
				  m_noop);
	}
	pagerange_add_row(3, "get_info", 1, "call", m_info, "ns/call",
			  "noop_ioctl", m_noop);
	pagerange_close_range(fd, map, 1024);
}

/* ---- figure 4: WRITE and READ throughput ---------------------------- */

static const unsigned long pagerange_io_sizes[] = {
	4096, 16384, 65536, 262144, 1048576
};

#define PAGERANGE_IO_MAX	1048576UL
/* Room for the buffers to move by, in pages (see pagerange_fig_io()). */
#define PAGERANGE_IO_SKEW	64UL
/* Bytes each repetition moves, whatever the size of one copy. */
#define PAGERANGE_IO_BYTES	(16UL << 20)

/* MB/s (10^6 bytes) of @loops copies of @len bytes. */
static double pagerange_mbps(double ns, unsigned long len, unsigned long loops)
{
	return (double)len * loops / ns * 1e3;
}

static double pagerange_io_mbps(int fd, unsigned long cmd, char *buf,
				unsigned long len, unsigned long loops)
{
	double t0, t1;
	unsigned long i;

	t0 = pagerange_now_ns();
	for (i = 0; i < loops; i++)
		pagerange_io(fd, cmd, 0, len, buf);
	t1 = pagerange_now_ns();
	return pagerange_mbps(t1 - t0, len, loops);
}

static double pagerange_memcpy_mbps(char *dst, const char *src,
				    unsigned long len, unsigned long loops)
{
	double t0, t1;
	unsigned long i;

	t0 = pagerange_now_ns();
	for (i = 0; i < loops; i++) {
		memcpy(dst, src, len);
		pagerange_clobber(dst);
	}
	t1 = pagerange_now_ns();
	return pagerange_mbps(t1 - t0, len, loops);
}

/*
 * The instruction the kernel's copy_to_user() and copy_from_user() use on
 * CPUs with ERMS. libc's memcpy() picks vector loops instead at some sizes,
 * which an emulator such as TCG may run several times faster: this row
 * tells such a copy apart from a cost of the driver's own.
 */
#if defined(__x86_64__)
#define PAGERANGE_HAVE_REP_MOVSB 1
static double pagerange_rep_movsb_mbps(char *dst, const char *src,
				       unsigned long len, unsigned long loops)
{
	double t0, t1;
	unsigned long i;
	void *d;
	const void *s;
	size_t n;

	t0 = pagerange_now_ns();
	for (i = 0; i < loops; i++) {
		d = dst;
		s = src;
		n = len;
		__asm__ __volatile__("rep movsb"
				     : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	}
	t1 = pagerange_now_ns();
	return pagerange_mbps(t1 - t0, len, loops);
}
#else
#define PAGERANGE_HAVE_REP_MOVSB 0
static double pagerange_rep_movsb_mbps(char *dst, const char *src,
				       unsigned long len, unsigned long loops)
{
	return pagerange_memcpy_mbps(dst, src, len, loops);
}
#endif

static void pagerange_fig_io(void)
{
	double wr[PAGERANGE_MAX_REPS], rd[PAGERANGE_MAX_REPS];
	double cp[PAGERANGE_MAX_REPS], rep[PAGERANGE_MAX_REPS], m_cp;
	unsigned long pages = PAGERANGE_IO_MAX / pagerange_page_size;
	unsigned long len, loops, span;
	struct pagerange_row *r;
	char *map, *base, *src, *dst;
	size_t s;
	int fd, i;

	fd = pagerange_open_range(pages, &map);
	pagerange_use(fd, 0, pages);
	/*
	 * Both buffers in one mapping, an odd number of pages apart and at
	 * other addresses in each repetition: buffers a power of two apart,
	 * or unlucky against the driver's pages, alias in an emulator's
	 * direct-mapped software TLB (QEMU's TCG), which makes byte-wise
	 * copies between them many times slower. The median then measures
	 * the copy, not the placement.
	 */
	span = 2 * PAGERANGE_IO_MAX + PAGERANGE_IO_SKEW * pagerange_page_size;
	base = pagerange_anon(span, MAP_POPULATE);
	memset(base, 0x5a, span);

	for (s = 0; s < PAGERANGE_ARRAY_SIZE(pagerange_io_sizes); s++) {
		len = pagerange_io_sizes[s];
		loops = pagerange_loops(PAGERANGE_IO_BYTES / len);
		pagerange_progress("figure 4: WRITE/READ of %lu KiB", len >> 10);
		for (i = 0; i < pagerange_reps; i++) {
			src = base + (i * 5 % 16) * pagerange_page_size;
			dst = src + PAGERANGE_IO_MAX +
			      (17 + 2 * (i % 7)) * pagerange_page_size;
			wr[i] = pagerange_io_mbps(fd, PAGERANGE_IOC_WRITE, src,
						  len, loops);
			rd[i] = pagerange_io_mbps(fd, PAGERANGE_IOC_READ, dst,
						  len, loops);
			cp[i] = pagerange_memcpy_mbps(dst, src, len, loops);
			rep[i] = pagerange_rep_movsb_mbps(dst, src, len,
							  loops);
		}
		m_cp = pagerange_median(cp, pagerange_reps);
		r = pagerange_add_row(4, "write", len >> 10, "KiB",
				      pagerange_median(wr, pagerange_reps),
				      "MB/s", "memcpy", m_cp);
		if (len >= 65536)
			pagerange_goal_at_least(r, 0.8, ">=0.8x");
		r = pagerange_add_row(4, "read", len >> 10, "KiB",
				      pagerange_median(rd, pagerange_reps),
				      "MB/s", "memcpy", m_cp);
		if (len >= 65536)
			pagerange_goal_at_least(r, 0.8, ">=0.8x");
		if (PAGERANGE_HAVE_REP_MOVSB)
			pagerange_add_row(4, "rep_movsb", len >> 10, "KiB",
					  pagerange_median(rep, pagerange_reps),
					  "MB/s", "memcpy", m_cp);
	}
	if (memcmp(base, map, PAGERANGE_IO_MAX))
		pagerange_die("the mapping does not hold what WRITE copied");
	munmap(base, span);
	pagerange_close_range(fd, map, pages);
}

/* ---- figures 5 and 7: reclaim ---------------------------------------- */

struct pagerange_reclaim {
	double ns;		/* the drop_caches write, its baseline subtracted */
	long freed;		/* pages the shrinker freed during it */
};

/*
 * Spread PAGERANGE_RECLAIM_PAGES reclaimable pages over @nr_ranges ranges
 * and time one drop_caches, less an empty drop_caches just before it. The
 * fds are closed once the pages are reclaimable (each mapping keeps its
 * range alive), so 1024 ranges need no more than a few fds.
 *
 * With @unmapped, the ranges are unmapped before the drop and their fds
 * kept open: the shrinker then frees pages that no PTE maps any more, with
 * no mmap lock, vma lookup, zap or TLB flush. The difference is what the
 * zap costs.
 *
 * pagerange_reclaim_by() times @reclaim_ns in place of drop_caches, and
 * subtracts its time with nothing to reclaim only if @baseline.
 */
static struct pagerange_reclaim
pagerange_reclaim_by(unsigned long nr_ranges, bool unmapped,
		     double (*reclaim_ns)(void), bool baseline)
{
	unsigned long i, pages = PAGERANGE_RECLAIM_PAGES / nr_ranges;
	struct pagerange_reclaim res;
	double base = 0, loaded;
	char **maps;
	long before;
	int *fds;

	maps = calloc(nr_ranges, sizeof(*maps));
	fds = calloc(nr_ranges, sizeof(*fds));
	if (!maps || !fds)
		pagerange_die("calloc");
	if (baseline)
		base = reclaim_ns();
	for (i = 0; i < nr_ranges; i++) {
		fds[i] = pagerange_open_range(pages, &maps[i]);
		pagerange_use(fds[i], 0, pages);
		pagerange_stop(fds[i], 0, pages);
		if (unmapped) {
			munmap(maps[i], pages * pagerange_page_size);
		} else {
			close(fds[i]);
			fds[i] = -1;
		}
	}
	before = pagerange_reclaimed_total();
	loaded = reclaim_ns();
	res.freed = pagerange_reclaimed_total() - before;
	res.ns = loaded - base;
	for (i = 0; i < nr_ranges; i++) {
		if (unmapped)
			close(fds[i]);
		else
			munmap(maps[i], pages * pagerange_page_size);
	}
	free(maps);
	free(fds);
	return res;
}

/* The same, with drop_caches and its baseline: figures 5 and 7. */
static struct pagerange_reclaim
pagerange_reclaim_once(unsigned long nr_ranges, bool unmapped)
{
	return pagerange_reclaim_by(nr_ranges, unmapped,
				    pagerange_drop_caches_ns, true);
}

static double pagerange_munmap_ns(unsigned long pages)
{
	size_t len = pages * pagerange_page_size;
	char *p = pagerange_anon(len, MAP_POPULATE);
	double t0, t1;

	t0 = pagerange_now_ns();
	munmap(p, len);
	t1 = pagerange_now_ns();
	return t1 - t0;
}

static void pagerange_fig_reclaim_rate(void)
{
	double rate[PAGERANGE_MAX_REPS], unmap[PAGERANGE_MAX_REPS];
	double bare[PAGERANGE_MAX_REPS], m_unmap;
	unsigned long pages = PAGERANGE_RECLAIM_PAGES;
	struct pagerange_reclaim res;
	struct pagerange_row *r;
	int i;

	pagerange_progress("figure 5: drop_caches over 16 ranges of %lu pages",
			   pages / 16);
	for (i = 0; i < pagerange_reps; i++) {
		res = pagerange_reclaim_once(16, false);
		if (res.freed != (long)pages)
			pagerange_progress("  drop_caches freed %ld of %lu pages",
					   res.freed, pages);
		rate[i] = res.freed / res.ns * 1e9;
		unmap[i] = pages / pagerange_munmap_ns(pages) * 1e9;
		res = pagerange_reclaim_once(16, true);
		bare[i] = res.freed / res.ns * 1e9;
	}
	m_unmap = pagerange_median(unmap, pagerange_reps);
	r = pagerange_add_row(5, "reclaim_rate", pages >> 8, "MiB",
			      pagerange_median(rate, pagerange_reps),
			      "pages/s", "munmap", m_unmap);
	pagerange_goal_at_least(r, 0.5, ">=0.5x");
	pagerange_add_row(5, "reclaim_rate_unmapped", pages >> 8, "MiB",
			  pagerange_median(bare, pagerange_reps), "pages/s",
			  "munmap", m_unmap);
}

static const unsigned long pagerange_reclaim_ranges[] = {
	1, 4, 16, 64, 256, 1024
};

#define PAGERANGE_NR_SPREAD	PAGERANGE_ARRAY_SIZE(pagerange_reclaim_ranges)

/* Cost per page of one drop_caches over @n ranges; reports short reclaim. */
static double pagerange_reclaim_cost_ns(unsigned long n, bool unmapped)
{
	struct pagerange_reclaim res = pagerange_reclaim_once(n, unmapped);

	if (res.freed != (long)PAGERANGE_RECLAIM_PAGES)
		pagerange_progress("  %lu ranges%s: %ld of %lu freed", n,
				   unmapped ? ", unmapped" : "", res.freed,
				   PAGERANGE_RECLAIM_PAGES);
	return res.ns / (res.freed ? res.freed : 1);
}

static void pagerange_fig_reclaim_spread(void)
{
	double cost[PAGERANGE_NR_SPREAD][PAGERANGE_MAX_REPS];
	double bare[PAGERANGE_NR_SPREAD][PAGERANGE_MAX_REPS];
	double m_cost[PAGERANGE_NR_SPREAD];
	struct pagerange_row *r;
	unsigned long n;
	size_t s;
	int i;

	/* Every count in each repetition, so that noise hits them alike. */
	for (i = 0; i < pagerange_reps; i++) {
		pagerange_progress("figure 7: drop_caches over 1..1024 ranges, %d of %d",
				   i + 1, pagerange_reps);
		for (s = 0; s < PAGERANGE_NR_SPREAD; s++) {
			n = pagerange_reclaim_ranges[s];
			cost[s][i] = pagerange_reclaim_cost_ns(n, false);
			bare[s][i] = pagerange_reclaim_cost_ns(n, true);
		}
	}
	for (s = 0; s < PAGERANGE_NR_SPREAD; s++) {
		m_cost[s] = pagerange_median(cost[s], pagerange_reps);
		r = pagerange_add_row(7, "reclaim_cost",
				      pagerange_reclaim_ranges[s], "ranges",
				      m_cost[s], "ns/page", "one_range",
				      m_cost[0]);
		if (s) {
			r->goal = "0.8-1.2x";
			r->met = r->ratio >= 0.8 && r->ratio <= 1.2;
		}
	}
	for (s = 0; s < PAGERANGE_NR_SPREAD; s++)
		pagerange_add_row(7, "reclaim_cost_unmapped",
				  pagerange_reclaim_ranges[s], "ranges",
				  pagerange_median(bare[s], pagerange_reps),
				  "ns/page", "one_range", m_cost[0]);
}

/* ---- figure 6: transactions between two processes --------------------- */

struct pagerange_tx {
	int req[2];	/* receiver -> sender: "send the next one" */
	int tok[2];	/* sender -> receiver: "it is in the buffer" */
	pid_t sender;
	int fd;		/* /dev/pagerange, or the memfd */
	char *map;	/* the receiver's read-only view of the buffer */
	bool memfd;
};

static void pagerange_xread(int fd, void *buf, size_t len)
{
	if (read(fd, buf, len) != (ssize_t)len)
		pagerange_die("pipe read");
}

static void pagerange_xwrite(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len)
		pagerange_die("pipe write");
}

/*
 * The sender: on each request, make a page of the ring ready and copy a
 * 4 KiB message into it, stamped with its sequence number.
 */
static __noreturn void pagerange_tx_sender(struct pagerange_tx *tx)
{
	unsigned long ps = pagerange_page_size, page;
	char *msg = malloc(ps);
	uint64_t seq;

	if (!msg)
		pagerange_die("malloc");
	memset(msg, 0xa5, ps);
	for (;;) {
		pagerange_xread(tx->req[0], &seq, sizeof(seq));
		if (seq == UINT64_MAX)
			_exit(0);
		page = seq % PAGERANGE_TX_RING;
		memcpy(msg, &seq, sizeof(seq));
		if (tx->memfd) {
			if (pwrite(tx->fd, msg, ps, page * ps) != (ssize_t)ps)
				pagerange_die("pwrite memfd");
		} else {
			pagerange_use(tx->fd, page, page + 1);
			pagerange_io(tx->fd, PAGERANGE_IOC_WRITE, page * ps,
				     ps, msg);
		}
		pagerange_xwrite(tx->tok[1], &seq, sizeof(seq));
	}
}

static void pagerange_tx_start(struct pagerange_tx *tx, bool memfd)
{
	size_t len = PAGERANGE_TX_RING * pagerange_page_size;

	tx->memfd = memfd;
	if (pipe(tx->req) || pipe(tx->tok))
		pagerange_die("pipe");
	if (memfd) {
		tx->fd = memfd_create("pagerange-bench", MFD_CLOEXEC);
		if (tx->fd < 0 || ftruncate(tx->fd, len))
			pagerange_die("memfd");
		tx->map = mmap(NULL, len, PROT_READ, MAP_SHARED, tx->fd, 0);
		if (tx->map == MAP_FAILED)
			pagerange_die("mmap memfd");
	} else {
		tx->fd = pagerange_open_range(PAGERANGE_TX_RING, &tx->map);
	}
	fflush(NULL);
	tx->sender = fork();
	if (tx->sender < 0)
		pagerange_die("fork");
	if (!tx->sender)
		pagerange_tx_sender(tx);
	close(tx->req[0]);
	close(tx->tok[1]);
}

static void pagerange_tx_stop(struct pagerange_tx *tx)
{
	uint64_t quit = UINT64_MAX;
	int status;

	pagerange_xwrite(tx->req[1], &quit, sizeof(quit));
	if (waitpid(tx->sender, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		pagerange_die("the sender failed");
	close(tx->req[1]);
	close(tx->tok[0]);
	pagerange_close_range(tx->fd, tx->map,
			      PAGERANGE_TX_RING);
}

/* The receiver: request, wait, read the message through the mapping, release. */
static double pagerange_tx_run(struct pagerange_tx *tx, uint64_t *seq,
			       unsigned long count)
{
	unsigned long ps = pagerange_page_size, page, i;
	char *copy = malloc(ps);
	uint64_t got, stamp;
	double t0, t1;

	if (!copy)
		pagerange_die("malloc");
	t0 = pagerange_now_ns();
	for (i = 0; i < count; i++, (*seq)++) {
		pagerange_xwrite(tx->req[1], seq, sizeof(*seq));
		pagerange_xread(tx->tok[0], &got, sizeof(got));
		page = *seq % PAGERANGE_TX_RING;
		memcpy(copy, tx->map + page * ps, ps);
		pagerange_clobber(copy);
		if (!tx->memfd)
			pagerange_stop(tx->fd, page, page + 1);
		memcpy(&stamp, copy, sizeof(stamp));
		if (got != *seq || stamp != *seq) {
			errno = EIO;
			pagerange_die("transaction %llu read %llu",
				      (unsigned long long)*seq,
				      (unsigned long long)stamp);
		}
	}
	t1 = pagerange_now_ns();
	free(copy);
	return count / (t1 - t0) * 1e9;
}

/*
 * The sender's copy alone, 4 KiB into a page of each ring: the WRITE ioctl
 * against pwrite() to the memfd. ns per call.
 */
static double pagerange_tx_copy_ns(struct pagerange_tx *tx, char *msg,
				   unsigned long loops)
{
	unsigned long ps = pagerange_page_size, i;
	double t0, t1;

	if (!tx->memfd)
		pagerange_use(tx->fd, 0, 1);
	t0 = pagerange_now_ns();
	for (i = 0; i < loops; i++) {
		if (!tx->memfd)
			pagerange_io(tx->fd, PAGERANGE_IOC_WRITE, 0, ps, msg);
		else if (pwrite(tx->fd, msg, ps, 0) != (ssize_t)ps)
			pagerange_die("pwrite memfd");
	}
	t1 = pagerange_now_ns();
	if (!tx->memfd)
		pagerange_stop(tx->fd, 0, 1);
	return (t1 - t0) / loops;
}

static void pagerange_fig_tx(void)
{
	double pr[PAGERANGE_MAX_REPS], mf[PAGERANGE_MAX_REPS];
	unsigned long count = pagerange_loops(2000);
	uint64_t pr_seq = 0, mf_seq = 0;
	struct pagerange_tx tx_pr, tx_mf;
	struct pagerange_row *r;
	char *msg;
	int i;

	pagerange_progress("figure 6: transactions between two processes");
	pagerange_tx_start(&tx_pr, false);
	pagerange_tx_start(&tx_mf, true);
	pagerange_tx_run(&tx_pr, &pr_seq, PAGERANGE_TX_WARMUP);
	pagerange_tx_run(&tx_mf, &mf_seq, PAGERANGE_TX_WARMUP);
	for (i = 0; i < pagerange_reps; i++) {
		pr[i] = pagerange_tx_run(&tx_pr, &pr_seq, count);
		mf[i] = pagerange_tx_run(&tx_mf, &mf_seq, count);
	}
	r = pagerange_add_row(6, "transactions", 4, "KiB",
			      pagerange_median(pr, pagerange_reps), "tx/s",
			      "memfd", pagerange_median(mf, pagerange_reps));
	pagerange_goal_at_least(r, 1.0, ">=1.0x");

	/* Where a transaction's time goes: the sender's copy, by itself. */
	msg = malloc(pagerange_page_size);
	if (!msg)
		pagerange_die("malloc");
	memset(msg, 0xa5, pagerange_page_size);
	for (i = 0; i < pagerange_reps; i++) {
		pr[i] = pagerange_tx_copy_ns(&tx_pr, msg, count);
		mf[i] = pagerange_tx_copy_ns(&tx_mf, msg, count);
	}
	pagerange_add_row(6, "write_call", 4, "KiB",
			  pagerange_median(pr, pagerange_reps), "ns/call",
			  "memfd_pwrite", pagerange_median(mf, pagerange_reps));
	free(msg);
	pagerange_tx_stop(&tx_pr);
	pagerange_tx_stop(&tx_mf);
}

/* ---- main ------------------------------------------------------------- */

/* ---- figure 8: a memory cgroup's own reclaim ------------------------- */

static bool pagerange_cgroup_mounted, pagerange_cgroup_enabled;
static bool pagerange_cgroup_made;

/*
 * Make the benchmark's cgroup, with the memory controller, and move the
 * benchmark into it: the ranges it opens from then on are charged there.
 * Returns why not, or NULL.
 */
static const char *pagerange_cgroup_enter(void)
{
	char buf[256];

	if (pagerange_read_file(PAGERANGE_CGROUP_ROOT "/cgroup.controllers",
				buf, sizeof(buf))) {
		if (mount("none", PAGERANGE_CGROUP_ROOT, "cgroup2", 0, NULL))
			return "cgroup2 cannot be mounted";
		pagerange_cgroup_mounted = true;
		if (pagerange_read_file(PAGERANGE_CGROUP_ROOT "/cgroup.controllers",
					buf, sizeof(buf)))
			return "no cgroup2";
	}
	if (!strstr(buf, "memory"))
		return "no memory controller";
	if (pagerange_read_file(PAGERANGE_CGROUP_ROOT "/cgroup.subtree_control",
				buf, sizeof(buf)) || !strstr(buf, "memory")) {
		if (pagerange_write_file(PAGERANGE_CGROUP_ROOT "/cgroup.subtree_control",
					 "+memory"))
			return "cannot enable the memory controller";
		pagerange_cgroup_enabled = true;
	}
	if (mkdir(PAGERANGE_CGROUP, 0755) && errno != EEXIST)
		return "cannot create " PAGERANGE_CGROUP;
	pagerange_cgroup_made = true;
	if (access(PAGERANGE_CGROUP "/memory.reclaim", W_OK))
		return "no memory.reclaim (before 5.19)";
	if (pagerange_write_file(PAGERANGE_CGROUP "/cgroup.procs", "0"))
		return "cannot join " PAGERANGE_CGROUP;
	return NULL;
}

static void pagerange_cgroup_leave(void)
{
	pagerange_write_file(PAGERANGE_CGROUP_ROOT "/cgroup.procs", "0");
	if (pagerange_cgroup_made)
		rmdir(PAGERANGE_CGROUP);
	if (pagerange_cgroup_enabled)
		pagerange_write_file(PAGERANGE_CGROUP_ROOT "/cgroup.subtree_control",
				     "-memory");
	if (pagerange_cgroup_mounted)
		umount(PAGERANGE_CGROUP_ROOT);
}

/*
 * One write to the cgroup's memory.reclaim asking for the reclaim figures'
 * 64 MiB, timed: the reclaim a cgroup at its memory.max runs, started by
 * hand. It fails with EAGAIN if it got less, which the page count shows.
 */
static double pagerange_memory_reclaim_ns(void)
{
	int fd = open(PAGERANGE_CGROUP "/memory.reclaim", O_WRONLY | O_CLOEXEC);
	char amount[32];
	double t0, t1;
	int len;

	if (fd < 0)
		pagerange_die("open %s/memory.reclaim", PAGERANGE_CGROUP);
	len = snprintf(amount, sizeof(amount), "%lu",
		       PAGERANGE_RECLAIM_PAGES * pagerange_page_size);
	t0 = pagerange_now_ns();
	if (write(fd, amount, len) != len && errno != EAGAIN)
		pagerange_die("write %s/memory.reclaim", PAGERANGE_CGROUP);
	t1 = pagerange_now_ns();
	close(fd);
	return t1 - t0;
}

/*
 * 64 MiB of reclaimable pages in 16 ranges, charged to the benchmark's
 * cgroup, freed by the cgroup's own reclaim, against the same freed by
 * drop_caches, one after the other in each repetition. Neither time has a
 * baseline taken off: an empty memory.reclaim runs its retries to the end,
 * which a full one does not.
 */
static void pagerange_fig_memcg_reclaim(void)
{
	double memcg[PAGERANGE_MAX_REPS], drop[PAGERANGE_MAX_REPS];
	unsigned long pages = PAGERANGE_RECLAIM_PAGES;
	struct pagerange_reclaim res;
	const char *why;
	int i;

	why = pagerange_cgroup_enter();
	if (why) {
		pagerange_progress("figure 8 skipped: %s", why);
		pagerange_cgroup_leave();
		return;
	}
	pagerange_progress("figure 8: memory.reclaim against drop_caches, %lu pages",
			   pages);
	for (i = 0; i < pagerange_reps; i++) {
		res = pagerange_reclaim_by(16, false,
					   pagerange_memory_reclaim_ns, false);
		if (res.freed != (long)pages)
			pagerange_progress("  memory.reclaim freed %ld of %lu pages",
					   res.freed, pages);
		memcg[i] = res.freed / res.ns * 1e9;
		res = pagerange_reclaim_by(16, false, pagerange_drop_caches_ns,
					   false);
		drop[i] = res.freed / res.ns * 1e9;
	}
	pagerange_cgroup_leave();
	pagerange_add_row(8, "memcg_reclaim_rate", pages >> 8, "MiB",
			  pagerange_median(memcg, pagerange_reps), "pages/s",
			  "drop_caches", pagerange_median(drop, pagerange_reps));
}

static char pagerange_old_max_size[64];
static char pagerange_old_thp[128];

/* "always madvise [never]" -> "never" */
static void pagerange_thp_selected(char *s)
{
	char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;

	if (!open || !close) {
		s[0] = '\0';
		return;
	}
	*close = '\0';
	memmove(s, open + 1, strlen(open + 1) + 1);
}

static void pagerange_setup(void)
{
	struct rlimit rl;
	cpu_set_t cpus;
	char size[32];

	/*
	 * One CPU for everything, the two processes of figure 6 included:
	 * figures then measure the driver, not wakeups across CPUs, which a
	 * virtual machine on a busy host makes erratic.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		pagerange_die("sched_setaffinity");

	if (access(PAGERANGE_DEV, F_OK))
		pagerange_die("%s (is the module loaded?)", PAGERANGE_DEV);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Figure 7 puts all 64 MiB in one range. */
	if (pagerange_read_file(PAGERANGE_MAX_SIZE, pagerange_old_max_size,
				sizeof(pagerange_old_max_size)))
		pagerange_die("read %s", PAGERANGE_MAX_SIZE);
	snprintf(size, sizeof(size), "%lu",
		 PAGERANGE_RECLAIM_PAGES * pagerange_page_size);
	if (pagerange_write_file(PAGERANGE_MAX_SIZE, size))
		pagerange_die("write %s", PAGERANGE_MAX_SIZE);
	/*
	 * The driver maps 4 KiB pages; so must the references, or a huge
	 * page would stand in for 512 faults.
	 */
	if (!pagerange_read_file(PAGERANGE_THP, pagerange_old_thp,
				 sizeof(pagerange_old_thp))) {
		pagerange_thp_selected(pagerange_old_thp);
		pagerange_write_file(PAGERANGE_THP, "never");
	}
}

static void pagerange_restore(void)
{
	pagerange_write_file(PAGERANGE_MAX_SIZE, pagerange_old_max_size);
	if (pagerange_old_thp[0])
		pagerange_write_file(PAGERANGE_THP, pagerange_old_thp);
}

static void pagerange_usage(void)
{
	fprintf(stderr,
		"usage: pagerange-bench [-r REPS] [-s SCALE]\n"
		"  -r REPS   repetitions of each measurement, 1..%d (default 11)\n"
		"  -s SCALE  multiply every loop count by SCALE (default 1)\n"
		"  -f LIST   only these figures, e.g. -f 1,5,7 (2 comes with 1)\n",
		PAGERANGE_MAX_REPS);
	exit(2);
}

int main(int argc, char **argv)
{
	double t0 = pagerange_now_ns();
	char *list, *tok;
	int opt;

	while ((opt = getopt(argc, argv, "f:r:s:")) != -1) {
		switch (opt) {
		case 'r':
			pagerange_reps = atoi(optarg);
			break;
		case 's':
			pagerange_scale = atof(optarg);
			break;
		case 'f':
			pagerange_figures = 0;
			list = optarg;
			while ((tok = strsep(&list, ",")))
				pagerange_figures |= 1u << (atoi(tok) & 31);
			if (pagerange_figures & 1u << 2)
				pagerange_figures |= 1u << 1;
			break;
		default:
			pagerange_usage();
		}
	}
	if (optind != argc || pagerange_reps < 1 ||
	    pagerange_reps > PAGERANGE_MAX_REPS || pagerange_scale <= 0)
		pagerange_usage();
	pagerange_page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	pagerange_setup();
	pagerange_progress("%d repetitions of each measurement, medians reported",
			   pagerange_reps);
	if (pagerange_figures & 1u << 1)
		pagerange_fig_cold();
	if (pagerange_figures & 1u << 3)
		pagerange_fig_hot();
	if (pagerange_figures & 1u << 4)
		pagerange_fig_io();
	if (pagerange_figures & 1u << 5)
		pagerange_fig_reclaim_rate();
	if (pagerange_figures & 1u << 6)
		pagerange_fig_tx();
	if (pagerange_figures & 1u << 7)
		pagerange_fig_reclaim_spread();
	if (pagerange_figures & 1u << 8)
		pagerange_fig_memcg_reclaim();
	pagerange_restore();
	pagerange_progress("done in %.0f s", (pagerange_now_ns() - t0) / 1e9);

	pagerange_print_table();
	pagerange_print_csv();
	return 0;
}
