// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failures, injected with the kernel's fault_attr machinery
 * (Documentation/fault-injection/fault-injection.rst): fail_page_alloc,
 * failslab and the driver's own pagerange/fail_alloc. Each is pointed at
 * this task only (task-filter) and armed only around the one system call
 * under test (/proc/thread-self/make-it-fail, or fail-nth to fail the n-th
 * allocation of a call). A call that fails must change nothing: the range,
 * its data and the global counters are as they were, and the same call
 * without injection works afterwards.
 *
 * verbose stays 0: a forced failure then prints nothing, not even the stack
 * a higher level would dump.
 *
 * Each fixture skips where its debugfs directory does not exist (a kernel
 * without FAULT_INJECTION_DEBUG_FS, FAIL_PAGE_ALLOC or FAILSLAB).
 */
#include "pagerange_test.h"

#include <limits.h>
#include <sched.h>

#define FAIL_PAGE_ALLOC	PRLIB_DEBUGFS "/fail_page_alloc"
#define FAILSLAB	PRLIB_DEBUGFS "/failslab"
#define FAIL_ALLOC	PRLIB_DEBUGFS "/pagerange/fail_alloc"
#define MAKE_IT_FAIL	"/proc/thread-self/make-it-fail"
#define FAIL_NTH	"/proc/thread-self/fail-nth"

#define NPAGES		16
#define FAULT_MAX_ATTRS	12
/* Enough failures for whatever one call tries after its first one. */
#define FAULT_TIMES	100
/* Give up a fail-nth sweep that has not reached the end of the call. */
#define FAULT_MAX_NTH	200

/* A fault_attr directory in debugfs and the values to put back. */
struct fault {
	const char *dir;
	int make_it_fail;	/* MAKE_IT_FAIL, opened before any injection */
	int nr_saved;
	struct {
		char name[32];
		char value[64];
	} saved[FAULT_MAX_ATTRS];
};

/* A fault_attr file and the value it must hold while the fixture runs. */
struct fault_setting {
	const char *name;
	const char *value;
};

static const struct fault_setting fail_page_alloc_settings[] = {
	{ "ignore-gfp-wait", "N" },	/* the driver's allocations may sleep */
	{ "ignore-gfp-highmem", "N" },	/* its pages are GFP_HIGHUSER */
	{ "min-order", "0" },		/* and single pages */
	{ NULL, NULL },
};

static const struct fault_setting failslab_settings[] = {
	{ "ignore-gfp-wait", "N" },
	{ "cache-filter", "N" },
	{ NULL, NULL },
};

static const struct fault_setting fail_alloc_settings[] = {
	{ NULL, NULL },
};

static int fault_path(const struct fault *f, const char *name, char *path,
		      size_t size)
{
	return snprintf(path, size, "%s/%s", f->dir, name) < (int)size ?
	       0 : -ENAMETOOLONG;
}

/* Write @value to attribute @name, saving its first value: 0 or -errno. */
static int fault_set(struct fault *f, const char *name, const char *value)
{
	char path[PATH_MAX];
	int i, ret;
	ssize_t n;

	ret = fault_path(f, name, path, sizeof(path));
	if (ret)
		return ret;
	for (i = 0; i < f->nr_saved; i++)
		if (!strcmp(f->saved[i].name, name))
			break;
	if (i == f->nr_saved) {
		if (i == FAULT_MAX_ATTRS)
			return -ENOSPC;
		n = prlib_read_file(path, f->saved[i].value,
				    sizeof(f->saved[i].value));
		if (n < 0)
			return n;
		f->saved[i].value[strcspn(f->saved[i].value, "\n")] = '\0';
		snprintf(f->saved[i].name, sizeof(f->saved[i].name), "%s",
			 name);
		f->nr_saved++;
	}
	return prlib_write_file(path, value);
}

/* The value of attribute @name as a number, or LLONG_MIN. */
static long long fault_get(const struct fault *f, const char *name)
{
	char path[PATH_MAX], buf[64];

	if (fault_path(f, name, path, sizeof(path)) ||
	    prlib_read_file(path, buf, sizeof(buf)) <= 0)
		return LLONG_MIN;
	return strtoll(buf, NULL, 0);
}

static void fault_set_num(struct __test_metadata *_metadata, struct fault *f,
			  const char *name, long long value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", value);
	ASSERT_EQ(0, fault_set(f, name, buf)) {
		TH_LOG("%s/%s: cannot write %s", f->dir, name, buf);
	}
}

/*
 * Fixture setup: find @dir, or return false with the reason in @why. Then
 * configure it disarmed (times 0): this task only, every time, silently.
 */
static bool fault_setup(struct __test_metadata *_metadata, struct fault *f,
			const char *dir, const struct fault_setting *extra,
			char *why, size_t why_size)
{
	f->dir = dir;
	f->make_it_fail = -1;
	if (!prlib_debugfs_exists(dir)) {
		snprintf(why, why_size, "%s: %s (no fault injection for it)",
			 dir, strerror(errno));
		return false;
	}
	f->make_it_fail = open(MAKE_IT_FAIL, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, f->make_it_fail);

	fault_set_num(_metadata, f, "times", 0);
	fault_set_num(_metadata, f, "verbose", 0);
	ASSERT_EQ(0, fault_set(f, "task-filter", "Y"));
	fault_set_num(_metadata, f, "probability", 100);
	fault_set_num(_metadata, f, "interval", 1);
	fault_set_num(_metadata, f, "space", 0);
	for (; extra->name; extra++)
		ASSERT_EQ(0, fault_set(f, extra->name, extra->value));
	return true;
}

/*
 * Arm the fault: the calls made under fault_inject() fail @times times,
 * once the first allocations worth @space (bytes for slab and the driver,
 * pages for the page allocator) have been let through.
 */
static void fault_arm(struct __test_metadata *_metadata, struct fault *f,
		      long long times, long long space)
{
	fault_set_num(_metadata, f, "times", 0);
	fault_set_num(_metadata, f, "space", space);
	fault_set_num(_metadata, f, "times", times);
}

/* Start or stop failing this task's allocations. */
static void fault_inject(struct __test_metadata *_metadata,
			 const struct fault *f, bool on)
{
	ASSERT_EQ(1, pwrite(f->make_it_fail, on ? "1" : "0", 1, 0));
}

/* Put every attribute written through @f back as it was, last first. */
static void fault_restore(struct __test_metadata *_metadata, struct fault *f)
{
	char path[PATH_MAX];
	int i;

	for (i = f->nr_saved - 1; i >= 0; i--) {
		EXPECT_EQ(0, fault_path(f, f->saved[i].name, path,
					sizeof(path)));
		EXPECT_EQ(0, prlib_write_file(path, f->saved[i].value)) {
			TH_LOG("%s: cannot restore %s", path,
			       f->saved[i].value);
		}
	}
	f->nr_saved = 0;
}

/* Teardown: stop injecting, disarm, then restore (times, saved first, last). */
static void fault_teardown(struct __test_metadata *_metadata, struct fault *f)
{
	if (f->make_it_fail < 0)
		return;
	EXPECT_EQ(1, pwrite(f->make_it_fail, "0", 1, 0));
	close(f->make_it_fail);
	f->make_it_fail = -1;
	fault_set_num(_metadata, f, "times", 0);
	fault_restore(_metadata, f);
}

/* USE_RANGE with this task's allocations failing. */
static long use_range_injected(struct __test_metadata *_metadata,
			       const struct fault *f, int fd, __u64 start,
			       __u64 end)
{
	long ret;

	fault_inject(_metadata, f, true);
	ret = prlib_use_range(fd, start, end);
	fault_inject(_metadata, f, false);
	return ret;
}

/* prlib_map() with this task's allocations failing: 0 or -errno. */
static int map_injected(struct __test_metadata *_metadata,
			const struct fault *f, int fd, size_t size,
			unsigned char **map)
{
	void *p;
	int err;

	fault_inject(_metadata, f, true);
	p = prlib_map(fd, size);
	err = errno;
	fault_inject(_metadata, f, false);
	*map = p;
	return p == MAP_FAILED ? -err : 0;
}

/* prlib_open() with this task's allocations failing: fd or -errno. */
static int open_injected(struct __test_metadata *_metadata,
			 const struct fault *f)
{
	int fd, err;

	fault_inject(_metadata, f, true);
	fd = prlib_open();
	err = errno;
	fault_inject(_metadata, f, false);
	return fd >= 0 ? fd : -err;
}

/*
 * fail-nth: the n-th allocation check of this thread's next calls fails,
 * whatever the probability (the attributes' gfp filters still apply).
 * Reading it back says how many checks were still to come: 0 once the
 * failure was injected.
 */
static int fail_nth_open(void)
{
	return open(FAIL_NTH, O_RDWR | O_CLOEXEC);
}

static void fail_nth_set(struct __test_metadata *_metadata, int fd, int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	ASSERT_EQ(len, pwrite(fd, buf, len, 0));
}

static int fail_nth_left(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

/* A range with pages in every state, and the data of those present. */
enum span_state { SPAN_FREE, SPAN_IN_USE, SPAN_RECLAIMABLE };

struct span {
	__u64 first;
	__u64 end;
	enum span_state state;
	__u32 seed;
};

static const struct span mixed[] = {
	{ 0, 4, SPAN_IN_USE, 1 },
	{ 4, 6, SPAN_FREE, 0 },
	{ 6, 10, SPAN_RECLAIMABLE, 2 },
	{ 10, 12, SPAN_IN_USE, 3 },
	{ 12, NPAGES, SPAN_FREE, 0 },
};

#define MIXED_MISSING	6	/* pages of mixed[] that are free */

static void mixed_setup(struct __test_metadata *_metadata, int fd)
{
	const struct span *s;

	for (s = mixed; s < mixed + ARRAY_SIZE(mixed); s++) {
		if (s->state == SPAN_FREE)
			continue;
		prtest_use_and_fill(_metadata, fd, s->first, s->end, s->seed);
		if (s->state == SPAN_RECLAIMABLE)
			ASSERT_EQ(s->end - s->first,
				  prlib_stop_using(fd, s->first, s->end));
	}
}

/*
 * The range is as mixed_setup() left it: GET_INFO is @info, free pages
 * raise SIGBUS, present pages hold their data, reclaimable pages are not
 * in use (READ refuses them), and the global counters are @stats.
 */
static void mixed_check(struct __test_metadata *_metadata, int fd,
			const unsigned char *map,
			const struct pagerange_info *info,
			const struct prlib_stats *stats)
{
	struct prlib_stats now_stats;
	struct pagerange_info now;
	const struct span *s;
	unsigned char byte;
	__u64 i;

	ASSERT_EQ(0, prlib_get_info(fd, &now));
	EXPECT_EQ(info->pages_present, now.pages_present);
	EXPECT_EQ(info->pages_in_use, now.pages_in_use);
	EXPECT_EQ(info->pages_reclaimable, now.pages_reclaimable);
	EXPECT_EQ(info->pages_allocated, now.pages_allocated);
	EXPECT_EQ(0, memcmp(info, &now, sizeof(now)));

	for (s = mixed; s < mixed + ARRAY_SIZE(mixed); s++) {
		const unsigned char *p = map + s->first * prlib_page_size;
		size_t len = (s->end - s->first) * prlib_page_size;

		if (s->state == SPAN_FREE) {
			for (i = s->first; i < s->end; i++)
				EXPECT_EQ(SIGBUS,
					  prtest_probe(map + i * prlib_page_size,
						       NULL)) {
					TH_LOG("page %llu is mapped",
					       (unsigned long long)i);
				}
			continue;
		}
		EXPECT_EQ(-1, prlib_check(p, len, s->seed)) {
			TH_LOG("pages %llu-%llu lost their data",
			       (unsigned long long)s->first,
			       (unsigned long long)s->end - 1);
		}
		EXPECT_EQ(s->state == SPAN_IN_USE ? 0 : -ENOENT,
			  prlib_read(fd, s->first * prlib_page_size, &byte, 1));
	}

	prlib_stats_read(&now_stats);
	EXPECT_EQ(stats->pages_present, now_stats.pages_present);
	EXPECT_EQ(stats->pages_reclaimable, now_stats.pages_reclaimable);
	EXPECT_EQ(stats->ranges, now_stats.ranges);
}

/*
 * After a failed USE_RANGE over the whole mixed range, the same call
 * without injection allocates exactly the free pages, and every page that
 * was present kept its data.
 */
static void mixed_use_all(struct __test_metadata *_metadata, int fd,
			  const unsigned char *map)
{
	const struct span *s;

	ASSERT_EQ(MIXED_MISSING, prlib_use_range(fd, 0, NPAGES));
	for (s = mixed; s < mixed + ARRAY_SIZE(mixed); s++) {
		const unsigned char *p = map + s->first * prlib_page_size;
		size_t len = (s->end - s->first) * prlib_page_size;

		/* Free pages come back zeroed, the others as they were. */
		EXPECT_EQ(-1, s->state == SPAN_FREE ?
			      prlib_find_not(p, len, 0) :
			      prlib_check(p, len, s->seed));
	}
}

/* What every fixture here holds. */
struct fault_fixture {
	struct fault fault;
	struct fault quiet[2];	/* the other fault_attrs, silenced */
	bool absent;
	char why[256];
	int fd;
	unsigned char *map;
	size_t size;
	int other_fd;		/* a second range some tests open */
	unsigned char *other_map;
	size_t other_size;
	long long saved_max_size;	/* to put back, or 0 */
	struct prlib_stats before;
};

/*
 * fail-nth fails the n-th check of whichever fault_attr comes first, and a
 * fault_attr prints a stack trace when it fails with verbose above 0 (its
 * default): silence the others too.
 */
static void fault_quiet_others(struct __test_metadata *_metadata,
			       struct fault_fixture *t, const char *dir)
{
	static const char * const dirs[] = {
		FAIL_PAGE_ALLOC, FAILSLAB, FAIL_ALLOC,
	};
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(dirs) && n < ARRAY_SIZE(t->quiet); i++) {
		if (!strcmp(dirs[i], dir) || access(dirs[i], F_OK))
			continue;
		t->quiet[n].dir = dirs[i];
		t->quiet[n].make_it_fail = -1;
		ASSERT_EQ(0, fault_set(&t->quiet[n++], "verbose", "0"));
	}
}

/* Setup: false, with the reason in t->why, when @dir does not exist. */
static bool fault_fixture_setup(struct __test_metadata *_metadata,
				struct fault_fixture *t, const char *dir,
				const struct fault_setting *settings)
{
	t->fd = -1;
	t->map = MAP_FAILED;
	t->other_fd = -1;
	t->other_map = MAP_FAILED;
	if (!fault_setup(_metadata, &t->fault, dir, settings, t->why,
			 sizeof(t->why))) {
		t->absent = true;
		return false;
	}
	fault_quiet_others(_metadata, t, dir);
	t->size = NPAGES * prlib_page_size;
	prtest_setup_mapped(_metadata, &t->before, &t->fd, &t->map,
			    t->size);
	return true;
}

static void fault_fixture_teardown(struct __test_metadata *_metadata,
				   struct fault_fixture *t)
{
	unsigned int i;

	if (t->absent)
		return;
	fault_teardown(_metadata, &t->fault);
	for (i = 0; i < ARRAY_SIZE(t->quiet); i++)
		fault_restore(_metadata, &t->quiet[i]);
	if (t->other_map != MAP_FAILED)
		EXPECT_EQ(0, munmap(t->other_map, t->other_size));
	if (t->other_fd >= 0)
		EXPECT_EQ(0, close(t->other_fd));
	if (t->saved_max_size)
		EXPECT_EQ(0, prt_set_max_size(t->saved_max_size));
	if (t->fd >= 0)
		prtest_teardown_mapped(_metadata, &t->before, t->fd, t->map,
				       t->size);
}

/* Open the second range, unmapped. */
static void other_open(struct __test_metadata *_metadata, int *fd)
{
	*fd = prlib_open();
	ASSERT_LE(0, *fd);
}

/* After a failed mmap, the range is not mapped and holds nothing. */
static void expect_unmapped(struct __test_metadata *_metadata, int fd)
{
	struct pagerange_info info;

	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(0, info.size_pages);
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(-ENXIO, prlib_use_range(fd, 0, 1));
}

/* A mapping works: its first and last pages can be used and read back. */
static void expect_mapping_works(struct __test_metadata *_metadata, int fd,
				 unsigned char *map, size_t size)
{
	__u64 npages = size / prlib_page_size;
	unsigned char byte = 0x5a;

	ASSERT_EQ(1, prlib_use_range(fd, 0, 1));
	ASSERT_EQ(1, prlib_use_range(fd, npages - 1, npages));
	ASSERT_EQ(0, prlib_write(fd, size - 1, &byte, 1));
	EXPECT_EQ(0, map[0]);
	EXPECT_EQ(0x5a, map[size - 1]);
}

FIXTURE(fail_page_alloc) {
	struct fault_fixture t;
};

FIXTURE_SETUP(fail_page_alloc)
{
	/* The 6.1 harness runs the test body after this SKIP(). */
	if (!fault_fixture_setup(_metadata, &self->t, FAIL_PAGE_ALLOC,
				 fail_page_alloc_settings))
		SKIP(return, "%s", self->t.why);
}

FIXTURE_TEARDOWN(fail_page_alloc)
{
	fault_fixture_teardown(_metadata, &self->t);
}

TEST_F(fail_page_alloc, use_range_fails_enomem_and_leaves_the_range_as_it_was)
{
	struct prlib_ranges_line line;
	struct prlib_stats stats;
	struct pagerange_info info;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	mixed_setup(_metadata, self->t.fd);
	ASSERT_EQ(0, prlib_get_info(self->t.fd, &info));
	prlib_stats_read(&stats);

	fault_arm(_metadata, &self->t.fault, FAULT_TIMES, 0);
	EXPECT_EQ(-ENOMEM, use_range_injected(_metadata, &self->t.fault,
					      self->t.fd, 0, NPAGES));
	mixed_check(_metadata, self->t.fd, self->t.map, &info, &stats);
	/* Still reclaimable: STOP_USING_RANGE has nothing to move there. */
	EXPECT_EQ(0, prlib_stop_using(self->t.fd, 6, 10));
	ASSERT_EQ(1, prlib_ranges_line(getpid(), &line));
	EXPECT_EQ(info.pages_present, line.pages_present);
	EXPECT_EQ(info.pages_reclaimable, line.pages_reclaimable);

	mixed_use_all(_metadata, self->t.fd, self->t.map);
}

/*
 * The pages of the span are allocated, then mapped. Fail each page table
 * allocation in turn, from the first (nothing mapped yet) to the one of
 * the second PTE table, which comes after pages have been inserted under
 * the first: every failure must take the inserted pages out again.
 *
 * Four pages across a PMD boundary, two PTE tables, both missing: the
 * boundary is at least a PMD's size into the mapping, so that each table
 * covers pages of the mapping only. Even so, a table may be there already:
 * munmap() leaves the tables a neighbouring mapping shared, and a new
 * mapping may land on them. Then the failure after the inserts cannot be
 * provoked, and the test tries again two PMDs further on, with two tables
 * of their own, up to FAULT_PT_TRIES times.
 */
#define FAULT_PT_TRIES	3

/*
 * One try at the span of four pages around the PMD boundary at page @b:
 * whether a failed call had inserted pages under the first table (whose
 * allocation then shows in VmPTE), and in *@ret the result of the call
 * that succeeded.
 */
static bool fault_pt_try(struct __test_metadata *_metadata,
			 struct fault_fixture *t, __u64 b, long *ret)
{
	unsigned char *span = t->other_map + (b - 2) * prlib_page_size;
	struct pagerange_info before, now;
	long long allocated, pte_kb;
	int j, failures = 0, after_inserts = 0;

	ASSERT_EQ(0, prlib_get_info(t->other_fd, &before));
	allocated = prlib_stat("pages_present");
	pte_kb = prt_status_kb(0, "VmPTE");
	ASSERT_LE(0, pte_kb);

	for (j = 0; j < 16; j++) {
		/*
		 * Let 4 + j pages through (the four pages, then the slab
		 * pages of their entries and the page tables, in an order
		 * that depends on the slab's state) and fail every one after.
		 * Not just the next one: a failure that a fallback absorbs
		 * (the entry's __GFP_THISNODE attempt) would leave the rest
		 * to succeed, and the call with them.
		 */
		fault_arm(_metadata, &t->fault, FAULT_TIMES, 4 + 1 + j);
		*ret = use_range_injected(_metadata, &t->fault, t->other_fd,
					  b - 2, b + 2);
		if (*ret != -ENOMEM)
			break;
		failures++;
		/*
		 * A zap leaves page tables: once the first one is there,
		 * pages were inserted under it before the second failed.
		 */
		after_inserts += prt_status_kb(0, "VmPTE") > pte_kb;
		ASSERT_EQ(0, prlib_get_info(t->other_fd, &now));
		EXPECT_EQ(0, memcmp(&before, &now, sizeof(now)));
		EXPECT_EQ(allocated, prlib_stat("pages_present"));
		EXPECT_EQ(0, prtest_count_readable(span, 4));
	}
	/* The first table allocation at least must have been refused. */
	EXPECT_LE(1, failures);
	ASSERT_EQ(4, *ret);
	EXPECT_EQ(4, prtest_count_readable(span, 4));
	EXPECT_EQ(-1, prlib_find_not(span, 4 * prlib_page_size, 0));
	if (!after_inserts)
		TH_LOG("a PTE table at page %llu was there already: next try",
		       (unsigned long long)b);
	return after_inserts > 0;
}

TEST_F(fail_page_alloc, use_range_fails_cleanly_when_a_page_table_cannot_be_allocated)
{
	size_t pmd_size = prlib_page_size * (prlib_page_size / sizeof(__u64));
	bool after_inserts = false;
	long ret = 0;
	int try;
	__u64 b;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	/* Room for the boundaries of every try, each two PMDs further on. */
	self->t.other_size = (2 * FAULT_PT_TRIES + 2) * pmd_size;
	self->t.saved_max_size = prt_max_size();
	ASSERT_LT(0, self->t.saved_max_size);
	if (self->t.saved_max_size < (long long)self->t.other_size)
		ASSERT_EQ(0, prt_set_max_size(self->t.other_size));
	other_open(_metadata, &self->t.other_fd);
	self->t.other_map = prlib_map(self->t.other_fd, self->t.other_size);
	ASSERT_NE(MAP_FAILED, self->t.other_map);

	/* The first PMD boundary a PMD's size into the mapping, as a page. */
	b = (uintptr_t)self->t.other_map + pmd_size;
	b = (b + pmd_size - 1) / pmd_size * pmd_size;
	b = (b - (uintptr_t)self->t.other_map) / prlib_page_size;
	for (try = 0; try < FAULT_PT_TRIES && !after_inserts; try++)
		after_inserts = fault_pt_try(_metadata, &self->t,
					     b + 2 * try * (pmd_size / prlib_page_size),
					     &ret);
	/* The second table was refused after pages went under the first. */
	EXPECT_TRUE(after_inserts);
}

/*
 * The slot array of a range of 4096 pages (32 KiB) comes from the page
 * allocator, through kmalloc or vmalloc: under fail_page_alloc the mmap
 * fails, quietly, and the fd can still be mapped.
 */
TEST_F(fail_page_alloc, mmap_of_a_large_range_fails_cleanly)
{
	long long allocated = prlib_stat("pages_present");

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	self->t.other_size = 4096 * prlib_page_size;
	self->t.saved_max_size = prt_max_size();
	ASSERT_LT(0, self->t.saved_max_size);
	ASSERT_EQ(0, prt_set_max_size(self->t.other_size));
	other_open(_metadata, &self->t.other_fd);

	fault_arm(_metadata, &self->t.fault, FAULT_TIMES, 0);
	EXPECT_EQ(-ENOMEM, map_injected(_metadata, &self->t.fault,
					self->t.other_fd, self->t.other_size,
					&self->t.other_map));
	expect_unmapped(_metadata, self->t.other_fd);
	EXPECT_EQ(allocated, prlib_stat("pages_present"));

	self->t.other_map = prlib_map(self->t.other_fd, self->t.other_size);
	ASSERT_NE(MAP_FAILED, self->t.other_map);
	expect_mapping_works(_metadata, self->t.other_fd, self->t.other_map,
			     self->t.other_size);
}

FIXTURE(failslab) {
	struct fault_fixture t;
};

FIXTURE_SETUP(failslab)
{
	/* The 6.1 harness runs the test body after this SKIP(). */
	if (!fault_fixture_setup(_metadata, &self->t, FAILSLAB,
				 failslab_settings))
		SKIP(return, "%s", self->t.why);
}

FIXTURE_TEARDOWN(failslab)
{
	fault_fixture_teardown(_metadata, &self->t);
}

TEST_F(failslab, open_fails_enomem_cleanly)
{
	long long ranges = prlib_stat("ranges");
	struct prlib_ranges_line line;
	int fd;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	fault_arm(_metadata, &self->t.fault, FAULT_TIMES, 0);
	fd = open_injected(_metadata, &self->t.fault);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(-ENOMEM, fd);
	EXPECT_EQ(ranges, prlib_stat("ranges"));
	/* Only the fixture's own range is this process's. */
	EXPECT_EQ(1, prlib_ranges_line(getpid(), &line));

	other_open(_metadata, &self->t.other_fd);
	EXPECT_EQ(ranges + 1, prlib_stat("ranges"));
}

/*
 * Fail every allocation of open() in turn, the driver's own included: each
 * failed open leaves no range behind. An open that survives its injected
 * failure (one the kernel can do without) must give a working range.
 */
TEST_F(failslab, open_fails_cleanly_at_every_allocation)
{
	long long ranges = prlib_stat("ranges");
	int nth, n, fd, left, failures = 0;
	unsigned char *map;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	nth = fail_nth_open();
	if (nth < 0)
		SKIP(return, "%s: %s", FAIL_NTH, strerror(errno));
	for (n = 1; n <= FAULT_MAX_NTH; n++) {
		fail_nth_set(_metadata, nth, n);
		fd = prlib_open();
		if (fd < 0)
			fd = -errno;
		left = fail_nth_left(nth);
		fail_nth_set(_metadata, nth, 0);
		if (fd < 0) {
			failures++;
			EXPECT_EQ(-ENOMEM, fd) {
				TH_LOG("allocation %d", n);
			}
			EXPECT_EQ(ranges, prlib_stat("ranges"));
			continue;
		}
		map = prlib_map(fd, self->t.size);
		EXPECT_NE(MAP_FAILED, map) {
			TH_LOG("allocation %d", n);
		}
		if (map != MAP_FAILED) {
			EXPECT_EQ(1, prlib_use_range(fd, 0, 1));
			EXPECT_EQ(0, munmap(map, self->t.size));
		}
		EXPECT_EQ(0, close(fd));
		if (left)
			break;	/* open() made fewer than n allocations */
	}
	EXPECT_LT(n, FAULT_MAX_NTH);
	EXPECT_LE(1, failures);
	EXPECT_EQ(ranges, prlib_stat("ranges"));
}

TEST_F(failslab, mmap_fails_cleanly)
{
	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	self->t.other_size = self->t.size;
	other_open(_metadata, &self->t.other_fd);

	fault_arm(_metadata, &self->t.fault, FAULT_TIMES, 0);
	EXPECT_EQ(-ENOMEM, map_injected(_metadata, &self->t.fault,
					self->t.other_fd, self->t.other_size,
					&self->t.other_map));
	expect_unmapped(_metadata, self->t.other_fd);

	/* A failed mmap does not count as the one mmap the fd allows. */
	self->t.other_map = prlib_map(self->t.other_fd, self->t.other_size);
	ASSERT_NE(MAP_FAILED, self->t.other_map);
	expect_mapping_works(_metadata, self->t.other_fd, self->t.other_map,
			     self->t.other_size);
}

/*
 * Fail every allocation of mmap() in turn, the driver's slot array
 * included: after each failure the fd is still unmapped, and mappable. A
 * mmap that survives its injected failure (one the kernel can do without)
 * must give a working mapping; the sweep goes on with a new range.
 */
TEST_F(failslab, mmap_fails_cleanly_at_every_allocation)
{
	long long allocated = prlib_stat("pages_present");
	int nth, n, ret, left, failures = 0;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	nth = fail_nth_open();
	if (nth < 0)
		SKIP(return, "%s: %s", FAIL_NTH, strerror(errno));
	self->t.other_size = self->t.size;
	other_open(_metadata, &self->t.other_fd);

	for (n = 1; n <= FAULT_MAX_NTH; n++) {
		fail_nth_set(_metadata, nth, n);
		self->t.other_map = prlib_map(self->t.other_fd,
					      self->t.other_size);
		ret = self->t.other_map == MAP_FAILED ? -errno : 0;
		left = fail_nth_left(nth);
		fail_nth_set(_metadata, nth, 0);
		if (ret) {
			failures++;
			EXPECT_EQ(-ENOMEM, ret) {
				TH_LOG("allocation %d", n);
			}
			expect_unmapped(_metadata, self->t.other_fd);
			EXPECT_EQ(allocated, prlib_stat("pages_present"));
			continue;
		}
		expect_mapping_works(_metadata, self->t.other_fd,
				     self->t.other_map, self->t.other_size);
		if (left)
			break;	/* mmap() made fewer than n allocations */
		ASSERT_EQ(0, munmap(self->t.other_map, self->t.other_size));
		self->t.other_map = MAP_FAILED;
		ASSERT_EQ(0, close(self->t.other_fd));
		other_open(_metadata, &self->t.other_fd);
	}
	EXPECT_LT(n, FAULT_MAX_NTH);
	EXPECT_LE(1, failures);
}

/*
 * USE_RANGE of 40 pages, two allocation batches (32 and 8 pages), with
 * each of its allocations failed in turn: the bulk allocation of each
 * batch's entries, and each page (fail-nth counts the driver's own
 * fail_alloc too). Every failure leaves the range as it was and the global
 * count where it stood. A call survives its injected failure only where
 * it was the exchange of an entry from another node than its page
 * (pagerange_entry_on_node()), which keeps the entry it has: such a call
 * must have used the whole span, and the sweep goes on with a new range.
 * The sweep runs on one CPU, so that entries and pages come from the
 * range's node and every call makes the same allocations, short of a
 * KFENCE sample from elsewhere.
 */
TEST_F(failslab, use_range_fails_cleanly_at_every_allocation)
{
	const __u64 span = 40;
	struct pagerange_info before = { 0 }, now;
	int nth, n, left, failures = 0;
	long long allocated = 0;
	cpu_set_t saved, one;
	long ret;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	nth = fail_nth_open();
	if (nth < 0)
		SKIP(return, "%s: %s", FAIL_NTH, strerror(errno));
	self->t.other_size = span * prlib_page_size;
	if (prt_max_size() < (long long)self->t.other_size)
		SKIP(return, "max_size is below %zu", self->t.other_size);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));

	for (n = 1; n <= FAULT_MAX_NTH; n++) {
		if (self->t.other_fd < 0) {
			other_open(_metadata, &self->t.other_fd);
			self->t.other_map = prlib_map(self->t.other_fd,
						      self->t.other_size);
			ASSERT_NE(MAP_FAILED, self->t.other_map);
			ASSERT_EQ(0, prlib_get_info(self->t.other_fd,
						    &before));
			allocated = prlib_stat("pages_present");
		}
		fail_nth_set(_metadata, nth, n);
		ret = prlib_use_range(self->t.other_fd, 0, span);
		left = fail_nth_left(nth);
		fail_nth_set(_metadata, nth, 0);
		if (ret < 0) {
			failures++;
			EXPECT_EQ(-ENOMEM, ret) {
				TH_LOG("allocation %d", n);
			}
			ASSERT_EQ(0, prlib_get_info(self->t.other_fd, &now));
			EXPECT_EQ(0, memcmp(&before, &now, sizeof(now))) {
				TH_LOG("allocation %d", n);
			}
			EXPECT_EQ(allocated, prlib_stat("pages_present"));
			EXPECT_EQ(0, prtest_count_readable(self->t.other_map,
							   span));
			continue;
		}
		EXPECT_EQ(span, ret);
		EXPECT_EQ(allocated + (long long)span,
			  prlib_stat("pages_present"));
		EXPECT_EQ(span, prtest_count_readable(self->t.other_map, span));
		EXPECT_EQ(-1, prlib_find_not(self->t.other_map,
					     self->t.other_size, 0));
		if (left)
			break;	/* USE_RANGE made fewer than n allocations */
		ASSERT_EQ(0, munmap(self->t.other_map, self->t.other_size));
		self->t.other_map = MAP_FAILED;
		ASSERT_EQ(0, close(self->t.other_fd));
		self->t.other_fd = -1;
	}
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(saved), &saved));
	EXPECT_LT(n, FAULT_MAX_NTH);
	/*
	 * Each batch's bulk allocation and each page, 42, unless an exchange
	 * kept its entry and so shifted the sequence for the next call.
	 */
	EXPECT_LE(span, failures);
}

FIXTURE(fail_alloc) {
	struct fault_fixture t;
};

FIXTURE_SETUP(fail_alloc)
{
	if (fault_fixture_setup(_metadata, &self->t, FAIL_ALLOC,
				fail_alloc_settings))
		return;
	/*
	 * The driver makes fail_alloc wherever the kernel has fault-injection
	 * debugfs, which makes failslab or fail_page_alloc too. (A failure
	 * here ends the test; the 6.1 harness runs the test body after a
	 * SKIP().)
	 */
	PRTEST_NEED(!prlib_debugfs_exists(FAILSLAB) &&
		    !prlib_debugfs_exists(FAIL_PAGE_ALLOC), return,
		    "%s, while the kernel has fault injection", self->t.why);
	SKIP(return, "%s", self->t.why);
}

FIXTURE_TEARDOWN(fail_alloc)
{
	fault_fixture_teardown(_metadata, &self->t);
}

/*
 * USE_RANGE allocates every missing page of the span before it maps any.
 * Let k of them through, then fail the next: the k pages already
 * allocated are freed, and the range is as it was.
 */
TEST_F(fail_alloc, use_range_fails_at_any_page_and_frees_the_pages_already_allocated)
{
	struct prlib_stats stats;
	struct pagerange_info info;
	int k;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	mixed_setup(_metadata, self->t.fd);
	ASSERT_EQ(0, prlib_get_info(self->t.fd, &info));
	prlib_stats_read(&stats);

	for (k = 0; k < MIXED_MISSING; k++) {
		fault_arm(_metadata, &self->t.fault, 1, k * prlib_page_size + 1);
		EXPECT_EQ(-ENOMEM, use_range_injected(_metadata, &self->t.fault,
						      self->t.fd, 0, NPAGES));
		/* The failure was injected, after k allocations. */
		EXPECT_EQ(0, fault_get(&self->t.fault, "times"));
		EXPECT_EQ(1, fault_get(&self->t.fault, "space")) {
			TH_LOG("k = %d", k);
		}
		mixed_check(_metadata, self->t.fd, self->t.map, &info, &stats);
	}
	mixed_use_all(_metadata, self->t.fd, self->t.map);
}

TEST_F(fail_alloc, nothing_leaks_after_injected_failures)
{
	const __u64 span = 8;
	struct pagerange_info info = { 0 };
	__u64 round, rounds = 8;

	if (self->t.absent)
		SKIP(return, "%s", self->t.why);
	for (round = 0; round < rounds; round++) {
		fault_arm(_metadata, &self->t.fault, 1,
			  (round % span) * prlib_page_size + 1);
		ASSERT_EQ(-ENOMEM, use_range_injected(_metadata, &self->t.fault,
						      self->t.fd, 0, span));
		EXPECT_EQ(self->t.before.pages_present,
			  prlib_stat("pages_present"));

		prtest_use_and_fill(_metadata, self->t.fd, 0, span, round + 1);
		ASSERT_EQ(span, prlib_stop_using(self->t.fd, 0, span));
		prtest_reclaim_info(_metadata, self->t.fd, &info);
		ASSERT_EQ(0, info.pages_present);
		EXPECT_EQ(self->t.before.pages_present,
			  prlib_stat("pages_present"));
		EXPECT_EQ(self->t.before.pages_reclaimable,
			  prlib_stat("pages_reclaimable"));
	}
	/* Only the calls that succeeded count as allocations. */
	EXPECT_EQ(rounds * span, info.pages_allocated);
	EXPECT_EQ(rounds * span, info.pages_reclaimed);
}

PAGERANGE_TEST_MAIN
