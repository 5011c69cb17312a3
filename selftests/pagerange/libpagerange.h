/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libpagerange: what a user-space program needs to drive /dev/pagerange,
 * linked statically into pagerangectl, the tile cache, the benchmark and
 * the selftests:
 *
 * - thin wrappers around the ioctls, each returning a result or -errno;
 * - readers of the driver's global counters (its sysfs attributes), of
 *   its debugfs table and of small sysfs and procfs files, and
 *   drop_caches;
 * - a second process that holds a range's fd and writes into it on
 *   request (Binder's sender), which pagerangectl's demo, the selftests
 *   and the benchmark all use, and the child processes it is made of;
 * - the xorshift32 byte stream the programs fill pages with and check.
 *
 * Its one copy lives in selftests/pagerange/, so that the collection builds
 * from its own directory alone, in this tree or in a kernel's
 * tools/testing/selftests/ (as mm/ builds vm_util.c); lib/libpagerange.[ch],
 * which the shipped programs build, are links to it. What only the tests
 * and the benchmark need (cgroups, userfaultfd, fd passing, module
 * parameters) is pagerange_util.[ch] beside it, prefix prt_.
 *
 * Its names start with prlib_, which no name of the kernel module does.
 */
#ifndef LIBPAGERANGE_H
#define LIBPAGERANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <linux/pagerange.h>

/* For a program built against an older <linux/pagerange.h>, which has none. */
struct pagerange_purged;

/* The page size, set before main() runs. */
extern size_t prlib_page_size;

#define PRLIB_DEV		"/dev/pagerange"

#define PRLIB_DEBUGFS	"/sys/kernel/debug"

/* The device's sysfs directory, one attribute per global counter. */
#define PRLIB_SYSFS		"/sys/class/misc/pagerange"

#define PRLIB_RANGES	PRLIB_DEBUGFS "/pagerange/ranges"

#define PRLIB_DROP_CACHES	"/proc/sys/vm/drop_caches"

void *prlib_ptr(__u64 addr);

__u64 prlib_u64(const void *ptr);

/* ioctl(2) as 0 or -errno, so a test can compare against one value. */
int prlib_ioctl(int fd, unsigned long cmd, void *arg);

int prlib_open(void);

/* The mapping every owner makes: read-only, shared, offset 0. */
void *prlib_map(int fd, size_t len);

long prlib_span(int fd, unsigned long cmd, __u64 start,
		__u64 end, __u64 flags);

/* Pages allocated to make [start, end) in use, or -errno. */
long prlib_use_range(int fd, __u64 start, __u64 end);

/* Pages moved from in use to reclaimable in [start, end), or -errno. */
long prlib_stop_using(int fd, __u64 start, __u64 end);

/* STOP_USING_RANGE with PAGERANGE_STOP_PURGE: pages freed, or -errno. */
long prlib_purge(int fd, __u64 start, __u64 end);

/* The __u64 words of a USE_RANGE_REPORT bitmap of @n pages. */
#define PRLIB_REPORT_WORDS(n)	(((n) + 63) / 64)

/*
 * USE_RANGE_REPORT of [start, end) into @bitmap, PRLIB_REPORT_WORDS(end -
 * start) words: pages allocated, or -errno.
 */
long prlib_use_range_report(int fd, __u64 start, __u64 end,
			    __u64 *bitmap);

/* Whether page @i of a report's span had to be allocated. */
bool prlib_report_bit(const __u64 *bitmap, __u64 i);

/* QUERY of [start, end) into @vec, one PAGERANGE_PAGE_* a page: 0 or -errno. */
int prlib_query(int fd, __u64 start, __u64 end, unsigned char *vec);

/* PURGED: 0 or -errno. */
int prlib_purged(int fd, struct pagerange_purged *p);

int prlib_io(int fd, unsigned long cmd, __u64 offset,
	     __u64 len, __u64 buf, __u64 flags);

int prlib_write(int fd, __u64 offset, const void *buf,
		__u64 len);

/* WRITE with PAGERANGE_WRITE_USE: 0 or -errno. */
int prlib_write_use(int fd, __u64 offset, const void *buf, __u64 len);

int prlib_read(int fd, __u64 offset, void *buf, __u64 len);

int prlib_zero(int fd, __u64 offset, __u64 len);

int prlib_get_info(int fd, struct pagerange_info *info);

/* The next value of a xorshift32 generator. */
__u32 prlib_rand(__u32 *state);

/* Fill @len bytes with a byte stream that depends on @seed and the position. */
void prlib_fill(void *buf, size_t len, __u32 seed);

/* Index of the first byte of @buf that differs from prlib_fill(@seed), or -1. */
ssize_t prlib_check(const void *buf, size_t len, __u32 seed);

/* Index of the first byte of @buf that is not @c, or -1. */
ssize_t prlib_find_not(const void *buf, size_t len, int c);

/* Write @s to a sysctl or sysfs file: 0 or -errno. */
int prlib_write_file(const char *path, const char *s);

/* Run every shrinker until it has nothing left to free. */
int prlib_drop_caches(void);

/* Open a debugfs file, mounting debugfs if nobody has yet. */
FILE *prlib_debugfs_open(const char *path);

/* Whether debugfs is mounted where the driver's files are looked for. */
bool prlib_debugfs_mounted(void);

/* Mount debugfs unless it is mounted already: 0 or -errno. */
int prlib_debugfs_mount(void);

/* Whether a debugfs file or directory exists; false without debugfs. */
bool prlib_debugfs_exists(const char *path);

/*
 * Read a small text file (sysfs, procfs, debugfs) into @buf, NUL-terminated:
 * its length, or -errno. A file longer than @size - 1 bytes is -EFBIG.
 */
ssize_t prlib_read_file(const char *path, char *buf,
			size_t size);

/*
 * The value of @name in @f, a file of "name value" lines, or -1; whatever
 * follows the value on its line (/proc/meminfo's "kB") is passed over.
 * Closes @f, which may be NULL.
 */
long long prlib_file_value(FILE *f, const char *name);

/* The global counter @name, the device's sysfs attribute, or -1. */
long long prlib_stat(const char *name);

/* One line of debugfs' ranges file. */
struct prlib_ranges_line {
	long long pid;
	long long size_pages;
	long long pages_present;
	long long pages_in_use;
	long long pages_reclaimable;
};

/*
 * Find the ranges line of @pid; returns how many lines @pid has (the first
 * one is copied to @line), or -1 if the file cannot be read.
 */
int prlib_ranges_line(pid_t pid,
		      struct prlib_ranges_line *line);

/* The global counters a test compares before and after itself. */
struct prlib_stats {
	long long pages_present;
	long long pages_reclaimable;
	long long ranges;
};

void prlib_stats_read(struct prlib_stats *s);

/* Wait for child @pid: returns its exit code, or minus the signal that killed it. */
int prlib_wait_exit(pid_t pid);

/* Read or write exactly @len bytes of a pipe: 0 or -1. */
int prlib_xfer(int fd, void *buf, size_t len, bool out);

/* In a child: do not outlive a test that gave up. */
void prlib_die_with_parent(void);

/*
 * fork() with stdio flushed first, so that the child does not write out the
 * parent's buffered output again; the child does not outlive the test.
 */
pid_t prlib_fork(void);

/*
 * A second process that holds the range's fd (inherited through fork()) and
 * does what the owner tells it over a pipe, like a Binder sender copying a
 * transaction into the receiver's buffer: the owner sends a struct
 * prlib_order, the sender carries it out and answers with a struct
 * prlib_reply. prlib_sender_start()'s sender knows PRLIB_ORDER_WRITE and
 * PRLIB_ORDER_CHECK; one started with prlib_sender_start_fn() hands every
 * order to a function of the caller's, with ops and fields of its own.
 */
enum prlib_order_op {
	PRLIB_ORDER_EXIT,
	PRLIB_ORDER_WRITE,	/* USE_RANGE the pages, then WRITE the pattern */
	PRLIB_ORDER_CHECK,	/* READ, and compare with the pattern */
};

struct prlib_order {
	__u32 op;
	__u32 seed;
	__u64 offset;
	__u64 len;
};

struct prlib_reply {
	__s64 used;	/* USE_RANGE's result for PRLIB_ORDER_WRITE */
	__s32 err;	/* 0, -errno of the failed ioctl, or -EBADMSG */
	__s32 pad;
};

/* In the sender: carry out order @o (never PRLIB_ORDER_EXIT) into @r. */
typedef void prlib_sender_fn(void *arg, const struct prlib_order *o,
			     struct prlib_reply *r);

struct prlib_sender {
	pid_t pid;
	int order_fd;
	int reply_fd;
	prlib_sender_fn *fn;	/* in the sender: what carries out an order */
	void *arg;		/* its argument, in the sender's copy of memory */
};

/* Fork a sender that writes into and reads from @fd: 0 or -errno. */
int prlib_sender_start(struct prlib_sender *s, int fd);

/*
 * Fork a sender that calls @fn(@arg, ...) for each order: 0 or -errno. The
 * sender gets a copy of the caller's memory as fork() left it, @arg's
 * target included.
 */
int prlib_sender_start_fn(struct prlib_sender *s, prlib_sender_fn *fn,
			  void *arg);

/* Give the sender an order without waiting for it: 0 or -EPIPE. */
int prlib_sender_send(struct prlib_sender *s, __u32 op,
		      __u64 offset, __u64 len, __u32 seed);

/* Wait for the sender's reply to its last order. */
struct prlib_reply
prlib_sender_reply(struct prlib_sender *s);

/* Have the sender carry out one order; returns its reply. */
struct prlib_reply
prlib_sender_do(struct prlib_sender *s, __u32 op, __u64 offset,
		__u64 len, __u32 seed);

/* Stop the sender; returns its exit code (0 when it was told to exit). */
int prlib_sender_stop(struct prlib_sender *s);

/*
 * Wait up to @ms milliseconds for the global counters to come back to
 * @before: when a remote writer held the owner's mm last, the owner's
 * mapping is torn down by a worker (mmput_async()) a little after the last
 * process went away. Returns whether they did; prtest_expect_stats()
 * says what differs.
 */
bool prlib_stats_settle(const struct prlib_stats *before,
			int ms);

#endif /* LIBPAGERANGE_H */
