// SPDX-License-Identifier: GPL-2.0
/*
 * Memory accounting where the kernel looks for it. A range's pages, and
 * everything allocated for them, are charged to the memory cgroup its
 * owner's mm is in when they are allocated, whoever allocates them: a
 * remote writer's USE_RANGE charges the owner, and an owner that moved
 * charges its new cgroup. A cgroup at its memory.max reclaims its own idle
 * pages, and only its own, before USE_RANGE fails, the caller's own range's
 * included, and a range that is busy serving transactions does not keep
 * the cgroup's reclaim from them. An owner's exit gives the cgroup its
 * charge back at once. The pages a range maps count in its owner's RSS
 * (RssFile, and so VmRSS) while their PTEs exist.
 *
 * The memcg fixture needs cgroup2 with the memory controller and skips
 * without it. Each child that runs in a cgroup touches its stack and opens
 * its ranges there, and faults in nothing else: at the limit only the
 * driver allocates.
 */
#include "pagerange_test.h"

#define CG_BASE		PRT_CGROUP_ROOT "/pagerange_accounting_test"
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

/*
 * How much less than it was charged memory.current may grow by: each CPU
 * keeps a stock of charges precharged to one cgroup, up to 64 pages (6.12;
 * 32 on 6.1), which the first charge of another cgroup on that CPU gives
 * back. So a cgroup's memory.current read before a charge can include a
 * stock that is gone when it is read again.
 */
static long long stock_slack(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) * 64 * (long long)prlib_page_size;
}

/* What a child in a cgroup and the test share, in a MAP_SHARED page. */
struct acct_child {
	volatile int phase;	/* 1: ready, 2: ranges filled, 3: reported */
	volatile int go;	/* what the test lets the child do next */
	volatile int nr_ok;	/* ranges that were filled */
	volatile long long err;	/* the failing call's result */
	volatile long long reclaimed[MAX_RANGES];
	volatile long long reclaimable[MAX_RANGES];
	volatile long long value[4];	/* what a test's child reports */
};

FIXTURE(memcg) {
	struct prlib_stats before;
	long long max_size;	/* the module's, restored at teardown */
	struct prt_cgroup_root root;
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
	/* Room for ranges of 8 MiB. */
	self->max_size = prt_max_size();
	ASSERT_LT(0, self->max_size);
	ASSERT_EQ(0, prt_set_max_size(2 * RANGE_BYTES));
	self->sh = mmap(NULL, MAX_CHILDREN * sizeof(*self->sh),
			PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	/* Touched here: charged to the test's cgroup, not the children's. */
	memset(self->sh, 0, MAX_CHILDREN * sizeof(*self->sh));
	self->why = prt_cgroup_init(&self->root);
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
		prt_kill_child(&self->pid[i]);
	if (self->moved)
		EXPECT_EQ(0, prt_cgroup_enter(PRT_CGROUP_ROOT, 0));
	for (i = self->nr_cg - 1; i >= 0; i--)
		if (self->cg[i][0])
			EXPECT_EQ(0, rmdir(self->cg[i]) ? -errno : 0);
	prt_cgroup_fini(&self->root);
	EXPECT_EQ(0, prt_set_max_size(self->max_size));
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
		EXPECT_EQ(0, prt_cgroup_write(cg, "memory.max", max));
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
	__u64 npages = RANGE_BYTES / prlib_page_size;
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
	ASSERT_EQ(0, prt_cgroup_enter(cg, pid));
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
	long long reclaimed = 0, oom_kill;
	const char *cg;
	int r;

	if (self->why)
		SKIP(return, "%s", self->why);
	cg = cg_make(_metadata, self, "full", max);
	oom_kill = prt_cgroup_key(cg, "memory.events", "oom_kill");
	ASSERT_EQ(0, oom_kill);
	acct_start(_metadata, self, 0, cg, MAX_RANGES);
	acct_step(_metadata, self, 0, 2);
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
	EXPECT_EQ(oom_kill, prt_cgroup_key(cg, "memory.events",
					   "oom_kill"));
	acct_stop(_metadata, self, 0);
	EXPECT_GT(1 << 20, prt_cgroup_read(cg, "memory.current"));
}

/*
 * Two sibling cgroups: b holds 4 MiB of stopped pages, then a recycles
 * buffers at its own limit. a's reclaim takes a's pages and none of b's.
 */
TEST_F_TIMEOUT(memcg, pressure_in_one_cgroup_takes_none_of_its_siblings_pages, 180)
{
	const long long npages = RANGE_BYTES / prlib_page_size;
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
	const long long len = RANGE_BYTES / 2, npages = len / prlib_page_size;
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
	ASSERT_EQ(0, prt_cgroup_enter(o, 0));
	self->moved = true;
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, RANGE_BYTES);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, prlib_sender_start(&s, fd));
	self->pid[0] = s.pid;
	r = prlib_sender_do(&s, PRLIB_ORDER_WRITE, 0, len, 1);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(0, prt_cgroup_enter(w, s.pid));

	o0 = prt_cgroup_read(o, "memory.current");
	w0 = prt_cgroup_read(w, "memory.current");
	rss0 = prt_status_kb(0, "RssFile");
	wrss0 = prt_status_kb(s.pid, "RssFile");
	r = prlib_sender_do(&s, PRLIB_ORDER_WRITE, len, len, 2);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(npages, r.used);
	o1 = prt_cgroup_read(o, "memory.current");
	w1 = prt_cgroup_read(w, "memory.current");
	rss1 = prt_status_kb(0, "RssFile");
	wrss1 = prt_status_kb(s.pid, "RssFile");
	prtest_diag("memory.current: owner's cgroup +%lld KiB, writer's +%lld KiB",
		    (o1 - o0) >> 10, (w1 - w0) >> 10);
	prtest_diag("RssFile: owner +%lld KiB, writer +%lld KiB",
		    rss1 - rss0, wrss1 - wrss0);

	EXPECT_LE(len - stock_slack(), o1 - o0);
	EXPECT_GT(len / 8, w1 - w0);
	EXPECT_GT(RSS_SLACK_KB, llabs(rss1 - rss0 - (len >> 10)));
	EXPECT_GT(RSS_SLACK_KB, llabs(wrss1 - wrss0));
	EXPECT_EQ(-1, prlib_check(map + len, len, 2));

	EXPECT_EQ(0, prlib_sender_stop(&s));
	self->pid[0] = 0;
	EXPECT_EQ(0, munmap(map, RANGE_BYTES));
	EXPECT_EQ(0, close(fd));
	ASSERT_EQ(0, prt_cgroup_enter(PRT_CGROUP_ROOT, 0));
	self->moved = false;
}

/*
 * The owner's cgroup is removed while its range holds pages in every
 * state: the charges go to the parent, as the kernel reparents them. The
 * range goes on working; its reclaimable pages are reclaimed (from the
 * parent's list now), new pages can be used, and closing it gives every
 * page back, the parent's charge included.
 */
TEST_F_TIMEOUT(memcg, removed_cgroup_leaves_a_working_range, 120)
{
	const __u64 npages = RANGE_BYTES / prlib_page_size;
	struct pagerange_info info;
	long long parent;
	unsigned char *map;
	const char *cg;
	int fd;

	if (self->why)
		SKIP(return, "%s", self->why);
	cg = cg_make(_metadata, self, "removed", 0);
	ASSERT_EQ(0, prt_cgroup_enter(cg, 0));
	self->moved = true;
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, npages * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	prtest_use_and_fill(_metadata, fd, 0, 2, 6);
	prtest_use_and_fill(_metadata, fd, 2, 4, 7);
	prtest_use_and_fill(_metadata, fd, 4, 8, 8);
	prtest_use_and_fill(_metadata, fd, 8, 12, 9);
	/* Enough for the parent's charge to show past per-CPU batching. */
	prtest_use_and_fill(_metadata, fd, 16, npages, 10);
	ASSERT_EQ(4, prlib_stop_using(fd, 4, 8));
	EXPECT_LE(12 * (long long)prlib_page_size,
		  prt_cgroup_read(cg, "memory.current"));

	ASSERT_EQ(0, prt_cgroup_enter(PRT_CGROUP_ROOT, 0));
	self->moved = false;
	ASSERT_EQ(0, rmdir(cg));
	self->cg[self->nr_cg - 1][0] = '\0';

	EXPECT_EQ(2, prlib_use_range(fd, 12, 14));
	EXPECT_EQ(2, prlib_stop_using(fd, 0, 2));
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(6, info.pages_reclaimed);
	EXPECT_EQ(npages - 8, info.pages_in_use);
	EXPECT_EQ(-1, prlib_check(map + 2 * prlib_page_size, 2 * prlib_page_size, 7));
	EXPECT_EQ(-1, prlib_check(map + 8 * prlib_page_size, 4 * prlib_page_size, 9));
	/*
	 * The pages used in the removed cgroup and still in use are charged
	 * to its parent now; the two used since, to the cgroup the test is
	 * in. Closing the range takes them off the parent.
	 */
	parent = prt_cgroup_read(CG_BASE, "memory.current");
	EXPECT_EQ(0, munmap(map, npages * prlib_page_size));
	EXPECT_EQ(0, close(fd));
	EXPECT_LE(RANGE_BYTES / 2,
		  parent - prt_cgroup_read(CG_BASE, "memory.current"));
}

/* ---- idle pages the cgroup must be able to reclaim ---- */

/*
 * A child in a cgroup: runs @fn once the test has moved it there, then
 * waits to be told to exit (go 3). What it reports goes to its acct_child.
 */
static void acct_run(struct __test_metadata *_metadata,
		     FIXTURE_DATA(memcg) *self, int i, const char *cg,
		     int (*fn)(struct acct_child *sh, void *arg), void *arg)
{
	struct acct_child *sh = &self->sh[i];
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		volatile char stack[16384];
		int ret;

		memset((char *)stack, 0, sizeof(stack));
		sh->phase = 1;
		acct_wait(&sh->go, 1);
		ret = fn(sh, arg);
		sh->phase = 2;
		if (ret)
			_exit(ret);
		acct_wait(&sh->go, 3);
		_exit(0);
	}
	self->pid[i] = pid;
	acct_wait(&sh->phase, 1);
	ASSERT_EQ(1, sh->phase);
	ASSERT_EQ(0, prt_cgroup_enter(cg, pid));
	sh->go = 1;
}

/* Wait for child @i's function to return; it must have succeeded. */
static void acct_done(struct __test_metadata *_metadata,
		      FIXTURE_DATA(memcg) *self, int i)
{
	acct_wait(&self->sh[i].phase, 2);
	ASSERT_EQ(2, self->sh[i].phase);
	ASSERT_EQ(0, self->sh[i].err);
}

/* What the owner of a range does before it hands the fd over and dies. */
struct acct_handover {
	int sock;		/* where the fd goes */
	__u64 npages;
};

static int acct_use_and_hand_over(struct acct_child *sh, void *arg)
{
	struct acct_handover *h = arg;
	int fd = prlib_open();
	long ret;

	if (fd < 0 || prlib_map(fd, h->npages * prlib_page_size) == MAP_FAILED) {
		sh->err = -errno;
		return 1;
	}
	ret = prlib_use_range(fd, 0, h->npages);
	if (ret != (long)h->npages) {
		sh->err = ret < 0 ? ret : -EBADMSG;
		return 1;
	}
	return prt_send_fd(h->sock, fd) ? 1 : 0;
}

/*
 * Binder's model: the owner of a range uses 8 MiB, hands its fd to another
 * process and exits. Nothing can read those pages again, so the owner's
 * cgroup gets its charge back at once, without reclaim, while the other
 * process still holds the fd; that process's calls fail with ESRCH.
 */
TEST_F_TIMEOUT(memcg, dead_owner_gives_its_cgroup_the_charge_back, 120)
{
	struct acct_handover h = { .npages = (8 << 20) / prlib_page_size };
	long long base, held, after;
	struct pagerange_info info;
	int sv[2], fd;
	const char *cg;

	if (self->why)
		SKIP(return, "%s", self->why);
	cg = cg_make(_metadata, self, "dead", 0);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	h.sock = sv[1];
	base = prt_cgroup_read(cg, "memory.current");
	acct_run(_metadata, self, 0, cg, acct_use_and_hand_over, &h);
	close(sv[1]);
	fd = prt_recv_fd(sv[0]);
	close(sv[0]);
	ASSERT_LE(0, fd);
	acct_done(_metadata, self, 0);
	held = prt_cgroup_read(cg, "memory.current");

	acct_stop(_metadata, self, 0);
	after = prt_cgroup_read(cg, "memory.current");
	prtest_diag("memory.current: %lld KiB, %lld with the range, %lld after the exit",
		    base >> 10, held >> 10, after >> 10);
	EXPECT_LE(base + (8 << 20), held);
	EXPECT_GT(1 << 20, after);
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(h.npages, info.pages_allocated);
	prtest_expect_esrch(_metadata, fd);
	EXPECT_EQ(0, close(fd));
}

/* The test's side of a child that opens a range and uses it when told. */
struct acct_mover {
	__u64 npages;
	int fd;
};

/* Open and map (phase 2), then, told so (go 2), use and stop (phase 3). */
static int acct_open_then_use(struct acct_child *sh, void *arg)
{
	struct acct_mover *m = arg;
	struct pagerange_info info;
	long ret;

	m->fd = prlib_open();
	if (m->fd < 0 || prlib_map(m->fd, m->npages * prlib_page_size) == MAP_FAILED) {
		sh->err = -errno;
		return 1;
	}
	sh->phase = 2;
	acct_wait(&sh->go, 2);
	ret = prlib_use_range(m->fd, 0, m->npages);
	if (ret == (long)m->npages)
		ret = prlib_stop_using(m->fd, 0, m->npages);
	if (ret != (long)m->npages) {
		sh->err = ret < 0 ? ret : -EBADMSG;
		return 1;
	}
	sh->phase = 3;
	/* Report GET_INFO's reclaimed count each time the test asks (go 3). */
	for (;;) {
		acct_wait(&sh->go, 3);
		if (sh->go == 4)
			return 0;
		if (prlib_get_info(m->fd, &info))
			return 1;
		sh->reclaimed[0] = info.pages_reclaimed;
		sh->go = 2;
	}
}

/* Ask child @i of acct_open_then_use() for its reclaimed count. */
static long long acct_ask_reclaimed(FIXTURE_DATA(memcg) *self, int i)
{
	struct acct_child *sh = &self->sh[i];

	sh->reclaimed[0] = -1;
	sh->go = 3;
	acct_wait(&sh->go, 3);
	while (sh->go == 3)
		usleep(1000);
	return sh->reclaimed[0];
}

/*
 * An owner that moved to another cgroup after it opened and mapped its
 * range (systemd and container runtimes move processes): the pages it uses
 * from then on are charged where it is now, as its page faults are, and are
 * filed on that cgroup's list: that cgroup's reclaim (memory.reclaim) takes
 * them, and the old cgroup's takes none.
 */
TEST_F_TIMEOUT(memcg, owner_that_moved_charges_and_is_reclaimed_in_its_new_cgroup,
	       120)
{
	struct acct_mover m = { .npages = RANGE_BYTES / prlib_page_size };
	long long p0, q0, p1, q1;
	const char *p, *q;

	if (self->why)
		SKIP(return, "%s", self->why);
	p = cg_make(_metadata, self, "opened_here", 0);
	q = cg_make(_metadata, self, "moved_here", 0);
	acct_run(_metadata, self, 0, p, acct_open_then_use, &m);
	acct_wait(&self->sh[0].phase, 2);
	ASSERT_EQ(2, self->sh[0].phase);
	ASSERT_EQ(0, prt_cgroup_enter(q, self->pid[0]));

	p0 = prt_cgroup_read(p, "memory.current");
	q0 = prt_cgroup_read(q, "memory.current");
	self->sh[0].go = 2;
	acct_wait(&self->sh[0].phase, 3);
	ASSERT_EQ(3, self->sh[0].phase);
	p1 = prt_cgroup_read(p, "memory.current");
	q1 = prt_cgroup_read(q, "memory.current");
	prtest_diag("memory.current: opened in +%lld KiB, moved to +%lld KiB",
		    (p1 - p0) >> 10, (q1 - q0) >> 10);
	EXPECT_LE(RANGE_BYTES, q1 - q0);
	EXPECT_GT(RANGE_BYTES / 8, p1 - p0);

	/* The return says whether it met its target; what went is what counts. */
	prt_cgroup_write(p, "memory.reclaim", 2 * RANGE_BYTES);
	EXPECT_EQ(0, acct_ask_reclaimed(self, 0));
	prt_cgroup_write(q, "memory.reclaim", 2 * RANGE_BYTES);
	EXPECT_EQ(m.npages, acct_ask_reclaimed(self, 0));
	self->sh[0].go = 4;
	EXPECT_EQ(0, prlib_wait_exit(self->pid[0]));
	self->pid[0] = 0;
}

/*
 * Range a, 4 MiB, and range b, 4 MiB of a range of 8 MiB, are used and
 * stopped, b's first, so that b's idle pages are the first the cgroup's
 * reclaim meets; then b uses all 8 MiB: its own idle 4 MiB and 4 MiB more,
 * which fit only if the cgroup's reclaim takes a's idle pages and none of
 * b's. Reported as the call's result.
 */
static int acct_grow_over_idle(struct acct_child *sh, void *arg)
{
	const __u64 half = RANGE_BYTES / prlib_page_size;
	int fa = prlib_open(), fb = prlib_open();
	long ret;

	(void)arg;

	if (fa < 0 || fb < 0 ||
	    prlib_map(fa, RANGE_BYTES) == MAP_FAILED ||
	    prlib_map(fb, 2 * RANGE_BYTES) == MAP_FAILED) {
		sh->err = -errno;
		return 1;
	}
	/* Below 8 MiB and a bit, even this does not fit. */
	if (prlib_use_range(fa, 0, half) != (long)half ||
	    prlib_use_range(fb, 0, half) != (long)half ||
	    prlib_stop_using(fb, 0, half) != (long)half ||
	    prlib_stop_using(fa, 0, half) != (long)half) {
		sh->value[0] = 1;
		return 0;
	}
	ret = prlib_use_range(fb, 0, 2 * half);
	sh->err = ret < 0 ? ret : 0;
	sh->nr_ok = ret == (long)half;
	return 0;
}

/*
 * Run acct_grow_over_idle() in a new cgroup of @max bytes: 1 if it fit,
 * 0 if USE_RANGE failed with ENOMEM, 2 if not even the 8 MiB before it
 * fitted, -1 if anything else happened (the child was killed, say);
 * @oom_kills gets the cgroup's OOM kills.
 */
static int acct_try_grow(struct __test_metadata *_metadata,
			 FIXTURE_DATA(memcg) *self, long long max,
			 long long *oom_kills)
{
	char name[32];
	const char *cg;
	int status;

	snprintf(name, sizeof(name), "grow%lld", max >> 10);
	cg = cg_make(_metadata, self, name, max);
	acct_run(_metadata, self, 0, cg, acct_grow_over_idle, NULL);
	/* Exit as soon as done: a child the OOM killer took says nothing. */
	self->sh[0].go = 3;
	status = prlib_wait_exit(self->pid[0]);
	self->pid[0] = 0;
	*oom_kills = prt_cgroup_key(cg, "memory.events", "oom_kill");
	EXPECT_EQ(0, rmdir(cg) ? -errno : 0);
	self->cg[--self->nr_cg][0] = '\0';
	if (status)
		return -1;
	if (self->sh[0].value[0])
		return 2;
	if (self->sh[0].nr_ok)
		return 1;
	return self->sh[0].err == -ENOMEM ? 0 : -1;
}

/*
 * A cgroup at its limit makes room for a USE_RANGE from its own idle pages,
 * other ranges' and the caller's range's alike (acct_grow_over_idle()):
 * 8 MiB in use at the end, and 4 MiB idle to take. The test lowers
 * memory.max from 16 MiB in steps of 256 KiB until the call fails, and
 * reports the smallest limit that held it. The call must fit at 10 MiB,
 * 2 MiB over the pages it ends up with. It fails with ENOMEM, or else the
 * 8 MiB that come before it do not fit either: the call needs no room
 * beyond what its pages take once. Nothing is OOM-killed.
 */
TEST_F_TIMEOUT(memcg, use_range_at_the_limit_makes_room_from_idle_pages, 240)
{
	const long long step = 256 << 10, need = 10 << 20;
	long long max, fit = 0, oom_kills;
	int ret;

	if (self->why)
		SKIP(return, "%s", self->why);
	for (max = 16 << 20; max >= 8 << 20; max -= step) {
		ret = acct_try_grow(_metadata, self, max, &oom_kills);
		EXPECT_EQ(0, oom_kills) TH_LOG("memory.max %lld KiB", max >> 10);
		if (ret != 1)
			break;
		fit = max;
	}
	prtest_diag("smallest memory.max for 8 MiB over 4 MiB idle: %lld KiB; below, %s",
		    fit >> 10, ret == 0 ? "USE_RANGE failed with ENOMEM" :
		    ret == 2 ? "not even the 8 MiB before it fitted" :
		    "the child failed or was killed");
	EXPECT_LE(fit, need);
	EXPECT_NE(0, fit);
	EXPECT_TRUE(ret == 0 || ret == 2);
}

#define SERVER_IDLE	256	/* idle pages of a busy range and of another */
#define SERVER_SPAN	32	/* pages of one transaction */
#define SERVER_SPANS	16	/* transactions the server cycles through */

/*
 * In the cgroup @arg: range a's idle pages first on the cgroup's list, b's
 * after them, and a thread serving transactions from a. Three times over,
 * the cgroup's own reclaim (memory.reclaim) is asked for more than the
 * cgroup holds: every idle page of a and of b must go each time, and the
 * server must go on serving. value[0] counts a's idle pages left, value[1]
 * b's, value[2] the rounds served, value[3] the rounds that found no room.
 */
static int acct_busy_neighbour(struct acct_child *sh, void *arg)
{
	const __u64 a_pages = SERVER_IDLE + SERVER_SPANS * SERVER_SPAN;
	struct prtest_server sv = {
		.first = SERVER_IDLE, .span = SERVER_SPAN,
		.nspans = SERVER_SPANS,
	};
	struct pagerange_info info;
	int fa = prlib_open(), fb = prlib_open();
	unsigned char *map;
	int pass;

	if (fa < 0 || fb < 0 || prlib_map(fb, SERVER_IDLE * prlib_page_size) == MAP_FAILED) {
		sh->err = -errno;
		return 1;
	}
	map = prlib_map(fa, a_pages * prlib_page_size);
	if (map == MAP_FAILED) {
		sh->err = -errno;
		return 1;
	}
	sv.fd = fa;
	for (pass = 0; pass < 3; pass++) {
		/* a's idle pages ahead of b's. */
		if (prlib_use_range(fa, 0, SERVER_IDLE) < 0 ||
		    prlib_use_range(fb, 0, SERVER_IDLE) < 0 ||
		    prlib_stop_using(fa, 0, SERVER_IDLE) != SERVER_IDLE ||
		    prlib_stop_using(fb, 0, SERVER_IDLE) != SERVER_IDLE) {
			sh->err = -EBADMSG;
			break;
		}
		if (!pass && prtest_server_start(&sv)) {
			sh->err = -EAGAIN;
			return 1;
		}
		/* Once round the spans: they come back reclaimed from now on. */
		prtest_server_wait(&sv, SERVER_SPANS);
		/* Its result only says whether it met the target. */
		prt_cgroup_write(arg, "memory.reclaim", 64 << 20);
		sh->value[0] += prtest_count_readable(map, SERVER_IDLE);
		if (!prlib_get_info(fb, &info))
			sh->value[1] += info.pages_present;
	}
	if (prtest_server_stop(&sv) && !sh->err)
		sh->err = sv.err;
	sh->value[2] = sv.rounds;
	sh->value[3] = sv.no_room;
	return 0;
}

/*
 * A range whose owner keeps serving transactions, with idle pages at the
 * head of the cgroup's list, must not keep the cgroup's reclaim from them
 * nor from the idle pages behind them.
 */
TEST_F_TIMEOUT(memcg, busy_range_does_not_starve_the_cgroups_reclaim, 180)
{
	const char *cg;

	if (self->why)
		SKIP(return, "%s", self->why);
	cg = cg_make(_metadata, self, "busy", 0);
	acct_run(_metadata, self, 0, cg, acct_busy_neighbour, (void *)cg);
	acct_wait(&self->sh[0].phase, 2);
	ASSERT_EQ(2, self->sh[0].phase);
	prtest_diag("idle pages left: %lld of the busy range, %lld behind it",
		    self->sh[0].value[0], self->sh[0].value[1]);
	prtest_diag("rounds served: %lld, %lld of them with no room",
		    self->sh[0].value[2], self->sh[0].value[3]);
	EXPECT_EQ(0, self->sh[0].err);
	EXPECT_EQ(0, self->sh[0].value[0]);
	EXPECT_EQ(0, self->sh[0].value[1]);
	EXPECT_LT(3 * SERVER_SPANS, self->sh[0].value[2]);
	acct_stop(_metadata, self, 0);
}

/*
 * An owner with 4 MiB of pages, each filled with its own pattern, stops
 * every other tile of 16 and waits while the test makes its cgroup reclaim
 * (which may take all of them, or some); then it asks QUERY which pages
 * are gone and uses them all again with the report. It reports: [0] the
 * bits the report set, [1] the pages QUERY found free, [2] the pages where
 * the two disagree or where the contents disagree with the bit (zero where
 * set, the page's pattern where clear), [3] GET_INFO's pages_reclaimed.
 */
static int acct_report_after_reclaim(struct acct_child *sh, void *arg)
{
	__u64 npages = RANGE_BYTES / prlib_page_size, i;
	unsigned char *map, *vec, *page = malloc(prlib_page_size);
	__u64 bitmap[PRLIB_REPORT_WORDS(RANGE_BYTES / 4096)];
	struct pagerange_info info;
	long ret;
	bool bit, gone;
	int fd;

	(void)arg;
	fd = prlib_open();
	map = fd < 0 ? MAP_FAILED : prlib_map(fd, RANGE_BYTES);
	vec = malloc(npages);
	if (map == MAP_FAILED || !page || !vec ||
	    PRLIB_REPORT_WORDS(npages) > ARRAY_SIZE(bitmap)) {
		sh->err = -ENOMEM;
		return 1;
	}
	ret = prlib_use_range(fd, 0, npages);
	for (i = 0; ret >= 0 && i < npages; i++) {
		prlib_fill(page, prlib_page_size, i);
		ret = prlib_write(fd, i * prlib_page_size, page, prlib_page_size);
	}
	for (i = 0; ret >= 0 && i < npages; i += 32)
		ret = prlib_stop_using(fd, i, i + 16);
	if (ret < 0) {
		sh->err = ret;
		return 1;
	}
	sh->nr_ok = 1;
	acct_wait(&sh->go, 2);

	ret = prlib_query(fd, 0, npages, vec);
	if (!ret)
		ret = prlib_use_range_report(fd, 0, npages, bitmap);
	if (ret >= 0)
		ret = prlib_get_info(fd, &info);
	if (ret < 0) {
		sh->err = ret;
		return 1;
	}
	for (i = 0; i < npages; i++) {
		bit = prlib_report_bit(bitmap, i);
		gone = vec[i] == PAGERANGE_PAGE_FREE;
		sh->value[0] += bit;
		sh->value[1] += gone;
		if (bit != gone ||
		    (bit ? prlib_find_not(map + i * prlib_page_size, prlib_page_size, 0) :
			   prlib_check(map + i * prlib_page_size, prlib_page_size, i)) >= 0)
			sh->value[2]++;
	}
	sh->value[3] = info.pages_reclaimed;
	return 0;
}

/*
 * The report against a cgroup's reclaim: exactly the pages the cgroup took
 * are marked, each reads as zero, and every page not marked, in use or
 * idle, kept its own contents.
 */
TEST_F_TIMEOUT(memcg, report_marks_exactly_what_the_cgroups_reclaim_took, 120)
{
	const long long npages = RANGE_BYTES / prlib_page_size;
	const char *cg;

	if (self->why)
		SKIP(return, "%s", self->why);
	cg = cg_make(_metadata, self, "report", 0);
	acct_run(_metadata, self, 0, cg, acct_report_after_reclaim, NULL);
	acct_wait(&self->sh[0].nr_ok, 1);
	ASSERT_EQ(1, self->sh[0].nr_ok);
	/* It may fall short (EAGAIN): what it took is what counts. */
	prt_cgroup_write(cg, "memory.reclaim", RANGE_BYTES / 2);
	self->sh[0].go = 2;
	acct_done(_metadata, self, 0);
	prtest_diag("the cgroup took %lld of %lld pages; the report marked %lld",
		    self->sh[0].value[3], npages, self->sh[0].value[0]);
	EXPECT_LT(0, self->sh[0].value[3]);
	EXPECT_GE(npages / 2, self->sh[0].value[3]);
	EXPECT_EQ(self->sh[0].value[3], self->sh[0].value[0]);
	EXPECT_EQ(self->sh[0].value[3], self->sh[0].value[1]);
	EXPECT_EQ(0, self->sh[0].value[2]);
	acct_stop(_metadata, self, 0);
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
	self->base = prt_status_kb(0, "RssFile");
	ASSERT_LE(0, self->base);
	self->vm_base = prt_status_kb(0, "VmRSS");
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
	long long file = prt_status_kb(0, "RssFile");
	long long vm = prt_status_kb(0, "VmRSS");

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
	const __u64 npages = RANGE_BYTES / prlib_page_size;
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
	const __u64 npages = RANGE_BYTES / prlib_page_size;
	long long saved = prt_read_ll(PRT_MAX_PAGES_PARAM);

	ASSERT_LE(0, saved);
	ASSERT_EQ(8, prlib_use_range(self->fd, 0, 8));
	/* Room for a few more pages, not for the span. */
	ASSERT_EQ(0, prt_write_ll(PRT_MAX_PAGES_PARAM,
				  prlib_stat("pages_present") + 16));
	EXPECT_EQ(-ENOMEM, prlib_use_range(self->fd, 0, npages));
	EXPECT_EQ(0, prt_write_ll(PRT_MAX_PAGES_PARAM, saved));
	expect_rss(_metadata, self, 8 * prlib_page_size >> 10);
}

PAGERANGE_TEST_MAIN
