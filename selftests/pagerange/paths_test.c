// SPDX-License-Identifier: GPL-2.0
/*
 * The paths into the driver's pages that are not its ioctls, and the ways
 * user space widens a race window in its copies:
 *
 * - a WRITE whose source stalls on a userfaultfd page while the owner
 *   stops the page, runs reclaim, unmaps and closes: the copy lands in a
 *   live page, and nothing is freed under it;
 * - io_uring's fixed buffers, writes to /proc/self/mem and
 *   PTRACE_POKEDATA aimed at the mapping: all refused (the mapping's PTEs
 *   are special, so nothing can pin or write through them), the page
 *   unchanged;
 * - every madvise() advice on the mapping: in-use pages stay mapped with
 *   their data, and the driver's counts do not move.
 *
 * Each part skips, with the reason, where the kernel lacks the facility.
 */
#include "pagerange_test.h"

#include <pthread.h>
#include <sys/ptrace.h>

#include <linux/io_uring.h>

#define NPAGES		8
#define STALL_SECONDS	30

PRTEST_MAPPED_FIXTURE(paths, NPAGES)

/*
 * Every page in use, holding prlib_fill(5). Each test calls it once it
 * knows it will not skip: after a SKIP(), the 6.1 harness reports the
 * teardown's failed checks as a skip, and a range without pages has none
 * to hide.
 */
static void paths_fill(struct __test_metadata *_metadata,
		       FIXTURE_DATA(paths) *self)
{
	prtest_use_and_fill(_metadata, self->fd, 0, NPAGES, 5);
}

/* ---- a copy stalled on a userfaultfd page ---- */

/*
 * While a WRITE into page 0 waits on its source, the owner stops every
 * page, reclaims, unmaps and closes the fd. The shrinker leaves the range
 * alone while the copy is in flight and the ioctl holds the file, so the
 * copy lands in page 0, alive; once it returns, the last reference goes
 * and every page is freed. KASAN and DEBUG_PAGEALLOC, in the debug lane,
 * see any access to a freed page.
 */
TEST_F_TIMEOUT(paths, write_stalled_in_its_copy_outlives_stop_reclaim_munmap_and_close,
	       120)
{
	struct prtest_stalled_write w = { .fd = self->fd };
	struct pagerange_info info;
	pthread_t writer;

	if (!prtest_stall_init(_metadata, &w.st))
		return;
	paths_fill(_metadata, self);
	ASSERT_EQ(0, pthread_create(&writer, NULL, prtest_stalled_write_run, &w));
	ASSERT_EQ(0, prt_stall_wait(&w.st, STALL_SECONDS));

	EXPECT_EQ(NPAGES, prlib_stop_using(self->fd, 0, NPAGES));
	EXPECT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(NPAGES, info.pages_present);
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_EQ(0, munmap(self->map, self->size));
	self->map = MAP_FAILED;
	EXPECT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	/* The WRITE holds the file: the range and its pages are still there. */
	EXPECT_EQ(self->before.ranges + 1, prlib_stat("ranges"));

	ASSERT_EQ(0, prt_stall_release(&w.st, 0x3c));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	EXPECT_EQ(0, w.ret);
	prt_stall_fini(&w.st);
	EXPECT_TRUE(prlib_stats_settle(&self->before, 5000));
}

/* ---- other ways to write to, or pin, the mapping ---- */

/* Page 0 still holds what the fixture wrote. */
static void expect_page_unchanged(struct __test_metadata *_metadata,
				  FIXTURE_DATA(paths) *self)
{
	EXPECT_EQ(-1, prlib_check(self->map, NPAGES * prlib_page_size, 5));
}

/*
 * io_uring's fixed buffers pin user pages for the ring's life; the
 * mapping's special PTEs give GUP nothing to pin.
 */
TEST_F(paths, io_uring_cannot_register_the_mapping_as_a_fixed_buffer)
{
	struct io_uring_params p = { 0 };
	struct iovec iov = { .iov_base = self->map, .iov_len = prlib_page_size };
	int ring, ret;

	ring = syscall(__NR_io_uring_setup, 4, &p);
	if (ring < 0)
		SKIP(return, "no io_uring: %s", strerror(errno));
	paths_fill(_metadata, self);
	ret = syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS,
		      &iov, 1);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, close(ring));
	expect_page_unchanged(_metadata, self);
}

/*
 * /proc/self/mem writes with FOLL_FORCE, which can write through a
 * read-only private mapping: not through this one.
 */
TEST_F(paths, proc_self_mem_cannot_write_the_mapping)
{
	unsigned char junk[16];
	ssize_t n;
	int mem;

	memset(junk, 0xee, sizeof(junk));
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (mem < 0)
		SKIP(return, "/proc/self/mem: %s", strerror(errno));
	paths_fill(_metadata, self);
	n = pwrite(mem, junk, sizeof(junk), (off_t)(uintptr_t)self->map);
	EXPECT_GT(0, n);
	EXPECT_EQ(0, close(mem));
	expect_page_unchanged(_metadata, self);
}

/*
 * The owner of a range stopped under a tracer: it maps one page of data,
 * tells the tracer where, and once let go checks that its page kept the
 * data. Returns its exit code.
 */
static int traced_owner(int sync)
{
	unsigned char *map;
	int fd;

	fd = prlib_open();
	if (fd < 0)
		return 1;
	map = prlib_map(fd, prlib_page_size);
	if (map == MAP_FAILED || prlib_use_range(fd, 0, 1) != 1)
		return 2;
	if (prlib_write(fd, 0, "\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a", 8))
		return 3;
	if (write(sync, &map, sizeof(map)) != sizeof(map) ||
	    ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		return 4;
	raise(SIGSTOP);
	return prlib_find_not(map, 8, 0x5a) < 0 ? 0 : 5;
}

/*
 * A tracer's PTRACE_POKEDATA into the owner's mapping fails, and so does
 * PTRACE_PEEKDATA: both reach the page through GUP, which has nothing to
 * take from a special PTE.
 */
TEST_F(paths, ptrace_cannot_write_or_read_the_owners_mapping)
{
	unsigned char *addr;
	int status, sync[2];
	long ret;
	pid_t pid;

	ASSERT_EQ(0, pipe(sync));
	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(sync[0]);
		_exit(traced_owner(sync[1]));
	}
	close(sync[1]);
	ASSERT_EQ(sizeof(addr), read(sync[0], &addr, sizeof(addr)));
	close(sync[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status));

	errno = 0;
	ret = ptrace(PTRACE_POKEDATA, pid, addr, (void *)0x11111111L);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EIO, errno);
	errno = 0;
	ret = ptrace(PTRACE_PEEKDATA, pid, addr, NULL);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(0, ptrace(PTRACE_CONT, pid, NULL, NULL));
	EXPECT_EQ(0, prlib_wait_exit(pid));
}

/* ---- madvise() ---- */

/* Past every advice a kernel of today knows (MADV_GUARD_REMOVE is 103). */
#define MADV_LAST	127

/*
 * Every advice, known or not, on the whole mapping: whatever madvise()
 * answers, every page stays mapped, in use, with its data, and the
 * driver's counters do not move. MADV_HWPOISON and MADV_SOFT_OFFLINE
 * included: they reach the page through GUP, which a special PTE refuses.
 */
TEST_F(paths, every_madvise_advice_leaves_pages_and_counts_alone)
{
	struct pagerange_info before, after;
	struct prlib_stats s0, s1;
	int advice, refused = 0;

	paths_fill(_metadata, self);
	ASSERT_EQ(0, prlib_get_info(self->fd, &before));
	prlib_stats_read(&s0);
	for (advice = 0; advice <= MADV_LAST; advice++) {
		refused += madvise(self->map, self->size, advice) != 0;
		ASSERT_EQ(0, prlib_get_info(self->fd, &after));
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(before))) {
			TH_LOG("GET_INFO changed by advice %d", advice);
		}
		EXPECT_EQ(NPAGES, prtest_count_readable(self->map, NPAGES)) {
			TH_LOG("pages lost their PTEs to advice %d", advice);
		}
	}
	prlib_stats_read(&s1);
	EXPECT_EQ(s0.pages_present, s1.pages_present);
	EXPECT_EQ(s0.pages_reclaimable, s1.pages_reclaimable);
	expect_page_unchanged(_metadata, self);
	prtest_diag("madvise: %d of %d advices refused", refused,
		    MADV_LAST + 1);
}

PAGERANGE_TEST_MAIN
