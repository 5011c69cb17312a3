// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_use: a use that fails part-way (an allocation
 * that fails, the global cap, a fatal signal) leaves the range as it found
 * it.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

#ifdef CONFIG_FAULT_INJECTION
struct pagerange_test_fail_saved {
	unsigned long probability;
	unsigned long interval;
	unsigned long verbose;
	unsigned long count;
	int times;
	int space;
	bool task_filter;
};

/*
 * Fail the @nth page allocation from now on, once, silently: a verbose
 * attribute would print a stack trace, which the test runner counts as a
 * kernel splat.
 */
static void pagerange_test_fail_nth_alloc(unsigned long nth,
					  struct pagerange_test_fail_saved *s)
{
	struct fault_attr *attr = &pagerange_fail_alloc;

	s->probability = attr->probability;
	s->interval = attr->interval;
	s->verbose = attr->verbose;
	s->count = attr->count;
	s->times = atomic_read(&attr->times);
	s->space = atomic_read(&attr->space);
	s->task_filter = attr->task_filter;

	attr->verbose = 0;
	attr->task_filter = false;
	attr->count = 0;
	attr->interval = nth;
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, 1);
	attr->probability = 100;
}

/* Restore the attribute; returns how many injections were left unused. */
static int pagerange_test_fail_restore(struct pagerange_test_fail_saved *s)
{
	struct fault_attr *attr = &pagerange_fail_alloc;
	int left = atomic_read(&attr->times);

	attr->probability = s->probability;
	attr->interval = s->interval;
	attr->verbose = s->verbose;
	attr->count = s->count;
	atomic_set(&attr->times, s->times);
	atomic_set(&attr->space, s->space);
	attr->task_filter = s->task_filter;
	return left;
}

/*
 * pagerange_use() over [@first, @last) with the @nth page allocation from
 * now on failing: it must fail with -ENOMEM, report nothing allocated, and
 * have reached the injected failure.
 */
static void pagerange_test_use_fails_at(struct kunit *test,
					struct pagerange *range,
					u64 first, u64 last, unsigned long nth)
{
	struct pagerange_test_fail_saved saved;
	u64 n = ~0ULL;
	int ret;

	pagerange_test_fail_nth_alloc(nth, &saved);
	ret = pagerange_use(range, first, last, &n, NULL);
	KUNIT_EXPECT_EQ(test, pagerange_test_fail_restore(&saved), 0);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
}
#endif

/*
 * A span of five pages with one in use and one reclaimable: the third of
 * the three allocations fails. Nothing may change: no page of the span in
 * use that was not, the reclaimable page still on the list_lru, the two
 * pages allocated before the failure freed.
 */
static void pagerange_test_use_is_all_or_nothing(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	struct pagerange_stats before, after;
	struct pagerange_test_map *map;
	unsigned long lru;
	long pages;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 2, 2);
	pagerange_test_stop(test, map->range, 1, 2, 1);
	pagerange_get_stats(map->range, &before);
	pages = atomic_long_read(&pagerange_pages_present);
	lru = list_lru_count(&pagerange_lru);

	pagerange_test_use_fails_at(test, map->range, 0, 5, 3);
	pagerange_get_stats(map->range, &after);
	KUNIT_EXPECT_EQ(test, after.pages_present, before.pages_present);
	KUNIT_EXPECT_EQ(test, after.pages_in_use, before.pages_in_use);
	KUNIT_EXPECT_EQ(test, after.pages_reclaimable, before.pages_reclaimable);
	KUNIT_EXPECT_EQ(test, after.pages_allocated, before.pages_allocated);
	KUNIT_EXPECT_EQ(test, after.pages_reclaimed, before.pages_reclaimed);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru);
	pagerange_test_expect_states(test, map, "URFFFFFF");
	pagerange_test_expect_consistent(test);

	/* The same call succeeds once allocations do. */
	pagerange_test_use(test, map->range, 0, 5, 3);
	pagerange_test_expect_states(test, map, "UUUUUFFF");
	pagerange_test_expect_consistent(test);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

/*
 * A span of three allocation batches whose page fails in the second: the
 * first batch's pages, the second's entries and what the third never got
 * are all given back, the global count of pages included.
 */
static void pagerange_test_use_is_all_or_nothing_across_batches(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	const unsigned long span = 3 * PAGERANGE_ALLOC_BATCH;
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	long pages;

	map = pagerange_test_map(test, span, NUMA_NO_NODE);
	pages = atomic_long_read(&pagerange_pages_present);

	pagerange_test_use_fails_at(test, map->range, 0, span,
				    PAGERANGE_ALLOC_BATCH + 5);
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_present, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	pagerange_test_expect_consistent(test);

	pagerange_test_use(test, map->range, 0, span, span);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present),
			pages + (long)span);
	pagerange_test_expect_consistent(test);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

/*
 * The global cap counts every page of every range: a span that would pass
 * it fails with -ENOMEM as a whole, and a span that fits still works.
 */
static void pagerange_test_use_stops_at_the_global_cap(struct kunit *test)
{
	unsigned long saved = pagerange_max_pages;
	struct pagerange_stats before, after;
	struct pagerange_test_map *map;
	long pages;
	u64 n = ~0ULL;
	int ret;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 2, 2);
	pagerange_test_stop(test, map->range, 1, 2, 1);
	pagerange_get_stats(map->range, &before);
	pages = atomic_long_read(&pagerange_pages_present);

	/* Room for two more pages; the span below needs three. */
	WRITE_ONCE(pagerange_max_pages, pages + 2);
	ret = pagerange_use(map->range, 0, 5, &n, NULL);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
	pagerange_get_stats(map->range, &after);
	KUNIT_EXPECT_EQ(test, after.pages_present, before.pages_present);
	KUNIT_EXPECT_EQ(test, after.pages_in_use, before.pages_in_use);
	KUNIT_EXPECT_EQ(test, after.pages_allocated, before.pages_allocated);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	pagerange_test_expect_states(test, map, "URFFFFFF");

	/* Two fit exactly, and then nothing more does. */
	ret = pagerange_use(map->range, 0, 4, &n, NULL);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, n, 2ULL);
	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 4, 5, &n, NULL), -ENOMEM);
	WRITE_ONCE(pagerange_max_pages, saved);
	pagerange_test_expect_states(test, map, "UUUUFFFF");
	pagerange_test_expect_consistent(test);
}

/*
 * A fatal signal stops USE_RANGE before it allocates: -EINTR, and nothing
 * changed. A kernel thread takes SIGKILL only once it allows it, and then
 * as a signal pending, not as its end.
 */
static void pagerange_test_use_stops_at_a_fatal_signal(struct kunit *test)
{
	long pages = atomic_long_read(&pagerange_pages_present);
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	u64 n = ~0ULL;
	int ret;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 1, 1);
	pagerange_test_stop(test, map->range, 0, 1, 1);

	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	ret = pagerange_use(map->range, 0, 4, &n, NULL);
	flush_signals(current);
	disallow_signal(SIGKILL);

	KUNIT_EXPECT_EQ(test, ret, -EINTR);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 1);
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 1ULL);
	pagerange_test_expect_states(test, map, "RFFFFFFF");
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_use_cases[] = {
	KUNIT_CASE(pagerange_test_use_is_all_or_nothing),
	KUNIT_CASE(pagerange_test_use_is_all_or_nothing_across_batches),
	KUNIT_CASE(pagerange_test_use_stops_at_the_global_cap),
	KUNIT_CASE(pagerange_test_use_stops_at_a_fatal_signal),
	{}
};

PAGERANGE_TEST_SUITE(use);
