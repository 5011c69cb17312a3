// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's figures 8, 9 and D1 to D3: memory pressure, busy ranges,
 * and the memory of a discardable cache (tools/bench/README.md).
 */
#define _GNU_SOURCE
#include "bench.h"

/* ---- figure 8: a memory cgroup's own reclaim ------------------------- */

static struct prt_cgroup_root bench_cgroup_root;
static bool bench_cgroup_made;

static void bench_cgroup_leave(void)
{
	prt_cgroup_enter(PRT_CGROUP_ROOT, 0);
	if (bench_cgroup_made)
		rmdir(BENCH_CGROUP);
	prt_cgroup_fini(&bench_cgroup_root);
}

static const char *bench_cgroup_make(void)
{
	const char *why = prt_cgroup_init(&bench_cgroup_root);

	if (why)
		return why;
	if (mkdir(BENCH_CGROUP, 0755) && errno != EEXIST)
		return "cannot create " BENCH_CGROUP;
	bench_cgroup_made = true;
	if (access(BENCH_CGROUP "/memory.reclaim", W_OK))
		return "no memory.reclaim (before 5.19)";
	if (prt_cgroup_enter(BENCH_CGROUP, 0))
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

	ret = prt_cgroup_write(BENCH_CGROUP, "memory.reclaim",
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
void bench_fig_memcg_reclaim(void)
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
void bench_fig_busy_reclaim(void)
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

void bench_fig_d1(void)
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
		ret = prt_cgroup_write(BENCH_CGROUP, "memory.reclaim",
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
	__u32 x = PRT_DEFAULT_SEED;
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

void bench_fig_d2(void)
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

void bench_fig_d3(void)
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

