// SPDX-License-Identifier: GPL-2.0
/*
 * Show the state of /dev/pagerange and walk a new user through its model.
 *
 * "stats" prints the figures the driver exports in debugfs, "watch" samples
 * them again and again with the rate at which the shrinker reclaims pages.
 * "demo" plays the
 * roles of Binder with real processes: an owner maps ranges read-only, a
 * sender process fills spans of them through the fd it inherited, the owner
 * reads each message through its mapping and releases the span. Memory
 * pressure then takes the idle pages back, while the pages still in use keep
 * their data.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/pagerange.h>

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif
#ifndef __noreturn
#define __noreturn		__attribute__((noreturn))
#endif

#define PAGERANGE_DEV		"/dev/pagerange"
#define PAGERANGE_MODULE	"/sys/module/pagerange"
#define PAGERANGE_DEBUGFS	"/sys/kernel/debug"
#define PAGERANGE_DEBUGFS_DIR	PAGERANGE_DEBUGFS "/pagerange"
#define PAGERANGE_STATS		PAGERANGE_DEBUGFS_DIR "/stats"
#define PAGERANGE_RANGES	PAGERANGE_DEBUGFS_DIR "/ranges"
#define PAGERANGE_DROP_CACHES	"/proc/sys/vm/drop_caches"

#define PAGERANGE_EXIT_OK	0
#define PAGERANGE_EXIT_ERROR	1
#define PAGERANGE_EXIT_USAGE	2

#define PAGERANGE_TABLE_COLS	8
#define PAGERANGE_CELL_LEN	64
#define PAGERANGE_MSG_LEN	96
/* Transactions listed one by one before the demo only counts them. */
#define PAGERANGE_SAMPLE_TXNS	5
/* Largest span a transaction uses, and the window its spans start in. */
#define PAGERANGE_SPAN_MAX	8
#define PAGERANGE_WINDOW	64

/* ---- errors ---------------------------------------------------------- */

static void pagerange_syserr(const char *call, const char *what)
{
	fprintf(stderr, "pagerange: %s(%s): %s\n", call, what, strerror(errno));
}

static bool pagerange_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Any trace of the driver; debugfs may be hidden from non-root callers. */
static bool pagerange_loaded(void)
{
	return pagerange_exists(PAGERANGE_DEV) ||
	       pagerange_exists(PAGERANGE_MODULE) ||
	       pagerange_exists(PAGERANGE_DEBUGFS_DIR);
}

static bool pagerange_debugfs_mounted(void)
{
	struct statfs sfs;

	return statfs(PAGERANGE_DEBUGFS, &sfs) == 0 &&
	       sfs.f_type == DEBUGFS_MAGIC;
}

/*
 * Explain why @call on @path (the device or a debugfs file) failed with
 * @err: a missing module, debugfs or privilege is a setup problem the user
 * can fix, so name the fix rather than the errno.
 */
static void pagerange_explain(const char *call, const char *path, int err)
{
	bool debugfs = !strncmp(path, PAGERANGE_DEBUGFS "/",
				strlen(PAGERANGE_DEBUGFS) + 1);

	if ((err == ENOENT || err == EACCES || err == EPERM) &&
	    !pagerange_loaded())
		fprintf(stderr, "pagerange: module not loaded (modprobe pagerange)\n");
	else if (err == ENOENT && debugfs && !pagerange_debugfs_mounted())
		fprintf(stderr, "pagerange: debugfs not mounted (mount -t debugfs none %s)\n",
			PAGERANGE_DEBUGFS);
	else if (err == EACCES || err == EPERM)
		fprintf(stderr, "pagerange: %s(%s): %s (run as root)\n",
			call, path, strerror(err));
	else
		fprintf(stderr, "pagerange: %s(%s): %s\n",
			call, path, strerror(err));
}

/* ---- files and pipes ------------------------------------------------- */

/*
 * Read a whole file into a NUL-terminated buffer. debugfs files report a
 * size of 0, so read until EOF. On failure, *call names the failed call.
 */
static int pagerange_slurp(const char *path, char **out, const char **call)
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

/* Return the bytes read: fewer than @len only at EOF; -1 on error. */
static ssize_t pagerange_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pagerange_syserr("read", "pipe");
			return -1;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static int pagerange_write_full(int fd, const void *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pagerange_syserr("write", "pipe");
			return -1;
		}
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

/* ---- tables ---------------------------------------------------------- */

/*
 * Rows of short strings printed as aligned columns. Columns whose cells are
 * all numbers are right-aligned, the others left-aligned.
 */
struct pagerange_table {
	unsigned int ncols;
	unsigned int nrows;
	unsigned int alloc;
	char head[PAGERANGE_TABLE_COLS][PAGERANGE_CELL_LEN];
	char (*rows)[PAGERANGE_TABLE_COLS][PAGERANGE_CELL_LEN];
};

static bool pagerange_is_number(const char *s)
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
static unsigned int pagerange_split(char (*cells)[PAGERANGE_CELL_LEN],
				    const char *line, const char *delims,
				    bool collapse)
{
	unsigned int n = 0;
	size_t len;

	while (n < PAGERANGE_TABLE_COLS) {
		if (collapse)
			line += strspn(line, delims);
		if (collapse && !*line)
			break;
		len = strcspn(line, delims);
		snprintf(cells[n++], PAGERANGE_CELL_LEN, "%.*s", (int)len, line);
		if (!line[len])
			break;
		line += len + 1;
	}
	return n;
}

static void pagerange_table_cols(struct pagerange_table *t, unsigned int n)
{
	if (n > t->ncols)
		t->ncols = n;
}

static int pagerange_table_line(struct pagerange_table *t, const char *line,
				const char *delims, bool collapse)
{
	void *rows;

	if (t->nrows == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		rows = realloc(t->rows, t->alloc * sizeof(*t->rows));
		if (!rows) {
			pagerange_syserr("realloc", "table");
			return -1;
		}
		t->rows = rows;
	}
	memset(t->rows[t->nrows], 0, sizeof(*t->rows));
	pagerange_table_cols(t, pagerange_split(t->rows[t->nrows], line,
						delims, collapse));
	t->nrows++;
	return 0;
}

/* Set the header; cells are separated by tabs. */
static void pagerange_table_head(struct pagerange_table *t, const char *head)
{
	memset(t, 0, sizeof(*t));
	pagerange_table_cols(t, pagerange_split(t->head, head, "\t", false));
}

/* Append a row; cells are separated by tabs. */
__printf(2, 3)
static int pagerange_table_addf(struct pagerange_table *t, const char *fmt, ...)
{
	char line[PAGERANGE_TABLE_COLS * PAGERANGE_CELL_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return pagerange_table_line(t, line, "\t", false);
}

static void pagerange_table_free(struct pagerange_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
	t->alloc = 0;
}

static bool pagerange_col_numeric(const struct pagerange_table *t,
				  unsigned int col)
{
	unsigned int r;

	for (r = 0; r < t->nrows; r++)
		if (*t->rows[r][col] && !pagerange_is_number(t->rows[r][col]))
			return false;
	return t->nrows > 0;
}

static void pagerange_print_row(const struct pagerange_table *t,
				const char (*cells)[PAGERANGE_CELL_LEN],
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

static void pagerange_table_print(const struct pagerange_table *t,
				  const char *indent)
{
	int width[PAGERANGE_TABLE_COLS];
	bool head = false;
	unsigned int r, c;
	int w;

	for (c = 0; c < t->ncols; c++) {
		w = strlen(t->head[c]);
		head |= w > 0;
		for (r = 0; r < t->nrows; r++)
			if ((int)strlen(t->rows[r][c]) > w)
				w = strlen(t->rows[r][c]);
		width[c] = pagerange_col_numeric(t, c) ? w : -w;
	}
	if (head)
		pagerange_print_row(t, t->head, width, indent);
	for (r = 0; r < t->nrows; r++)
		pagerange_print_row(t, t->rows[r], width, indent);
}

/* The value of the row named @name in a two-column "name value" table. */
static unsigned long long pagerange_table_value(const struct pagerange_table *t,
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
static int pagerange_read_debugfs(const char *path, struct pagerange_table *t,
				  bool has_head)
{
	char *buf = NULL, *line, *next;
	const char *call;
	int err;

	pagerange_table_head(t, "");
	err = pagerange_slurp(path, &buf, &call);
	if (err) {
		pagerange_explain(call, path, -err);
		return -1;
	}
	for (line = buf; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!line[strspn(line, " \t")])
			continue;
		if (has_head) {
			pagerange_table_cols(t, pagerange_split(t->head, line,
								" \t", true));
			has_head = false;
		} else if (pagerange_table_line(t, line, " \t", true)) {
			pagerange_table_free(t);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
}

static void pagerange_json_string(const char *s)
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

static void pagerange_json_value(const char *s)
{
	if (pagerange_is_number(s))
		fputs(s + (*s == '+'), stdout);
	else
		pagerange_json_string(s);
}

static void pagerange_json_pair(const char *name, const char *value, bool last)
{
	pagerange_json_string(name);
	fputs(": ", stdout);
	pagerange_json_value(value);
	fputs(last ? "" : ", ", stdout);
}

static void pagerange_stats_json(const struct pagerange_table *stats,
				 const struct pagerange_table *ranges)
{
	unsigned int r, c;

	printf("{\n  \"stats\": {");
	for (r = 0; r < stats->nrows; r++) {
		fputs(r ? ",\n    " : "\n    ", stdout);
		pagerange_json_pair(stats->rows[r][0], stats->rows[r][1], true);
	}
	printf("\n  },\n  \"ranges\": [");
	for (r = 0; r < ranges->nrows; r++) {
		fputs(r ? ",\n    {" : "\n    {", stdout);
		for (c = 0; c < ranges->ncols; c++)
			pagerange_json_pair(ranges->head[c], ranges->rows[r][c],
					    c + 1 == ranges->ncols);
		putchar('}');
	}
	printf("\n  ]\n}\n");
}

static void pagerange_stats_human(const struct pagerange_table *stats,
				  const struct pagerange_table *ranges)
{
	printf("global (%s)\n", PAGERANGE_STATS);
	pagerange_table_print(stats, "  ");
	printf("\nranges (%s)\n", PAGERANGE_RANGES);
	if (ranges->nrows)
		pagerange_table_print(ranges, "  ");
	else
		printf("  none open\n");
}

/* ---- arguments ------------------------------------------------------ */

static int pagerange_parse_count(const char *arg, unsigned long min,
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

static int pagerange_parse_interval(const char *arg, double *val)
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

static const char pagerange_usage_text[] =
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
	"  demo [options]      an owner and a sender exchange messages through\n"
	"                      ranges, then memory pressure reclaims the idle pages\n"
	"    --ranges N        ranges to open (default 8)\n"
	"    --pages P         pages per range, at least 2 (default 256)\n"
	"    --rounds R        transactions to run (default 200)\n"
	"  -h, --help          show this help\n"
	"\n"
	"stats and watch need root (they read debugfs); so does demo, which opens\n"
	"/dev/pagerange and writes /proc/sys/vm/drop_caches.\n"
	"\n"
	"exit status: 0 success, 1 error or failed check, 2 usage error\n";

static int pagerange_usage(int status)
{
	fputs(pagerange_usage_text, status ? stderr : stdout);
	return status;
}

static int pagerange_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pagerange_table stats, ranges;
	bool json = false;
	int opt, ret = PAGERANGE_EXIT_ERROR;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (opt == 'h')
			return pagerange_usage(PAGERANGE_EXIT_OK);
		if (opt != 'j')
			return pagerange_usage(PAGERANGE_EXIT_USAGE);
		json = true;
	}
	if (optind != argc)
		return pagerange_usage(PAGERANGE_EXIT_USAGE);

	if (pagerange_read_debugfs(PAGERANGE_STATS, &stats, false))
		return ret;
	if (!pagerange_read_debugfs(PAGERANGE_RANGES, &ranges, true)) {
		if (json)
			pagerange_stats_json(&stats, &ranges);
		else
			pagerange_stats_human(&stats, &ranges);
		ret = PAGERANGE_EXIT_OK;
	}
	pagerange_table_free(&ranges);
	pagerange_table_free(&stats);
	return ret;
}

/* ---- watch ----------------------------------------------------------- */

struct pagerange_sample {
	struct timespec when;
	unsigned long long reclaimed;
};

static double pagerange_elapsed(const struct timespec *from,
				const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) +
	       (to->tv_nsec - from->tv_nsec) / 1e9;
}

static void pagerange_sleep(double secs)
{
	struct timespec ts = {
		.tv_sec = (time_t)secs,
		.tv_nsec = (long)((secs - (time_t)secs) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void pagerange_print_rate(const struct pagerange_sample *prev,
				 const struct pagerange_sample *now)
{
	double secs = pagerange_elapsed(&prev->when, &now->when);

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
static int pagerange_watch_sample(unsigned long n, unsigned long count,
				  double interval, bool clear,
				  struct pagerange_sample *prev)
{
	struct pagerange_table stats, ranges;
	struct pagerange_sample now;

	if (pagerange_read_debugfs(PAGERANGE_STATS, &stats, false))
		return -1;
	if (pagerange_read_debugfs(PAGERANGE_RANGES, &ranges, true)) {
		pagerange_table_free(&stats);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &now.when);
	now.reclaimed = pagerange_table_value(&stats, "pages_reclaimed");

	if (clear)
		fputs("\033[H\033[2J", stdout);	/* home, clear the screen */
	else if (n > 1)
		putchar('\n');
	printf("pagerange watch: sample %lu", n);
	if (count)
		printf(" of %lu", count);
	printf(", every %g s\n", interval);
	pagerange_print_rate(prev, &now);
	putchar('\n');
	pagerange_stats_human(&stats, &ranges);
	fflush(stdout);
	*prev = now;
	pagerange_table_free(&ranges);
	pagerange_table_free(&stats);
	return 0;
}

static int pagerange_cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pagerange_sample prev = { .reclaimed = 0 };
	unsigned long count = 0, n;
	double interval = 2;
	bool clear;
	int opt;

	while ((opt = getopt_long(argc, argv, "i:c:h", opts, NULL)) != -1) {
		if (opt == 'h')
			return pagerange_usage(PAGERANGE_EXIT_OK);
		if ((opt == 'i' && pagerange_parse_interval(optarg, &interval)) ||
		    (opt == 'c' && pagerange_parse_count(optarg, 1, 1000000, &count)) ||
		    (opt != 'i' && opt != 'c'))
			return pagerange_usage(PAGERANGE_EXIT_USAGE);
	}
	if (optind != argc)
		return pagerange_usage(PAGERANGE_EXIT_USAGE);

	/* Redraw in place on a terminal; a log gets one sample after another. */
	clear = isatty(STDOUT_FILENO);
	for (n = 1; !count || n <= count; n++) {
		if (n > 1)
			pagerange_sleep(interval);
		if (pagerange_watch_sample(n, count, interval, clear, &prev))
			return PAGERANGE_EXIT_ERROR;
	}
	return PAGERANGE_EXIT_OK;
}

/* ---- ioctls ---------------------------------------------------------- */

static int pagerange_ioctl(int fd, unsigned long cmd, const char *name,
			   void *arg)
{
	if (ioctl(fd, cmd, arg) == 0)
		return 0;
	pagerange_syserr("ioctl", name);
	return -1;
}

/* Name the command in error messages. */
#define PAGERANGE_IOCTL(fd, cmd, arg)	pagerange_ioctl(fd, cmd, #cmd, arg)
#define PAGERANGE_SPAN(fd, cmd, start, end, result) \
	pagerange_span(fd, cmd, #cmd, start, end, result)

static int pagerange_span(int fd, unsigned long cmd, const char *name,
			  __u64 start, __u64 end, __u64 *result)
{
	struct pagerange_range r = { .start = start, .end = end };

	if (pagerange_ioctl(fd, cmd, name, &r))
		return -1;
	*result = r.result;
	return 0;
}

static int pagerange_write(int fd, __u64 offset, const void *buf, size_t len)
{
	struct pagerange_io io = {
		.offset = offset,
		.len = len,
		.buf = (__u64)(uintptr_t)buf,
	};

	return PAGERANGE_IOCTL(fd, PAGERANGE_IOC_WRITE, &io);
}

/* ---- demo: setup and bookkeeping ------------------------------------- */

struct pagerange_demo {
	unsigned int nranges;
	unsigned long npages;
	unsigned int rounds;
	size_t page_size;
	int *fd;
	const unsigned char **map;
	/* GET_INFO totals over the ranges, one row per stage of the demo */
	struct pagerange_table totals;
	bool debugfs;
	unsigned int passed;
	unsigned int failed;
};

/* What the sender tells the owner about one transaction. */
struct pagerange_txn {
	unsigned int seq;
	unsigned int range;
	pid_t sender;
	__u64 start;
	__u64 end;
	__u64 offset;
	__u64 len;
	__u64 allocated;
};

struct pagerange_workload {
	unsigned int done;
	unsigned int verified;
	unsigned int partial_stops;
	unsigned long long allocated;
	unsigned long long reused;
	unsigned long long released;
	struct pagerange_txn first;
	struct pagerange_table sample;
};

__printf(3, 4)
static void pagerange_check(struct pagerange_demo *d, bool ok,
			    const char *fmt, ...)
{
	va_list ap;

	printf("    [%s] ", ok ? " OK " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		d->passed++;
	else
		d->failed++;
}

static int pagerange_demo_map(struct pagerange_demo *d, unsigned int i)
{
	size_t size = d->npages * d->page_size;
	void *p;

	d->fd[i] = open(PAGERANGE_DEV, O_RDWR | O_CLOEXEC);
	if (d->fd[i] < 0) {
		pagerange_explain("open", PAGERANGE_DEV, errno);
		return -1;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, d->fd[i], 0);
	if (p == MAP_FAILED) {
		pagerange_syserr("mmap", PAGERANGE_DEV);
		if (errno == EINVAL)
			fprintf(stderr, "pagerange: is %zu bytes over the max_size parameter?\n",
				size);
		return -1;
	}
	d->map[i] = p;
	return 0;
}

static int pagerange_demo_setup(struct pagerange_demo *d)
{
	unsigned int i;

	d->fd = calloc(d->nranges, sizeof(*d->fd));
	d->map = calloc(d->nranges, sizeof(*d->map));
	if (!d->fd || !d->map) {
		pagerange_syserr("calloc", "ranges");
		return -1;
	}
	for (i = 0; i < d->nranges; i++)
		d->fd[i] = -1;
	for (i = 0; i < d->nranges; i++)
		if (pagerange_demo_map(d, i))
			return -1;
	return 0;
}

static void pagerange_demo_teardown(struct pagerange_demo *d)
{
	unsigned int i;

	for (i = 0; d->map && i < d->nranges; i++)
		if (d->map[i])
			munmap((void *)d->map[i], d->npages * d->page_size);
	for (i = 0; d->fd && i < d->nranges; i++)
		if (d->fd[i] >= 0)
			close(d->fd[i]);
	free(d->map);
	free(d->fd);
	pagerange_table_free(&d->totals);
}

/* Sum GET_INFO over the ranges and record it as the row @stage. */
static int pagerange_demo_totals(struct pagerange_demo *d, const char *stage,
				 struct pagerange_info *sum)
{
	struct pagerange_info info;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < d->nranges; i++) {
		memset(&info, 0, sizeof(info));
		if (PAGERANGE_IOCTL(d->fd[i], PAGERANGE_IOC_GET_INFO, &info))
			return -1;
		sum->size_pages += info.size_pages;
		sum->pages_present += info.pages_present;
		sum->pages_in_use += info.pages_in_use;
		sum->pages_reclaimable += info.pages_reclaimable;
		sum->pages_reclaimed += info.pages_reclaimed;
		sum->pages_allocated += info.pages_allocated;
	}
	return pagerange_table_addf(&d->totals, "%s\t%llu\t%llu\t%llu\t%llu\t%llu",
				    stage,
				    (unsigned long long)sum->pages_present,
				    (unsigned long long)sum->pages_in_use,
				    (unsigned long long)sum->pages_reclaimable,
				    (unsigned long long)sum->pages_reclaimed,
				    (unsigned long long)sum->pages_allocated);
}

static void pagerange_demo_print_totals(const struct pagerange_demo *d)
{
	printf("    pages of all %u ranges (GET_INFO):\n", d->nranges);
	pagerange_table_print(&d->totals, "      ");
}

/* ---- demo: the transaction workload ---------------------------------- */

static void pagerange_txn_message(const struct pagerange_txn *t, char *buf,
				  size_t size)
{
	snprintf(buf, size, "txn #%04u from pid %d to range %u [%llu,%llu)",
		 t->seq, (int)t->sender, t->range,
		 (unsigned long long)t->start, (unsigned long long)t->end);
}

static uint32_t pagerange_random(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

/*
 * Pick the span of transaction @t->seq and the spot of its message. Spans
 * start in a window at the low end of the range, as a buffer allocator keeps
 * reusing its first free addresses, so later transactions find pages an
 * earlier one released. Page 0 is left for the owner.
 */
static void pagerange_txn_pick(const struct pagerange_demo *d,
			       struct pagerange_txn *t, uint32_t *rnd)
{
	unsigned long max = d->npages - 1, window, pages;
	char msg[PAGERANGE_MSG_LEN];

	pages = 1 + pagerange_random(rnd) %
		(max < PAGERANGE_SPAN_MAX ? max : PAGERANGE_SPAN_MAX);
	window = max - pages + 1;
	if (window > PAGERANGE_WINDOW)
		window = PAGERANGE_WINDOW;
	t->range = t->seq % d->nranges;
	t->start = 1 + pagerange_random(rnd) % window;
	t->end = t->start + pages;
	pagerange_txn_message(t, msg, sizeof(msg));
	t->len = strlen(msg);
	t->offset = t->start * d->page_size +
		    pagerange_random(rnd) % (pages * d->page_size - t->len + 1);
}

/* The child: put each message into the owner's range through the fd. */
static __noreturn void pagerange_sender(const struct pagerange_demo *d,
					int req, int ack)
{
	struct pagerange_txn t = { .sender = getpid() };
	char msg[PAGERANGE_MSG_LEN];
	uint32_t rnd = 2463534242u;	/* fixed: every run shows the same spans */
	char c;

	for (t.seq = 0; t.seq < d->rounds; t.seq++) {
		pagerange_txn_pick(d, &t, &rnd);
		pagerange_txn_message(&t, msg, sizeof(msg));
		if (PAGERANGE_SPAN(d->fd[t.range], PAGERANGE_IOC_USE_RANGE,
				   t.start, t.end, &t.allocated) ||
		    pagerange_write(d->fd[t.range], t.offset, msg, t.len) ||
		    pagerange_write_full(req, &t, sizeof(t)) ||
		    pagerange_read_full(ack, &c, 1) != 1)
			_exit(PAGERANGE_EXIT_ERROR);
	}
	_exit(PAGERANGE_EXIT_OK);
}

/* The owner's half of a transaction: read, verify, release. */
static int pagerange_owner_txn(const struct pagerange_demo *d,
			       const struct pagerange_txn *t,
			       struct pagerange_workload *w)
{
	char want[PAGERANGE_MSG_LEN];
	const char *seen;
	__u64 pages = t->end - t->start, moved;
	bool ok;

	/* The message must lie inside the span, whose pages are in use. */
	if (t->range >= d->nranges || t->start >= t->end || t->end > d->npages ||
	    t->len >= sizeof(want) || t->offset < t->start * d->page_size ||
	    t->offset + t->len > t->end * d->page_size) {
		fprintf(stderr, "pagerange: sender sent a bad transaction\n");
		return -1;
	}
	seen = (const char *)d->map[t->range] + t->offset;
	pagerange_txn_message(t, want, sizeof(want));
	ok = strlen(want) == t->len && !memcmp(seen, want, t->len);
	if (PAGERANGE_SPAN(d->fd[t->range], PAGERANGE_IOC_STOP_USING_RANGE,
			   t->start, t->end, &moved))
		return -1;

	if (!w->done)
		w->first = *t;
	w->done++;
	w->verified += ok;
	w->partial_stops += moved != pages;
	w->allocated += t->allocated;
	w->reused += pages - t->allocated;
	w->released += moved;
	if (t->seq >= PAGERANGE_SAMPLE_TXNS)
		return 0;
	return pagerange_table_addf(&w->sample, "%u\t%u\t[%llu,%llu)\t%llu\t%llu\t%s",
				    t->seq, t->range,
				    (unsigned long long)t->start,
				    (unsigned long long)t->end,
				    (unsigned long long)t->allocated,
				    (unsigned long long)(pages - t->allocated),
				    ok ? want : "(mismatch)");
}

static int pagerange_owner(const struct pagerange_demo *d, int req, int ack,
			   struct pagerange_workload *w)
{
	struct pagerange_txn t;
	ssize_t n;

	while (w->done < d->rounds) {
		n = pagerange_read_full(req, &t, sizeof(t));
		if (n < 0)
			return -1;
		if (n != sizeof(t)) {
			fprintf(stderr, "pagerange: the sender stopped after %u transactions\n",
				w->done);
			return -1;
		}
		if (pagerange_owner_txn(d, &t, w) ||
		    pagerange_write_full(ack, "", 1))
			return -1;
	}
	return 0;
}

static int pagerange_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			pagerange_syserr("waitpid", "sender");
			return -1;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "pagerange: the sender failed (wait status %#x)\n",
		status);
	return -1;
}

/* Fork the sender and serve its transactions; return -1 on any error. */
static int pagerange_run_workload(const struct pagerange_demo *d,
				  struct pagerange_workload *w)
{
	int req[2], ack[2], ret;
	pid_t pid;

	if (pipe2(req, O_CLOEXEC) || pipe2(ack, O_CLOEXEC)) {
		pagerange_syserr("pipe2", "transactions");
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		pagerange_syserr("fork", "sender");
		return -1;
	}
	if (pid == 0) {
		close(req[0]);
		close(ack[1]);
		pagerange_sender(d, req[1], ack[0]);
	}
	close(req[1]);
	close(ack[0]);
	ret = pagerange_owner(d, req[0], ack[1], w);
	/* Closing our ends makes a sender that is still waiting exit. */
	close(req[0]);
	close(ack[1]);
	if (pagerange_wait(pid))
		ret = -1;
	return ret;
}

static void pagerange_print_workload(const struct pagerange_workload *w)
{
	struct pagerange_table sum;

	if (w->done > PAGERANGE_SAMPLE_TXNS)
		printf("    ... and %u more the same way.\n",
		       w->done - PAGERANGE_SAMPLE_TXNS);
	putchar('\n');
	pagerange_table_head(&sum, "");
	pagerange_table_addf(&sum, "transactions\t%u", w->done);
	pagerange_table_addf(&sum, "verified OK\t%u\tmessage read back through the mapping",
			     w->verified);
	pagerange_table_addf(&sum, "pages allocated\t%llu\tsum of USE_RANGE results",
			     w->allocated);
	pagerange_table_addf(&sum, "pages reused\t%llu\tstill there from an earlier transaction",
			     w->reused);
	pagerange_table_addf(&sum, "pages released\t%llu\tsum of STOP_USING_RANGE results",
			     w->released);
	pagerange_table_print(&sum, "    ");
	pagerange_table_free(&sum);
}

static int pagerange_demo_workload(struct pagerange_demo *d,
				   struct pagerange_workload *w)
{
	struct pagerange_info sum;

	printf("[2] Transactions. A sender process (forked: it inherits the fds,\n"
	       "    not the mappings) marks a span of pages in use with USE_RANGE\n"
	       "    and WRITEs a message into it. The owner reads the message\n"
	       "    through its read-only mapping, checks it and releases the span\n"
	       "    with STOP_USING_RANGE. A pipe carries the span one way and the\n"
	       "    owner's ack the other.\n\n");
	pagerange_table_head(&w->sample, "txn\trange\tpages\tallocated\treused\tthe owner read");
	if (pagerange_run_workload(d, w))
		return -1;
	pagerange_table_print(&w->sample, "    ");
	pagerange_print_workload(w);
	if (pagerange_demo_totals(d, "after the transactions", &sum))
		return -1;
	putchar('\n');
	pagerange_check(d, w->verified == d->rounds,
			"%u of %u messages read back intact through the mapping",
			w->verified, d->rounds);
	pagerange_check(d, !w->partial_stops && w->done == d->rounds,
			"every STOP_USING_RANGE released its whole span");
	pagerange_check(d, sum.pages_allocated == w->allocated &&
			sum.pages_in_use == 0,
			"GET_INFO counts %llu pages allocated, none in use",
			(unsigned long long)sum.pages_allocated);
	return 0;
}

/* ---- demo: keep, reclaim, verify -------------------------------------- */

static void pagerange_marker(unsigned int range, char *buf, size_t size)
{
	snprintf(buf, size, "range %u: page 0 stays in use", range);
}

/* The owner keeps page 0 of every range in use, with a marker in it. */
static int pagerange_demo_keep(struct pagerange_demo *d,
			       struct pagerange_info *sum)
{
	char marker[PAGERANGE_MSG_LEN];
	unsigned int i;
	__u64 allocated;

	printf("\n[3] The owner keeps page 0 of every range in use and writes a marker\n"
	       "    into it (with WRITE: its own mapping is read-only). Every other\n"
	       "    page is reclaimable: still mapped, data intact, until the shrinker\n"
	       "    takes it.\n\n");
	for (i = 0; i < d->nranges; i++) {
		pagerange_marker(i, marker, sizeof(marker));
		if (PAGERANGE_SPAN(d->fd[i], PAGERANGE_IOC_USE_RANGE, 0, 1,
				   &allocated) ||
		    pagerange_write(d->fd[i], 0, marker, strlen(marker)))
			return -1;
	}
	if (pagerange_demo_totals(d, "before reclaim", sum))
		return -1;
	pagerange_check(d, sum->pages_in_use == d->nranges,
			"%llu pages in use, %llu reclaimable",
			(unsigned long long)sum->pages_in_use,
			(unsigned long long)sum->pages_reclaimable);
	return 0;
}

static int pagerange_drop_caches(void)
{
	int fd = open(PAGERANGE_DROP_CACHES, O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0) {
		pagerange_syserr("open", PAGERANGE_DROP_CACHES);
		return -1;
	}
	if (write(fd, "2\n", 2) != 2) {
		pagerange_syserr("write", PAGERANGE_DROP_CACHES);
		ret = -1;
	}
	close(fd);
	return ret;
}

static bool pagerange_markers_intact(const struct pagerange_demo *d)
{
	char marker[PAGERANGE_MSG_LEN];
	unsigned int i;

	for (i = 0; i < d->nranges; i++) {
		pagerange_marker(i, marker, sizeof(marker));
		if (memcmp(d->map[i], marker, strlen(marker)))
			return false;
	}
	return true;
}

static bool pagerange_all_zero(const unsigned char *p, size_t len)
{
	return len == 0 || (p[0] == 0 && !memcmp(p, p + 1, len - 1));
}

/* USE_RANGE the first transaction's span again: it must come back zeroed. */
static int pagerange_demo_reuse(struct pagerange_demo *d,
				const struct pagerange_txn *t)
{
	char msg[PAGERANGE_MSG_LEN];
	__u64 pages = t->end - t->start, allocated;
	size_t len = pages * d->page_size;
	const unsigned char *p = d->map[t->range] + t->start * d->page_size;

	pagerange_txn_message(t, msg, sizeof(msg));
	printf("\n    Range %u pages [%llu,%llu) held \"%s\".\n",
	       t->range, (unsigned long long)t->start,
	       (unsigned long long)t->end, msg);
	if (PAGERANGE_SPAN(d->fd[t->range], PAGERANGE_IOC_USE_RANGE,
			   t->start, t->end, &allocated))
		return -1;
	pagerange_check(d, allocated == pages,
			"USE_RANGE on it allocated %llu of %llu pages again: all reclaimed",
			(unsigned long long)allocated,
			(unsigned long long)pages);
	pagerange_check(d, pagerange_all_zero(p, len),
			"all %zu bytes read back as zero through the mapping", len);
	return 0;
}

/*
 * Print the debugfs figures before and after reclaim side by side, and set
 * @grown to the growth of pages_reclaimed. Return false if there are none.
 */
static bool pagerange_demo_debugfs(const struct pagerange_demo *d,
				   const struct pagerange_table *before,
				   unsigned long long *grown)
{
	struct pagerange_table after, cmp;
	unsigned long long b, a;
	unsigned int r;

	if (!d->debugfs || pagerange_read_debugfs(PAGERANGE_STATS, &after, false))
		return false;
	pagerange_table_head(&cmp, "\tbefore\tafter\tchange");
	for (r = 0; r < after.nrows; r++) {
		b = pagerange_table_value(before, after.rows[r][0]);
		a = pagerange_table_value(&after, after.rows[r][0]);
		pagerange_table_addf(&cmp, "%s\t%llu\t%llu\t%+lld",
				     after.rows[r][0], b, a, (long long)(a - b));
	}
	printf("\n    global figures (%s):\n", PAGERANGE_STATS);
	pagerange_table_print(&cmp, "      ");
	*grown = pagerange_table_value(&after, "pages_reclaimed") -
		 pagerange_table_value(before, "pages_reclaimed");
	pagerange_table_free(&cmp);
	pagerange_table_free(&after);
	return true;
}

static int pagerange_demo_after(struct pagerange_demo *d,
				const struct pagerange_info *before,
				const struct pagerange_table *stats_before,
				const struct pagerange_txn *first)
{
	unsigned long long reclaimed, grown;
	struct pagerange_info sum;
	bool debugfs;

	printf("\n[6] After reclaim.\n\n");
	if (pagerange_demo_totals(d, "after reclaim", &sum))
		return -1;
	reclaimed = sum.pages_reclaimed - before->pages_reclaimed;
	pagerange_demo_print_totals(d);
	debugfs = pagerange_demo_debugfs(d, stats_before, &grown);
	putchar('\n');
	pagerange_check(d, sum.pages_reclaimable == 0,
			"reclaimable pages went from %llu to %llu",
			(unsigned long long)before->pages_reclaimable,
			(unsigned long long)sum.pages_reclaimable);
	pagerange_check(d, reclaimed == before->pages_reclaimable,
			"pages_reclaimed grew by %llu: every page that was reclaimable",
			reclaimed);
	if (debugfs)
		pagerange_check(d, grown >= reclaimed,
				"debugfs pages_reclaimed grew by %llu", grown);
	pagerange_check(d, sum.pages_in_use == d->nranges &&
			pagerange_markers_intact(d),
			"the %u pages in use kept their markers (read through the mapping)",
			d->nranges);
	return pagerange_demo_reuse(d, first);
}

/* ---- demo: the command ----------------------------------------------- */

static int pagerange_demo_args(struct pagerange_demo *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ranges", required_argument, NULL, 'n' },
		{ "pages", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == '?' || pagerange_parse_count(optarg, opt == 'p' ? 2 : 1,
							opt == 'n' ? 256 : 1000000, &v))
			return -1;
		if (opt == 'n')
			d->nranges = v;
		else if (opt == 'p')
			d->npages = v;
		else
			d->rounds = v;
	}
	return optind == argc ? 0 : -1;
}

/* @ran: 1 if every step ran, 0 if reclaim was skipped, -1 on an error. */
static void pagerange_verdict(const struct pagerange_demo *d, int ran)
{
	unsigned int total = d->passed + d->failed;

	putchar('\n');
	if (ran < 0)
		printf("pagerange demo: FAIL (stopped by the error above)\n");
	else if (d->failed)
		printf("pagerange demo: FAIL (%u of %u checks failed)\n",
		       d->failed, total);
	else if (!ran)
		printf("pagerange demo: INCOMPLETE (%u checks passed; reclaim was skipped)\n",
		       d->passed);
	else
		printf("pagerange demo: PASS (%u of %u checks passed)\n",
		       d->passed, total);
}

/* Steps 4 to 6; the return value says whether reclaim ran. */
static int pagerange_demo_reclaim(struct pagerange_demo *d,
				  const struct pagerange_info *before,
				  const struct pagerange_txn *first)
{
	struct pagerange_table stats = { 0 };
	int ret;

	printf("\n[4] Before reclaim.\n\n");
	pagerange_demo_print_totals(d);
	d->debugfs = !pagerange_read_debugfs(PAGERANGE_STATS, &stats, false);
	if (d->debugfs) {
		printf("\n    global figures (%s):\n", PAGERANGE_STATS);
		pagerange_table_print(&stats, "      ");
	} else {
		printf("\n    (no debugfs figures: see the message above)\n");
	}

	printf("\n[5] Memory pressure: writing 2 to %s\n"
	       "    makes the kernel run every shrinker, pagerange's included.\n",
	       PAGERANGE_DROP_CACHES);
	if (pagerange_drop_caches()) {
		printf("    Caches could not be dropped (that needs root, CAP_SYS_ADMIN):\n"
		       "    skipping reclaim and the checks after it.\n");
		ret = 0;
	} else {
		ret = pagerange_demo_after(d, before, &stats, first) ? -1 : 1;
	}
	pagerange_table_free(&stats);
	return ret;
}

static int pagerange_demo_run(struct pagerange_demo *d)
{
	struct pagerange_workload w = { 0 };
	struct pagerange_info sum;
	int ret = -1;

	pagerange_table_head(&d->totals, "\tpresent\tin_use\treclaimable\treclaimed\tallocated");
	if (pagerange_demo_setup(d))
		goto out;
	printf("pagerange demo: %u ranges of %lu pages (%lu KiB each), %u transactions\n\n",
	       d->nranges, d->npages, d->npages * d->page_size / 1024, d->rounds);
	printf("[1] The owner (pid %d) opens %s %u times and maps each range\n"
	       "    read-only. No page exists yet: reading one would raise SIGBUS.\n\n",
	       (int)getpid(), PAGERANGE_DEV, d->nranges);
	if (pagerange_demo_totals(d, "after mmap", &sum))
		goto out;
	pagerange_check(d, sum.size_pages == d->nranges * d->npages &&
			sum.pages_present == 0,
			"%llu pages mapped, none present",
			(unsigned long long)sum.size_pages);
	putchar('\n');
	if (pagerange_demo_workload(d, &w) || pagerange_demo_keep(d, &sum))
		goto out;
	ret = pagerange_demo_reclaim(d, &sum, &w.first);
out:
	pagerange_table_free(&w.sample);
	pagerange_demo_teardown(d);
	return ret;
}

static int pagerange_cmd_demo(int argc, char **argv)
{
	struct pagerange_demo d = {
		.nranges = 8,
		.npages = 256,
		.rounds = 200,
		.page_size = sysconf(_SC_PAGESIZE),
	};
	int ret = pagerange_demo_args(&d, argc, argv);

	if (ret)
		return pagerange_usage(ret > 0 ? PAGERANGE_EXIT_OK :
					     PAGERANGE_EXIT_USAGE);
	ret = pagerange_demo_run(&d);
	pagerange_verdict(&d, ret);
	return d.failed || ret <= 0 ? PAGERANGE_EXIT_ERROR : PAGERANGE_EXIT_OK;
}

int main(int argc, char **argv)
{
	/* Keep the narrative in order with errors when stdout is a log. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return pagerange_usage(PAGERANGE_EXIT_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return pagerange_usage(PAGERANGE_EXIT_OK);
	if (!strcmp(argv[1], "stats"))
		return pagerange_cmd_stats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "watch"))
		return pagerange_cmd_watch(argc - 1, argv + 1);
	if (!strcmp(argv[1], "demo"))
		return pagerange_cmd_demo(argc - 1, argv + 1);
	fprintf(stderr, "pagerange: unknown command '%s'\n", argv[1]);
	return pagerange_usage(PAGERANGE_EXIT_USAGE);
}
