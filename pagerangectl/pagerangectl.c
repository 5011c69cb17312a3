// SPDX-License-Identifier: GPL-2.0
/*
 * Show the state of /dev/pagerange and walk a new user through its model.
 *
 * "stats" prints the driver's global counters, from sysfs, and its per-range
 * table, from debugfs when that can be read; "watch" samples them again and
 * again with the rate at which the shrinker reclaims pages,
 * "map" shows the state of each page of a process's ranges, as mincore(2)
 * does for memory, and "demo" tells Binder's buffer model in two processes,
 * step by step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/pagerange.h>

#include "libpagerange.h"
#include "pagerangectl.h"

#define PAGERANGE_MODULE	"/sys/module/pagerange"

#define CTL_TABLE_COLS	8
#define CTL_CELL_LEN	64

/* ---- errors ---------------------------------------------------------- */

void ctl_syserr(const char *call, const char *what)
{
	fprintf(stderr, "pagerange: %s(%s): %s\n", call, what, strerror(errno));
}

/* Any trace of the driver. */
static bool ctl_loaded(void)
{
	return !access(PRLIB_DEV, F_OK) ||
	       !access(PAGERANGE_MODULE, F_OK) ||
	       !access(PRLIB_SYSFS, F_OK);
}

/*
 * Explain why @call on @path (the device or a sysfs file) failed with @err:
 * a missing module or privilege is a setup problem the user can fix, so
 * name the fix rather than the errno.
 */
void ctl_explain(const char *call, const char *path, int err)
{
	if ((err == ENOENT || err == EACCES || err == EPERM) &&
	    !ctl_loaded())
		fprintf(stderr, "pagerange: module not loaded (modprobe pagerange)\n");
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

/* ---- sysfs and debugfs ---------------------------------------------- */

/*
 * The global counters: the misc device's sysfs attributes, a stable
 * interface (Documentation/ABI/testing/sysfs-class-misc-pagerange).
 */
static const char *const ctl_global_names[] = {
	"pages_present", "pages_reclaimable", "pages_reclaimed",
	"shrinker_scans", "shrinker_skips", "ranges",
};

/* Read the global counters into @t, a "name value" row each. */
static int ctl_read_global(struct ctl_table *t)
{
	char path[PATH_MAX], line[2 * CTL_CELL_LEN], *buf;
	const char *call;
	unsigned int i;
	int err;

	ctl_table_head(t, "");
	for (i = 0; i < sizeof(ctl_global_names) / sizeof(*ctl_global_names);
	     i++) {
		snprintf(path, sizeof(path), "%s/%s", PRLIB_SYSFS,
			 ctl_global_names[i]);
		err = ctl_slurp(path, &buf, &call);
		if (err) {
			ctl_explain(call, path, -err);
			ctl_table_free(t);
			return -1;
		}
		snprintf(line, sizeof(line), "%s %s", ctl_global_names[i], buf);
		free(buf);
		if (ctl_table_line(t, line, " \t\n", true)) {
			ctl_table_free(t);
			return -1;
		}
	}
	return 0;
}

/*
 * Read the per-range table, a header line and then one line of numbers per
 * range, into @t. It is in debugfs, which is for debugging: it may be
 * unmounted or closed to the caller. Then @t stays empty, *@why says what
 * is missing, and stats and watch show the global counters alone.
 */
static int ctl_read_ranges(struct ctl_table *t, const char **why)
{
	char *buf = NULL, *line, *next;
	bool has_head = true;
	const char *call;
	int err;

	ctl_table_head(t, "");
	err = ctl_slurp(PRLIB_RANGES, &buf, &call);
	if (err) {
		if (!prlib_debugfs_mounted())
			*why = "debugfs not mounted (mount -t debugfs none " PRLIB_DEBUGFS ")";
		else if (err == -EACCES || err == -EPERM)
			*why = "debugfs needs root";
		else
			*why = strerror(-err);
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
			*why = strerror(ENOMEM);
			err = -1;
			break;
		}
	}
	free(buf);
	return err;
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

/* @ranges is NULL when the per-range table could not be read. */
static void ctl_stats_json(const struct ctl_table *stats,
			   const struct ctl_table *ranges)
{
	unsigned int r, c;

	printf("{\n  \"stats\": {");
	for (r = 0; r < stats->nrows; r++) {
		fputs(r ? ",\n    " : "\n    ", stdout);
		ctl_json_pair(stats->rows[r][0], stats->rows[r][1], true);
	}
	if (!ranges) {
		printf("\n  },\n  \"ranges\": null\n}\n");
		return;
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

/* @ranges is NULL when the per-range table could not be read, for @why. */
static void ctl_stats_human(const struct ctl_table *stats,
			    const struct ctl_table *ranges, const char *why)
{
	printf("global (%s)\n", PRLIB_SYSFS);
	ctl_table_print(stats, "  ");
	printf("\nranges (%s)\n", PRLIB_RANGES);
	if (!ranges)
		printf("  not shown: %s\n", why);
	else if (ranges->nrows)
		ctl_table_print(ranges, "  ");
	else
		printf("  none open\n");
}

/*
 * Read what stats and watch show: the global counters, or fail; the
 * per-range table if it can be read. Returns the table or NULL, for *@why.
 */
static struct ctl_table *ctl_read_stats(struct ctl_table *stats,
					struct ctl_table *ranges,
					const char **why, int *err)
{
	*err = ctl_read_global(stats);
	if (*err)
		return NULL;
	return ctl_read_ranges(ranges, why) ? NULL : ranges;
}

/* ---- arguments ------------------------------------------------------ */

int ctl_parse_count(const char *arg, unsigned long min,
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

int ctl_flag_opt(int argc, char **argv, const char *name, int c, bool *set)
{
	const struct option opts[] = {
		{ name, no_argument, NULL, c },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char optstring[] = { (char)c, 'h', '\0' };
	int opt;

	*set = false;
	while ((opt = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		if (opt == 'h')
			return ctl_usage(CTL_EXIT_OK);
		if (opt != c)
			return ctl_usage(CTL_EXIT_USAGE);
		*set = true;
	}
	return -1;
}

/* ---- usage ----------------------------------------------------------- */

static const char ctl_usage_text[] =
	"usage: pagerangectl <command> [options]\n"
	"\n"
	"Inspect and demonstrate /dev/pagerange.\n"
	"\n"
	"commands:\n"
	"  stats [--json]      the global counters (sysfs) and, where debugfs can\n"
	"                      be read, the per-range table\n"
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
	"stats and watch need root for the per-range table only (it is in\n"
	"debugfs); demo needs root, as it opens /dev/pagerange and writes\n"
	"/proc/sys/vm/drop_caches. map needs the right to ptrace PID, which root\n"
	"has.\n"
	"\n"
	"exit status: 0 success, 1 error or failed check, 2 usage error\n";

int ctl_usage(int status)
{
	fputs(ctl_usage_text, status ? stderr : stdout);
	return status;
}

static int ctl_cmd_stats(int argc, char **argv)
{
	struct ctl_table stats, ranges, *shown;
	const char *why = NULL;
	bool json;
	int err;

	err = ctl_flag_opt(argc, argv, "json", 'j', &json);
	if (err >= 0)
		return err;
	if (optind != argc)
		return ctl_usage(CTL_EXIT_USAGE);

	shown = ctl_read_stats(&stats, &ranges, &why, &err);
	if (err)
		return CTL_EXIT_ERROR;
	if (json)
		ctl_stats_json(&stats, shown);
	else
		ctl_stats_human(&stats, shown, why);
	ctl_table_free(&ranges);
	ctl_table_free(&stats);
	return CTL_EXIT_OK;
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
	struct ctl_table stats, ranges, *shown;
	struct ctl_sample now;
	const char *why = NULL;
	int err;

	shown = ctl_read_stats(&stats, &ranges, &why, &err);
	if (err)
		return -1;
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
	ctl_stats_human(&stats, shown, why);
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
