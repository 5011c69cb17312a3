// SPDX-License-Identifier: GPL-2.0
/*
 * Memory accounting where the kernel looks for it. A range and everything
 * allocated for it are charged to the memory cgroup of its owner (the
 * opener), whoever allocates them: a remote writer's USE_RANGE charges the
 * owner. A cgroup at its memory.max reclaims its own idle pages, and only
 * its own, before USE_RANGE fails. The pages a range maps count in its
 * owner's RSS (RssFile, and so VmRSS) while their PTEs exist.
 *
 * The memcg fixture needs cgroup2 with the memory controller and skips
 * without it. Each child that runs in a cgroup touches its stack and opens
 * its ranges there, and faults in nothing else: at the limit only the
 * driver allocates.
 */
#include "pagerange_test.h"

#define CG_BASE		PAGERANGE_CGROUP_ROOT "/pagerange_accounting_test"
#define MAX_CGROUPS	3
#define MAX_CHILDREN	3
#define MAX_RANGES	8
#define RANGE_BYTES	(4 << 20)
#define WAIT_SECONDS	120
/*
 * How far RssFile may stray from the pages the driver counted: /proc reads
 * the mm's counter, which trails the task's own faults by up to 64 events
 * (6.1) or the per-CPU batches of its percpu_counter (6.2 on).
 */
#define RSS_SLACK_KB	512

/* What a child in a cgroup and the test share, in a MAP_SHARED page. */
struct acct_child {
	volatile int phase;	/* 1: ready, 2: ranges filled, 3: reported */
	volatile int go;	/* what the test lets the child do next */
	volatile int nr_ok;	/* ranges that were filled */
	volatile long long err;	/* the failing call's result */
	volatile long long reclaimed[MAX_RANGES];
	volatile long long reclaimable[MAX_RANGES];
};

FIXTURE(memcg) {
	struct prlib_stats before;
	struct prlib_cgroup_root root;
	const char *why;
	char cg[MAX_CGROUPS][128];
	int nr_cg;
	bool moved;	/* the test itself joined a cgroup */
	pid_t pid[MAX_CHILDREN];
	struct acct_child *sh;	/* one per child */
};

FIXTURE_SETUP(memcg)
{
	prtest_stats_begin(_metadata, &self->before);
	self->sh = mmap(NULL, MAX_CHILDREN * sizeof(*self->sh),
			PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	/* Touched here: charged to the test's cgroup, not the children's. */
	memset(self->sh, 0, MAX_CHILDREN * sizeof(*self->sh));
	self->why = prlib_cgroup_init(&self->root);
	if (self->why)
		SKIP(return, "%s", self->why);
	if (mkdir(CG_BASE, 0755)) {
		self->why = "cannot create a cgroup";
		SKIP(return, "%s", self->why);
	}
	snprintf(self->cg[self->nr_cg++], sizeof(self->cg[0]), "%s", CG_BASE);
	ASSERT_EQ(0, prlib_write_file(CG_BASE "/cgroup.subtree_control",
				      "+memory"));
}

FIXTURE_TEARDOWN(memcg)
{
	int i;

	/* A test that gave up leaves children behind: the cgroups must empty. */
	for (i = 0; i < MAX_CHILDREN; i++)
		prlib_kill_child(&self->pid[i]);
	if (self->moved)
		EXPECT_EQ(0, prlib_cgroup_enter(PAGERANGE_CGROUP_ROOT, 0));
	for (i = self->nr_cg - 1; i >= 0; i--)
		if (self->cg[i][0])
			EXPECT_EQ(0, rmdir(self->cg[i]) ? -errno : 0);
	prlib_cgroup_fini(&self->root);
	munmap(self->sh, MAX_CHILDREN * sizeof(*self->sh));
	prlib_stats_settle(&self->before, 5000);
	prtest_expect_stats(_metadata, &self->before);
}

/* Make cgroup @name under the test's, with @max bytes of memory.max (0: none). */
static const char *cg_make(struct __test_metadata *_metadata,
			   FIXTURE_DATA(memcg) *self, const char *name,
			   long long max)
{
	char *cg = self->cg[self->nr_cg];

	snprintf(cg, sizeof(self->cg[0]), "%s/%s", CG_BASE, name);
	EXPECT_EQ(0, mkdir(cg, 0755) ? -errno : 0);
	self->nr_cg++;
	if (max)
		EXPECT_EQ(0, prlib_cgroup_write(cg, "memory.max", max));
	return cg;
}

static void acct_wait(volatile int *what, int value)
{
	int i;

	for (i = 0; *what < value && i < WAIT_SECONDS * 1000; i++)
		usleep(1000);
}

/*
 * A child that, once in its cgroup, opens @nr ranges of RANGE_BYTES and
 * makes each in use and then reclaimable, the way a process recycles its
 * buffers. It stops at the first failure. Then, when told, it reports each
 * range's GET_INFO, and, when told again, exits with its ranges.
 */
static int acct_fill(struct acct_child *sh, int nr)
{
	__u64 npages = RANGE_BYTES / page_size;
	struct pagerange_info info;
	volatile char stack[16384];
	int fd[MAX_RANGES], r;
	long ret;

	memset((char *)stack, 0, sizeof(stack));
	memset(&info, 0, sizeof(info));
	sh->phase = 1;
	acct_wait(&sh->go, 1);
	for (r = 0; r < nr; r++) {
		fd[r] = prlib_open();
		if (fd[r] < 0 || prlib_map(fd[r], RANGE_BYTES) == MAP_FAILED) {
			sh->err = -errno;
			break;
		}
		ret = prlib_use_range(fd[r], 0, npages);
		if (ret >= 0)
			ret = prlib_stop_using(fd[r], 0, npages);
		if (ret < 0) {
			sh->err = ret;
			break;
		}
		sh->nr_ok = r + 1;
	}
	sh->phase = 2;
	acct_wait(&sh->go, 2);
	for (r = 0; r < sh->nr_ok; r++) {
		if (prlib_get_info(fd[r], &info))
			return 1;
		sh->reclaimed[r] = info.pages_reclaimed;
		sh->reclaimable[r] = info.pages_reclaimable;
	}
	sh->phase = 3;
	acct_wait(&sh->go, 3);
	return 0;
}

/* Start child @i with acct_fill(@nr) in cgroup @cg; it waits there. */
static void acct_start(struct __test_metadata *_metadata,
		       FIXTURE_DATA(memcg) *self, int i, const char *cg, int nr)
{
	pid_t pid = prlib_fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(acct_fill(&self->sh[i], nr));
	self->pid[i] = pid;
	acct_wait(&self->sh[i].phase, 1);
	ASSERT_EQ(1, self->sh[i].phase);
	ASSERT_EQ(0, prlib_cgroup_enter(cg, pid));
}

/* Let child @i go on to @phase and wait for it. */
static void acct_step(struct __test_metadata *_metadata,
		      FIXTURE_DATA(memcg) *self, int i, int phase)
{
	self->sh[i].go = phase - 1;
	acct_wait(&self->sh[i].phase, phase);
	ASSERT_EQ(phase, self->sh[i].phase);
}

/* Let child @i exit; it must exit normally (not OOM-killed). */
static void acct_stop(struct __test_metadata *_metadata,
		      FIXTURE_DATA(memcg) *self, int i)
{
	self->sh[i].go = 3;
	EXPECT_EQ(0, prlib_wait_exit(self->pid[i]));
	self->pid[i] = 0;
}

/*
 * A process in a cgroup of 24 MiB recycles eight buffers of 4 MiB: each is
 * used, then stopped. Only five fit at once, so the cgroup's own reclaim
 * must take the stopped pages of the first ones for the later ones, oldest
 * first; a shrinker that only global pressure calls would leave them, and
 * the sixth USE_RANGE would fail. Nothing is OOM-killed, and the cgroup
 * never holds more than its limit.
 */
TEST_F_TIMEOUT(memcg, full_cgroup_reclaims_its_own_stopped_pages, 180)
{
	const long long max = 24 << 20;
	long long reclaimed = 0, oom_kill, current;
	const char *cg;
	int r;

	if (self->why)
		SKIP(return, "%s", self->why);
	cg = cg_make(_metadata, self, "full", max);
	oom_kill = prlib_cgroup_key(cg, "memory.events", "oom_kill");
	ASSERT_EQ(0, oom_kill);
	acct_start(_metadata, self, 0, cg, MAX_RANGES);
	acct_step(_metadata, self, 0, 2);
	current = prlib_cgroup_read(cg, "memory.current");
	acct_step(_metadata, self, 0, 3);

	for (r = 0; r < self->sh[0].nr_ok; r++)
		reclaimed += self->sh[0].reclaimed[r];
	prtest_diag("memory.max %lld MiB: %d of %d ranges of %d MiB filled",
		    max >> 20, self->sh[0].nr_ok, MAX_RANGES,
		    RANGE_BYTES >> 20);
	prtest_diag("%lld pages reclaimed by the cgroup", reclaimed);
	EXPECT_EQ(0, self->sh[0].err);
	EXPECT_EQ(MAX_RANGES, self->sh[0].nr_ok);
	/* Oldest first: the first range gave up pages, the last kept them. */
	EXPECT_LT(0, self->sh[0].reclaimed[0]);
	EXPECT_EQ(0, self->sh[0].reclaimed[MAX_RANGES - 1]);
	EXPECT_GE(max, current);
	EXPECT_EQ(oom_kill, prlib_cgroup_key(cg, "memory.events",
					     "oom_kill"));
	acct_stop(_metadata, self, 0);
	EXPECT_GT(1 << 20, prlib_cgroup_read(cg, "memory.current"));
}

/*
 * Two sibling cgroups: b holds 4 MiB of stopped pages, then a recycles
 * buffers at its own limit. a's reclaim takes a's pages and none of b's.
 */
TEST_F_TIMEOUT(memcg, pressure_in_one_cgroup_takes_none_of_its_siblings_pages, 180)
{
	const long long npages = RANGE_BYTES / page_size;
	const char *a, *b;

	if (self->why)
		SKIP(return, "%s", self->why);
	a = cg_make(_metadata, self, "a", 16 << 20);
	b = cg_make(_metadata, self, "b", 0);
	acct_start(_metadata, self, 1, b, 1);
	acct_step(_metadata, self, 1, 2);
	ASSERT_EQ(1, self->sh[1].nr_ok);
	acct_start(_metadata, self, 0, a, MAX_RANGES);
	acct_step(_metadata, self, 0, 2);
	acct_step(_metadata, self, 0, 3);
	acct_step(_metadata, self, 1, 3);

	EXPECT_EQ(MAX_RANGES, self->sh[0].nr_ok);
	EXPECT_LT(0, self->sh[0].reclaimed[0]);
	EXPECT_EQ(0, self->sh[1].reclaimed[0]);
	EXPECT_EQ(npages, self->sh[1].reclaimable[0]);
	acct_stop(_metadata, self, 0);
	acct_stop(_metadata, self, 1);
}

/*
 * The owner is in cgroup o, a remote writer holding its fd in cgroup w.
 * The writer's USE_RANGE + WRITE of 2 MiB charges o, not w, and the pages
 * count in the owner's RSS, not the writer's. The writer has written once
 * before it moves to w, so that its own buffer is not charged there.
 */
TEST_F_TIMEOUT(memcg, remote_writer_charges_the_owners_cgroup, 120)
{
	const long long len = RANGE_BYTES / 2, npages = len / page_size;
	long long o0, w0, o1, w1, rss0, rss1, wrss0, wrss1;
	struct prlib_sender s = { 0 };
	struct prlib_reply r;
	unsigned char *map;
	const char *o, *w;
	int fd;

	if (self->why)
		SKIP(return, "%s", self->why);
	o = cg_make(_metadata, self, "owner", 0);
	w = cg_make(_metadata, self, "writer", 0);
	ASSERT_EQ(0, prlib_cgroup_enter(o, 0));
	self->moved = true;
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, RANGE_BYTES);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, prlib_sender_start(&s, fd));
	self->pid[0] = s.pid;
	r = prlib_sender_do(&s, PRLIB_ORDER_WRITE, 0, len, 1);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(0, prlib_cgroup_enter(w, s.pid));

	o0 = prlib_cgroup_read(o, "memory.current");
	w0 = prlib_cgroup_read(w, "memory.current");
	rss0 = prlib_status_kb(0, "RssFile");
	wrss0 = prlib_status_kb(s.pid, "RssFile");
	r = prlib_sender_do(&s, PRLIB_ORDER_WRITE, len, len, 2);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(npages, r.used);
	o1 = prlib_cgroup_read(o, "memory.current");
	w1 = prlib_cgroup_read(w, "memory.current");
	rss1 = prlib_status_kb(0, "RssFile");
	wrss1 = prlib_status_kb(s.pid, "RssFile");
	prtest_diag("memory.current: owner's cgroup +%lld KiB, writer's +%lld KiB",
		    (o1 - o0) >> 10, (w1 - w0) >> 10);
	prtest_diag("RssFile: owner +%lld KiB, writer +%lld KiB",
		    rss1 - rss0, wrss1 - wrss0);

	EXPECT_LE(len, o1 - o0);
	EXPECT_GT(len / 8, w1 - w0);
	EXPECT_GT(RSS_SLACK_KB, llabs(rss1 - rss0 - (len >> 10)));
	EXPECT_GT(RSS_SLACK_KB, llabs(wrss1 - wrss0));
	EXPECT_EQ(-1, prlib_check(map + len, len, 2));

	EXPECT_EQ(0, prlib_sender_stop(&s));
	self->pid[0] = 0;
	EXPECT_EQ(0, munmap(map, RANGE_BYTES));
	EXPECT_EQ(0, close(fd));
	ASSERT_EQ(0, prlib_cgroup_enter(PAGERANGE_CGROUP_ROOT, 0));
	self->moved = false;
}

/*
 * The owner's cgroup is removed while its range holds pages in every
 * state: the charges go to the parent, as the kernel reparents them. The
 * range goes on working; its reclaimable pages are reclaimed (from the
 * parent's list now), new pages can be used, and closing it gives every
 * page back.
 */
TEST_F_TIMEOUT(memcg, removed_cgroup_leaves_a_working_range, 120)
{
	const __u64 npages = 16;
	struct pagerange_info info;
	unsigned char *map;
	const char *cg;
	int fd;

	if (self->why)
		SKIP(return, "%s", self->why);
	cg = cg_make(_metadata, self, "removed", 0);
	ASSERT_EQ(0, prlib_cgroup_enter(cg, 0));
	self->moved = true;
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, npages * page_size);
	ASSERT_NE(MAP_FAILED, map);
	prtest_use_and_fill(_metadata, fd, 0, 2, 6);
	prtest_use_and_fill(_metadata, fd, 2, 4, 7);
	prtest_use_and_fill(_metadata, fd, 4, 8, 8);
	prtest_use_and_fill(_metadata, fd, 8, 12, 9);
	ASSERT_EQ(4, prlib_stop_using(fd, 4, 8));
	EXPECT_LE(12 * (long long)page_size,
		  prlib_cgroup_read(cg, "memory.current"));

	ASSERT_EQ(0, prlib_cgroup_enter(PAGERANGE_CGROUP_ROOT, 0));
	self->moved = false;
	ASSERT_EQ(0, rmdir(cg));
	self->cg[self->nr_cg - 1][0] = '\0';

	EXPECT_EQ(2, prlib_use_range(fd, 12, 14));
	EXPECT_EQ(2, prlib_stop_using(fd, 0, 2));
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(6, info.pages_reclaimed);
	EXPECT_EQ(8, info.pages_in_use);
	EXPECT_EQ(-1, prlib_check(map + 2 * page_size, 2 * page_size, 7));
	EXPECT_EQ(-1, prlib_check(map + 8 * page_size, 4 * page_size, 9));
	EXPECT_EQ(0, munmap(map, npages * page_size));
	EXPECT_EQ(0, close(fd));
}

/* ---- the owner's RSS ---- */

FIXTURE(rss) {
	struct prlib_stats before;
	int fd;
	unsigned char *map;
	size_t size;
	long long base;	/* RssFile before the range's pages, KiB */
	long long vm_base;	/* VmRSS, likewise */
};

FIXTURE_SETUP(rss)
{
	self->size = RANGE_BYTES;
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    self->size);
	/*
	 * Fault in every page of the program before the baseline, or its
	 * first calls to code it had not run yet would show in VmRSS (its
	 * text is shmem in the test's initramfs). mlockall() populates every
	 * mapping but the range's, which is VM_PFNMAP. Keeping the pages
	 * mapped does not need the lock.
	 */
	ASSERT_EQ(0, mlockall(MCL_CURRENT));
	ASSERT_EQ(0, munlockall());
	self->base = prlib_status_kb(0, "RssFile");
	ASSERT_LE(0, self->base);
	self->vm_base = prlib_status_kb(0, "VmRSS");
	ASSERT_LE(0, self->vm_base);
}

FIXTURE_TEARDOWN(rss)
{
	prtest_teardown_mapped(_metadata, &self->before, self->fd,
			       self->map, self->size);
}

/*
 * RssFile, and VmRSS which adds it up with the rest, are @kb above the
 * baseline, give or take what /proc lags by.
 */
static void expect_rss(struct __test_metadata *_metadata,
		       FIXTURE_DATA(rss) *self, long long kb)
{
	long long file = prlib_status_kb(0, "RssFile");
	long long vm = prlib_status_kb(0, "VmRSS");

	EXPECT_GT(RSS_SLACK_KB, llabs(file - self->base - kb)) {
		TH_LOG("RssFile %lld KiB, expected %lld + %lld", file,
		       self->base, kb);
	}
	EXPECT_GT(RSS_SLACK_KB, llabs(vm - self->vm_base - kb)) {
		TH_LOG("VmRSS %lld KiB, expected %lld + %lld", vm,
		       self->vm_base, kb);
	}
}

TEST_F(rss, pages_count_in_the_owners_rss_while_mapped)
{
	const __u64 npages = RANGE_BYTES / page_size;
	const long long kb = RANGE_BYTES >> 10;

	ASSERT_EQ(npages, prlib_use_range(self->fd, 0, npages));
	expect_rss(_metadata, self, kb);
	/* Reclaimable pages are still mapped: still counted. */
	ASSERT_EQ(npages, prlib_stop_using(self->fd, 0, npages));
	expect_rss(_metadata, self, kb);
	/* Reclaimed: their PTEs are gone. */
	ASSERT_EQ(0, prlib_drop_caches());
	expect_rss(_metadata, self, 0);
	ASSERT_EQ(npages, prlib_use_range(self->fd, 0, npages));
	expect_rss(_metadata, self, kb);
	/* munmap takes the PTEs, and the pages out of the count, at once. */
	ASSERT_EQ(0, munmap(self->map, self->size));
	self->map = MAP_FAILED;
	expect_rss(_metadata, self, 0);
}

TEST_F(rss, failed_use_range_leaves_the_rss_alone)
{
	const __u64 npages = RANGE_BYTES / page_size;
	long long saved = prlib_read_ll(PAGERANGE_MAX_PAGES_PARAM);

	ASSERT_LE(0, saved);
	ASSERT_EQ(8, prlib_use_range(self->fd, 0, 8));
	/* Room for a few more pages, not for the span. */
	ASSERT_EQ(0, prlib_write_ll(PAGERANGE_MAX_PAGES_PARAM,
				    prlib_stat("pages_allocated") + 16));
	EXPECT_EQ(-ENOMEM, prlib_use_range(self->fd, 0, npages));
	EXPECT_EQ(0, prlib_write_ll(PAGERANGE_MAX_PAGES_PARAM, saved));
	expect_rss(_metadata, self, 8 * page_size >> 10);
}

PAGERANGE_TEST_MAIN
