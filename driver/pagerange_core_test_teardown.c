// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_teardown: the calls made before mmap and a
 * second mmap, and the pages a closed range frees, during a copy too.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

static void pagerange_test_calls_before_mmap_fail_with_enxio(struct kunit *test)
{
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	u64 n;

	map = pagerange_test_map_unmapped(test, PAGERANGE_TEST_PAGES,
					  NUMA_NO_NODE);
	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 0, 1, &n, NULL), -ENXIO);
	KUNIT_EXPECT_EQ(test, pagerange_stop_using(map->range, 0, 1, &n),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, pagerange_io(map->range, PAGERANGE_IO_ZERO, 0, 1,
					   NULL), -ENXIO);
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.size_pages, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_present, 0ULL);
}

/* A range backs one vma in its life: a second mmap fails, even after munmap. */
static void pagerange_test_second_mmap_fails_with_ebusy(struct kunit *test)
{
	struct pagerange_test_map *map;
	unsigned long addr;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	addr = pagerange_test_vm_mmap(map);
	KUNIT_EXPECT_EQ(test, (long)addr, (long)-EBUSY);

	/* The failed mmap left the first one attached and working. */
	pagerange_test_use(test, map->range, 0, 1, 1);
	pagerange_test_expect_states(test, map, "UFFFFFFF");

	KUNIT_ASSERT_EQ(test, pagerange_test_unmap(map), 0);
	addr = pagerange_test_vm_mmap(map);
	KUNIT_EXPECT_EQ(test, (long)addr, (long)-EBUSY);
	if (!IS_ERR_VALUE(addr))
		map->addr = addr;
}

/*
 * Closing the vma gives back every page at once, in use and reclaimable
 * alike, whoever still holds the file: nothing can map or read them again.
 * The counters and the owner's RSS come back, the list_lru holds none of
 * them, and every call but the stats fails with ESRCH.
 */
static void pagerange_test_closed_range_frees_every_page(struct kunit *test)
{
	long pages = atomic_long_read(&pagerange_pages_present);
	unsigned long lru = list_lru_count(&pagerange_lru);
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	unsigned long rss;
	u64 n;

	/* First: it skips the case when there is no mm to count in. */
	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	rss = get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES);
	pagerange_test_use(test, map->range, 0, 4, 4);
	pagerange_test_stop(test, map->range, 2, 4, 2);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 4);
	KUNIT_EXPECT_EQ(test, get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES), rss + 4);
	KUNIT_ASSERT_EQ(test, pagerange_test_unmap(map), 0);
	KUNIT_EXPECT_NULL(test, map->range->vma);

	pagerange_test_expect_states(test, map, "FFFFFFFF");
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru);
	KUNIT_EXPECT_EQ(test, get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES), rss);
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 4ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_reclaimed, 0ULL);
	pagerange_test_expect_consistent(test);

	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 0, 1, &n, NULL), -ESRCH);
	KUNIT_EXPECT_EQ(test, pagerange_stop_using(map->range, 0, 1, &n),
			-ESRCH);
	KUNIT_EXPECT_EQ(test, pagerange_io(map->range, PAGERANGE_IO_ZERO, 0, 1,
					   NULL), -ESRCH);
	KUNIT_EXPECT_EQ(test, pagerange_test_scan(PAGERANGE_TEST_SCAN_ALL),
			0UL);
}

/*
 * A copy in flight reads the slots without a lock: a vma closed under it
 * leaves the pages to the copy's end, and the shrinker keeps off them
 * meanwhile. The end of the copy frees them.
 */
static void pagerange_test_close_during_a_copy_frees_at_its_end(struct kunit *test)
{
	long pages = atomic_long_read(&pagerange_pages_present);
	unsigned long lru = list_lru_count(&pagerange_lru);
	struct pagerange_test_map *map;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 4, 4);
	pagerange_test_stop(test, map->range, 2, 4, 2);
	pagerange_test_hold_copy(map->range);
	KUNIT_ASSERT_EQ(test, pagerange_test_unmap(map), 0);

	pagerange_test_expect_states(test, map, "UURRFFFF");
	KUNIT_EXPECT_EQ(test, pagerange_test_scan(PAGERANGE_TEST_SCAN_ALL),
			0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 4);

	pagerange_io_end(map->range);
	pagerange_test_expect_states(test, map, "FFFFFFFF");
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru);
	pagerange_test_expect_consistent(test);
}

/*
 * Tearing down ranges, one with pages in every state and one never mapped,
 * gives every page back and leaves no list_lru entry.
 */
static void pagerange_test_teardown_frees_pages_in_every_state(struct kunit *test)
{
	long ranges = atomic_long_read(&pagerange_ranges);
	long pages = atomic_long_read(&pagerange_pages_present);
	unsigned long lru = list_lru_count(&pagerange_lru);
	struct pagerange_test_map *mapped, *unmapped;

	mapped = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, mapped->range, 0, 6, 6);
	pagerange_test_stop(test, mapped->range, 2, 4, 2);
	pagerange_test_expect_states(test, mapped, "UURRUUFF");
	unmapped = pagerange_test_map_unmapped(test, 4, NUMA_NO_NODE);

	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 6);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru + 2);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_ranges), ranges + 2);
	pagerange_test_expect_consistent(test);

	pagerange_test_teardown(mapped);
	pagerange_test_teardown(unmapped);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_ranges), ranges);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), lru);
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_teardown_cases[] = {
	KUNIT_CASE(pagerange_test_calls_before_mmap_fail_with_enxio),
	KUNIT_CASE(pagerange_test_second_mmap_fails_with_ebusy),
	KUNIT_CASE(pagerange_test_closed_range_frees_every_page),
	KUNIT_CASE(pagerange_test_close_during_a_copy_frees_at_its_end),
	KUNIT_CASE(pagerange_test_teardown_frees_pages_in_every_state),
	{}
};

PAGERANGE_TEST_SUITE(teardown);
