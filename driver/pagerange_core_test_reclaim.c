// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_reclaim: the shrinker's count and scan
 * callbacks, called directly: which pages a scan takes, in which order and
 * runs, and what comes back after.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

static void pagerange_test_reclaim_takes_only_reclaimable_pages(struct kunit *test)
{
	long reclaimed = atomic_long_read(&pagerange_pages_reclaimed);
	struct pagerange_test_map *map;
	struct pagerange_stats stats;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 4, 4);
	pagerange_test_stop(test, map->range, 2, 4, 2);

	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL,
				   2, "UUFFFFFF");
	KUNIT_EXPECT_EQ(test, pagerange_test_scan(PAGERANGE_TEST_SCAN_ALL), 0UL);

	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_reclaimed, 2ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 4ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_reclaimed),
			reclaimed + 2);
	pagerange_test_expect_consistent(test);
}

/*
 * STOP_USING_RANGE queues the highest pages first and the shrinker walks
 * from the head, so the low pages, the likeliest reused, go last.
 */
static void pagerange_test_reclaim_takes_highest_pages_first(struct kunit *test)
{
	struct pagerange_test_map *map;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 4, 4);
	pagerange_test_stop(test, map->range, 0, 4, 4);

	pagerange_test_expect_scan(test, map, 1, 1, "RRRFFFFF");
	pagerange_test_expect_scan(test, map, 2, 2, "RFFFFFFF");
	pagerange_test_expect_consistent(test);
}

/*
 * A stopped span is taken as one run, and every page of it counts against
 * the scan's budget: a scan of three frees three pages, each zapped.
 */
static void pagerange_test_reclaim_run_counts_against_the_scan(struct kunit *test)
{
	struct pagerange_test_map *map;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 8, 8);
	pagerange_test_stop(test, map->range, 0, 8, 8);

	pagerange_test_expect_scan(test, map, 3, 3, "RRRRRFFF");
	pagerange_test_expect_consistent(test);
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL,
				   5, "FFFFFFFF");
	pagerange_test_expect_consistent(test);
}

/*
 * A stopped span goes in runs of PAGERANGE_RECLAIM_BATCH pages, one
 * isolate callback, one zap and one TLB flush each. The callback frees a
 * run with the list_lru lock dropped, so the walk counts nothing as
 * isolated; the scan counts every page, and each page takes one unit of
 * the walk's budget.
 */
static void pagerange_test_reclaim_runs_are_capped(struct kunit *test)
{
	struct pagerange_walk walk = { .nr_to_walk = PAGERANGE_TEST_SCAN_ALL };
	unsigned long i, runs, n = 2 * PAGERANGE_RECLAIM_BATCH;
	struct pagerange_test_map *map;
	unsigned long mapped = 0;

	map = pagerange_test_map(test, n, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, n, n);
	pagerange_test_stop(test, map->range, 0, n, n);

	runs = list_lru_walk_one(&pagerange_lru, map->range->nid, NULL,
				 pagerange_lru_walk_cb, &walk, &walk.nr_to_walk);
	KUNIT_EXPECT_EQ(test, runs, 0UL);
	KUNIT_EXPECT_EQ(test, walk.nr_freed, n);
	KUNIT_EXPECT_EQ(test, walk.nr_to_walk, PAGERANGE_TEST_SCAN_ALL - n);
	for (i = 0; i < n; i++)
		mapped += pagerange_test_mapped(map, i);
	KUNIT_EXPECT_EQ(test, mapped, 0UL);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 0UL);
	pagerange_test_expect_consistent(test);
}

/* A run ends at a page in use; the pages past it are the next run. */
static void pagerange_test_reclaim_run_stops_at_a_page_in_use(struct kunit *test)
{
	struct pagerange_test_map *map;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 8, 8);
	pagerange_test_stop(test, map->range, 0, 8, 8);
	pagerange_test_use(test, map->range, 3, 4, 0);

	pagerange_test_expect_scan(test, map, 5, 5, "RRFUFFFF");
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL,
				   2, "FFFUFFFF");
	pagerange_test_expect_consistent(test);
}

/*
 * A run is what the list_lru holds in a row, in either direction, never a
 * neighbour further down the list: pages 2, 0 and 1 stopped in that order
 * are freed as 2, then 0 and 1, so a scan of two leaves page 1.
 */
static void pagerange_test_reclaim_run_follows_the_lru_order(struct kunit *test)
{
	struct pagerange_test_map *map;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 8, 8);
	pagerange_test_stop(test, map->range, 2, 3, 1);
	pagerange_test_stop(test, map->range, 0, 1, 1);
	pagerange_test_stop(test, map->range, 1, 2, 1);

	pagerange_test_expect_scan(test, map, 2, 2, "FRFUUUUU");
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL,
				   1, "FFFUUUUU");
	pagerange_test_expect_consistent(test);
}

/*
 * A run never crosses into another range's pages queued after it, even at
 * the index that would continue it: after range a's pages 1 and 0 comes
 * range b's page 2. Both ranges are on one node, so that their pages share
 * one list.
 */
static void pagerange_test_reclaim_run_stays_in_its_range(struct kunit *test)
{
	struct pagerange_test_map *a, *b;

	a = pagerange_test_map(test, PAGERANGE_TEST_PAGES, first_online_node);
	b = pagerange_test_map(test, PAGERANGE_TEST_PAGES, first_online_node);
	KUNIT_ASSERT_EQ(test, a->range->nid, b->range->nid);
	pagerange_test_use(test, a->range, 0, 4, 4);
	pagerange_test_use(test, b->range, 0, 4, 4);
	pagerange_test_stop(test, a->range, 0, 2, 2);
	pagerange_test_stop(test, b->range, 2, 3, 1);
	pagerange_test_stop(test, a->range, 2, 4, 2);

	pagerange_test_expect_scan(test, a, 3, 3, "FFRRFFFF");
	pagerange_test_expect_states(test, b, "UUFUFFFF");
	pagerange_test_expect_consistent(test);
	pagerange_test_expect_scan(test, a, PAGERANGE_TEST_SCAN_ALL,
				   2, "FFFFFFFF");
	pagerange_test_expect_states(test, b, "UUFUFFFF");
	pagerange_test_expect_consistent(test);
}

/* A reclaimed page is gone for good: using it again maps a new, zeroed page. */
static void pagerange_test_reclaimed_page_comes_back_zeroed(struct kunit *test)
{
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	u8 *pattern;
	void __user *ubuf;

	pattern = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pattern);
	memset(pattern, 0x5a, PAGE_SIZE);
	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	ubuf = pagerange_test_ubuf(test, pattern, PAGE_SIZE);

	pagerange_test_use(test, map->range, 0, 1, 1);
	KUNIT_ASSERT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_WRITE, 0,
						PAGE_SIZE, ubuf), 0);
	pagerange_test_stop(test, map->range, 0, 1, 1);
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL,
				   1, "FFFFFFFF");

	pagerange_test_use(test, map->range, 0, 1, 1);
	pagerange_test_expect_states(test, map, "UFFFFFFF");
	pagerange_test_expect_zero_page(test, map, 0);

	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 2ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_reclaimed, 1ULL);
	pagerange_test_expect_consistent(test);
}

/* The shrinker's count follows the reclaimable pages through every step. */
static void pagerange_test_shrink_count_follows_reclaimable_pages(struct kunit *test)
{
	struct pagerange_test_map *map;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 6, 6);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 0UL);
	pagerange_test_expect_consistent(test);

	pagerange_test_stop(test, map->range, 0, 3, 3);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 3UL);
	pagerange_test_expect_consistent(test);

	pagerange_test_use(test, map->range, 1, 2, 0);
	pagerange_test_expect_states(test, map, "RURUUUFF");
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 2UL);
	pagerange_test_expect_consistent(test);

	KUNIT_EXPECT_EQ(test, pagerange_test_scan(PAGERANGE_TEST_SCAN_ALL), 2UL);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 0UL);
	pagerange_test_expect_states(test, map, "FUFUUUFF");
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_reclaim_cases[] = {
	KUNIT_CASE(pagerange_test_reclaim_takes_only_reclaimable_pages),
	KUNIT_CASE(pagerange_test_reclaim_takes_highest_pages_first),
	KUNIT_CASE(pagerange_test_reclaim_run_counts_against_the_scan),
	KUNIT_CASE(pagerange_test_reclaim_runs_are_capped),
	KUNIT_CASE(pagerange_test_reclaim_run_stops_at_a_page_in_use),
	KUNIT_CASE(pagerange_test_reclaim_run_follows_the_lru_order),
	KUNIT_CASE(pagerange_test_reclaim_run_stays_in_its_range),
	KUNIT_CASE(pagerange_test_reclaimed_page_comes_back_zeroed),
	KUNIT_CASE(pagerange_test_shrink_count_follows_reclaimable_pages),
	{}
};

PAGERANGE_TEST_SUITE(reclaim);
