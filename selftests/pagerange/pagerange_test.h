/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the pagerange selftests share on top of libpagerange.h and
 * pagerange_util.h: helpers that check and report through the
 * kselftest harness, a probe that reports which signal touching an
 * address raises, a thread that serves transactions from a range, and
 * PAGERANGE_TEST_MAIN.
 *
 * Every test program ends with PAGERANGE_TEST_MAIN, which skips the whole
 * program (exit code 4) when /dev/pagerange does not exist, and fails it in
 * the test VM: the 6.1 harness would still run a TEST_F body after a SKIP()
 * in FIXTURE_SETUP.
 */
#ifndef PAGERANGE_TEST_H
#define PAGERANGE_TEST_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/pagerange.h>
#include <linux/userfaultfd.h>

#include "kselftest_harness.h"
#include "libpagerange.h"
#include "pagerange_util.h"

/*
 * Check that the global counters are back to @before: every range the test
 * made is gone and took its pages with it.
 */
static inline void prtest_expect_stats(struct __test_metadata *_metadata,
				       const struct prlib_stats *before)
{
	struct prlib_stats now;

	prlib_stats_read(&now);
	EXPECT_LE(0, now.pages_present);
	EXPECT_EQ(before->pages_present, now.pages_present);
	EXPECT_EQ(before->pages_reclaimable, now.pages_reclaimable);
	EXPECT_EQ(before->ranges, now.ranges);
}

/*
 * What every fixture's setup starts with: snapshot the global counters for
 * prtest_expect_stats(), which must be readable.
 */
static inline void prtest_stats_begin(struct __test_metadata *_metadata,
				      struct prlib_stats *before)
{
	prlib_stats_read(before);
	ASSERT_LE(0, before->pages_present);
	ASSERT_LE(0, before->ranges);
}

/* Setup of a fixture owning one range: snapshot the counters, then open. */
static inline void prtest_setup_open(struct __test_metadata *_metadata,
				     struct prlib_stats *before,
				     int *fd)
{
	prtest_stats_begin(_metadata, before);
	*fd = prlib_open();
	ASSERT_LE(0, *fd);
}

/* prtest_setup_open(), then map @size bytes of the range. */
static inline void prtest_setup_mapped(struct __test_metadata *_metadata,
				       struct prlib_stats *before,
				       int *fd, unsigned char **map,
				       size_t size)
{
	prtest_setup_open(_metadata, before, fd);
	*map = prlib_map(*fd, size);
	ASSERT_NE(MAP_FAILED, *map);
}

/*
 * Teardown of prtest_setup_open(): close the range, and check that the
 * counters are back to the snapshot.
 */
static inline void prtest_teardown_close(struct __test_metadata *_metadata,
					 const struct prlib_stats *before,
					 int fd)
{
	if (fd >= 0)
		EXPECT_EQ(0, close(fd));
	prtest_expect_stats(_metadata, before);
}

/*
 * Teardown of prtest_setup_mapped(): unmap and close, unless the test
 * already did and set @map to MAP_FAILED or @fd to -1, then check that
 * every page is back.
 */
static inline void prtest_teardown_mapped(struct __test_metadata *_metadata,
					  const struct prlib_stats *before,
					  int fd, unsigned char *map,
					  size_t size)
{
	if (map != MAP_FAILED)
		EXPECT_EQ(0, munmap(map, size));
	prtest_teardown_close(_metadata, before, fd);
}

/*
 * A fixture @name of one range, mapped @npages pages long, opened by
 * prtest_setup_mapped() and checked and closed by prtest_teardown_mapped():
 * self->fd, self->map, self->size in bytes and self->before, the global
 * counters from before the open.
 */
#define PRTEST_MAPPED_FIXTURE(name, npages)				\
FIXTURE(name) {								\
	struct prlib_stats before;					\
	int fd;								\
	unsigned char *map;						\
	size_t size;							\
};									\
									\
FIXTURE_SETUP(name)							\
{									\
	self->size = (npages) * prlib_page_size;			\
	prtest_setup_mapped(_metadata, &self->before, &self->fd,	\
			    &self->map, self->size);			\
}									\
									\
FIXTURE_TEARDOWN(name)							\
{									\
	prtest_teardown_mapped(_metadata, &self->before, self->fd,	\
			       self->map, self->size);			\
}

/* Once the range is unmapped, or its owner gone, every page ioctl fails ESRCH. */
static inline void prtest_expect_esrch(struct __test_metadata *_metadata,
				       int fd)
{
	char byte = 0;

	EXPECT_EQ(-ESRCH, prlib_use_range(fd, 0, 1));
	EXPECT_EQ(-ESRCH, prlib_stop_using(fd, 0, 1));
	EXPECT_EQ(-ESRCH, prlib_write(fd, 0, &byte, 1));
	EXPECT_EQ(-ESRCH, prlib_read(fd, 0, &byte, 1));
	EXPECT_EQ(-ESRCH, prlib_zero(fd, 0, 1));
}

/*
 * GET_INFO's page counts of @fd are these, nothing was purged, and its
 * reserved field is zero.
 */
static inline void prtest_expect_pages(struct __test_metadata *_metadata,
				       int fd, __u64 present, __u64 in_use,
				       __u64 reclaimable, __u64 reclaimed,
				       __u64 allocated)
{
	struct pagerange_info info;

	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(present, info.pages_present);
	EXPECT_EQ(in_use, info.pages_in_use);
	EXPECT_EQ(reclaimable, info.pages_reclaimable);
	EXPECT_EQ(reclaimed, info.pages_reclaimed);
	EXPECT_EQ(allocated, info.pages_allocated);
#ifdef PAGERANGE_IOC_PURGED	/* not in abi_v1_test's header */
	EXPECT_EQ(0, info.pages_purged);
	EXPECT_EQ(0, info.reserved);
#endif
}

/*
 * A range whose owner has gone: ESRCH for every page ioctl, while GET_INFO
 * still reports its @size_pages. Closes @fd.
 */
static inline void prtest_close_orphan(struct __test_metadata *_metadata,
				       int fd, __u64 size_pages)
{
	struct pagerange_info info;

	prtest_expect_esrch(_metadata, fd);
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(size_pages, info.size_pages);
	EXPECT_EQ(0, close(fd));
}

/*
 * Make pages [first, end) of @fd in use and WRITE prlib_fill(@seed) to
 * them, one stream over the whole span.
 */
static inline void prtest_use_and_fill(struct __test_metadata *_metadata,
				       int fd, __u64 first, __u64 end,
				       __u32 seed)
{
	size_t len = (end - first) * prlib_page_size;
	unsigned char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, prlib_use_range(fd, first, end));
	prlib_fill(buf, len, seed);
	ASSERT_EQ(0, prlib_write(fd, first * prlib_page_size, buf, len));
	free(buf);
}

/* Run the shrinker until it is done, then read GET_INFO of @fd. */
static inline void prtest_reclaim_info(struct __test_metadata *_metadata,
				       int fd, struct pagerange_info *info)
{
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_get_info(fd, info));
}

static sigjmp_buf prtest_probe_env;

static volatile sig_atomic_t prtest_probe_signal;

static inline void prtest_probe_handler(int sig)
{
	prtest_probe_signal = sig;
	siglongjmp(prtest_probe_env, 1);
}

/*
 * The signal raised by reading one byte at @addr (0 if none); on success the
 * byte is stored in @val if it is not NULL.
 */
static inline int prtest_probe(const void *addr, unsigned char *val)
{
	struct sigaction sa = { .sa_handler = prtest_probe_handler };
	struct sigaction old_bus, old_segv;
	unsigned char c = 0;

	prtest_probe_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!sigsetjmp(prtest_probe_env, 1))
		c = *(const volatile unsigned char *)addr;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	if (!prtest_probe_signal && val)
		*val = c;
	return prtest_probe_signal;
}

/* How many of @npages pages from @addr can be read without a signal. */
static inline size_t prtest_count_readable(const void *addr, size_t npages)
{
	size_t i, n = 0;

	for (i = 0; i < npages; i++)
		if (!prtest_probe((const char *)addr + i * prlib_page_size, NULL))
			n++;
	return n;
}

/*
 * A thread serving transactions from a range, as a server does: it makes a
 * span of @span pages in use and stops it, over and over, @nspans spans in
 * turn from page @first. A span that reclaim took since its last round
 * comes back allocated. A round that found no room (ENOMEM) is counted,
 * and the server goes on; any other failure stops it.
 */
struct prtest_server {
	int fd;
	__u64 first, span, nspans;
	pthread_t thread;
	volatile int stop;
	volatile unsigned long rounds;
	volatile unsigned long allocated;	/* USE_RANGE's results */
	volatile unsigned long no_room;
	volatile long err;
};

static inline void *prtest_server_run(void *arg)
{
	struct prtest_server *sv = arg;
	unsigned long i;
	__u64 first;
	long ret;

	for (i = 0; !sv->stop; i++) {
		first = sv->first + i % sv->nspans * sv->span;
		ret = prlib_use_range(sv->fd, first, first + sv->span);
		if (ret == -ENOMEM) {
			sv->no_room++;
			continue;
		}
		if (ret >= 0) {
			sv->allocated += ret;
			ret = prlib_stop_using(sv->fd, first, first + sv->span);
		}
		if (ret < 0) {
			sv->err = ret;
			break;
		}
		sv->rounds++;
	}
	return NULL;
}

/* Start the server; its fields but the thread's are set: 0 or -errno. */
static inline int prtest_server_start(struct prtest_server *sv)
{
	return -pthread_create(&sv->thread, NULL, prtest_server_run, sv);
}

/* Wait up to ten seconds for @rounds more rounds: whether they came. */
static inline bool prtest_server_wait(struct prtest_server *sv,
				      unsigned long rounds)
{
	unsigned long until = sv->rounds + rounds;
	int i;

	for (i = 0; i < 10000 && sv->rounds < until && !sv->err; i++)
		usleep(1000);
	return sv->rounds >= until;
}

/* Stop the server and wait for it: its failure, or 0. */
static inline long prtest_server_stop(struct prtest_server *sv)
{
	sv->stop = 1;
	pthread_join(sv->thread, NULL);
	return sv->err;
}

/*
 * Whether the tests run in the project's test VM (tools/dev/guest/init),
 * where the driver is loaded: there, a device, parameter, debugfs file or trace
 * event of the driver's that is missing is the driver's failure. On a
 * user's machine it is a skip: the module may not be loaded, the kernel
 * may lack debugfs or tracing.
 */
static inline bool prtest_in_vm(void)
{
	const char *vm = getenv("PAGERANGE_TEST_VM");

	return vm && !strcmp(vm, "1");
}

/*
 * Unless @cond, something the driver provides is missing: a failure in the
 * test VM, a skip elsewhere. Either way the test goes on with @statement
 * (return, say), as with SKIP().
 */
#define PRTEST_NEED(cond, statement, fmt, ...)				\
	do {								\
		char __why[512];					\
									\
		if (cond)						\
			break;						\
		snprintf(__why, sizeof(__why), fmt, ##__VA_ARGS__);	\
		if (prtest_in_vm()) {					\
			TH_LOG("the driver's: %s", __why);		\
			EXPECT_TRUE(false);				\
		} else {						\
			SKIP(, "%s", __why);				\
		}							\
		statement;						\
	} while (0)

/*
 * Skip the whole program, before the harness prints a plan, when there is
 * no device to test; fail it in the test VM, where there must be one.
 */
static inline void prtest_require_device(void)
{
	int fd;

	fd = prlib_open();
	if (fd >= 0) {
		close(fd);
		return;
	}
	if (prtest_in_vm())
		ksft_exit_fail_msg("%s: %s, in the test VM\n", PRLIB_DEV,
				   strerror(errno));
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		ksft_exit_skip("%s: %s (is pagerange.ko loaded?)\n",
			       PRLIB_DEV, strerror(errno));
	if (errno == EACCES || errno == EPERM)
		ksft_exit_skip("%s: %s (the tests need root)\n",
			       PRLIB_DEV, strerror(errno));
	ksft_exit_fail_msg("%s: %s\n", PRLIB_DEV, strerror(errno));
}

/* The 6.1 harness needs to know in which order constructors ran. */
#ifdef _CONSTRUCTOR_ORDER_BACKWARD

#define PAGERANGE_CONSTRUCTOR_ORDER					\
	static void __attribute__((constructor))			\
	__constructor_order_last(void)					\
	{								\
		if (!__constructor_order)				\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}

#else

#define PAGERANGE_CONSTRUCTOR_ORDER

#endif

/* What main() does: skip the whole program without the device, or run it. */
static inline int prtest_test_main(int argc, char **argv)
{
	prtest_require_device();
	return test_harness_run(argc, argv);
}

/*
 * main() exits rather than returns so that the macro holds no flow control
 * of its own; to the process, the two are the same.
 */
#define PAGERANGE_TEST_MAIN						\
	PAGERANGE_CONSTRUCTOR_ORDER					\
	int main(int argc, char **argv)					\
	{								\
		exit(prtest_test_main(argc, argv));			\
	}

/*
 * Print one TAP diagnostic line ("# ..."), for the figures a test reports.
 * Flushed at once: the harness ends a test with _exit().
 */
static inline void __attribute__((format(printf, 1, 2)))
prtest_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

#include <time.h>

/*
 * prt_stall_init(), or a skip of the test on a kernel without
 * userfaultfd: false, and the test returns.
 */
static inline bool prtest_stall_init(struct __test_metadata *_metadata,
				     struct prt_stall *st)
{
	int ret = prt_stall_init(st);

	if (ret) {
		prt_stall_fini(st);
		SKIP(return false, "no userfaultfd: %s", strerror(-ret));
	}
	return true;
}

/*
 * A WRITE of one page into page 0 of @fd from a stall's page (struct
 * prt_stall), run in a thread: the copy stops on the page's fault until
 * the stall is released, a copy in flight for as long as a test needs.
 */
struct prtest_stalled_write {
	int fd;
	struct prt_stall st;
	int ret;
};

static inline void *prtest_stalled_write_run(void *arg)
{
	struct prtest_stalled_write *w = arg;

	w->ret = prlib_write(w->fd, 0, w->st.page, prlib_page_size);
	return NULL;
}

#endif /* PAGERANGE_TEST_H */
