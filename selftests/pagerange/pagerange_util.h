/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagerange_util: what the selftests and the benchmark need on top of
 * libpagerange.h and no shipped program does, as tools/testing/selftests/mm/
 * keeps vm_util.c: module parameters, cgroups, a page that stalls a copy on
 * a userfaultfd fault, fd passing, child processes, a range whose owner is
 * gone, the seed of the pseudo-random tests and a clock.
 *
 * The collection links these two files and nothing from outside its
 * directory, so that it builds alone, here or in a kernel's
 * tools/testing/selftests/. Each piece of logic has one home: the ioctl
 * wrappers, the readers, the PRNG and the sender process are
 * libpagerange.[ch] (prefix prlib_), which the shipped programs build
 * through the links in lib/; this file is for the tests and the benchmark
 * only (prefix prt_). See Documentation/testing.md, "The test library".
 */
#ifndef PAGERANGE_UTIL_H
#define PAGERANGE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "libpagerange.h"

#define PRT_NR_IOC_CMDS	9
extern const unsigned long prt_ioc_cmds[PRT_NR_IOC_CMDS];

#define PRT_MAX_SIZE	"/sys/module/pagerange/parameters/max_size"

#define PRT_MAX_PAGES_PARAM "/sys/module/pagerange/parameters/max_pages"

/* Seed of the pseudo-random tests; PAGERANGE_SEED=n in the environment overrides it. */
#define PRT_DEFAULT_SEED	0x5eed1234u

/* mmap(2) as 0 or -errno; a successful mapping is unmapped again. */
int prt_try_map(int fd, size_t len, int prot, int flags,
		off_t offset);

__u32 prt_seed(void);

/* The max_size module parameter in bytes, or -1. */
long long prt_max_size(void);

int prt_set_max_size(long long val);

/* A number alone in a file (sysfs, cgroupfs), or -1; "max" is LLONG_MAX. */
long long prt_read_ll(const char *path);

int prt_write_ll(const char *path, long long val);

/* A "Name: value kB" line of /proc/<pid>/status, in KiB, or -1. */
long long prt_status_kb(pid_t pid, const char *name);

#define PRT_CGROUP_ROOT	"/sys/fs/cgroup"

/* What prt_cgroup_init() changed, for prt_cgroup_fini(). */
struct prt_cgroup_root {
	bool mounted;	/* cgroup2 was mounted */
	bool enabled;	/* the memory controller was enabled for children */
};

/* Whether @word is one of the space-separated words of file @path. */
bool prt_file_has_word(const char *path, const char *word);

/*
 * Mount cgroup2 if it is not, and give child cgroups the memory
 * controller: NULL, or why not.
 */
const char *
prt_cgroup_init(struct prt_cgroup_root *root);

/* Undo prt_cgroup_init(), once every cgroup it allowed is gone. */
void prt_cgroup_fini(struct prt_cgroup_root *root);

/* A file of cgroup @cg (a directory), as one number; see prt_read_ll(). */
long long prt_cgroup_read(const char *cg, const char *file);

int prt_cgroup_write(const char *cg, const char *file,
		     long long val);

/* The value of @key in @cg's memory.events or memory.stat (@file), or -1. */
long long prt_cgroup_key(const char *cg, const char *file,
			 const char *key);

/* Move process @pid (0: the caller) into cgroup @cg: 0 or -errno. */
int prt_cgroup_enter(const char *cg, pid_t pid);

/*
 * A page of user memory that stalls whoever touches it, the kernel's
 * copy_from_user() included, until the test lets it go: a userfaultfd
 * region in missing mode. It holds a copy into the driver in flight for as
 * long as a test likes.
 */
struct prt_stall {
	unsigned char *page;	/* the stalling page */
	int uffd;		/* -1 without userfaultfd */
};

/*
 * Map the page and register it: 0, or -errno (-ENOSYS, -EPERM: no
 * userfaultfd here), with the page mapped but not stalling. Released with
 * prt_stall_fini() in both cases.
 */
int prt_stall_init(struct prt_stall *st);

/* Wait up to @seconds for a touch of the page to stall: 0 or -errno. */
int prt_stall_wait(struct prt_stall *st,
		   int seconds);

/* Let the stalled touch go on: the page then reads as @fill. 0 or -errno. */
int prt_stall_release(struct prt_stall *st, int fill);

void prt_stall_fini(struct prt_stall *st);

/*
 * Run @fn(@arg) in a child process: returns its exit code, or minus the
 * signal that killed it. The child must not use ASSERT_*()/EXPECT_*().
 */
int prt_in_child(int (*fn)(void *), void *arg);

/* Pass @fd over a unix socket (SCM_RIGHTS): 0 or -errno. */
int prt_send_fd(int sock, int fd);

/* Receive an fd sent by prt_send_fd(): the fd or -errno. */
int prt_recv_fd(int sock);

/* Kill child *@pid, if any is left, and reap it: a teardown's first step. */
void prt_kill_child(pid_t *pid);

/*
 * Make a range whose owner is gone: a child opens and maps @npages, makes the
 * first @in_use pages in use and the @reclaimable after them reclaimable,
 * hands the fd over and exits. Returns the fd, or -errno.
 */
int prt_orphan_range(__u64 npages, __u64 in_use,
		     __u64 reclaimable);

/* Seconds on the monotonic clock, to time a test's phases. */
double prt_seconds(void);

#endif /* PAGERANGE_UTIL_H */
