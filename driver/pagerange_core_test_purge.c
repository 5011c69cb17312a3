// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_purge: the purge map: what the report marks,
 * what a purge frees, what QUERY reports and when the owner is woken.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

/*
 * The poll mask as a plain integer: KUnit compares copies of its operands,
 * and sparse does not let a restricted __poll_t be compared as one.
 */
static unsigned int pagerange_test_poll(struct pagerange *range)
{
	return (__force unsigned int)pagerange_poll(range, NULL, NULL);
}

/* Report [0, @n) of @map and expect @want: one 0 or 1 a page, and @count. */
static void pagerange_test_use_report(struct kunit *test,
				      struct pagerange_test_map *map,
				      const char *want, u64 count)
{
	unsigned long n = strlen(want), i, *fresh;
	char got[PAGERANGE_TEST_PAGES + 1];
	u64 allocated = ~0ULL;

	KUNIT_ASSERT_LE(test, n, (unsigned long)PAGERANGE_TEST_PAGES);
	fresh = bitmap_zalloc(n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fresh);
	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 0, n, &allocated,
					    fresh), 0);
	for (i = 0; i < n; i++)
		got[i] = test_bit(i, fresh) ? '1' : '0';
	got[n] = '\0';
	bitmap_free(fresh);
	KUNIT_EXPECT_STREQ(test, got, want);
	KUNIT_EXPECT_EQ(test, allocated, count);
}

static void pagerange_test_purge(struct kunit *test, struct pagerange *range,
				 u64 first, u64 last, u64 nr_freed)
{
	u64 n = ~0ULL;

	KUNIT_ASSERT_EQ(test, pagerange_purge(range, first, last, &n), 0);
	KUNIT_EXPECT_EQ_MSG(test, n, nr_freed, "purge [%llu, %llu)",
			    first, last);
}

/*
 * The report marks exactly the pages that had to be allocated: never used,
 * reclaimed or purged; not those in use or reclaimable, which kept their
 * contents, and it is written as the pages are published, so it is the
 * state the call left, not one it saw before.
 */
static void pagerange_test_report_marks_exactly_the_allocated_pages(struct kunit *test)
{
	struct pagerange_test_map *map;
	unsigned long i;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 7, 7);
	pagerange_test_stop(test, map->range, 1, 3, 2);
	pagerange_test_stop(test, map->range, 5, 6, 1);
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL, 3,
				   "UFFUUFUF");
	pagerange_test_stop(test, map->range, 0, 1, 1);
	pagerange_test_purge(test, map->range, 3, 4, 1);
	pagerange_test_expect_states(test, map, "RFFFUFUF");

	pagerange_test_use_report(test, map, "01110101", 5);
	pagerange_test_expect_states(test, map, "UUUUUUUU");
	for (i = 1; i < 4; i++)
		pagerange_test_expect_zero_page(test, map, i);
	/* All present now: nothing to report. */
	pagerange_test_use_report(test, map, "00000000", 0);
	pagerange_test_expect_consistent(test);
}

/*
 * Purge frees the span's pages at once, in use or reclaimable, counts them
 * apart from reclaim, and refuses to while a copy is in flight.
 */
static void pagerange_test_purge_frees_pages_in_every_state(struct kunit *test)
{
	long pages = atomic_long_read(&pagerange_pages_present);
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	u64 n;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 6, 6);
	pagerange_test_stop(test, map->range, 2, 4, 2);
	pagerange_test_expect_states(test, map, "UURRUUFF");

	pagerange_test_hold_copy(map->range);
	KUNIT_EXPECT_EQ(test, pagerange_purge(map->range, 0, 8, &n), -EBUSY);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
	pagerange_test_release_copy(map->range);
	pagerange_test_expect_states(test, map, "UURRUUFF");

	pagerange_test_purge(test, map->range, 1, 5, 4);
	pagerange_test_expect_states(test, map, "UFFFFUFF");
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_purged, 4ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_reclaimed, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 2);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 0UL);
	pagerange_test_expect_consistent(test);
}

/* QUERY's states are the slots' states, and asking changes none. */
static void pagerange_test_query_reports_each_state(struct kunit *test)
{
	static const char letter[] = "FUR";
	struct pagerange_test_map *map;
	u8 states[PAGERANGE_TEST_PAGES];
	char got[PAGERANGE_TEST_PAGES + 1];
	unsigned long i;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 1, 5, 4);
	pagerange_test_stop(test, map->range, 3, 5, 2);
	KUNIT_ASSERT_EQ(test, pagerange_query(map->range, 0, 8, states), 0);
	for (i = 0; i < PAGERANGE_TEST_PAGES; i++) {
		KUNIT_ASSERT_LT(test, states[i], 3);
		got[i] = letter[states[i]];
	}
	got[i] = '\0';
	KUNIT_EXPECT_STREQ(test, got, "FUURRFFF");
	pagerange_test_expect_states(test, map, "FUURRFFF");
	KUNIT_EXPECT_EQ(test, pagerange_query(map->range, 4, 9, states),
			-EINVAL);
	pagerange_test_expect_consistent(test);
}

struct pagerange_test_waker {
	struct wait_queue_entry wq;
	int wakeups;
};

static int pagerange_test_waker_fn(struct wait_queue_entry *wq,
				   unsigned int mode, int sync, void *key)
{
	container_of(wq, struct pagerange_test_waker, wq)->wakeups++;
	return 0;
}

/*
 * The owner is woken when the shrinker takes pages, once until it
 * acknowledges, whatever the number of runs; PURGED then says how many
 * and when; a purge it asked for wakes nobody.
 */
static void pagerange_test_notify_once_per_acknowledgment(struct kunit *test)
{
	struct pagerange_test_waker w = { .wakeups = 0 };
	struct pagerange_purge_report report;
	struct pagerange_test_map *map;
	u64 t0 = ktime_get_ns();

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	init_waitqueue_func_entry(&w.wq, pagerange_test_waker_fn);
	add_wait_queue(&map->range->purge_wait, &w.wq);

	KUNIT_EXPECT_EQ(test, pagerange_test_poll(map->range), 0U);
	pagerange_test_use(test, map->range, 0, 8, 8);
	pagerange_test_purge(test, map->range, 6, 8, 2);
	KUNIT_EXPECT_EQ(test, w.wakeups, 0);
	/* Two runs, in two scans: one wake-up. */
	pagerange_test_stop(test, map->range, 0, 1, 1);
	pagerange_test_stop(test, map->range, 2, 4, 2);
	pagerange_test_expect_scan(test, map, 1, 1, "FURRUUFF");
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL, 2,
				   "FUFFUUFF");
	KUNIT_EXPECT_EQ(test, w.wakeups, 1);
	KUNIT_EXPECT_EQ(test, pagerange_test_poll(map->range),
			(__force unsigned int)EPOLLPRI);

	pagerange_take_purged(map->range, &report);
	KUNIT_EXPECT_EQ(test, report.pages, 3ULL);
	KUNIT_EXPECT_EQ(test, report.events, 2ULL);
	KUNIT_EXPECT_GE(test, report.last_ns, t0);
	KUNIT_EXPECT_LE(test, report.last_ns, ktime_get_ns());
	KUNIT_EXPECT_EQ(test, pagerange_test_poll(map->range), 0U);

	/* After the acknowledgment, the next reclaim wakes again. */
	pagerange_test_stop(test, map->range, 4, 5, 1);
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL, 1,
				   "FUFFFUFF");
	KUNIT_EXPECT_EQ(test, w.wakeups, 2);
	pagerange_take_purged(map->range, &report);
	KUNIT_EXPECT_EQ(test, report.pages, 1ULL);
	KUNIT_EXPECT_EQ(test, report.events, 3ULL);

	remove_wait_queue(&map->range->purge_wait, &w.wq);
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_purge_cases[] = {
	KUNIT_CASE(pagerange_test_report_marks_exactly_the_allocated_pages),
	KUNIT_CASE(pagerange_test_purge_frees_pages_in_every_state),
	KUNIT_CASE(pagerange_test_query_reports_each_state),
	KUNIT_CASE(pagerange_test_notify_once_per_acknowledgment),
	{}
};

PAGERANGE_TEST_SUITE(purge);
