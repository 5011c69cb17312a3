/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmark's files share: bench.c (statistics, results, the
 * system, main), bench_driver.c (figures 1 to 7), bench_pressure.c (8, 9
 * and D1 to D3) and bench_binder.c (B1 to B4).
 */
#ifndef BENCH_H
#define BENCH_H

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "binder_peer.h"
#include "pagerange_util.h"
#include "tilecache.h"

#define BENCH_THP		"/sys/kernel/mm/transparent_hugepage/enabled"
#define BENCH_CGROUP		PRT_CGROUP_ROOT "/pagerange_bench"

/* The driver answers every command it does not know with ENOTTY at once. */
#define BENCH_IOC_NOOP		_IO(PAGERANGE_IOC_MAGIC, 0x7f)

#define BENCH_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BENCH_MAX_REPS		31
#define BENCH_MAX_ROWS		96
/* The reclaim figures spread this many pages (64 MiB) over their ranges. */
#define BENCH_RECLAIM_PAGES	16384UL
/* Figure 1 times at least this many pages per repetition. */
#define BENCH_COLD_PAGES	256UL
/* Figure 6: the ring of pages transactions rotate through. */
#define BENCH_TX_RING		64UL
#define BENCH_TX_WARMUP		(2 * BENCH_TX_RING)

/*
 * Figures B1 to B4 are numbered 10 to 13 inside, D1 to D3 14 to 16; they
 * print as "B1".."B4" and "D1".."D3".
 */
#define BENCH_FIG_B(n)		(9 + (n))
#define BENCH_FIG_D(n)		(13 + (n))

/* Repetitions of each measurement (-r). */
extern int bench_reps;
/* The figures to run, one bit each (-f); Binder's module (-b) or NULL. */
extern unsigned int bench_figures;
extern const char *bench_binder_ko;

/* Progress goes to stderr: stdout holds the table and the CSV only. */
#define bench_progress(fmt, ...) \
	fprintf(stderr, "bench: " fmt "\n", ##__VA_ARGS__)

struct bench_row {
	int figure;
	const char *metric;
	unsigned long size;
	const char *size_unit;
	double value;
	const char *unit;
	const char *reference;
	double ref_value;
	double ratio;		/* value / ref_value */
	char goal[16];		/* "-" when this row has none */
	int met;		/* -1: no goal, 0: not met, 1: met */
};

/* Keep the compiler from dropping stores whose result nobody reads. */
static inline void bench_clobber(void *p)
{
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

/* bench.c */
struct bench_row *
bench_add_row(int figure, const char *metric, unsigned long size,
	      const char *size_unit, double value, const char *unit,
	      const char *reference, double ref_value);
long bench_check(long ret, const char *what);
double bench_now_ns(void);
unsigned long bench_loops(unsigned long base);
int bench_cmp_double(const void *a, const void *b);
double bench_median(const double *v, int n);
long long bench_reclaimed(void);
double bench_drop_caches_ns(void);
int bench_open_range(unsigned long pages, char **map);
void bench_close_range(int fd, char *map, unsigned long pages);
char *bench_anon(size_t len, int flags);
void bench_goal(struct bench_row *r, double min, double max);
void bench_goal_value(struct bench_row *r, double want);

/* bench_binder.c */
void bench_fig_binder(void);

/* bench_driver.c */
/* One timed reclaim of the reclaim figures. */
struct bench_reclaim {
	double ns;		/* the reclaim, its baseline subtracted */
	long freed;		/* pages the shrinker freed during it */
};

struct bench_reclaim
bench_reclaim_by(unsigned long nr_ranges, double (*reclaim_ns)(void),
		 bool baseline);
void bench_fig_cold(void);
void bench_fig_hot(void);
void bench_fig_io(void);
void bench_fig_reclaim_rate(void);
void bench_fig_reclaim_spread(void);
void bench_fig_tx(void);

/* bench_pressure.c */
void bench_fig_memcg_reclaim(void);
void bench_fig_busy_reclaim(void);
void bench_fig_d1(void);
void bench_fig_d2(void);
void bench_fig_d3(void);

#endif /* BENCH_H */
