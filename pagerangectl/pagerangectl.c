// SPDX-License-Identifier: GPL-2.0
/*
 * Show the state of /dev/pagerange and walk a new user through its model.
 *
 * "stats" prints the figures the driver exports in debugfs, "watch" samples
 * them again and again with the rate at which the shrinker reclaims pages,
 * "map" shows the state of each page of a process's ranges, as mincore(2)
 * does for memory, and "demo" tells Binder's buffer model in two processes,
 * step by step.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/pagerange.h>

#include "libpagerange.h"

#define PAGERANGE_MODULE	"/sys/module/pagerange"
#define PAGERANGE_DEBUGFS_DIR	PRLIB_DEBUGFS "/pagerange"

#define CTL_EXIT_OK	0
#define CTL_EXIT_ERROR	1
#define CTL_EXIT_USAGE	2

#define CTL_TABLE_COLS	8
#define CTL_CELL_LEN	64

/* ---- errors ---------------------------------------------------------- */

static void ctl_syserr(const char *call, const char *what)
{
	fprintf(stderr, "pagerange: %s(%s): %s\n", call, what, strerror(errno));
}

/* Any trace of the driver; debugfs may be hidden from non-root callers. */
static bool ctl_loaded(void)
{
	return !access(PRLIB_DEV, F_OK) ||
	       !access(PAGERANGE_MODULE, F_OK) ||
	       !access(PAGERANGE_DEBUGFS_DIR, F_OK);
}

/*
 * Explain why @call on @path (the device or a debugfs file) failed with
 * @err: a missing module, debugfs or privilege is a setup problem the user
 * can fix, so name the fix rather than the errno.
 */
static void ctl_explain(const char *call, const char *path, int err)
{
	bool debugfs = !strncmp(path, PRLIB_DEBUGFS "/",
				strlen(PRLIB_DEBUGFS) + 1);

	if ((err == ENOENT || err == EACCES || err == EPERM) &&
	    !ctl_loaded())
		fprintf(stderr, "pagerange: module not loaded (modprobe pagerange)\n");
	else if (err == ENOENT && debugfs && !prlib_debugfs_mounted())
		fprintf(stderr, "pagerange: debugfs not mounted (mount -t debugfs none %s)\n",
			PRLIB_DEBUGFS);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "pagerange: %s(%s): %s (run as root)\n",
			call, path, strerror(err));
	else
		fprintf(stderr, "pagerange: %s(%s): %s\n",
			call, path, strerror(err));
}

/* ---- files ---------------------------------------------------------- */

/*
 * Read a whole file into a NUL-terminated buffer. debugfs files report a
 * size of 0, so read until EOF. On failure, *call names the failed call.
 */
static int ctl_slurp(const char *path, char **out, const char **call)
{
	size_t size = 0, len = 0;
	char *buf = NULL, *tmp;
	ssize_t n;
	int fd, err;

	*call = "open";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		if (size - len < 2) {
			*call = "realloc";
			size = size ? 2 * size : 4096;
			tmp = realloc(buf, size);
			if (!tmp)
				goto err_free;
			buf = tmp;
		}
		*call = "read";
		n = read(fd, buf + len, size - len - 1);
		if (n < 0 && errno != EINTR)
			goto err_free;
		if (n > 0)
			len += n;
	} while (n != 0);
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;

err_free:
	err = errno;
	free(buf);
	close(fd);
	return -err;
}

/* ---- tables ---------------------------------------------------------- */

/*
 * Rows of short strings printed as aligned columns. Columns whose cells are
 * all numbers are right-aligned, the others left-aligned.
 */
struct ctl_table {
	unsigned int ncols;
	unsigned int nrows;
	unsigned int alloc;
	char head[CTL_TABLE_COLS][CTL_CELL_LEN];
	char (*rows)[CTL_TABLE_COLS][CTL_CELL_LEN];
};

static bool ctl_is_number(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return false;
	return strspn(s, "0123456789") == strlen(s);
}

/*
 * Split @line into @cells at @delims. Formatted rows use a tab and keep empty
 * cells; debugfs lines use blanks and runs of them separate one pair.
 */
static unsigned int ctl_split(char (*cells)[CTL_CELL_LEN],
			      const char *line, const char *delims,
			      bool collapse)
{
	unsigned int n = 0;
	size_t len;

	while (n < CTL_TABLE_COLS) {
		if (collapse)
			line += strspn(line, delims);
		if (collapse && !*line)
			break;
		len = strcspn(line, delims);
		snprintf(cells[n++], CTL_CELL_LEN, "%.*s", (int)len, line);
		if (!line[len])
			break;
		line += len + 1;
	}
	return n;
}

static void ctl_table_cols(struct ctl_table *t, unsigned int n)
{
	if (n > t->ncols)
		t->ncols = n;
}

static int ctl_table_line(struct ctl_table *t, const char *line,
			  const char *delims, bool collapse)
{
	void *rows;

	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		rows = realloc(t->rows, t->alloc * sizeof(*t->rows));
		if (!rows) {
			ctl_syserr("realloc", "table");
			return -1;
		}
		t->rows = rows;
	}
	memset(t->rows[t->nrows], 0, sizeof(*t->rows));
	ctl_table_cols(t, ctl_split(t->rows[t->nrows], line,
				    delims, collapse));
	t->nrows++;
	return 0;
}

/* Set the header; cells are separated by tabs. */
static void ctl_table_head(struct ctl_table *t, const char *head)
{
	memset(t, 0, sizeof(*t));
	ctl_table_cols(t, ctl_split(t->head, head, "\t", false));
}

static void ctl_table_free(struct ctl_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
	t->alloc = 0;
}

static bool ctl_col_numeric(const struct ctl_table *t,
			    unsigned int col)
{
	unsigned int r;

	for (r = 0; r < t->nrows; r++)
		if (*t->rows[r][col] && !ctl_is_number(t->rows[r][col]))
			return false;
	return t->nrows > 0;
}

static void ctl_print_row(const struct ctl_table *t,
			  const char (*cells)[CTL_CELL_LEN],
			  const int *width, const char *indent)
{
	unsigned int c, last = 0;

	for (c = 0; c < t->ncols; c++)
		if (*cells[c])
			last = c;
	fputs(indent, stdout);
	for (c = 0; c <= last; c++) {
		if (c)
			fputs("  ", stdout);
		if (width[c] < 0 && c == last)
			fputs(cells[c], stdout);	/* no trailing blanks */
		else
			printf("%*s", width[c], cells[c]);
	}
	putchar('\n');
}

static void ctl_table_print(const struct ctl_table *t,
			    const char *indent)
{
	int width[CTL_TABLE_COLS];
	bool head = false;
	unsigned int r, c;
	int w;

	for (c = 0; c < t->ncols; c++) {
		w = strlen(t->head[c]);
		head |= w > 0;
		for (r = 0; r < t->nrows; r++)
			if ((int)strlen(t->rows[r][c]) > w)
				w = strlen(t->rows[r][c]);
		width[c] = ctl_col_numeric(t, c) ? w : -w;
	}
	if (head)
		ctl_print_row(t, t->head, width, indent);
	for (r = 0; r < t->nrows; r++)
		ctl_print_row(t, t->rows[r], width, indent);
}

/* The value of the row named @name in a two-column "name value" table. */
static unsigned long long ctl_table_value(const struct ctl_table *t,
					  const char *name)
{
	unsigned int r;

	for (r = 0; r < t->nrows; r++)
		if (!strcmp(t->rows[r][0], name))
			return strtoull(t->rows[r][1], NULL, 10);
	return 0;
}

/* ---- debugfs --------------------------------------------------------- */

/*
 * Parse a debugfs file of the driver into @t: "stats" is "name value" lines,
 * "ranges" a header line and then one line of numbers per range.
 */
static int ctl_read_debugfs(const char *path, struct ctl_table *t,
			    bool has_head)
{
	char *buf = NULL, *line, *next;
	const char *call;
	int err;

	ctl_table_head(t, "");
	err = ctl_slurp(path, &buf, &call);
	if (err) {
		ctl_explain(call, path, -err);
		return -1;
	}
	for (line = buf; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!line[strspn(line, " \t")])
			continue;
		if (has_head) {
			ctl_table_cols(t, ctl_split(t->head, line,
						    " \t", true));
			has_head = false;
		} else if (ctl_table_line(t, line, " \t", true)) {
			ctl_table_free(t);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}

static void ctl_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* "name": value, the value a number if it is one, else a string. */
static void ctl_json_pair(const char *name, const char *value, bool last)
{
	ctl_json_string(name);
	fputs(": ", stdout);
	if (ctl_is_number(value))
		fputs(value + (*value == '+'), stdout);
	else
		ctl_json_string(value);
	fputs(last ? "" : ", ", stdout);
}

static void ctl_stats_json(const struct ctl_table *stats,
			   const struct ctl_table *ranges)
{
	unsigned int r, c;

	printf("{\n  \"stats\": {");
	for (r = 0; r < stats->nrows; r++) {
		fputs(r ? ",\n    " : "\n    ", stdout);
		ctl_json_pair(stats->rows[r][0], stats->rows[r][1], true);
	}
	printf("\n  },\n  \"ranges\": [");
	for (r = 0; r < ranges->nrows; r++) {
		fputs(r ? ",\n    {" : "\n    {", stdout);
		for (c = 0; c < ranges->ncols; c++)
			ctl_json_pair(ranges->head[c], ranges->rows[r][c],
				      c + 1 == ranges->ncols);
		putchar('}');
	}
	printf("\n  ]\n}\n");
}

static void ctl_stats_human(const struct ctl_table *stats,
			    const struct ctl_table *ranges)
{
	printf("global (%s)\n", PRLIB_STATS);
	ctl_table_print(stats, "  ");
	printf("\nranges (%s)\n", PRLIB_RANGES);
	if (ranges->nrows)
		ctl_table_print(ranges, "  ");
	else
		printf("  none open\n");
}

/* ---- arguments ------------------------------------------------------ */

static int ctl_parse_count(const char *arg, unsigned long min,
			   unsigned long max, unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' ||
	    *val < min || *val > max) {
		fprintf(stderr, "pagerange: '%s' is not a number from %lu to %lu\n",
			arg, min, max);
		return -1;
	}
	return 0;
}

static int ctl_parse_interval(const char *arg, double *val)
{
	char *end;

	errno = 0;
	*val = strtod(arg, &end);
	if (errno || end == arg || *end || !(*val >= 0.1 && *val <= 3600)) {
		fprintf(stderr, "pagerange: '%s' is not a number of seconds from 0.1 to 3600\n",
			arg);
		return -1;
	}
	return 0;
}

/* ---- usage ----------------------------------------------------------- */

static const char ctl_usage_text[] =
	"usage: pagerangectl <command> [options]\n"
	"\n"
	"Inspect and demonstrate /dev/pagerange.\n"
	"\n"
	"commands:\n"
	"  stats [--json]      global and per-range figures from debugfs\n"
	"  watch [options]     the same figures, sampled again and again, with the\n"
	"                      reclaim rate (pages the shrinker freed per second)\n"
	"    --interval S      seconds between samples (default 2)\n"
	"    --count N         stop after N samples (default: until interrupted)\n"
	"  map PID [FD] [--raw]\n"
	"                      the state of each page of every range process PID\n"
	"                      holds, or of its fd FD alone: . free, U in use,\n"
	"                      R reclaimable; changes nothing\n"
	"    --raw             one line per run of pages in the same state\n"
	"  demo                an owner and a sender exchange messages through a\n"
	"                      range, then memory pressure reclaims the idle pages\n"
	"  -h, --help          show this help\n"
	"\n"
	"stats and watch need root (they read debugfs); so does demo, which opens\n"
	"/dev/pagerange and writes /proc/sys/vm/drop_caches. map needs the right to\n"
	"ptrace PID, which root has.\n"
	"\n"
	"exit status: 0 success, 1 error or failed check, 2 usage error\n";

static int ctl_usage(int status)
{
	fputs(ctl_usage_text, status ? stderr : stdout);
	return status;
}

static int ctl_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_table stats, ranges;
	bool json = false;
	int opt, ret = CTL_EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (opt == 'h')
			return ctl_usage(CTL_EXIT_OK);
		if (opt != 'j')
			return ctl_usage(CTL_EXIT_USAGE);
		json = true;
	}
	if (optind != argc)
		return ctl_usage(CTL_EXIT_USAGE);

	if (ctl_read_debugfs(PRLIB_STATS, &stats, false))
		return ret;
	if (!ctl_read_debugfs(PRLIB_RANGES, &ranges, true)) {
		if (json)
			ctl_stats_json(&stats, &ranges);
		else
			ctl_stats_human(&stats, &ranges);
		ret = CTL_EXIT_OK;
	}
	ctl_table_free(&ranges);
	ctl_table_free(&stats);
	return ret;
}

/* ---- watch ----------------------------------------------------------- */

struct ctl_sample {
	struct timespec when;
	unsigned long long reclaimed;
};

static double ctl_elapsed(const struct timespec *from,
			  const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) +
	       (to->tv_nsec - from->tv_nsec) / 1e9;
}

static void ctl_sleep(double secs)
{
	struct timespec ts = {
		.tv_sec = (time_t)secs,
		.tv_nsec = (long)((secs - (time_t)secs) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void ctl_print_rate(const struct ctl_sample *prev,
			   const struct ctl_sample *now)
{
	double secs = ctl_elapsed(&prev->when, &now->when);

	if (!prev->when.tv_sec && !prev->when.tv_nsec)
		printf("reclaim rate: - (first sample)\n");
	else if (now->reclaimed < prev->reclaimed)
		printf("reclaim rate: - (pages_reclaimed went back: module reloaded?)\n");
	else
		printf("reclaim rate: %.1f pages/s (%llu pages in %.2f s)\n",
		       secs > 0 ? (now->reclaimed - prev->reclaimed) / secs : 0.0,
		       now->reclaimed - prev->reclaimed, secs);
}

/* Print sample @n (of @count, 0 for no end); @prev becomes this sample. */
static int ctl_watch_sample(unsigned long n, unsigned long count,
			    double interval, bool clear,
			    struct ctl_sample *prev)
{
	struct ctl_table stats, ranges;
	struct ctl_sample now;

	if (ctl_read_debugfs(PRLIB_STATS, &stats, false))
		return -1;
	if (ctl_read_debugfs(PRLIB_RANGES, &ranges, true)) {
		ctl_table_free(&stats);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now.when);
	now.reclaimed = ctl_table_value(&stats, "pages_reclaimed");

	if (clear)
		fputs("\033[H\033[2J", stdout);	/* home, clear the screen */
	else if (n > 1)
		putchar('\n');
	printf("pagerange watch: sample %lu", n);
	if (count)
		printf(" of %lu", count);
	printf(", every %g s\n", interval);
	ctl_print_rate(prev, &now);
	putchar('\n');
	ctl_stats_human(&stats, &ranges);
	fflush(stdout);
	*prev = now;
	ctl_table_free(&ranges);
	ctl_table_free(&stats);
	return 0;
}

static int ctl_cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_sample prev = { .reclaimed = 0 };
	unsigned long count = 0, n;
	double interval = 2;
	bool clear;
	int opt;

	while ((opt = getopt_long(argc, argv, "i:c:h", opts, NULL)) != -1) {
		if (opt == 'h')
			return ctl_usage(CTL_EXIT_OK);
		if ((opt == 'i' && ctl_parse_interval(optarg, &interval)) ||
		    (opt == 'c' && ctl_parse_count(optarg, 1, 1000000, &count)) ||
		    (opt != 'i' && opt != 'c'))
			return ctl_usage(CTL_EXIT_USAGE);
	}
	if (optind != argc)
		return ctl_usage(CTL_EXIT_USAGE);

	/* Redraw in place on a terminal; a log gets one sample after another. */
	clear = isatty(STDOUT_FILENO);
	for (n = 1; !count || n <= count; n++) {
		if (n > 1)
			ctl_sleep(interval);
		if (ctl_watch_sample(n, count, interval, clear, &prev))
			return CTL_EXIT_ERROR;
	}
	return CTL_EXIT_OK;
}

/* ---- map ------------------------------------------------------------- */

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

static int ctl_cmd_map(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long pid, fd;
	bool raw = false;
	int opt, nargs;

	while ((opt = getopt_long(argc, argv, "rh", opts, NULL)) != -1) {
		if (opt == 'h')
			return ctl_usage(CTL_EXIT_OK);
		if (opt != 'r')
			return ctl_usage(CTL_EXIT_USAGE);
		raw = true;
	}
	nargs = argc - optind;
	if (nargs < 1 || nargs > 2 ||
	    ctl_parse_count(argv[optind], 1, INT_MAX, &pid) ||
	    (nargs == 2 &&
	     ctl_parse_count(argv[optind + 1], 0, INT_MAX, &fd)))
		return ctl_usage(CTL_EXIT_USAGE);
	return ctl_map(pid, nargs == 2 ? (int)fd : -1, raw);
}

/* ---- demo ------------------------------------------------------------ */

#define CTL_DEMO_PAGES	16

/* Say what just happened, then what GET_INFO says of the range. */
static int ctl_demo_step(int fd, const char *what)
{
	struct pagerange_info info;
	int ret = prlib_get_info(fd, &info);

	printf("%s\n", what);
	if (ret) {
		fprintf(stderr, "pagerange: GET_INFO: %s\n", strerror(-ret));
		return -1;
	}
	printf("   -> present %llu, in use %llu, reclaimable %llu, reclaimed %llu\n\n",
	       (unsigned long long)info.pages_present,
	       (unsigned long long)info.pages_in_use,
	       (unsigned long long)info.pages_reclaimable,
	       (unsigned long long)info.pages_reclaimed);
	return 0;
}

/* Report a check: it passed, or it failed and the demo will say FAIL. */
static void ctl_demo_check(bool ok, const char *what, unsigned int *failed)
{
	printf("   %s: %s\n", ok ? "ok" : "FAILED", what);
	*failed += !ok;
}

/*
 * Binder's buffer model in two processes, told step by step: the owner
 * maps a range, a sender holding the same fd fills pages of it, the owner
 * reads them through its mapping and lets some go, and memory pressure
 * takes those back while the others keep their data.
 */
static int ctl_cmd_demo(int argc)
{
	const size_t len = CTL_DEMO_PAGES * prlib_page_size, span = 4 * prlib_page_size;
	struct prlib_sender sender = { 0 };
	struct prlib_stats before;
	unsigned int failed = 0;
	struct prlib_reply r;
	unsigned char *map;
	int fd, ret;

	if (argc > 1)
		return ctl_usage(CTL_EXIT_USAGE);
	prlib_stats_read(&before);
	fd = prlib_open();
	if (fd < 0) {
		ctl_explain("open", PRLIB_DEV, errno);
		return CTL_EXIT_ERROR;
	}
	map = prlib_map(fd, len);
	if (map == MAP_FAILED || prlib_sender_start(&sender, fd)) {
		ctl_syserr(map == MAP_FAILED ? "mmap" : "fork", PRLIB_DEV);
		close(fd);
		return CTL_EXIT_ERROR;
	}

	printf("pagerange demo: one range of %d pages, an owner and a sender\n\n",
	       CTL_DEMO_PAGES);
	ctl_demo_step(fd, "1. The owner (this process) opened /dev/pagerange and mapped it\n"
		      "   read-only. No page exists yet: touching one would raise SIGBUS.");

	r = prlib_sender_do(&sender, PRLIB_ORDER_WRITE, 0, span, 1);
	ctl_demo_step(fd, "2. A sender, a second process holding the same fd, made pages 0-3\n"
		      "   in use (USE_RANGE, which allocates them zeroed) and wrote a\n"
		      "   message of 4 pages into them (WRITE).");
	ctl_demo_check(!r.err && r.used == 4, "the sender's calls succeeded", &failed);
	ctl_demo_check(prlib_check(map, span, 1) < 0,
		       "the owner reads the message through its mapping", &failed);

	prlib_stop_using(fd, 2, 4);
	ctl_demo_step(fd, "\n3. The owner is done with pages 2-3 (STOP_USING_RANGE). They stay\n"
		      "   mapped, with their data, until memory is short.");

	ret = prlib_drop_caches();
	ctl_demo_step(fd, "4. Memory is short: drop_caches runs every shrinker, pagerange's\n"
		      "   too. It zaps the idle pages' PTEs and frees them.");
	ctl_demo_check(!ret, "drop_caches could be written (it needs root)", &failed);
	ctl_demo_check(prlib_check(map, 2 * prlib_page_size, 1) < 0,
		       "pages 0-1, in use, kept the message's first half", &failed);

	r = prlib_sender_do(&sender, PRLIB_ORDER_WRITE, 2 * prlib_page_size, span, 2);
	ctl_demo_step(fd, "\n5. The sender's next message goes to pages 2-5: USE_RANGE gives back\n"
		      "   the 2 pages that were reclaimed and 2 more, all zeroed, before WRITE.");
	ctl_demo_check(!r.err && r.used == 4, "4 pages had to be allocated", &failed);
	ctl_demo_check(prlib_check(map + 2 * prlib_page_size, span, 2) < 0,
		       "the owner reads the new message", &failed);

	prlib_sender_stop(&sender);
	munmap(map, len);
	close(fd);
	printf("\n6. The owner unmapped and closed the range: every page is freed.\n");
	ctl_demo_check(prlib_stats_settle(&before, 2000),
		       "the driver holds as many pages as before the demo", &failed);
	printf("\npagerange demo: %s\n", failed ? "FAIL" : "PASS");
	return failed ? CTL_EXIT_ERROR : CTL_EXIT_OK;
}

int main(int argc, char **argv)
{
	/* Keep the narrative in order with errors when stdout is a log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return ctl_usage(CTL_EXIT_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return ctl_usage(CTL_EXIT_OK);
	if (!strcmp(argv[1], "stats"))
		return ctl_cmd_stats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return ctl_cmd_watch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "map"))
		return ctl_cmd_map(argc - 1, argv + 1);
	if (!strcmp(argv[1], "demo"))
		return ctl_cmd_demo(argc - 1);
	fprintf(stderr, "pagerange: unknown command '%s'\n", argv[1]);
	return ctl_usage(CTL_EXIT_USAGE);
}
