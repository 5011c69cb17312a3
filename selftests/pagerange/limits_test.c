// SPDX-License-Identifier: GPL-2.0
/*
 * The limits on what ranges may hold: the max_pages module parameter caps
 * the pages of all ranges together, and every page is charged to the
 * memory cgroup of the range's owner. Beyond either, when nothing can be
 * reclaimed, USE_RANGE fails with ENOMEM and changes nothing; nobody is
 * OOM-killed. A kill ends a large USE_RANGE at once.
 */
#include "pagerange_test.h"

#include <sched.h>
#include <time.h>

#define NPAGES		64
#define CAP		8	/* pages the tests may add under the cap */

#define CGROUP_NAME	PRT_CGROUP_ROOT "/pagerange_limits_test"
#define MEMCG_MAX	(16 << 20)
#define MEMCG_RANGE	(64 << 20)	/* more than the cgroup may hold */
#define MEMCG_STEP	256		/* pages per USE_RANGE */
#define PMD_PAGES	512		/* pages one page table maps */

/* ---- the global cap ---- */

FIXTURE(cap) {
	struct prlib_stats before;
	long long saved;
	int fd;
	unsigned char *map;
	const char *why;
};

FIXTURE_SETUP(cap)
{
	self->fd = -1;
	self->map = MAP_FAILED;
	self->saved = prt_read_ll(PRT_MAX_PAGES_PARAM);
	if (self->saved < 0) {
		self->why = PRT_MAX_PAGES_PARAM " is missing";
		/*
		 * A failure ends the test here; the 6.1 harness runs the test
		 * body after a SKIP().
		 */
		PRTEST_NEED(false, return, "%s", self->why);
	}
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    NPAGES * prlib_page_size);
}

FIXTURE_TEARDOWN(cap)
{
	if (self->why)
		return;
	/* Whatever happened, the cap goes back to what it was. */
	EXPECT_EQ(0, prt_write_ll(PRT_MAX_PAGES_PARAM, self->saved));
	prtest_teardown_mapped(_metadata, &self->before, self->fd,
			       self->map, NPAGES * prlib_page_size);
}

/* Set the cap to the pages that exist now plus @room: the new cap. */
static long long cap_at(struct __test_metadata *_metadata, long long room)
{
	long long cap = prlib_stat("pages_present") + room;

	EXPECT_EQ(0, prt_write_ll(PRT_MAX_PAGES_PARAM, cap));
	EXPECT_EQ(cap, prt_read_ll(PRT_MAX_PAGES_PARAM));
	return cap;
}

/* A failing USE_RANGE of [first, end) leaves GET_INFO and the counters as they were. */
static void expect_enomem_changes_nothing(struct __test_metadata *_metadata,
					  int fd, __u64 first, __u64 end)
{
	struct pagerange_info before, after;
	struct prlib_stats s0, s1;

	ASSERT_EQ(0, prlib_get_info(fd, &before));
	prlib_stats_read(&s0);
	EXPECT_EQ(-ENOMEM, prlib_use_range(fd, first, end));
	ASSERT_EQ(0, prlib_get_info(fd, &after));
	prlib_stats_read(&s1);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(s0.pages_present, s1.pages_present);
}

TEST_F(cap, use_range_beyond_max_pages_fails_enomem_and_changes_nothing)
{
	long long cap;

	if (self->why)
		SKIP(return, "%s", self->why);
	cap = cap_at(_metadata, CAP);
	prtest_use_and_fill(_metadata, self->fd, 0, CAP, 1);
	EXPECT_EQ(cap, prlib_stat("pages_present"));

	expect_enomem_changes_nothing(_metadata, self->fd, CAP, CAP + 1);
	/* A span of in-use pages and one missing: still nothing changes. */
	expect_enomem_changes_nothing(_metadata, self->fd, CAP / 2, CAP + 4);
	/* Nothing half-allocated was mapped, the pages in use kept their data. */
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + CAP * prlib_page_size, NULL));
	EXPECT_EQ(-1, prlib_check(self->map, CAP * prlib_page_size, 1));
	/* Pages already present need no room. */
	EXPECT_EQ(0, prlib_use_range(self->fd, 0, CAP));
}

TEST_F(cap, reclaim_and_close_make_room_under_max_pages)
{
	struct pagerange_info info;
	unsigned char *map2;
	int fd2;

	if (self->why)
		SKIP(return, "%s", self->why);
	cap_at(_metadata, CAP);
	ASSERT_EQ(CAP, prlib_use_range(self->fd, 0, CAP));
	EXPECT_EQ(-ENOMEM, prlib_use_range(self->fd, CAP, CAP + 1));

	/* The shrinker frees four pages: four more fit. */
	ASSERT_EQ(4, prlib_stop_using(self->fd, 4, CAP));
	prtest_reclaim_info(_metadata, self->fd, &info);
	ASSERT_EQ(4, info.pages_present);
	EXPECT_EQ(4, prlib_use_range(self->fd, CAP, CAP + 4));
	EXPECT_EQ(-ENOMEM, prlib_use_range(self->fd, CAP + 4, CAP + 5));

	/* Another range holds two of the pages; closing it gives them back. */
	ASSERT_EQ(4, prlib_stop_using(self->fd, CAP, CAP + 4));
	prtest_reclaim_info(_metadata, self->fd, &info);
	fd2 = prlib_open();
	ASSERT_LE(0, fd2);
	map2 = prlib_map(fd2, 2 * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map2);
	EXPECT_EQ(2, prlib_use_range(fd2, 0, 2));
	EXPECT_EQ(2, prlib_use_range(self->fd, CAP, CAP + 2));
	EXPECT_EQ(-ENOMEM, prlib_use_range(self->fd, CAP + 2, CAP + 3));
	EXPECT_EQ(0, munmap(map2, 2 * prlib_page_size));
	EXPECT_EQ(0, close(fd2));
	EXPECT_EQ(2, prlib_use_range(self->fd, CAP + 2, CAP + 4));
}

TEST_F(cap, max_pages_below_the_pages_held_keeps_them_and_refuses_new_ones)
{
	if (self->why)
		SKIP(return, "%s", self->why);
	prtest_use_and_fill(_metadata, self->fd, 0, CAP, 2);
	ASSERT_EQ(CAP, prlib_stop_using(self->fd, 0, CAP));
	cap_at(_metadata, -CAP / 2);
	/* Present pages, even reclaimable ones, are used again without room. */
	EXPECT_EQ(0, prlib_use_range(self->fd, 0, CAP));
	EXPECT_EQ(-1, prlib_check(self->map, CAP * prlib_page_size, 2));
	expect_enomem_changes_nothing(_metadata, self->fd, CAP, CAP + 1);
}

TEST_F(cap, max_pages_zero_means_no_limit)
{
	if (self->why)
		SKIP(return, "%s", self->why);
	cap_at(_metadata, 1);
	EXPECT_EQ(-ENOMEM, prlib_use_range(self->fd, 0, 2));
	ASSERT_EQ(0, prt_write_ll(PRT_MAX_PAGES_PARAM, 0));
	EXPECT_EQ(NPAGES, prlib_use_range(self->fd, 0, NPAGES));
}

/* ---- memory cgroup charging ---- */

/*
 * What the child in the cgroup and the test share: the child publishes its
 * phase and figures, the test answers through @go.
 */
struct memcg_shared {
	volatile int phase;	/* 1: ready, 2: at the limit, 3: done */
	volatile int go;	/* 1: in the cgroup, 2: figures read */
	volatile long long in_use;	/* pages in use at the limit */
	volatile long long failed_err;	/* the failing USE_RANGE's result */
	volatile int unchanged;	/* GET_INFO identical across it */
	volatile int step;	/* which step of the child failed */
};

FIXTURE(memcg) {
	struct prlib_stats before;
	long long saved_max_size;
	struct prt_cgroup_root root;
	bool created;
	const char *why;
	struct memcg_shared *sh;
	pid_t pid;
};

/* Make the cgroup with its memory.max: NULL, or why not. */
static const char *memcg_prepare(FIXTURE_DATA(memcg) *self)
{
	const char *why = prt_cgroup_init(&self->root);

	if (why)
		return why;
	if (mkdir(CGROUP_NAME, 0755))
		return "cannot create a cgroup";
	self->created = true;
	if (prt_write_ll(CGROUP_NAME "/memory.max", MEMCG_MAX))
		return "cannot set memory.max";
	return NULL;
}

FIXTURE_SETUP(memcg)
{
	prtest_stats_begin(_metadata, &self->before);
	self->saved_max_size = prt_max_size();
	ASSERT_LT(0, self->saved_max_size);
	self->sh = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	/* Charged to this cgroup, not the child's: it is touched here. */
	memset(self->sh, 0, prlib_page_size);
	self->why = memcg_prepare(self);
	if (self->why)
		SKIP(return, "%s", self->why);
	ASSERT_EQ(0, prt_set_max_size(MEMCG_RANGE));
}

FIXTURE_TEARDOWN(memcg)
{
	/* A test that gave up leaves its child waiting: the cgroup must empty. */
	prt_kill_child(&self->pid);
	EXPECT_EQ(0, prt_set_max_size(self->saved_max_size));
	if (self->created)
		EXPECT_EQ(0, rmdir(CGROUP_NAME));
	prt_cgroup_fini(&self->root);
	munmap(self->sh, prlib_page_size);
	prlib_stats_settle(&self->before, 5000);
	prtest_expect_stats(_metadata, &self->before);
}

static void memcg_wait(volatile int *what, int value)
{
	int i;

	for (i = 0; *what < value && i < 60 * 1000; i++)
		usleep(1000);
}

/*
 * The child: its stack is touched before it joins the cgroup, so that at
 * the limit only the driver allocates. It must not fault in a new page
 * there: that could invoke the memcg OOM killer. It opens the range once
 * in the cgroup, which makes the cgroup the range's.
 */
static int memcg_child(struct memcg_shared *sh)
{
	__u64 npages = MEMCG_RANGE / prlib_page_size, i;
	struct pagerange_info before, after;
	volatile char stack[16384];
	long ret;
	int fd;

	memset((char *)stack, 0, sizeof(stack));
	sh->phase = 1;
	memcg_wait(&sh->go, 1);
	fd = prlib_open();
	if (fd < 0)
		return 1;
	if (prlib_map(fd, MEMCG_RANGE) == MAP_FAILED)
		return 2;

	/*
	 * One page under each page table first, while far from the limit:
	 * later inserts then never allocate a page table, and the pages are
	 * the only thing charged at the limit.
	 */
	for (i = 0; i < npages; i += PMD_PAGES) {
		if (prlib_use_range(fd, i, i + 1) != 1)
			return 3;
	}
	for (i = 0; i < npages; i += MEMCG_STEP) {
		if (prlib_get_info(fd, &before))
			return 4;
		ret = prlib_use_range(fd, i, i + MEMCG_STEP);
		if (ret < 0)
			break;
	}
	if (prlib_get_info(fd, &after))
		return 5;
	sh->failed_err = i < npages ? ret : 0;
	sh->unchanged = !memcmp(&before, &after, sizeof(before));
	sh->in_use = after.pages_in_use;
	sh->phase = 2;
	memcg_wait(&sh->go, 2);
	return 0;
}

TEST_F_TIMEOUT(memcg, use_range_beyond_memory_max_fails_enomem_without_oom, 120)
{
	long long base, current, oom_kill_before;
	unsigned char *map;
	int fd, status;
	pid_t pid;

	if (self->why)
		SKIP(return, "%s", self->why);
	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(memcg_child(self->sh));
	self->pid = pid;
	memcg_wait(&self->sh->phase, 1);
	ASSERT_EQ(1, self->sh->phase);
	ASSERT_EQ(0, prt_cgroup_enter(CGROUP_NAME, pid));
	base = prt_read_ll(CGROUP_NAME "/memory.current");
	ASSERT_LE(0, base);
	oom_kill_before = prt_cgroup_key(CGROUP_NAME, "memory.events",
					 "oom_kill");
	ASSERT_LE(0, oom_kill_before);
	self->sh->go = 1;

	memcg_wait(&self->sh->phase, 2);
	ASSERT_EQ(2, self->sh->phase);
	current = prt_read_ll(CGROUP_NAME "/memory.current");
	prtest_diag("memory.max %d KiB: %lld pages in use (%lld KiB) at ENOMEM",
		    MEMCG_MAX >> 10, self->sh->in_use,
		    self->sh->in_use * (long long)prlib_page_size >> 10);
	prtest_diag("memory.current %lld KiB (%lld KiB before)",
		    current >> 10, base >> 10);
	EXPECT_EQ(-ENOMEM, self->sh->failed_err);
	EXPECT_TRUE(self->sh->unchanged);
	/* The pages in use were charged to the cgroup. */
	EXPECT_LE(self->sh->in_use * (long long)prlib_page_size, current - base);
	EXPECT_LE(MEMCG_MAX / 4 * 3, self->sh->in_use * (long long)prlib_page_size);

	/* Outside the cgroup, pages are still there to be had. */
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, 4 << 20);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(MEMCG_STEP, prlib_use_range(fd, 0, MEMCG_STEP));
	EXPECT_EQ(0, munmap(map, 4 << 20));
	EXPECT_EQ(0, close(fd));

	self->sh->go = 2;
	/* The child was not killed: it exits normally, with its own status. */
	status = prlib_wait_exit(pid);
	self->pid = 0;
	EXPECT_EQ(0, status);
	EXPECT_EQ(oom_kill_before,
		  prt_cgroup_key(CGROUP_NAME, "memory.events", "oom_kill"));
	/* Its pages were uncharged with its range. */
	EXPECT_GT(MEMCG_MAX / 4, prt_read_ll(CGROUP_NAME "/memory.current"));
}

/* ---- a kill during a large USE_RANGE ---- */

#define LARGEST_RANGE	(256LL << 20)	/* what max_size allows at most */
#define KILL_AFTER	256		/* pages the child allocates first */
#define KILL_SECONDS	60		/* the most a test waits for either */

FIXTURE(kill) {
	struct prlib_stats before;
	long long saved_max_size;
	const char *why;
	pid_t pid;
};

FIXTURE_SETUP(kill)
{
	cpu_set_t cpus;

	prtest_stats_begin(_metadata, &self->before);
	self->saved_max_size = prt_max_size();
	ASSERT_LT(0, self->saved_max_size);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(cpus), &cpus));
	if (CPU_COUNT(&cpus) < 2) {
		self->why = "needs two CPUs: one allocates while the other watches";
		SKIP(return, "%s", self->why);
	}
	ASSERT_EQ(0, prt_set_max_size(LARGEST_RANGE));
}

FIXTURE_TEARDOWN(kill)
{
	prt_kill_child(&self->pid);
	EXPECT_EQ(0, prt_set_max_size(self->saved_max_size));
	prlib_stats_settle(&self->before, 5000);
	prtest_expect_stats(_metadata, &self->before);
}

/* The child: map the largest range and ask for every page of it. */
static int kill_child(void)
{
	__u64 npages = LARGEST_RANGE / prlib_page_size;
	int fd;

	fd = prlib_open();
	if (fd < 0 || prlib_map(fd, LARGEST_RANGE) == MAP_FAILED)
		return 1;
	prlib_use_range(fd, 0, npages);
	return 2;	/* it should have died first */
}

/*
 * SIGKILL while a USE_RANGE of the largest range is allocating ends it at
 * once: the allocation stops within a few pages of the kill, instead of
 * going on to the 65,536th page (a victim of the OOM killer would take
 * them from the memory reserves). The child dies of the signal and every
 * page it had is given back.
 */
TEST_F_TIMEOUT(kill, sigkill_stops_a_use_range_of_the_largest_range, 120)
{
	long long base = self->before.pages_present, npages, at_kill, peak, n;
	time_t end = time(NULL) + KILL_SECONDS;
	int status = 0;
	pid_t pid;

	if (self->why)
		SKIP(return, "%s", self->why);
	npages = LARGEST_RANGE / prlib_page_size;
	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(kill_child());
	self->pid = pid;

	while ((n = prlib_stat("pages_present")) < base + KILL_AFTER &&
	       time(NULL) < end)
		;
	ASSERT_LE(base + KILL_AFTER, n);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	at_kill = prlib_stat("pages_present");
	/* The kill came while the child was allocating: the test means something. */
	ASSERT_GT(base + npages / 2, at_kill);

	peak = at_kill;
	while (waitpid(pid, &status, WNOHANG) == 0 && time(NULL) < end) {
		n = prlib_stat("pages_present");
		if (n > peak)
			peak = n;
	}
	ASSERT_TRUE(WIFSIGNALED(status));
	self->pid = 0;
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	prtest_diag("killed at %lld pages, %lld more after the kill, of %lld",
		    at_kill - base, peak - at_kill, npages);
	EXPECT_GT(npages / 16, peak - at_kill);
	EXPECT_TRUE(prlib_stats_settle(&self->before, 5000));
	EXPECT_EQ(base, prlib_stat("pages_present"));
}

PAGERANGE_TEST_MAIN
