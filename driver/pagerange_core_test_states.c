// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_states: use and stop on a range's pages: what
 * each allocates, keeps and maps, and the range's counters after each
 * step.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

/* Only missing pages are allocated, and they arrive zeroed and mapped. */
static void pagerange_test_use_allocates_only_missing_pages(struct kunit *test)
{
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	unsigned long i;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_expect_states(test, map, "FFFFFFFF");

	pagerange_test_use(test, map->range, 0, 2, 2);
	pagerange_test_expect_states(test, map, "UUFFFFFF");
	pagerange_test_use(test, map->range, 0, 4, 2);
	pagerange_test_expect_states(test, map, "UUUUFFFF");
	pagerange_test_use(test, map->range, 1, 3, 0);
	for (i = 0; i < 4; i++)
		pagerange_test_expect_zero_page(test, map, i);

	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 4ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_reclaimed, 0ULL);
	pagerange_test_expect_consistent(test);
}

/* Reclaimable pages stay mapped with their contents until reclaimed. */
static void pagerange_test_stop_keeps_pages_mapped(struct kunit *test)
{
	struct pagerange_test_map *map;
	u8 got[4], want[4] = { 1, 2, 3, 4 };
	unsigned long left;
	void __user *ubuf;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	ubuf = pagerange_test_ubuf(test, want, sizeof(want));
	pagerange_test_use(test, map->range, 0, 4, 4);
	KUNIT_ASSERT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_WRITE,
						2 * PAGE_SIZE, sizeof(want),
						ubuf), 0);

	pagerange_test_stop(test, map->range, 1, 3, 2);
	pagerange_test_expect_states(test, map, "URRUFFFF");
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 2UL);

	/* Free and already reclaimable pages are left alone. */
	pagerange_test_stop(test, map->range, 0, 8, 2);
	pagerange_test_expect_states(test, map, "RRRRFFFF");
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 4UL);

	left = pagerange_test_read_mapping(map, 2 * PAGE_SIZE, got, sizeof(got));
	KUNIT_EXPECT_EQ(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, sizeof(want)), 0);
	pagerange_test_expect_consistent(test);
}

static void pagerange_test_stop_on_free_pages_is_a_noop(struct kunit *test)
{
	struct pagerange_test_map *map;
	unsigned long lru = list_lru_count(&pagerange_lru);

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_stop(test, map->range, 0, 8, 0);
	pagerange_test_expect_states(test, map, "FFFFFFFF");
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru);
	pagerange_test_expect_consistent(test);
}

/* Using a reclaimable page again takes it back: same page, same data. */
static void pagerange_test_reuse_before_reclaim_keeps_the_page(struct kunit *test)
{
	struct pagerange_test_map *map;
	u8 got[3], want[3] = { 0xa5, 0x5a, 0xa5 };
	struct pagerange_stats stats;
	struct page *pages[2];
	unsigned long left;
	void __user *ubuf;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	ubuf = pagerange_test_ubuf(test, want, sizeof(want));
	pagerange_test_use(test, map->range, 0, 2, 2);
	KUNIT_ASSERT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_WRITE,
						PAGE_SIZE - 1, sizeof(want),
						ubuf), 0);
	pages[0] = pagerange_test_page(map->range, 0);
	pages[1] = pagerange_test_page(map->range, 1);

	pagerange_test_stop(test, map->range, 0, 2, 2);
	pagerange_test_expect_states(test, map, "RRFFFFFF");
	pagerange_test_use(test, map->range, 0, 2, 0);
	pagerange_test_expect_states(test, map, "UUFFFFFF");

	KUNIT_EXPECT_PTR_EQ(test, pagerange_test_page(map->range, 0), pages[0]);
	KUNIT_EXPECT_PTR_EQ(test, pagerange_test_page(map->range, 1), pages[1]);
	left = pagerange_test_read_mapping(map, PAGE_SIZE - 1, got, sizeof(got));
	KUNIT_EXPECT_EQ(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, sizeof(want)), 0);
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 2ULL);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 0UL);
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_states_cases[] = {
	KUNIT_CASE(pagerange_test_use_allocates_only_missing_pages),
	KUNIT_CASE(pagerange_test_stop_keeps_pages_mapped),
	KUNIT_CASE(pagerange_test_stop_on_free_pages_is_a_noop),
	KUNIT_CASE(pagerange_test_reuse_before_reclaim_keeps_the_page),
	{}
};

PAGERANGE_TEST_SUITE(states);
