/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the pagerange selftests: thin wrappers around the ioctls
 * that return a result or -errno, readers for debugfs and the module
 * parameter, a probe that reports which signal touching an address raises,
 * and the plumbing for work done by a second process holding the fd.
 *
 * Every test program ends with PAGERANGE_TEST_MAIN, which skips the whole
 * program (exit code 4) when /dev/pagerange does not exist: the 6.1 harness
 * would still run a TEST_F body after a SKIP() in FIXTURE_SETUP.
 */
#ifndef PAGERANGE_HELPERS_H
#define PAGERANGE_HELPERS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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

#define PAGERANGE_DEV		"/dev/pagerange"
#define PAGERANGE_DEBUGFS	"/sys/kernel/debug"
#define PAGERANGE_STATS		PAGERANGE_DEBUGFS "/pagerange/stats"
#define PAGERANGE_RANGES	PAGERANGE_DEBUGFS "/pagerange/ranges"
#define PAGERANGE_MAX_SIZE	"/sys/module/pagerange/parameters/max_size"
#define PAGERANGE_MAX_PAGES_PARAM "/sys/module/pagerange/parameters/max_pages"
#define PAGERANGE_DROP_CACHES	"/proc/sys/vm/drop_caches"

/* Seed of the pseudo-random tests; PAGERANGE_SEED=n in the environment overrides it. */
#define PAGERANGE_DEFAULT_SEED	0x5eed1234u

/* Set by PAGERANGE_TEST_MAIN before any test runs. */
static size_t page_size;

/* Every command of the UAPI. */
static const unsigned long pagerange_ioc_cmds[] __attribute__((unused)) = {
	PAGERANGE_IOC_USE_RANGE,
	PAGERANGE_IOC_STOP_USING_RANGE,
	PAGERANGE_IOC_WRITE,
	PAGERANGE_IOC_READ,
	PAGERANGE_IOC_ZERO,
	PAGERANGE_IOC_GET_INFO,
};

static inline void *pagerange_ptr(__u64 addr)
{
	return (void *)(uintptr_t)addr;
}

static inline __u64 pagerange_u64(const void *ptr)
{
	return (__u64)(uintptr_t)ptr;
}

/* ioctl(2) as 0 or -errno, so a test can compare against one value. */
static inline int pagerange_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static inline int pagerange_open(void)
{
	return open(PAGERANGE_DEV, O_RDWR | O_CLOEXEC);
}

/* The mapping every owner makes: read-only, shared, offset 0. */
static inline void *pagerange_map(int fd, size_t len)
{
	return mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
}

/* mmap(2) as 0 or -errno; a successful mapping is unmapped again. */
static inline int pagerange_try_map(int fd, size_t len, int prot, int flags,
				    off_t offset)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

static inline long pagerange_span(int fd, unsigned long cmd, __u64 start,
				  __u64 end, __u64 flags)
{
	struct pagerange_range r = {
		.start = start,
		.end = end,
		.flags = flags,
		.result = ~0ULL,
	};
	int ret = pagerange_ioctl(fd, cmd, &r);

	return ret ? ret : (long)r.result;
}

/* Pages allocated to make [start, end) in use, or -errno. */
static inline long pagerange_use_range(int fd, __u64 start, __u64 end)
{
	return pagerange_span(fd, PAGERANGE_IOC_USE_RANGE, start, end, 0);
}

/* Pages moved from in use to reclaimable in [start, end), or -errno. */
static inline long pagerange_stop_using(int fd, __u64 start, __u64 end)
{
	return pagerange_span(fd, PAGERANGE_IOC_STOP_USING_RANGE, start, end, 0);
}

static inline int pagerange_io(int fd, unsigned long cmd, __u64 offset,
			       __u64 len, __u64 buf, __u64 flags)
{
	struct pagerange_io io = {
		.offset = offset,
		.len = len,
		.buf = buf,
		.flags = flags,
	};

	return pagerange_ioctl(fd, cmd, &io);
}

static inline int pagerange_write(int fd, __u64 offset, const void *buf,
				  __u64 len)
{
	return pagerange_io(fd, PAGERANGE_IOC_WRITE, offset, len,
			    pagerange_u64(buf), 0);
}

static inline int pagerange_read(int fd, __u64 offset, void *buf, __u64 len)
{
	return pagerange_io(fd, PAGERANGE_IOC_READ, offset, len,
			    pagerange_u64(buf), 0);
}

static inline int pagerange_zero(int fd, __u64 offset, __u64 len)
{
	return pagerange_io(fd, PAGERANGE_IOC_ZERO, offset, len, 0, 0);
}

static inline int pagerange_get_info(int fd, struct pagerange_info *info)
{
	/* Poison it, so fields the kernel leaves alone are noticed. */
	memset(info, 0xa5, sizeof(*info));
	return pagerange_ioctl(fd, PAGERANGE_IOC_GET_INFO, info);
}

/* The next value of a xorshift32 generator. */
static inline __u32 pagerange_rand(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* Fill @len bytes with a byte stream that depends on @seed and the position. */
static inline void pagerange_fill(void *buf, size_t len, __u32 seed)
{
	unsigned char *p = buf;
	__u32 x = seed | 1;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pagerange_rand(&x) >> 24;
}

/* Index of the first byte of @buf that differs from pagerange_fill(@seed), or -1. */
static inline ssize_t pagerange_check(const void *buf, size_t len, __u32 seed)
{
	const unsigned char *p = buf;
	__u32 x = seed | 1;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(pagerange_rand(&x) >> 24))
			return i;
	return -1;
}

/* Index of the first byte of @buf that is not @c, or -1. */
static inline ssize_t pagerange_find_not(const void *buf, size_t len, int c)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)c)
			return i;
	return -1;
}

static inline __u32 pagerange_seed(void)
{
	const char *s = getenv("PAGERANGE_SEED");

	return s ? (__u32)strtoul(s, NULL, 0) : PAGERANGE_DEFAULT_SEED;
}

/* Write @s to a sysctl or sysfs file: 0 or -errno. */
static inline int pagerange_write_file(const char *path, const char *s)
{
	ssize_t len = strlen(s), n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == len ? 0 : n < 0 ? n : -EIO;
}

/* Run every shrinker until it has nothing left to free. */
static inline int pagerange_drop_caches(void)
{
	return pagerange_write_file(PAGERANGE_DROP_CACHES, "2");
}

/* The max_size module parameter in bytes, or -1. */
static inline long long pagerange_max_size(void)
{
	long long val = -1;
	FILE *f = fopen(PAGERANGE_MAX_SIZE, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

static inline int pagerange_set_max_size(long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	return pagerange_write_file(PAGERANGE_MAX_SIZE, buf);
}

/* Open a debugfs file, mounting debugfs if nobody has yet. */
static inline FILE *pagerange_debugfs_open(const char *path)
{
	FILE *f = fopen(path, "re");

	if (!f && errno == ENOENT &&
	    !mount("debugfs", PAGERANGE_DEBUGFS, "debugfs", 0, NULL))
		f = fopen(path, "re");
	return f;
}

/* Mount debugfs unless it is mounted already: 0 or -errno. */
static inline int pagerange_debugfs_mount(void)
{
	struct statfs sfs;

	if (!statfs(PAGERANGE_DEBUGFS, &sfs) && sfs.f_type == DEBUGFS_MAGIC)
		return 0;
	return mount("debugfs", PAGERANGE_DEBUGFS, "debugfs", 0, NULL) ?
	       -errno : 0;
}

/* Whether a debugfs file or directory exists; false without debugfs. */
static inline bool pagerange_debugfs_exists(const char *path)
{
	return !pagerange_debugfs_mount() && !access(path, F_OK);
}

/*
 * Read a small text file (sysfs, procfs, debugfs) into @buf, NUL-terminated:
 * its length, or -errno. A file longer than @size - 1 bytes is -EFBIG.
 */
static inline ssize_t pagerange_read_file(const char *path, char *buf,
					  size_t size)
{
	size_t len = 0;
	ssize_t n;
	char more;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, len < size - 1 ? buf + len : &more,
			 len < size - 1 ? size - 1 - len : 1);
		if (n > 0 && len == size - 1)
			n = -EFBIG;
		else if (n > 0)
			len += n;
		else if (n < 0)
			n = errno == EINTR ? 1 : -errno;
	} while (n > 0);
	close(fd);
	buf[len] = '\0';
	return n < 0 ? n : (ssize_t)len;
}

/*
 * The value of @name in @f, a file of "name value" lines, or -1; whatever
 * follows the value on its line (/proc/meminfo's "kB") is passed over.
 * Closes @f, which may be NULL.
 */
static inline long long pagerange_file_value(FILE *f, const char *name)
{
	long long val = -1, v;
	char key[64];

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld%*[^\n]", key, &v) == 2) {
		if (!strcmp(key, name)) {
			val = v;
			break;
		}
	}
	fclose(f);
	return val;
}

/* The value of @name in debugfs' stats file, or -1. */
static inline long long pagerange_stat(const char *name)
{
	return pagerange_file_value(pagerange_debugfs_open(PAGERANGE_STATS),
				    name);
}

/* A number alone in a file (sysfs, cgroupfs), or -1; "max" is LLONG_MAX. */
static inline long long pagerange_read_ll(const char *path)
{
	char buf[64];

	if (pagerange_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!strncmp(buf, "max", 3))
		return LLONG_MAX;
	return strtoll(buf, NULL, 0);
}

static inline int pagerange_write_ll(const char *path, long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	return pagerange_write_file(path, buf);
}

/* A "Name: value kB" line of /proc/<pid>/status, in KiB, or -1. */
static inline long long pagerange_status_kb(pid_t pid, const char *name)
{
	char path[64], line[256], key[64];
	long long val = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid ? pid : getpid());
	f = fopen(path, "re");
	if (!f)
		return -1;
	snprintf(key, sizeof(key), "%s: %%lld", name);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, key, &v) == 1) {
			val = v;
			break;
		}
	fclose(f);
	return val;
}

#define PAGERANGE_CGROUP_ROOT	"/sys/fs/cgroup"

/* What pagerange_cgroup_init() changed, for pagerange_cgroup_fini(). */
struct pagerange_cgroup_root {
	bool mounted;	/* cgroup2 was mounted */
	bool enabled;	/* the memory controller was enabled for children */
};

/* Whether @word is one of the space-separated words of file @path. */
static inline bool pagerange_file_has_word(const char *path, const char *word)
{
	size_t len = strlen(word);
	char buf[512], *p;

	if (pagerange_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (p = strstr(buf, word); p; p = strstr(p + 1, word))
		if ((p == buf || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/*
 * Mount cgroup2 if it is not, and give child cgroups the memory
 * controller: NULL, or why not.
 */
static inline const char *
pagerange_cgroup_init(struct pagerange_cgroup_root *root)
{
	struct statfs sfs;

	memset(root, 0, sizeof(*root));
	if (statfs(PAGERANGE_CGROUP_ROOT, &sfs) ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC) {
		if (mkdir(PAGERANGE_CGROUP_ROOT, 0755) && errno != EEXIST)
			return "cannot create " PAGERANGE_CGROUP_ROOT;
		if (mount("none", PAGERANGE_CGROUP_ROOT, "cgroup2", 0, NULL))
			return "cgroup2 cannot be mounted";
		root->mounted = true;
	}
	if (!pagerange_file_has_word(PAGERANGE_CGROUP_ROOT "/cgroup.controllers",
				     "memory"))
		return "no memory controller";
	if (!pagerange_file_has_word(PAGERANGE_CGROUP_ROOT "/cgroup.subtree_control",
				     "memory")) {
		if (pagerange_write_file(PAGERANGE_CGROUP_ROOT "/cgroup.subtree_control",
					 "+memory"))
			return "cannot enable the memory controller";
		root->enabled = true;
	}
	return NULL;
}

/* Undo pagerange_cgroup_init(), once every cgroup it allowed is gone. */
static inline void pagerange_cgroup_fini(struct pagerange_cgroup_root *root)
{
	if (root->enabled)
		pagerange_write_file(PAGERANGE_CGROUP_ROOT "/cgroup.subtree_control",
				     "-memory");
	if (root->mounted)
		umount(PAGERANGE_CGROUP_ROOT);
}

/* A file of cgroup @cg (a directory), as one number; see pagerange_read_ll(). */
static inline long long pagerange_cgroup_read(const char *cg, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return pagerange_read_ll(path);
}

static inline int pagerange_cgroup_write(const char *cg, const char *file,
					 long long val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return pagerange_write_ll(path, val);
}

/* The value of @key in @cg's memory.events or memory.stat (@file), or -1. */
static inline long long pagerange_cgroup_key(const char *cg, const char *file,
					     const char *key)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return pagerange_file_value(fopen(path, "re"), key);
}

/* Move process @pid (0: the caller) into cgroup @cg: 0 or -errno. */
static inline int pagerange_cgroup_enter(const char *cg, pid_t pid)
{
	return pagerange_cgroup_write(cg, "cgroup.procs", pid);
}

/*
 * A page of user memory that stalls whoever touches it, the kernel's
 * copy_from_user() included, until the test lets it go: a userfaultfd
 * region in missing mode. It holds a copy into the driver in flight for as
 * long as a test likes.
 */
struct pagerange_stall {
	unsigned char *page;	/* the stalling page */
	int uffd;		/* -1 without userfaultfd */
};

/*
 * Map the page and register it: 0, or -errno (-ENOSYS, -EPERM: no
 * userfaultfd here), with the page mapped but not stalling. Released with
 * pagerange_stall_fini() in both cases.
 */
static inline int pagerange_stall_init(struct pagerange_stall *st)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	st->uffd = -1;
	st->page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->page == MAP_FAILED)
		return -errno;
	/* O_NONBLOCK: a blocking userfaultfd always polls as POLLERR. */
	st->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (st->uffd < 0)
		return -errno;
	reg.range.start = pagerange_u64(st->page);
	reg.range.len = page_size;
	if (ioctl(st->uffd, UFFDIO_API, &api) ||
	    ioctl(st->uffd, UFFDIO_REGISTER, &reg)) {
		close(st->uffd);
		st->uffd = -1;
		return -errno;
	}
	return 0;
}

/* Wait up to @seconds for a touch of the page to stall: 0 or -errno. */
static inline int pagerange_stall_wait(struct pagerange_stall *st,
				       int seconds)
{
	struct pollfd pfd = { .fd = st->uffd, .events = POLLIN };
	struct uffd_msg msg;
	int n;

	n = poll(&pfd, 1, seconds * 1000);
	if (n <= 0)
		return n ? -errno : -ETIMEDOUT;
	if (read(st->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -EIO;
	if (msg.event != UFFD_EVENT_PAGEFAULT ||
	    msg.arg.pagefault.address != pagerange_u64(st->page))
		return -EBADMSG;
	return 0;
}

/* Let the stalled touch go on: the page then reads as @fill. 0 or -errno. */
static inline int pagerange_stall_release(struct pagerange_stall *st, int fill)
{
	struct uffdio_copy copy = {
		.dst = pagerange_u64(st->page),
		.len = page_size,
	};
	unsigned char *src = malloc(page_size);
	int ret;

	if (!src)
		return -ENOMEM;
	memset(src, fill, page_size);
	copy.src = pagerange_u64(src);
	ret = ioctl(st->uffd, UFFDIO_COPY, &copy) ? -errno : 0;
	free(src);
	return ret;
}

static inline void pagerange_stall_fini(struct pagerange_stall *st)
{
	if (st->uffd >= 0)
		close(st->uffd);
	if (st->page != MAP_FAILED)
		munmap(st->page, page_size);
}

/* One line of debugfs' ranges file. */
struct pagerange_ranges_line {
	long long pid;
	long long size_pages;
	long long present;
	long long in_use;
	long long reclaimable;
};

/*
 * Find the ranges line of @pid; returns how many lines @pid has (the first
 * one is copied to @line), or -1 if the file cannot be read.
 */
static inline int pagerange_ranges_line(pid_t pid,
					struct pagerange_ranges_line *line)
{
	FILE *f = pagerange_debugfs_open(PAGERANGE_RANGES);
	struct pagerange_ranges_line l;
	char buf[256];
	int found = 0;

	if (!f)
		return -1;
	/* Skip the header line. */
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%lld %lld %lld %lld %lld", &l.pid,
			   &l.size_pages, &l.present, &l.in_use,
			   &l.reclaimable) != 5)
			continue;
		if (l.pid != pid)
			continue;
		if (!found++)
			*line = l;
	}
	fclose(f);
	return found;
}

/* The global counters a test compares before and after itself. */
struct pagerange_stats {
	long long pages_allocated;
	long long pages_reclaimable;
	long long ranges;
};

static inline void pagerange_stats_read(struct pagerange_stats *s)
{
	s->pages_allocated = pagerange_stat("pages_allocated");
	s->pages_reclaimable = pagerange_stat("pages_reclaimable");
	s->ranges = pagerange_stat("ranges");
}

/*
 * Check that the global counters are back to @before: every range the test
 * made is gone and took its pages with it.
 */
static inline void pagerange_expect_stats(struct __test_metadata *_metadata,
					  const struct pagerange_stats *before)
{
	struct pagerange_stats now;

	pagerange_stats_read(&now);
	EXPECT_LE(0, now.pages_allocated);
	EXPECT_EQ(before->pages_allocated, now.pages_allocated);
	EXPECT_EQ(before->pages_reclaimable, now.pages_reclaimable);
	EXPECT_EQ(before->ranges, now.ranges);
}

/*
 * What every fixture's setup starts with: snapshot the global counters for
 * pagerange_expect_stats(), which must be readable.
 */
static inline void pagerange_stats_begin(struct __test_metadata *_metadata,
					 struct pagerange_stats *before)
{
	pagerange_stats_read(before);
	ASSERT_LE(0, before->pages_allocated);
	ASSERT_LE(0, before->ranges);
}

/* Setup of a fixture owning one range: snapshot the counters, then open. */
static inline void pagerange_setup_open(struct __test_metadata *_metadata,
					struct pagerange_stats *before,
					int *fd)
{
	pagerange_stats_begin(_metadata, before);
	*fd = pagerange_open();
	ASSERT_LE(0, *fd);
}

/* pagerange_setup_open(), then map @size bytes of the range. */
static inline void pagerange_setup_mapped(struct __test_metadata *_metadata,
					  struct pagerange_stats *before,
					  int *fd, unsigned char **map,
					  size_t size)
{
	pagerange_setup_open(_metadata, before, fd);
	*map = pagerange_map(*fd, size);
	ASSERT_NE(MAP_FAILED, *map);
}

/*
 * Teardown of pagerange_setup_open(): close the range, and check that the
 * counters are back to the snapshot.
 */
static inline void pagerange_teardown_close(struct __test_metadata *_metadata,
					    const struct pagerange_stats *before,
					    int fd)
{
	if (fd >= 0)
		EXPECT_EQ(0, close(fd));
	pagerange_expect_stats(_metadata, before);
}

/*
 * Teardown of pagerange_setup_mapped(): unmap and close, unless the test
 * already did and set @map to MAP_FAILED or @fd to -1, then check that
 * every page is back.
 */
static inline void pagerange_teardown_mapped(struct __test_metadata *_metadata,
					     const struct pagerange_stats *before,
					     int fd, unsigned char *map,
					     size_t size)
{
	if (map != MAP_FAILED)
		EXPECT_EQ(0, munmap(map, size));
	pagerange_teardown_close(_metadata, before, fd);
}

/* Once the range is unmapped, or its owner gone, every page ioctl fails ESRCH. */
static inline void pagerange_expect_esrch(struct __test_metadata *_metadata,
					  int fd)
{
	char byte = 0;

	EXPECT_EQ(-ESRCH, pagerange_use_range(fd, 0, 1));
	EXPECT_EQ(-ESRCH, pagerange_stop_using(fd, 0, 1));
	EXPECT_EQ(-ESRCH, pagerange_write(fd, 0, &byte, 1));
	EXPECT_EQ(-ESRCH, pagerange_read(fd, 0, &byte, 1));
	EXPECT_EQ(-ESRCH, pagerange_zero(fd, 0, 1));
}

/*
 * Make pages [first, end) of @fd in use and WRITE pagerange_fill(@seed) to
 * them, one stream over the whole span.
 */
static inline void pagerange_use_and_fill(struct __test_metadata *_metadata,
					  int fd, __u64 first, __u64 end,
					  __u32 seed)
{
	size_t len = (end - first) * page_size;
	unsigned char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, pagerange_use_range(fd, first, end));
	pagerange_fill(buf, len, seed);
	ASSERT_EQ(0, pagerange_write(fd, first * page_size, buf, len));
	free(buf);
}

/* Run the shrinker until it is done, then read GET_INFO of @fd. */
static inline void pagerange_reclaim_info(struct __test_metadata *_metadata,
					  int fd, struct pagerange_info *info)
{
	ASSERT_EQ(0, pagerange_drop_caches());
	ASSERT_EQ(0, pagerange_get_info(fd, info));
}

static sigjmp_buf pagerange_probe_env;
static volatile sig_atomic_t pagerange_probe_signal;

static inline void pagerange_probe_handler(int sig)
{
	pagerange_probe_signal = sig;
	siglongjmp(pagerange_probe_env, 1);
}

/*
 * The signal raised by reading one byte at @addr (0 if none); on success the
 * byte is stored in @val if it is not NULL.
 */
static inline int pagerange_probe(const void *addr, unsigned char *val)
{
	struct sigaction sa = { .sa_handler = pagerange_probe_handler };
	struct sigaction old_bus, old_segv;
	unsigned char c = 0;

	pagerange_probe_signal = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	if (!sigsetjmp(pagerange_probe_env, 1))
		c = *(const volatile unsigned char *)addr;
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	if (!pagerange_probe_signal && val)
		*val = c;
	return pagerange_probe_signal;
}

/* How many of @npages pages from @addr can be read without a signal. */
static inline size_t pagerange_count_readable(const void *addr, size_t npages)
{
	size_t i, n = 0;

	for (i = 0; i < npages; i++)
		if (!pagerange_probe((const char *)addr + i * page_size, NULL))
			n++;
	return n;
}

/* Wait for child @pid: returns its exit code, or minus the signal that killed it. */
static inline int pagerange_wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -255;
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * Run @fn(@arg) in a child process: returns its exit code, or minus the
 * signal that killed it. The child must not use ASSERT_*()/EXPECT_*().
 */
static inline int pagerange_in_child(int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -255;
	if (!pid)
		_exit(fn(arg) & 0xff);
	return pagerange_wait_exit(pid);
}

/*
 * The message pagerange_send_fd() and pagerange_recv_fd() exchange: one byte
 * of data and room for one fd.
 */
struct pagerange_fd_msg {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	char cbuf[CMSG_SPACE(sizeof(int))];
};

static inline struct msghdr *pagerange_fd_msg_init(struct pagerange_fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->iov.iov_base = &m->byte;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->cbuf;
	m->msg.msg_controllen = sizeof(m->cbuf);
	return &m->msg;
}

/* Pass @fd over a unix socket (SCM_RIGHTS): 0 or -errno. */
static inline int pagerange_send_fd(int sock, int fd)
{
	struct pagerange_fd_msg m;
	struct msghdr *msg = pagerange_fd_msg_init(&m);
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, msg, 0) == 1 ? 0 : -errno;
}

/* Receive an fd sent by pagerange_send_fd(): the fd or -errno. */
static inline int pagerange_recv_fd(int sock)
{
	struct pagerange_fd_msg m;
	struct msghdr *msg = pagerange_fd_msg_init(&m);
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd;

	n = recvmsg(sock, msg, MSG_CMSG_CLOEXEC);
	if (n != 1)
		return n < 0 ? -errno : -EIO;
	cmsg = CMSG_FIRSTHDR(msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* Read or write exactly @len bytes of a pipe: 0 or -1. */
static inline int pagerange_xfer(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * A second process that holds the range's fd (inherited through fork()) and
 * does what the owner tells it over a pipe, like a Binder sender copying a
 * transaction into the receiver's buffer.
 */
enum pagerange_order_op {
	PAGERANGE_ORDER_EXIT,
	PAGERANGE_ORDER_WRITE,	/* USE_RANGE the pages, then WRITE the pattern */
	PAGERANGE_ORDER_CHECK,	/* READ, and compare with the pattern */
};

struct pagerange_order {
	__u32 op;
	__u32 seed;
	__u64 offset;
	__u64 len;
};

struct pagerange_reply {
	__s64 used;	/* USE_RANGE's result for PAGERANGE_ORDER_WRITE */
	__s32 err;	/* 0, -errno of the failed ioctl, or -EBADMSG */
	__s32 pad;
};

struct pagerange_sender {
	pid_t pid;
	int order_fd;
	int reply_fd;
};

/* Kill child *@pid, if any is left, and reap it: a teardown's first step. */
static inline void pagerange_kill_child(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

/* In a child: do not outlive a test that gave up. */
static inline void pagerange_die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * fork() with stdio flushed first, so that the child does not write out the
 * parent's buffered output again; the child does not outlive the test.
 */
static inline pid_t pagerange_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid)
		pagerange_die_with_parent();
	return pid;
}

static inline void pagerange_sender_serve(int fd, int order_fd, int reply_fd)
{
	struct pagerange_order o;
	unsigned char *buf = NULL;
	size_t cap = 0;

	pagerange_die_with_parent();
	while (!pagerange_xfer(order_fd, &o, sizeof(o), false)) {
		struct pagerange_reply r = { 0 };

		if (o.op == PAGERANGE_ORDER_EXIT)
			_exit(0);
		if (o.len > cap) {
			free(buf);
			cap = o.len;
			buf = malloc(cap);
			if (!buf)
				_exit(2);
		}
		if (o.op == PAGERANGE_ORDER_WRITE) {
			r.used = pagerange_use_range(fd, o.offset / page_size,
						     (o.offset + o.len + page_size - 1) /
						     page_size);
			if (r.used < 0) {
				r.err = r.used;
			} else {
				pagerange_fill(buf, o.len, o.seed);
				r.err = pagerange_write(fd, o.offset, buf, o.len);
			}
		} else {
			r.err = pagerange_read(fd, o.offset, buf, o.len);
			if (!r.err && pagerange_check(buf, o.len, o.seed) >= 0)
				r.err = -EBADMSG;
		}
		if (pagerange_xfer(reply_fd, &r, sizeof(r), true))
			_exit(3);
	}
	_exit(1);
}

/* Fork a sender holding @fd: 0 or -errno. */
static inline int pagerange_sender_start(struct pagerange_sender *s, int fd)
{
	int order[2], reply[2];

	if (pipe2(order, O_CLOEXEC))
		return -errno;
	if (pipe2(reply, O_CLOEXEC)) {
		close(order[0]);
		close(order[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	s->pid = fork();
	if (!s->pid) {
		close(order[1]);
		close(reply[0]);
		pagerange_sender_serve(fd, order[0], reply[1]);
	}
	close(order[0]);
	close(reply[1]);
	if (s->pid < 0) {
		close(order[1]);
		close(reply[0]);
		return -EAGAIN;
	}
	s->order_fd = order[1];
	s->reply_fd = reply[0];
	return 0;
}

/* Give the sender an order without waiting for it: 0 or -EPIPE. */
static inline int pagerange_sender_send(struct pagerange_sender *s, __u32 op,
					__u64 offset, __u64 len, __u32 seed)
{
	struct pagerange_order o = {
		.op = op,
		.seed = seed,
		.offset = offset,
		.len = len,
	};

	return pagerange_xfer(s->order_fd, &o, sizeof(o), true) ? -EPIPE : 0;
}

/* Wait for the sender's reply to its last order. */
static inline struct pagerange_reply
pagerange_sender_reply(struct pagerange_sender *s)
{
	struct pagerange_reply r;

	if (pagerange_xfer(s->reply_fd, &r, sizeof(r), false)) {
		r.used = -EPIPE;
		r.err = -EPIPE;
	}
	return r;
}

/* Have the sender carry out one order; returns its reply. */
static inline struct pagerange_reply
pagerange_sender_do(struct pagerange_sender *s, __u32 op, __u64 offset,
		    __u64 len, __u32 seed)
{
	struct pagerange_reply r = { .used = -EPIPE, .err = -EPIPE };

	if (!pagerange_sender_send(s, op, offset, len, seed))
		r = pagerange_sender_reply(s);
	return r;
}

/* Stop the sender; returns its exit code (0 when it was told to exit). */
static inline int pagerange_sender_stop(struct pagerange_sender *s)
{
	struct pagerange_order o = { .op = PAGERANGE_ORDER_EXIT };
	int ret;

	if (s->pid <= 0)
		return 0;
	if (pagerange_xfer(s->order_fd, &o, sizeof(o), true))
		kill(s->pid, SIGKILL);
	ret = pagerange_wait_exit(s->pid);
	close(s->order_fd);
	close(s->reply_fd);
	s->pid = 0;
	return ret;
}

/*
 * Make a range whose owner is gone: a child opens and maps @npages, makes the
 * first @in_use pages in use and the @reclaimable after them reclaimable,
 * hands the fd over and exits. Returns the fd, or -errno.
 */
static inline int pagerange_orphan_range(__u64 npages, __u64 in_use,
					 __u64 reclaimable)
{
	__u64 present = in_use + reclaimable;
	int sv[2], fd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid) {
		int owned = pagerange_open();

		if (owned < 0)
			_exit(1);
		if (pagerange_map(owned, npages * page_size) == MAP_FAILED)
			_exit(2);
		if (pagerange_use_range(owned, 0, present) != (long)present)
			_exit(3);
		if (pagerange_stop_using(owned, in_use, present) !=
		    (long)reclaimable)
			_exit(4);
		/* The mapping goes away with this process. */
		_exit(pagerange_send_fd(sv[1], owned) ? 5 : 0);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -EAGAIN;
	}
	fd = pagerange_recv_fd(sv[0]);
	close(sv[0]);
	status = pagerange_wait_exit(pid);
	if (status && fd >= 0) {
		close(fd);
		fd = -ECHILD;
	}
	return fd;
}

/*
 * Skip the whole program, before the harness prints a plan, when there is
 * no device to test.
 */
static inline void pagerange_require_device(void)
{
	int fd;

	page_size = sysconf(_SC_PAGESIZE);
	fd = pagerange_open();
	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		ksft_exit_skip("%s: %s (is pagerange.ko loaded?)\n",
			       PAGERANGE_DEV, strerror(errno));
	if (errno == EACCES || errno == EPERM)
		ksft_exit_skip("%s: %s (the tests need root)\n",
			       PAGERANGE_DEV, strerror(errno));
	ksft_exit_fail_msg("%s: %s\n", PAGERANGE_DEV, strerror(errno));
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
static inline int pagerange_test_main(int argc, char **argv)
{
	pagerange_require_device();
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
		exit(pagerange_test_main(argc, argv));			\
	}

/*
 * Print one TAP diagnostic line ("# ..."), for the figures a test reports.
 * Flushed at once: the harness ends a test with _exit().
 */
static inline void __attribute__((format(printf, 1, 2)))
pagerange_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * Wait up to @ms milliseconds for the global counters to come back to
 * @before: when a remote writer held the owner's mm last, the owner's
 * mapping is torn down by a worker (mmput_async()) a little after the last
 * process went away. Returns whether they did; pagerange_expect_stats()
 * says what differs.
 */
static inline bool pagerange_stats_settle(const struct pagerange_stats *before,
					  int ms)
{
	struct pagerange_stats now;

	for (;;) {
		pagerange_stats_read(&now);
		if (now.pages_allocated == before->pages_allocated &&
		    now.pages_reclaimable == before->pages_reclaimable &&
		    now.ranges == before->ranges)
			return true;
		if (ms <= 0)
			return false;
		usleep(10 * 1000);
		ms -= 10;
	}
}

#include <time.h>

/* Seconds on the monotonic clock, to time a test's phases. */
static inline double pagerange_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* PAGERANGE_HELPERS_H */
