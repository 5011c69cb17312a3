// SPDX-License-Identifier: GPL-2.0
/*
 * Real memory pressure, without drop_caches: ranges full of reclaimable
 * pages, then a process that touches more anonymous memory than the system
 * has available. There is no swap, so our reclaimable pages are the memory
 * the kernel has to find: kswapd or direct reclaim must call the shrinker.
 * The pages in use keep their data, the reclaimed ones come back zero, and
 * nothing is OOM-killed.
 *
 * The hog is sized from /proc/meminfo at run time: MemAvailable plus half of
 * our reclaimable memory, so it fits only if the shrinker gives pages back,
 * and always fits once it has. It stops as soon as the shrinker has freed a
 * quarter of them.
 */
#include "pagerange_test.h"

#include <time.h>

#define NRANGES		8
#define RANGE_SIZE	(16UL << 20)
#define IN_USE_PAGES	4	/* the first pages of each range stay in use */
#define HOG_CHUNK	(1024 * 1024UL)
#define HOG_SECONDS	240	/* the hog is killed after that */
#define MIB(bytes)	((unsigned long long)(bytes) >> 20)

/* What the hog tells the test, in memory they share. */
struct hog_report {
	unsigned long size;	/* bytes it meant to touch */
	unsigned long touched;	/* bytes it touched */
	long long reclaimed;	/* pages the shrinker had freed when it stopped */
};

FIXTURE(pressure) {
	struct prlib_stats before;
	long long max_size;
	int fds[NRANGES];
	unsigned char *maps[NRANGES];
	size_t pages;
	struct hog_report *hog;
};

FIXTURE_SETUP(pressure)
{
	int r;

	prtest_stats_begin(_metadata, &self->before);
	for (r = 0; r < NRANGES; r++) {
		self->fds[r] = -1;
		self->maps[r] = MAP_FAILED;
	}
	self->pages = RANGE_SIZE / prlib_page_size;
	self->max_size = prt_max_size();
	ASSERT_LT(0, self->max_size);
	if (self->max_size < (long long)RANGE_SIZE)
		ASSERT_EQ(0, prt_set_max_size(RANGE_SIZE));
	self->hog = mmap(NULL, sizeof(*self->hog), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->hog);
}

FIXTURE_TEARDOWN(pressure)
{
	int r;

	for (r = 0; r < NRANGES; r++) {
		if (self->maps[r] != MAP_FAILED)
			EXPECT_EQ(0, munmap(self->maps[r], RANGE_SIZE));
		if (self->fds[r] >= 0)
			EXPECT_EQ(0, close(self->fds[r]));
	}
	if (self->max_size > 0 && self->max_size < (long long)RANGE_SIZE)
		EXPECT_EQ(0, prt_set_max_size(self->max_size));
	munmap(self->hog, sizeof(*self->hog));
	prtest_expect_stats(_metadata, &self->before);
}

/* A field of /proc/meminfo in bytes, or -1. */
static long long meminfo_bytes(const char *name)
{
	long long kb;
	char key[64];

	snprintf(key, sizeof(key), "%s:", name);
	kb = prlib_file_value(fopen("/proc/meminfo", "re"), key);
	return kb < 0 ? -1 : kb << 10;
}

/* A counter of /proc/vmstat, or -1. */
static long long vmstat_counter(const char *name)
{
	return prlib_file_value(fopen("/proc/vmstat", "re"), name);
}

/* Each page starts with its own stamp, so it tells data from zero. */
static void stamp(unsigned char *page, int r, size_t i)
{
	__u64 s[2] = { 0x5052455353555245ULL ^ r, i + 1 };

	memcpy(page, s, sizeof(s));
}

static bool stamped(const unsigned char *page, int r, size_t i)
{
	unsigned char want[16];

	stamp(want, r, i);
	return !memcmp(page, want, sizeof(want)) &&
	       prlib_find_not(page + sizeof(want),
			      prlib_page_size - sizeof(want), 0x5a) < 0;
}

/* Fill a range with stamped pages, all reclaimable but the first few. */
static void fill_range(struct __test_metadata *_metadata,
		       FIXTURE_DATA(pressure) *self, int r, unsigned char *buf)
{
	size_t i;

	self->fds[r] = prlib_open();
	ASSERT_LE(0, self->fds[r]);
	self->maps[r] = prlib_map(self->fds[r], RANGE_SIZE);
	ASSERT_NE(MAP_FAILED, self->maps[r]);
	memset(buf, 0x5a, RANGE_SIZE);
	for (i = 0; i < self->pages; i++)
		stamp(buf + i * prlib_page_size, r, i);
	ASSERT_EQ(self->pages, prlib_use_range(self->fds[r], 0,
					       self->pages));
	ASSERT_EQ(0, prlib_write(self->fds[r], 0, buf, RANGE_SIZE));
	ASSERT_EQ(self->pages - IN_USE_PAGES,
		  prlib_stop_using(self->fds[r], IN_USE_PAGES,
				   self->pages));
}

/*
 * The hog: touch @size bytes of anonymous memory, a chunk at a time, until
 * done or until the shrinker has freed @enough pages since @reclaimed. The
 * OOM killer would pick it first; it dies with the test.
 */
static void __attribute__((noreturn))
hog_run(struct hog_report *rep, long long reclaimed, long long enough)
{
	unsigned char *p;
	size_t off, i;

	prlib_die_with_parent();
	prlib_write_file("/proc/self/oom_score_adj", "1000");
	p = mmap(NULL, rep->size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (off = 0; off < rep->size; off += HOG_CHUNK) {
		size_t len = rep->size - off < HOG_CHUNK ?
			     rep->size - off : HOG_CHUNK;

		for (i = 0; i < len; i += prlib_page_size)
			p[off + i] = 1;
		rep->touched = off + len;
		rep->reclaimed = prlib_stat("pages_reclaimed") - reclaimed;
		if (rep->reclaimed >= enough)
			break;
	}
	_exit(0);
}

/* Wait for the hog, killing it after HOG_SECONDS: its exit code, or -signal. */
static int hog_wait(pid_t pid)
{
	time_t end = time(NULL) + HOG_SECONDS;
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (time(NULL) > end) {
			kill(pid, SIGKILL);
			return prlib_wait_exit(pid) ? -ETIMEDOUT : 0;
		}
		usleep(50 * 1000);
	}
	return WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
}

/*
 * After the hog: the pages in use still hold their data, and USE_RANGE
 * brings back exactly the pages GET_INFO says were reclaimed, all zero,
 * while the others kept their stamps. Returns the pages reclaimed.
 */
static long long check_range(struct __test_metadata *_metadata,
			     FIXTURE_DATA(pressure) *self, int r)
{
	const unsigned char *map = self->maps[r];
	struct pagerange_info info;
	size_t i, zero = 0, bad = 0;

	for (i = 0; i < IN_USE_PAGES; i++)
		EXPECT_TRUE(stamped(map + i * prlib_page_size, r, i));
	EXPECT_EQ(0, prlib_get_info(self->fds[r], &info));
	EXPECT_EQ(IN_USE_PAGES, info.pages_in_use);
	EXPECT_EQ(self->pages, info.pages_present + info.pages_reclaimed);
	EXPECT_EQ(info.pages_reclaimed,
		  prlib_use_range(self->fds[r], 0, self->pages));
	for (i = 0; i < self->pages; i++) {
		const unsigned char *page = map + i * prlib_page_size;

		if (prlib_find_not(page, prlib_page_size, 0) < 0)
			zero++;
		else if (!stamped(page, r, i))
			bad++;
	}
	EXPECT_EQ(0, bad);
	EXPECT_EQ(info.pages_reclaimed, zero);
	return info.pages_reclaimed;
}

TEST_F_TIMEOUT(pressure, memory_hog_makes_the_shrinker_free_pages_without_drop_caches,
	       HOG_SECONDS + 60)
{
	long long total = meminfo_bytes("MemTotal"), available, reclaimable;
	long long reclaimed, scans, oom_kills, kswapd_runs, stalls;
	long long freed = 0;
	unsigned char *buf = malloc(RANGE_SIZE);
	pid_t pid;
	int r;

	ASSERT_NE(NULL, buf);
	for (r = 0; r < NRANGES; r++)
		fill_range(_metadata, self, r, buf);
	free(buf);

	reclaimable = prlib_stat("pages_reclaimable");
	ASSERT_LE(NRANGES * (self->pages - IN_USE_PAGES), reclaimable);
	available = meminfo_bytes("MemAvailable");
	ASSERT_LT(0, available);
	reclaimed = prlib_stat("pages_reclaimed");
	scans = prlib_stat("shrinker_scans");
	oom_kills = vmstat_counter("oom_kill");
	kswapd_runs = vmstat_counter("pageoutrun");
	stalls = vmstat_counter("allocstall_normal") + vmstat_counter("allocstall_movable");
	ASSERT_LE(0, reclaimed);

	/* More than is available, less than what our pages make available. */
	self->hog->size = available + reclaimable * prlib_page_size / 2;
	ASSERT_LT(self->hog->size, total);
	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid)
		hog_run(self->hog, reclaimed, reclaimable / 4);
	EXPECT_EQ(0, hog_wait(pid));

	prtest_diag("pressure: MemTotal %llu MiB, MemAvailable %llu MiB",
		    MIB(total), MIB(available));
	prtest_diag("pressure: %lld pages (%llu MiB) reclaimable",
		    reclaimable, MIB(reclaimable * prlib_page_size));
	prtest_diag("pressure: the hog touched %llu MiB of %llu MiB; shrinker scans %lld",
		    MIB(self->hog->touched), MIB(self->hog->size),
		    prlib_stat("shrinker_scans") - scans);
	/* Kernels without CONFIG_VM_EVENT_COUNTERS have none of these. */
	if (oom_kills >= 0 && kswapd_runs >= 0)
		prtest_diag("pressure: kswapd runs %lld, direct reclaim stalls %lld",
			    vmstat_counter("pageoutrun") - kswapd_runs,
			    vmstat_counter("allocstall_normal") +
			    vmstat_counter("allocstall_movable") - stalls);
	reclaimed = prlib_stat("pages_reclaimed") - reclaimed;
	prtest_diag("pressure: pages reclaimed under real pressure: %lld (%llu MiB)",
		    reclaimed, MIB(reclaimed * prlib_page_size));

	/*
	 * Nobody was OOM-killed (the hog would have been first: it exited
	 * normally, and we are still here), and the shrinker gave pages back.
	 * A kernel without VM event counters has no oom_kill count to add to
	 * that.
	 */
	if (oom_kills >= 0)
		EXPECT_EQ(oom_kills, vmstat_counter("oom_kill"));
	EXPECT_LT(0, reclaimed);
	for (r = 0; r < NRANGES; r++)
		freed += check_range(_metadata, self, r);
	if (!self->before.pages_reclaimable)
		EXPECT_EQ(reclaimed, freed);
}

PAGERANGE_TEST_MAIN
