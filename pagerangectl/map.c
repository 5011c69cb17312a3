// SPDX-License-Identifier: GPL-2.0
/*
 * pagerangectl map: the state of each page of a process's ranges, as
 * mincore(2) shows it for other memory. The ranges are reached through
 * copies of the process's file descriptors (pidfd_getfd(2)), and only
 * GET_INFO and QUERY are called on them: map changes nothing.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pagerange.h>

#include "libpagerange.h"
#include "pagerangectl.h"

#define CTL_MAP_LINE	64	/* pages a line of the map shows */
#define CTL_MAP_GROUP	16	/* pages between two blanks of a line */
#define CTL_MAP_KNOWN	3	/* states QUERY reports; one more for others */

/*
 * Indexed by PAGERANGE_PAGE_*: the map's character, --raw's word and the
 * counts' name of each state. The last is any value a newer driver may
 * report.
 */
static const struct {
	char c;
	const char *word;
	const char *name;
} ctl_map_states[CTL_MAP_KNOWN + 1] = {
	[PAGERANGE_PAGE_FREE] = { '.', "free", "free" },
	[PAGERANGE_PAGE_IN_USE] = { 'U', "in_use", "in use" },
	[PAGERANGE_PAGE_RECLAIMABLE] = { 'R', "reclaimable", "reclaimable" },
	[CTL_MAP_KNOWN] = { '?', "unknown", "of unknown state" },
};

/* What GET_INFO and QUERY say of a range as a whole. */
enum ctl_map_status {
	CTL_MAP_MAPPED,
	CTL_MAP_NOT_MAPPED,	/* not mmap()ed yet: no size, ENXIO */
	CTL_MAP_GONE,		/* unmapped, or the owner's mm is dead: ESRCH */
};

static const char *const ctl_map_status_word[] = {
	[CTL_MAP_MAPPED] = "mapped",
	[CTL_MAP_NOT_MAPPED] = "not_mapped",
	[CTL_MAP_GONE] = "gone",
};

/* One range of a process: which fd, and its pages as QUERY saw them. */
struct ctl_map {
	pid_t pid;
	int fd;
	enum ctl_map_status status;
	unsigned long long size;	/* pages */
	unsigned char *vec;		/* a PAGERANGE_PAGE_* a page, if mapped */
};

/*
 * By number, as <sys/syscall.h> gives it. A kernel without pidfd_open()
 * (before 5.3) or pidfd_getfd() (before 5.6) fails the call with
 * "Function not implemented", which the message passes on.
 */
static int ctl_pidfd_open(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/* A copy of fd @fd of the process, close-on-exec. */
static int ctl_pidfd_getfd(int pidfd, int fd)
{
	return syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

/*
 * Explain why pidfd_open() or pidfd_getfd() (@call) failed with @err for
 * process @pid (and its fd @fd, unless negative): a process that is gone,
 * an fd it does not have and a caller who may not ptrace it are named.
 */
static void ctl_map_explain(const char *call, pid_t pid, int fd, int err)
{
	char what[48];

	if (fd < 0)
		snprintf(what, sizeof(what), "%d", pid);
	else
		snprintf(what, sizeof(what), "pid %d, fd %d", pid, fd);
	if (err == ESRCH)
		fprintf(stderr, "pagerange: no process %d\n", pid);
	else if (err == EBADF && fd >= 0)
		fprintf(stderr, "pagerange: process %d has no fd %d\n", pid, fd);
	else if (err == EPERM || err == EACCES)
		fprintf(stderr, "pagerange: %s(%s): %s (run as root)\n",
			call, what, strerror(err));
	else
		fprintf(stderr, "pagerange: %s(%s): %s\n", call, what, strerror(err));
}

static int ctl_map_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * The fds of process @pid open on the device @rdev, in increasing order, as
 * /proc/PID/fd shows them: how many (*@out to be freed), or -1 once said
 * why not.
 */
static int ctl_map_find(pid_t pid, dev_t rdev, int **out)
{
	int n = 0, alloc = 0, *fds = NULL, *tmp;
	char dir[32], path[64];
	unsigned long fd;
	struct dirent *d;
	struct stat st;
	char *end;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	dp = opendir(dir);
	if (!dp) {
		ctl_explain("opendir", dir, errno);
		return -1;
	}
	while ((d = readdir(dp))) {
		fd = strtoul(d->d_name, &end, 10);
		if (end == d->d_name || *end || fd > INT_MAX)
			continue;	/* "." and ".." */
		/* An fd closed since readdir() is no longer there: skip it. */
		snprintf(path, sizeof(path), "%s/%lu", dir, fd);
		if (stat(path, &st) || !S_ISCHR(st.st_mode) ||
		    st.st_rdev != rdev)
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 8;
			tmp = realloc(fds, alloc * sizeof(*fds));
			if (!tmp) {
				ctl_syserr("realloc", dir);
				free(fds);
				closedir(dp);
				return -1;
			}
			fds = tmp;
		}
		fds[n++] = fd;
	}
	closedir(dp);
	if (n)
		qsort(fds, n, sizeof(*fds), ctl_map_cmp);
	*out = fds;
	return n;
}

/*
 * Copy fd @m->fd out of the process behind @pidfd, make sure it is a range
 * (the number may have been reused since /proc was read), and read the
 * range with GET_INFO and QUERY, which change nothing: 0, or -1 once said
 * why not.
 */
static int ctl_map_read(int pidfd, dev_t rdev, struct ctl_map *m)
{
	struct pagerange_info info;
	const char *call = "GET_INFO";
	struct stat st;
	int fd, ret;

	fd = ctl_pidfd_getfd(pidfd, m->fd);
	if (fd < 0) {
		ctl_map_explain("pidfd_getfd", m->pid, m->fd, errno);
		return -1;
	}
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != rdev) {
		fprintf(stderr, "pagerange: fd %d of process %d is not %s\n",
			m->fd, m->pid, PRLIB_DEV);
		close(fd);
		return -1;
	}
	ret = prlib_get_info(fd, &info);
	if (!ret && info.size_pages) {
		call = "QUERY";
		m->size = info.size_pages;
		m->vec = malloc(m->size);
		ret = m->vec ? prlib_query(fd, 0, m->size, m->vec) : -ENOMEM;
	}
	close(fd);

	if ((!ret && !m->size) || ret == -ENXIO) {
		m->status = CTL_MAP_NOT_MAPPED;
		m->size = 0;
	} else if (ret == -ESRCH) {
		m->status = CTL_MAP_GONE;
	} else if (ret) {
		fprintf(stderr, "pagerange: %s(pid %d, fd %d): %s\n",
			call, m->pid, m->fd, strerror(-ret));
		return -1;
	}
	return 0;
}

static unsigned int ctl_map_state(unsigned char v)
{
	return v < CTL_MAP_KNOWN ? v : CTL_MAP_KNOWN;
}

static int ctl_digits(unsigned long long v)
{
	int n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/*
 * A line saying which range, then one character a page, 64 a line in
 * groups of 16, each line headed by the index of its first page, then the
 * pages in each state.
 */
static void ctl_map_human(const struct ctl_map *m)
{
	unsigned long long i, count[CTL_MAP_KNOWN + 1] = { 0 };
	unsigned int s;
	int width;

	printf("pid %d fd %d: ", m->pid, m->fd);
	if (m->status == CTL_MAP_NOT_MAPPED) {
		printf("not mapped yet\n");
		return;
	}
	if (m->status == CTL_MAP_GONE) {
		printf("%llu pages, gone (unmapped, or the owner exited)\n",
		       m->size);
		return;
	}
	printf("%llu pages\n", m->size);
	width = ctl_digits((m->size - 1) / CTL_MAP_LINE * CTL_MAP_LINE);
	for (i = 0; i < m->size; i++) {
		s = ctl_map_state(m->vec[i]);
		count[s]++;
		if (!(i % CTL_MAP_LINE))
			printf("%*llu  ", width, i);
		else if (!(i % CTL_MAP_GROUP))
			putchar(' ');
		putchar(ctl_map_states[s].c);
		if (i % CTL_MAP_LINE == CTL_MAP_LINE - 1 || i + 1 == m->size)
			putchar('\n');
	}
	for (s = 0; s <= CTL_MAP_KNOWN; s++)
		if (s < CTL_MAP_KNOWN || count[s])
			printf("%s%llu %s (%c)", s ? ", " : "", count[s],
			       ctl_map_states[s].name, ctl_map_states[s].c);
	putchar('\n');
}

/* A "range" line, then a "pages" line per run of pages in the same state. */
static void ctl_map_raw(const struct ctl_map *m)
{
	unsigned long long start, end;
	unsigned int s;

	printf("range %d %d %llu %s\n", m->pid, m->fd, m->size,
	       ctl_map_status_word[m->status]);
	if (m->status != CTL_MAP_MAPPED)
		return;
	for (start = 0; start < m->size; start = end) {
		s = ctl_map_state(m->vec[start]);
		for (end = start + 1; end < m->size; end++)
			if (ctl_map_state(m->vec[end]) != s)
				break;
		printf("pages %d %d %llu %llu %s\n", m->pid, m->fd, start, end,
		       ctl_map_states[s].word);
	}
}

/*
 * Show the ranges of process @pid: its fd @fd alone, or every one it holds
 * if @fd is negative. Each is read through a copy of the process's fd, and
 * nothing is changed: no PURGED, so a pending reclaim notification stays
 * the owner's to acknowledge.
 */
static int ctl_map(pid_t pid, int fd, bool raw)
{
	int pidfd, n, i, *found = NULL, ret = CTL_EXIT_OK;
	const int *fds = &fd;
	struct ctl_map m;
	struct stat dev;
	bool first = true;

	if (stat(PRLIB_DEV, &dev)) {
		ctl_explain("stat", PRLIB_DEV, errno);
		return CTL_EXIT_ERROR;
	}
	pidfd = ctl_pidfd_open(pid);
	if (pidfd < 0) {
		ctl_map_explain("pidfd_open", pid, -1, errno);
		return CTL_EXIT_ERROR;
	}
	n = 1;
	if (fd < 0) {
		n = ctl_map_find(pid, dev.st_rdev, &found);
		fds = found;
	}
	if (!n)
		fprintf(stderr, "pagerange: process %d holds no range\n", pid);
	if (n <= 0)
		ret = CTL_EXIT_ERROR;
	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.pid = pid;
		m.fd = fds[i];
		if (ctl_map_read(pidfd, dev.st_rdev, &m)) {
			ret = CTL_EXIT_ERROR;
		} else if (raw) {
			ctl_map_raw(&m);
		} else {
			if (!first)
				putchar('\n');
			ctl_map_human(&m);
			first = false;
		}
		free(m.vec);
	}
	free(found);
	close(pidfd);
	return ret;
}

int ctl_cmd_map(int argc, char **argv)
{
	unsigned long pid, fd;
	int ret, nargs;
	bool raw;

	ret = ctl_flag_opt(argc, argv, "raw", 'r', &raw);
	if (ret >= 0)
		return ret;
	nargs = argc - optind;
	if (nargs < 1 || nargs > 2 ||
	    ctl_parse_count(argv[optind], 1, INT_MAX, &pid) ||
	    (nargs == 2 &&
	     ctl_parse_count(argv[optind + 1], 0, INT_MAX, &fd)))
		return ctl_usage(CTL_EXIT_USAGE);
	return ctl_map(pid, nargs == 2 ? (int)fd : -1, raw);
}

