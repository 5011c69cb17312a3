// SPDX-License-Identifier: GPL-2.0
/*
 * One test for each bug Binder's page allocator had with this design, or
 * this driver, named after the bug: the shrinker racing munmap and process
 * exit, the remote writer dropping the last reference to the owner's mm, a
 * page inserted while the owner unmaps, a page reclaimed while USE_RANGE
 * maps the rest of its span, a stale vma pointer after a new mapping took
 * the address, a mapping made from the wrong mm, and statistics read while
 * ranges come and go. Each race runs many times; KASAN and lockdep on the
 * debug lane catch what the assertions cannot.
 */
#include "pagerange_test.h"

#include <pthread.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define NPAGES		32
#define WRITER_PAGES	256
#define CHILD_TIMEOUT	60	/* seconds: a child still running is hung */
#define EXEC_FD_ENV	"PAGERANGE_REGRESSION_EXEC_FD"

/* ---- a thread that runs the shrinker in a loop ---- */

struct dropper {
	pthread_t thread;
	volatile int stop;
	volatile long loops;
	volatile int err;
};

static void *dropper_run(void *arg)
{
	struct dropper *d = arg;

	while (!d->stop) {
		d->err = prlib_drop_caches();
		if (d->err)
			break;
		d->loops++;
	}
	return NULL;
}

static void dropper_start(struct __test_metadata *_metadata,
			  struct dropper *d)
{
	memset(d, 0, sizeof(*d));
	ASSERT_EQ(0, pthread_create(&d->thread, NULL, dropper_run, d));
}

static void dropper_stop(struct __test_metadata *_metadata,
			 struct dropper *d)
{
	d->stop = 1;
	ASSERT_EQ(0, pthread_join(d->thread, NULL));
	EXPECT_EQ(0, d->err);
	EXPECT_LT(0, d->loops);
}

/*
 * Wait for child @pid for at most CHILD_TIMEOUT seconds: its exit code,
 * minus the signal that killed it, or -ETIMEDOUT (after killing it).
 */
static int wait_exit_bounded(pid_t pid)
{
	int status, i;

	for (i = 0; i < CHILD_TIMEOUT * 1000; i++) {
		pid_t ret = waitpid(pid, &status, WNOHANG);

		if (ret == pid)
			return WIFSIGNALED(status) ? -WTERMSIG(status) :
						     WEXITSTATUS(status);
		if (ret < 0)
			return -255;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

/*
 * Wait, at most CHILD_TIMEOUT seconds, for a child to publish @target:
 * whether it did. A race whose child never got going raced nothing.
 */
static bool wait_for_progress(volatile long *progress, long target)
{
	int i;

	for (i = 0; *progress < target && i < CHILD_TIMEOUT * 5000; i++)
		usleep(200);
	return *progress >= target;
}

/* A page shared with children, for counters they publish. */
static volatile long *shared_page(struct __test_metadata *_metadata)
{
	volatile long *p = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	EXPECT_NE(MAP_FAILED, p);
	return p == MAP_FAILED ? NULL : p;
}

FIXTURE(regression) {
	struct prlib_stats before;
	volatile long *shared;
};

FIXTURE_SETUP(regression)
{
	prtest_stats_begin(_metadata, &self->before);
	self->shared = shared_page(_metadata);
	ASSERT_NE(NULL, self->shared);
}

FIXTURE_TEARDOWN(regression)
{
	/*
	 * Reclaimable pages of ranges whose owner is gone go with the
	 * shrinker; a mapping whose mm the shrinker held last is torn down
	 * by a worker, a moment after its process is gone.
	 */
	EXPECT_EQ(0, prlib_drop_caches());
	prlib_stats_settle(&self->before, 5000);
	prtest_expect_stats(_metadata, &self->before);
	munmap((void *)self->shared, prlib_page_size);
}

/* ---- shrinker versus munmap ---- */

#define MUNMAP_BATCH	8
#define MUNMAP_ROUNDS	16

TEST_F_TIMEOUT(regression, shrinker_racing_munmap_never_frees_a_mapped_page, 180)
{
	unsigned char *map[MUNMAP_BATCH];
	int fd[MUNMAP_BATCH], round, i;
	struct dropper d;

	dropper_start(_metadata, &d);
	for (round = 0; round < MUNMAP_ROUNDS; round++) {
		for (i = 0; i < MUNMAP_BATCH; i++) {
			fd[i] = prlib_open();
			ASSERT_LE(0, fd[i]);
			map[i] = prlib_map(fd[i], NPAGES * prlib_page_size);
			ASSERT_NE(MAP_FAILED, map[i]);
			prtest_use_and_fill(_metadata, fd[i], 0, NPAGES,
					    round * 100 + i);
			/* Half reclaimable: the shrinker is busy zapping them. */
			ASSERT_EQ(NPAGES / 2, prlib_stop_using(fd[i], NPAGES / 2, NPAGES));
		}
		for (i = 0; i < MUNMAP_BATCH; i++) {
			/* In-use pages keep their data while the shrinker runs. */
			EXPECT_EQ(-1, prlib_check(map[i],
						  NPAGES / 2 * prlib_page_size,
						  round * 100 + i));
			ASSERT_EQ(0, munmap(map[i], NPAGES * prlib_page_size));
		}
		for (i = 0; i < MUNMAP_BATCH; i++) {
			/* Nothing is left mapped at the old address. */
			EXPECT_EQ(SIGSEGV, prtest_probe(map[i], NULL));
			EXPECT_EQ(SIGSEGV, prtest_probe(map[i] +
					(NPAGES - 1) * prlib_page_size, NULL));
			prtest_expect_esrch(_metadata, fd[i]);
			EXPECT_EQ(0, close(fd[i]));
		}
	}
	dropper_stop(_metadata, &d);
}

/* ---- shrinker versus process exit ---- */

#define EXIT_CHILDREN	32
#define EXIT_BATCH	4

/* A child that owns a range with pages in every state and exits holding it. */
static int exit_with_pages(void *arg)
{
	__u32 seed = (uintptr_t)arg;
	unsigned char *map, *buf;
	int fd;

	fd = prlib_open();
	if (fd < 0)
		return 1;
	map = prlib_map(fd, NPAGES * prlib_page_size);
	if (map == MAP_FAILED)
		return 2;
	buf = malloc(NPAGES * prlib_page_size);
	if (!buf)
		return 3;
	prlib_fill(buf, NPAGES * prlib_page_size, seed);
	if (prlib_use_range(fd, 0, NPAGES - 4) != NPAGES - 4 ||
	    prlib_write(fd, 0, buf, (NPAGES - 4) * prlib_page_size))
		return 4;
	if (prlib_stop_using(fd, NPAGES / 2, NPAGES) != NPAGES / 2 - 4)
		return 5;
	if (prlib_check(map, NPAGES / 2 * prlib_page_size, seed) >= 0)
		return 6;
	/* No munmap, no close: exit tears it all down. */
	return 0;
}

TEST_F_TIMEOUT(regression, shrinker_racing_owner_exit_frees_every_page_once, 180)
{
	pid_t pid[EXIT_BATCH];
	struct dropper d;
	int i, j;

	dropper_start(_metadata, &d);
	for (i = 0; i < EXIT_CHILDREN; i += EXIT_BATCH) {
		fflush(stdout);
		fflush(stderr);
		for (j = 0; j < EXIT_BATCH; j++) {
			pid[j] = fork();
			ASSERT_LE(0, pid[j]);
			if (!pid[j])
				_exit(exit_with_pages((void *)(uintptr_t)(i + j + 1)));
		}
		for (j = 0; j < EXIT_BATCH; j++)
			EXPECT_EQ(0, wait_exit_bounded(pid[j]));
	}
	dropper_stop(_metadata, &d);
	/* Teardown: every page freed exactly once, the counters are back. */
}

/* ---- the remote writer's mmput when the owner exits ---- */

/*
 * A child that opens and maps a range, hands the fd to @sock, and exits
 * when told to through @go: the owner leaving under a remote writer.
 */
static pid_t owner_start(__u64 npages, int *fd, int *go)
{
	int sv[2], pipefd[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ||
	    pipe2(pipefd, O_CLOEXEC))
		return -1;
	pid = prlib_fork();
	if (!pid) {
		int owned;
		char c;

		close(pipefd[1]);
		owned = prlib_open();
		if (owned < 0 ||
		    prlib_map(owned, npages * prlib_page_size) == MAP_FAILED ||
		    prt_send_fd(sv[1], owned))
			_exit(1);
		if (read(pipefd[0], &c, 1) != 1)
			_exit(2);
		_exit(0);
	}
	close(sv[1]);
	close(pipefd[0]);
	*fd = pid > 0 ? prt_recv_fd(sv[0]) : -1;
	close(sv[0]);
	*go = pipefd[1];
	return pid;
}

/*
 * Page after page, USE_RANGE (always the slow path: the page is missing)
 * and WRITE, until ESRCH. 0 once it saw ESRCH after at least one write
 * had landed, 11 if none had (the race never ran), 10 on another errno.
 */
static int write_until_esrch(int fd, __u64 npages, volatile long *progress)
{
	unsigned char *buf = malloc(prlib_page_size);
	__u64 i;
	long ret;

	if (!buf)
		return 2;
	memset(buf, 0xaa, prlib_page_size);
	alarm(CHILD_TIMEOUT);
	for (i = 0;; i = (i + 1) % npages) {
		ret = prlib_use_range(fd, i, i + 1);
		if (ret >= 0)
			ret = prlib_write(fd, i * prlib_page_size, buf,
					  prlib_page_size);
		/* Once every page is there, free them again for more inserts. */
		if (!ret && i == npages - 1 &&
		    prlib_stop_using(fd, 0, npages) >= 0)
			ret = prlib_drop_caches();
		if (ret == -ESRCH)
			return *progress ? 0 : 11;
		if (ret)
			return 10;
		(*progress)++;
	}
}

#define MMPUT_ROUNDS	16

TEST_F_TIMEOUT(regression, remote_writer_holding_the_last_mm_reference_does_not_deadlock, 240)
{
	pid_t owner, writer;
	int round, fd, go;

	for (round = 0; round < MMPUT_ROUNDS; round++) {
		owner = owner_start(WRITER_PAGES, &fd, &go);
		ASSERT_LT(0, owner);
		ASSERT_LE(0, fd);
		*self->shared = 0;
		writer = prlib_fork();
		ASSERT_LE(0, writer);
		if (!writer)
			_exit(write_until_esrch(fd, WRITER_PAGES, self->shared));
		/* Exit at a different point of the writer's inserts each round. */
		ASSERT_TRUE(wait_for_progress(self->shared, 1 + round * 7));
		ASSERT_EQ(1, write(go, "x", 1));
		close(go);
		/* The owner's exit completes, whoever drops the mm last. */
		EXPECT_EQ(0, wait_exit_bounded(owner));
		EXPECT_EQ(0, wait_exit_bounded(writer)) {
			TH_LOG("round %d", round);
		}
		prtest_close_orphan(_metadata, fd, WRITER_PAGES);
	}
}

/* ---- insert racing munmap ---- */

#define INSERT_ROUNDS	16

/* Map anonymous memory exactly at @addr, which must be free. */
static unsigned char *map_anon_at(void *addr, size_t len)
{
	unsigned char *p = mmap(addr, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				-1, 0);

	if (p != MAP_FAILED && p != addr) {
		munmap(p, len);
		return MAP_FAILED;
	}
	return p;
}

TEST_F_TIMEOUT(regression, use_range_racing_munmap_never_maps_into_a_new_mapping, 240)
{
	size_t size = WRITER_PAGES * prlib_page_size;
	unsigned char *map, *anon;
	int round, fd;
	pid_t writer;

	for (round = 0; round < INSERT_ROUNDS; round++) {
		fd = prlib_open();
		ASSERT_LE(0, fd);
		map = prlib_map(fd, size);
		ASSERT_NE(MAP_FAILED, map);
		*self->shared = 0;
		writer = prlib_fork();
		ASSERT_LE(0, writer);
		if (!writer)
			_exit(write_until_esrch(fd, WRITER_PAGES, self->shared));
		ASSERT_TRUE(wait_for_progress(self->shared, 1 + round * 5));
		/* Pull the mapping from under the writer, and reuse the address. */
		ASSERT_EQ(0, munmap(map, size));
		anon = map_anon_at(map, size);
		ASSERT_NE(MAP_FAILED, anon);
		EXPECT_EQ(0, wait_exit_bounded(writer));
		/* Not one of the writer's 0xaa pages landed in the new mapping. */
		EXPECT_EQ(-1, prlib_find_not(anon, size, 0));
		prtest_expect_esrch(_metadata, fd);
		EXPECT_EQ(-1, prlib_find_not(anon, size, 0));
		EXPECT_EQ(0, munmap(anon, size));
		EXPECT_EQ(0, close(fd));
	}
}

/* ---- a page the shrinker takes while USE_RANGE maps others ---- */

#define SLOT_PAGES	1024
#define SLOT_ROUNDS	200

/*
 * A thread that makes page 0 of the range reclaimable once in each round of
 * the test, at a random point of the round's USE_RANGE: somewhere in the
 * time the last one took.
 */
struct first_stopper {
	pthread_t thread;
	int fd;
	volatile int stop;
	volatile int round;	/* the round whose USE_RANGE has begun */
	volatile long use_us;	/* how long the last USE_RANGE took */
	long stopped;
	long err;
};

static void *first_stopper_run(void *arg)
{
	struct first_stopper *st = arg;
	__u32 seed = 1;
	int done = 0;
	long ret;

	while (!st->stop) {
		if (st->round == done) {
			sched_yield();
			continue;
		}
		done = st->round;
		usleep(prlib_rand(&seed) % (st->use_us + 1));
		ret = prlib_stop_using(st->fd, 0, 1);
		if (ret < 0) {
			st->err = ret;
			break;
		}
		st->stopped += ret;
	}
	return NULL;
}

/*
 * USE_RANGE of a span whose pages but the first were reclaimed maps new
 * pages at their slots, and while it does, the first page is made
 * reclaimable by another thread and reclaimed: a slot that was not free
 * when USE_RANGE counted the free ones is emptied. Each new page must be
 * published at the slot its PTE maps, and the call must still make the
 * whole span in use: what WRITE copies into each page is what the mapping
 * shows there. (USE_RANGE once found the free slots again when it
 * published the pages, and published them one slot off, the last one a
 * pointer into its own stack.)
 */
TEST_F_TIMEOUT(regression, use_range_racing_reclaim_of_its_span_publishes_each_page_at_its_slot,
	       240)
{
	const size_t len = (SLOT_PAGES - 1) * prlib_page_size;
	struct first_stopper st = { .use_us = 1000 };
	long used, loops, allocated = 0;
	unsigned char *map, *buf;
	struct dropper d;
	int round, fd;
	double t0;

	buf = malloc(len);
	ASSERT_NE(NULL, buf);
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, SLOT_PAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	st.fd = fd;
	dropper_start(_metadata, &d);
	ASSERT_EQ(0, pthread_create(&st.thread, NULL, first_stopper_run, &st));

	for (round = 1; round <= SLOT_ROUNDS; round++) {
		/* A whole reclaim since the last STOP_USING_RANGE: all free. */
		loops = d.loops;
		while (d.loops < loops + 2 && !d.err)
			sched_yield();
		ASSERT_LE(0, prlib_use_range(fd, 0, 1)) TH_LOG("round %d", round);
		st.round = round;
		t0 = prt_seconds();
		used = prlib_use_range(fd, 0, SLOT_PAGES);
		st.use_us = (prt_seconds() - t0) * 1e6;
		ASSERT_LE(0, used) TH_LOG("round %d", round);
		allocated += used;
		prlib_fill(buf, len, round);
		ASSERT_EQ(0, prlib_write(fd, prlib_page_size, buf, len))
			TH_LOG("round %d", round);
		ASSERT_EQ(-1, prlib_check(map + prlib_page_size, len, round))
			TH_LOG("round %d", round);
		ASSERT_EQ(SLOT_PAGES - 1, prlib_stop_using(fd, 1, SLOT_PAGES))
			TH_LOG("round %d", round);
	}

	st.stop = 1;
	ASSERT_EQ(0, pthread_join(st.thread, NULL));
	dropper_stop(_metadata, &d);
	EXPECT_EQ(0, st.err);
	prtest_diag("%ld pages allocated, page 0 stopped %ld times, %ld reclaims",
		    allocated, st.stopped, d.loops);
	/* It raced: pages came back reclaimed, page 0 among them. */
	EXPECT_LE((SLOT_PAGES - 1) * SLOT_ROUNDS, allocated);
	EXPECT_LT(0, st.stopped);
	EXPECT_EQ(0, munmap(map, SLOT_PAGES * prlib_page_size));
	EXPECT_EQ(0, close(fd));
	free(buf);
}

/* ---- a stale vma after munmap and a new mapping at the same address ---- */

/* Every page ioctl, over and over: each one must fail with ESRCH. */
static int ioctls_expect_esrch(int fd, int rounds)
{
	unsigned char byte = 0xaa;
	int i;

	alarm(CHILD_TIMEOUT);
	for (i = 0; i < rounds; i++) {
		if (prlib_use_range(fd, 0, NPAGES) != -ESRCH ||
		    prlib_write(fd, i % NPAGES * prlib_page_size, &byte, 1) != -ESRCH ||
		    prlib_zero(fd, 0, NPAGES * prlib_page_size) != -ESRCH ||
		    prlib_stop_using(fd, 0, NPAGES) != -ESRCH)
			return 10;
	}
	return 0;
}

TEST_F_TIMEOUT(regression, stale_vma_after_munmap_never_touches_a_new_mapping_at_the_same_address,
	       120)
{
	size_t size = NPAGES * prlib_page_size;
	struct pagerange_info info;
	unsigned char *map, *anon;
	struct dropper d;
	int fd, status;
	pid_t writer;
	size_t i;

	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, size);
	ASSERT_NE(MAP_FAILED, map);
	prtest_use_and_fill(_metadata, fd, 0, NPAGES, 5);
	ASSERT_EQ(NPAGES / 2, prlib_stop_using(fd, NPAGES / 2, NPAGES));

	ASSERT_EQ(0, munmap(map, size));
	anon = map_anon_at(map, size);
	ASSERT_NE(MAP_FAILED, anon);
	for (i = 0; i < NPAGES; i++)
		memset(anon + i * prlib_page_size, 0x30 + i, prlib_page_size);

	/* The shrinker and a writer both go after the range's old address. */
	dropper_start(_metadata, &d);
	writer = prlib_fork();
	ASSERT_LE(0, writer);
	if (!writer)
		_exit(ioctls_expect_esrch(fd, 2000));
	status = wait_exit_bounded(writer);
	dropper_stop(_metadata, &d);
	EXPECT_EQ(0, status);
	EXPECT_EQ(0, prlib_drop_caches());

	/* The new mapping was neither zapped nor written. */
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(-1, prlib_find_not(anon + i * prlib_page_size,
					     prlib_page_size, 0x30 + i));
	/* munmap() took every page; the shrinker had none to take. */
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(NPAGES, info.size_pages);
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_EQ(NPAGES, info.pages_allocated);
	EXPECT_EQ(0, munmap(anon, size));
	EXPECT_EQ(0, close(fd));
}

/* ---- the mapping from the wrong mm ---- */

static int child_maps(void *arg)
{
	int fd = (intptr_t)arg;

	return -prt_try_map(fd, NPAGES * prlib_page_size, PROT_READ,
			      MAP_SHARED, 0);
}

TEST_F(regression, mmap_from_a_fork_child_after_the_owner_mapped_fails_einval)
{
	unsigned char *map;
	unsigned char byte = 0x42;
	int fd;

	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, NPAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	/* The child's mm is a copy without the mapping: EINVAL, not EBUSY. */
	EXPECT_EQ(EINVAL, prt_in_child(child_maps, (void *)(intptr_t)fd));
	/* The owner's mapping is the range's, untouched. */
	EXPECT_EQ(1, prlib_use_range(fd, 3, 4));
	EXPECT_EQ(0, prlib_write(fd, 3 * prlib_page_size + 7, &byte, 1));
	EXPECT_EQ(0x42, map[3 * prlib_page_size + 7]);
	EXPECT_EQ(0, munmap(map, NPAGES * prlib_page_size));
	EXPECT_EQ(0, close(fd));
}

struct thread_map {
	int fd;
	void *map;
};

static void *thread_maps(void *arg)
{
	struct thread_map *t = arg;

	t->map = prlib_map(t->fd, NPAGES * prlib_page_size);
	return NULL;
}

TEST_F(regression, mmap_from_a_thread_of_the_opener_shares_its_mm_and_succeeds)
{
	struct thread_map t;
	pthread_t thread;

	t.fd = prlib_open();
	ASSERT_LE(0, t.fd);
	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_maps, &t));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	ASSERT_NE(MAP_FAILED, t.map);
	EXPECT_EQ(1, prlib_use_range(t.fd, 0, 1));
	EXPECT_EQ(0, prtest_probe(t.map, NULL));
	EXPECT_EQ(0, munmap(t.map, NPAGES * prlib_page_size));
	EXPECT_EQ(0, close(t.fd));
}

/*
 * After exec the process has a new mm. Run as the new image, from a
 * constructor before the harness starts: the inherited fd cannot be mapped
 * (not the opener's mm) and the old mapping is gone (ESRCH), and took the
 * range's pages with it, while GET_INFO still reports the range's size.
 * Exit code 0 if all of that holds.
 */
static void __attribute__((constructor)) regression_after_exec(void)
{
	const char *env = getenv(EXEC_FD_ENV);
	struct pagerange_info info;
	int fd;

	if (!env)
		return;
	fd = atoi(env);
	prlib_page_size = sysconf(_SC_PAGESIZE);
	if (prt_try_map(fd, NPAGES * prlib_page_size, PROT_READ, MAP_SHARED,
			0) != -EINVAL)
		_exit(10);
	if (prlib_use_range(fd, 0, 1) != -ESRCH)
		_exit(11);
	if (prlib_get_info(fd, &info) || info.size_pages != NPAGES ||
	    info.pages_present || info.pages_allocated != 2)
		_exit(12);
	_exit(0);
}

TEST_F(regression, mmap_after_exec_in_the_opener_fails_einval)
{
	pid_t pid;

	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *const argv[] = { "regression_test", NULL };
		char env[64];
		char *const envp[] = { env, NULL };
		int fd;

		/* Not O_CLOEXEC: the new image inherits it. */
		fd = open(PRLIB_DEV, O_RDWR);
		if (fd < 0 ||
		    prlib_map(fd, NPAGES * prlib_page_size) == MAP_FAILED ||
		    prlib_use_range(fd, 0, 2) != 2)
			_exit(1);
		snprintf(env, sizeof(env), "%s=%d", EXEC_FD_ENV, fd);
		execve("/proc/self/exe", argv, envp);
		_exit(2);
	}
	EXPECT_EQ(0, wait_exit_bounded(pid));
}

/* ---- stats read racing mmap ---- */

#define CHURN_THREADS	2
#define CHURN_CYCLES	150
#define READER_THREADS	2

struct stats_race {
	int info_fd;
	volatile int stop;
	volatile long cycles;
	volatile long reads;
	volatile long insane;
	volatile long errors;
};

static void *churn(void *arg)
{
	struct stats_race *r = arg;
	unsigned char *map;
	int i, fd;

	for (i = 0; i < CHURN_CYCLES; i++) {
		__u64 np = 1 + i % NPAGES;

		fd = prlib_open();
		if (fd < 0) {
			__sync_fetch_and_add(&r->errors, 1);
			continue;
		}
		map = prlib_map(fd, np * prlib_page_size);
		if (map == MAP_FAILED ||
		    prlib_use_range(fd, 0, np) != (long)np ||
		    prlib_stop_using(fd, 0, np / 2) != (long)(np / 2))
			__sync_fetch_and_add(&r->errors, 1);
		/* Alternate: close before munmap, and after. */
		if (i & 1)
			close(fd);
		if (map != MAP_FAILED)
			munmap(map, np * prlib_page_size);
		if (!(i & 1))
			close(fd);
		__sync_fetch_and_add(&r->cycles, 1);
	}
	return NULL;
}

/* Whether every line of debugfs' ranges is consistent in itself. */
static bool ranges_sane(void)
{
	FILE *f = prlib_debugfs_open(PRLIB_RANGES);
	struct prlib_ranges_line l;
	char buf[256];
	bool ok = true;

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f) || strncmp(buf, "pid ", 4))
		ok = false;
	while (ok && fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%lld %lld %lld %lld %lld", &l.pid,
			   &l.size_pages, &l.pages_present, &l.pages_in_use,
			   &l.pages_reclaimable) != 5 ||
		    l.pid <= 0 || l.size_pages < 0 ||
		    l.size_pages > (256LL << 20) / (long long)prlib_page_size ||
		    l.pages_present > l.size_pages || l.pages_in_use < 0 ||
		    l.pages_reclaimable < 0 ||
		    l.pages_in_use + l.pages_reclaimable != l.pages_present)
			ok = false;
	}
	fclose(f);
	return ok;
}

static void *read_stats(void *arg)
{
	struct stats_race *r = arg;
	struct pagerange_info info;

	while (!r->stop) {
		bool ok = ranges_sane();

		ok &= prlib_stat("pages_present") >= 0;
		ok &= prlib_stat("pages_reclaimable") >= 0;
		ok &= prlib_stat("ranges") >= 1;
		ok &= !prlib_get_info(r->info_fd, &info) &&
		      info.size_pages == NPAGES && info.pages_in_use == 1 &&
		      info.pages_present == 1 && !info.reserved;
		if (!ok)
			__sync_fetch_and_add(&r->insane, 1);
		__sync_fetch_and_add(&r->reads, 1);
	}
	return NULL;
}

TEST_F_TIMEOUT(regression, stats_read_racing_mmap_and_close_stay_consistent, 180)
{
	pthread_t churner[CHURN_THREADS], reader[READER_THREADS];
	struct stats_race r = { 0 };
	unsigned char *map;
	int i;

	/* A range that stays as it is, for GET_INFO. */
	r.info_fd = prlib_open();
	ASSERT_LE(0, r.info_fd);
	map = prlib_map(r.info_fd, NPAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(1, prlib_use_range(r.info_fd, 0, 1));

	for (i = 0; i < READER_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&reader[i], NULL, read_stats, &r));
	for (i = 0; i < CHURN_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&churner[i], NULL, churn, &r));
	for (i = 0; i < CHURN_THREADS; i++)
		ASSERT_EQ(0, pthread_join(churner[i], NULL));
	r.stop = 1;
	for (i = 0; i < READER_THREADS; i++)
		ASSERT_EQ(0, pthread_join(reader[i], NULL));

	TH_LOG("%ld open/mmap/munmap/close cycles, %ld reads", r.cycles,
	       r.reads);
	EXPECT_EQ(CHURN_THREADS * CHURN_CYCLES, r.cycles);
	EXPECT_EQ(0, r.errors);
	EXPECT_LT(0, r.reads);
	EXPECT_EQ(0, r.insane);
	EXPECT_EQ(0, munmap(map, NPAGES * prlib_page_size));
	EXPECT_EQ(0, close(r.info_fd));
}

PAGERANGE_TEST_MAIN
