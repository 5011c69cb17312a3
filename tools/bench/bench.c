// SPDX-License-Identifier: GPL-2.0
/*
 * Measure /dev/pagerange against what the kernel and libc pay for the same
 * work, as ratios to references measured in the same run. What each figure
 * measures, against what, and its goal: tools/bench/README.md.
 *
 * Figures B1 to B4 measure it against its model, Binder's buffer
 * allocator, which the benchmark loads (binder_linux.ko, -b) and drives
 * with binder_peer.c. They run last: Binder cannot be unloaded.
 *
 * Figures D1 to D3 measure it as the memory of a discardable cache,
 * against what such caches use without it; D2's client is the tile cache
 * of tools/tilecache/.
 *
 * Runs as root with the module loaded. Prints a table on stdout, then every
 * measurement as CSV between "--- csv begin" and "--- csv end", which
 * tools/bench/run takes apart. Progress goes to stderr.
 */
#define _GNU_SOURCE
#include "bench.h"

int bench_reps = 11;
/* Scales every loop count: 2 doubles the time of the whole run. */
static double bench_scale = 1.0;

/*
 * Figures to run, as a bit mask: bit n for figure n (2 comes with 1), bits
 * 10 to 13 for B1 to B4 (B3 and B4 come together), 14 to 16 for D1 to D3.
 */
unsigned int bench_figures = 0x1fffe;
/* Binder's module (-b), for figures B1 to B4; NULL: skip them. */
const char *bench_binder_ko;

/* ---- errors, clock, statistics ------------------------------------- */

/* A library call's -errno is fatal: a benchmark has nothing to fall back on. */
long bench_check(long ret, const char *what)
{
	if (ret < 0) {
		errno = -ret;
		err(1, "%s", what);
	}
	return ret;
}

double bench_now_ns(void)
{
	return prt_seconds() * 1e9;
}

unsigned long bench_loops(unsigned long base)
{
	unsigned long n = base * bench_scale;

	return n ? n : 1;
}

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double bench_median(const double *v, int n)
{
	double s[BENCH_MAX_REPS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), bench_cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- the system ------------------------------------------------------ */

/* Pages the shrinker has freed since the module was loaded. */
long long bench_reclaimed(void)
{
	long long n = prlib_stat("pages_reclaimed");

	if (n < 0)
		errx(1, "no %s/pages_reclaimed", PRLIB_SYSFS);
	return n;
}

/* One drop_caches ("2": slab, where shrinkers live), timed. */
double bench_drop_caches_ns(void)
{
	double t0 = bench_now_ns();

	bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
	return bench_now_ns() - t0;
}

int bench_open_range(unsigned long pages, char **map)
{
	int fd = prlib_open();

	if (fd < 0)
		err(1, "open %s", PRLIB_DEV);
	*map = prlib_map(fd, pages * prlib_page_size);
	if (*map == MAP_FAILED)
		err(1, "mmap %lu pages of %s", pages, PRLIB_DEV);
	return fd;
}

void bench_close_range(int fd, char *map, unsigned long pages)
{
	munmap(map, pages * prlib_page_size);
	if (fd >= 0)
		close(fd);
}

char *bench_anon(size_t len, int flags)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		err(1, "mmap %zu anonymous bytes", len);
	return p;
}

/* ---- results --------------------------------------------------------- */

static struct bench_row bench_rows[BENCH_MAX_ROWS];
static int bench_nr_rows;

static const char *bench_fig_name(int figure, char *buf, size_t len)
{
	if (figure > BENCH_FIG_D(0))
		snprintf(buf, len, "D%d", figure - BENCH_FIG_D(0));
	else if (figure > BENCH_FIG_B(0))
		snprintf(buf, len, "B%d", figure - BENCH_FIG_B(0));
	else
		snprintf(buf, len, "%d", figure);
	return buf;
}

struct bench_row *
bench_add_row(int figure, const char *metric, unsigned long size,
	      const char *size_unit, double value, const char *unit,
	      const char *reference, double ref_value)
{
	struct bench_row *r;

	if (bench_nr_rows == BENCH_MAX_ROWS)
		errx(1, "too many rows");
	r = &bench_rows[bench_nr_rows++];
	*r = (struct bench_row){
		.figure = figure, .metric = metric, .size = size,
		.size_unit = size_unit, .value = value, .unit = unit,
		.reference = reference, .ref_value = ref_value,
		.ratio = value / ref_value, .goal = "-", .met = -1,
	};
	return r;
}

/* The goal @min <= ratio <= @max; an infinite bound is no bound. */
void bench_goal(struct bench_row *r, double min, double max)
{
	if (isinf(min))
		snprintf(r->goal, sizeof(r->goal), "<=%.1fx", max);
	else if (isinf(max))
		snprintf(r->goal, sizeof(r->goal), ">=%.1fx", min);
	else
		snprintf(r->goal, sizeof(r->goal), "%.1f-%.1fx", min, max);
	r->met = r->ratio >= min && r->ratio <= max;
}

/* The goal that the value itself, not its ratio, is @want. */
void bench_goal_value(struct bench_row *r, double want)
{
	snprintf(r->goal, sizeof(r->goal), "value=%.2f", want);
	r->met = r->value == want;
}

static const char *bench_met_str(int met)
{
	return met < 0 ? "-" : met ? "met" : "not met";
}

static void bench_print_table(void)
{
	const struct bench_row *r;
	char size[32], fig[16];
	int i, met = 0, missed = 0;

	printf("\n%-3s %-26s %12s %12s %-9s %-22s %12s %8s %-12s %s\n",
	       "#", "figure", "size", "value", "unit", "reference", "ref value",
	       "ratio", "goal", "met?");
	for (i = 0; i < bench_nr_rows; i++) {
		r = &bench_rows[i];
		snprintf(size, sizeof(size), "%lu %s", r->size, r->size_unit);
		printf("%-3s %-26s %12s %12.4g %-9s %-22s %12.4g %7.3fx %-12s %s\n",
		       bench_fig_name(r->figure, fig, sizeof(fig)), r->metric,
		       size, r->value, r->unit,
		       r->reference, r->ref_value, r->ratio, r->goal,
		       bench_met_str(r->met));
		met += r->met == 1;
		missed += r->met == 0;
	}
	printf("\ngoals: %d met, %d not met\n", met, missed);
	for (i = 0; i < bench_nr_rows; i++) {
		r = &bench_rows[i];
		if (!r->met)
			printf("  not met: #%s %s at %lu %s: %.3fx, goal %s\n",
			       bench_fig_name(r->figure, fig, sizeof(fig)),
			       r->metric, r->size, r->size_unit,
			       r->ratio, r->goal);
	}
}

static void bench_print_csv(void)
{
	const struct bench_row *r;
	char fig[16];
	int i;

	printf("--- csv begin\n");
	printf("figure,metric,size,size_unit,value,unit,reference,ref_value,ratio,goal,status\n");
	for (i = 0; i < bench_nr_rows; i++) {
		r = &bench_rows[i];
		printf("%s,%s,%lu,%s,%.6g,%s,%s,%.6g,%.6g,%s,%s\n",
		       bench_fig_name(r->figure, fig, sizeof(fig)), r->metric,
		       r->size, r->size_unit, r->value,
		       r->unit, r->reference, r->ref_value, r->ratio, r->goal,
		       bench_met_str(r->met));
	}
	printf("--- csv end\n");
}

/* ---- main ------------------------------------------------------------- */

static long long bench_old_max_size;
static char bench_old_thp[128];

/* "always madvise [never]\n" -> "never" */
static void bench_thp_selected(char *s)
{
	char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;

	if (!open || !close) {
		s[0] = '\0';
		return;
	}
	*close = '\0';
	memmove(s, open + 1, strlen(open + 1) + 1);
}

static void bench_setup(void)
{
	struct rlimit rl;
	cpu_set_t cpus;

	/*
	 * One CPU for everything, the two processes of figure 6 included:
	 * figures then measure the driver, not wakeups across CPUs, which a
	 * virtual machine on a busy host makes erratic.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		err(1, "sched_setaffinity");

	if (access(PRLIB_DEV, F_OK))
		err(1, "%s (is the module loaded?)", PRLIB_DEV);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* Figure 7 puts all 64 MiB in one range. */
	bench_old_max_size = prt_max_size();
	if (bench_old_max_size < 0)
		errx(1, "cannot read %s", PRT_MAX_SIZE);
	bench_check(prt_set_max_size(BENCH_RECLAIM_PAGES * prlib_page_size),
		    "write " PRT_MAX_SIZE);
	/*
	 * The driver maps 4 KiB pages; so must the references, or a huge
	 * page would stand in for 512 faults.
	 */
	if (prlib_read_file(BENCH_THP, bench_old_thp,
			    sizeof(bench_old_thp)) >= 0) {
		bench_thp_selected(bench_old_thp);
		prlib_write_file(BENCH_THP, "never");
	}
}

static void bench_restore(void)
{
	prt_set_max_size(bench_old_max_size);
	if (bench_old_thp[0])
		prlib_write_file(BENCH_THP, bench_old_thp);
}

/* "5" is figure 5, "B2" figure B2, "D1" figure D1; its bit in bench_figures. */
static unsigned int bench_fig_bit(const char *tok)
{
	if (tok[0] == 'B' || tok[0] == 'b')
		return 1u << (BENCH_FIG_B(atoi(tok + 1)) & 31);
	if (tok[0] == 'D' || tok[0] == 'd')
		return 1u << (BENCH_FIG_D(atoi(tok + 1)) & 31);
	return 1u << (atoi(tok) & 31);
}

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: pagerange-bench [-r REPS] [-s SCALE] [-f LIST] [-b MODULE]\n"
		"  -r REPS   repetitions of each measurement, 1..%d (default 11)\n"
		"  -s SCALE  multiply every loop count by SCALE (default 1)\n"
		"  -f LIST   only these figures, e.g. -f 1,5,7,B2,D1 (2 comes with 1,\n"
		"            B3 and B4 together)\n"
		"  -b MODULE Binder's module (binder_linux.ko), for figures B1 to B4\n",
		BENCH_MAX_REPS);
	exit(2);
}

/* The figures in the order they run, each by its number (bench_fig_bit()). */
static const struct {
	int figure;
	void (*run)(void);
} bench_runs[] = {
	{ 1, bench_fig_cold },
	{ 3, bench_fig_hot },
	{ 4, bench_fig_io },
	{ 5, bench_fig_reclaim_rate },
	{ 6, bench_fig_tx },
	{ 7, bench_fig_reclaim_spread },
	{ 8, bench_fig_memcg_reclaim },
	{ 9, bench_fig_busy_reclaim },
	{ BENCH_FIG_D(1), bench_fig_d1 },
	{ BENCH_FIG_D(2), bench_fig_d2 },
	{ BENCH_FIG_D(3), bench_fig_d3 },
};

int main(int argc, char **argv)
{
	double t0 = bench_now_ns();
	char *list, *tok;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "b:f:r:s:")) != -1) {
		switch (opt) {
		case 'b':
			bench_binder_ko = optarg;
			break;
		case 'r':
			bench_reps = atoi(optarg);
			break;
		case 's':
			bench_scale = atof(optarg);
			break;
		case 'f':
			bench_figures = 0;
			list = optarg;
			while ((tok = strsep(&list, ",")))
				bench_figures |= bench_fig_bit(tok);
			if (bench_figures & 1u << 2)
				bench_figures |= 1u << 1;
			if (bench_figures & 3u << BENCH_FIG_B(3))
				bench_figures |= 3u << BENCH_FIG_B(3);
			break;
		default:
			bench_usage();
		}
	}
	if (optind != argc || bench_reps < 1 || bench_reps > BENCH_MAX_REPS ||
	    bench_scale <= 0)
		bench_usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	bench_setup();
	bench_progress("%d repetitions of each measurement, medians reported",
		       bench_reps);
	for (i = 0; i < BENCH_ARRAY_SIZE(bench_runs); i++)
		if (bench_figures & 1u << bench_runs[i].figure)
			bench_runs[i].run();
	/* Last: Binder stays loaded once they have loaded it. */
	if (bench_figures & 15u << BENCH_FIG_B(1))
		bench_fig_binder();
	bench_restore();
	bench_progress("done in %.0f s", (bench_now_ns() - t0) / 1e9);

	bench_print_table();
	bench_print_csv();
	return 0;
}

