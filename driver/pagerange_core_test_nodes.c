// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_nodes: per-node bookkeeping: each page filed,
 * counted and scanned under the node it lives on, and the owner's RSS.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

/* The first two online nodes; skips the case on a machine with one. */
static void pagerange_test_two_nids(struct kunit *test, int nids[2])
{
	if (num_online_nodes() < 2)
		kunit_skip(test, "needs two NUMA nodes (numa=fake=2)");
	nids[0] = first_online_node;
	nids[1] = next_online_node(nids[0]);
}

/*
 * Three reclaimable pages on the first node, two on the second, each
 * checked to have been allocated on its range's node.
 */
static void pagerange_test_two_nodes(struct kunit *test, const int nids[2],
				     struct pagerange_test_map *maps[2])
{
	static const u64 nr[2] = { 3, 2 };
	struct page *page;
	unsigned long i, n;

	for (n = 0; n < 2; n++) {
		maps[n] = pagerange_test_map(test, 4, nids[n]);
		KUNIT_ASSERT_EQ(test, maps[n]->range->nid, nids[n]);
		pagerange_test_use(test, maps[n]->range, 0, nr[n], nr[n]);
		for (i = 0; i < nr[n]; i++) {
			page = pagerange_test_page(maps[n]->range, i);
			KUNIT_ASSERT_NOT_NULL(test, page);
			KUNIT_EXPECT_EQ_MSG(test, page_to_nid(page), nids[n],
					    "page %lu", i);
		}
		pagerange_test_stop(test, maps[n]->range, 0, nr[n], nr[n]);
	}
	pagerange_test_expect_states(test, maps[0], "RRRF");
	pagerange_test_expect_states(test, maps[1], "RRFF");
}

/*
 * A page is filed under the node it lives on, even when that is not the
 * range's own node: the allocator fell back to another node because the
 * range's was short. A scan of that node frees it; a scan of the range's
 * node does not.
 */
static void pagerange_test_page_is_filed_under_its_own_node(struct kunit *test)
{
	struct pagerange_test_map *map;
	unsigned long lru[2];
	struct page *page;
	int nids[2], i;

	pagerange_test_two_nids(test, nids);
	map = pagerange_test_map(test, 4, nids[0]);
	KUNIT_ASSERT_EQ(test, map->range->nid, nids[0]);
	/* What alloc_pages_node() does when nids[0] is out of memory. */
	spin_lock(&map->range->lock);
	map->range->nid = nids[1];
	spin_unlock(&map->range->lock);
	pagerange_test_use(test, map->range, 0, 3, 3);
	for (i = 0; i < 3; i++) {
		page = pagerange_test_page(map->range, i);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_ASSERT_EQ(test, page_to_nid(page), nids[1]);
	}
	/* The range's own node is the other one again when they are filed. */
	spin_lock(&map->range->lock);
	map->range->nid = nids[0];
	spin_unlock(&map->range->lock);
	lru[0] = list_lru_count_node(&pagerange_lru, nids[0]);
	lru[1] = list_lru_count_node(&pagerange_lru, nids[1]);
	pagerange_test_stop(test, map->range, 0, 3, 3);

	KUNIT_EXPECT_EQ(test, list_lru_count_node(&pagerange_lru, nids[0]),
			lru[0]);
	KUNIT_EXPECT_EQ(test, list_lru_count_node(&pagerange_lru, nids[1]),
			lru[1] + 3);
	pagerange_test_expect_consistent(test);
	KUNIT_EXPECT_EQ(test, pagerange_test_scan_node(nids[0],
						       PAGERANGE_TEST_SCAN_ALL),
			0UL);
	pagerange_test_expect_states(test, map, "RRRF");
	KUNIT_EXPECT_EQ(test, pagerange_test_scan_node(nids[1],
						       PAGERANGE_TEST_SCAN_ALL),
			3UL);
	pagerange_test_expect_states(test, map, "FFFF");
	pagerange_test_expect_consistent(test);
}

/* Pages, slots and list_lru entries all live on the node asked for. */
static void pagerange_test_pages_are_counted_on_their_node(struct kunit *test)
{
	struct pagerange_test_map *maps[2];
	unsigned long lru[2];
	int nids[2];

	pagerange_test_two_nids(test, nids);
	lru[0] = list_lru_count_node(&pagerange_lru, nids[0]);
	lru[1] = list_lru_count_node(&pagerange_lru, nids[1]);
	pagerange_test_two_nodes(test, nids, maps);

	KUNIT_EXPECT_EQ(test, list_lru_count_node(&pagerange_lru, nids[0]),
			lru[0] + 3);
	KUNIT_EXPECT_EQ(test, list_lru_count_node(&pagerange_lru, nids[1]),
			lru[1] + 2);
	KUNIT_EXPECT_EQ(test, pagerange_test_count_node(nids[0]), lru[0] + 3);
	KUNIT_EXPECT_EQ(test, pagerange_test_count_node(nids[1]), lru[1] + 2);
	pagerange_test_expect_consistent(test);
}

static void pagerange_test_scan_of_one_node_frees_only_its_pages(struct kunit *test)
{
	struct pagerange_test_map *maps[2];
	int nids[2];

	pagerange_test_two_nids(test, nids);
	pagerange_test_two_nodes(test, nids, maps);

	KUNIT_EXPECT_EQ(test, pagerange_test_scan_node(nids[0],
						       PAGERANGE_TEST_SCAN_ALL),
			3UL);
	pagerange_test_expect_states(test, maps[0], "FFFF");
	pagerange_test_expect_states(test, maps[1], "RRFF");
	KUNIT_EXPECT_EQ(test, pagerange_test_count_node(nids[1]), 2UL);
	pagerange_test_expect_consistent(test);

	KUNIT_EXPECT_EQ(test, pagerange_test_scan_node(nids[1],
						       PAGERANGE_TEST_SCAN_ALL),
			2UL);
	pagerange_test_expect_states(test, maps[1], "FFFF");
	pagerange_test_expect_consistent(test);
}

/*
 * Pages count in the owner's RSS (MM_FILEPAGES) from insertion until their
 * PTEs are gone: reclaim takes out the pages it zaps, munmap the rest.
 */
static void pagerange_test_rss_counts_mapped_pages(struct kunit *test)
{
	struct pagerange_test_map *map;
	unsigned long rss;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	rss = get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES);
	pagerange_test_use(test, map->range, 0, 6, 6);
	KUNIT_EXPECT_EQ(test, get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES), rss + 6);
	pagerange_test_stop(test, map->range, 0, 4, 4);
	KUNIT_EXPECT_EQ(test, get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES), rss + 6);
	pagerange_test_expect_scan(test, map, 2, 2, "RRFFUUFF");
	KUNIT_EXPECT_EQ(test, get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES), rss + 4);

	KUNIT_ASSERT_EQ(test, pagerange_test_unmap(map), 0);
	KUNIT_EXPECT_EQ(test, get_mm_counter_sum(pagerange_test_mm, MM_FILEPAGES), rss);
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_nodes_cases[] = {
	KUNIT_CASE(pagerange_test_pages_are_counted_on_their_node),
	KUNIT_CASE(pagerange_test_scan_of_one_node_frees_only_its_pages),
	KUNIT_CASE(pagerange_test_page_is_filed_under_its_own_node),
	KUNIT_CASE(pagerange_test_rss_counts_mapped_pages),
	{}
};

PAGERANGE_TEST_SUITE(nodes);
