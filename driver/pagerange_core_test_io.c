// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_io: pagerange_io() to and from a user buffer:
 * which pages it copies, which it refuses, and the spans it checks.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

/* A write across a page boundary lands in both pages and reads back. */
static void pagerange_test_io_round_trips_in_use_pages(struct kunit *test)
{
	const u64 offset = PAGE_SIZE - 16, len = 32;
	struct pagerange_test_map *map;
	u8 want[64] = { 0 }, got[32];
	unsigned long i, left;
	void __user *ubuf;

	/* The second half of the user buffer receives the read. */
	for (i = 0; i < len; i++)
		want[i] = i + 1;
	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	ubuf = pagerange_test_ubuf(test, want, 2 * len);
	pagerange_test_use(test, map->range, 0, 2, 2);

	KUNIT_ASSERT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_WRITE,
						offset, len, ubuf), 0);

	memset(got, 0, sizeof(got));
	KUNIT_EXPECT_TRUE(test, pagerange_test_read_page(map->range, 0, offset,
							 got, 16));
	KUNIT_EXPECT_TRUE(test, pagerange_test_read_page(map->range, 1, 0,
							 got + 16, 16));
	KUNIT_EXPECT_EQ(test, memcmp(got, want, len), 0);

	memset(got, 0, sizeof(got));
	left = pagerange_test_read_mapping(map, offset, got, len);
	KUNIT_EXPECT_EQ(test, left, 0UL);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, len), 0);

	memset(got, 0, sizeof(got));
	KUNIT_ASSERT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_READ,
						offset, len, ubuf + len), 0);
	KUNIT_EXPECT_EQ(test, pagerange_test_copy_in(got, ubuf + len, len), 0UL);
	KUNIT_EXPECT_EQ(test, memcmp(got, want, len), 0);

	KUNIT_ASSERT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_ZERO,
						offset, len, NULL), 0);
	pagerange_test_expect_zero_page(test, map, 0);
	pagerange_test_expect_zero_page(test, map, 1);
	KUNIT_EXPECT_EQ(test, map->range->nr_copying, 0U);
}

/* Copies touch in-use pages only, or nothing at all. */
static void pagerange_test_io_refuses_pages_not_in_use(struct kunit *test)
{
	const u64 size = PAGERANGE_TEST_PAGES * PAGE_SIZE;
	struct pagerange_test_map *map;
	u8 buf[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	void __user *ubuf;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	ubuf = pagerange_test_ubuf(test, buf, sizeof(buf));
	pagerange_test_use(test, map->range, 0, 2, 2);
	pagerange_test_stop(test, map->range, 1, 2, 1);

	/* Reclaimable, free, and a span that starts in use. */
	KUNIT_EXPECT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_WRITE,
						PAGE_SIZE, 8, ubuf), -ENOENT);
	KUNIT_EXPECT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_READ,
						2 * PAGE_SIZE, 8, ubuf), -ENOENT);
	KUNIT_EXPECT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_ZERO,
						3 * PAGE_SIZE, 1, NULL), -ENOENT);
	KUNIT_EXPECT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_WRITE,
						PAGE_SIZE - 4, 8, ubuf), -ENOENT);

	/* Past the end, even by one byte or with nothing to copy. */
	KUNIT_EXPECT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_READ,
						size - 4, 8, ubuf), -EINVAL);
	KUNIT_EXPECT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_ZERO,
						size + 1, 0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pagerange_test_io(map, PAGERANGE_IO_ZERO,
						size, 0, NULL), 0);

	/* Nothing was written, and nothing holds the shrinker off. */
	pagerange_test_expect_zero_page(test, map, 0);
	KUNIT_EXPECT_EQ(test, map->range->nr_copying, 0U);
	pagerange_test_expect_states(test, map, "URFFFFFF");
}

static void pagerange_test_spans_past_the_end_are_refused(struct kunit *test)
{
	struct pagerange_test_map *map;
	u64 n;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 2, 2);

	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 0, 9, &n, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 3, 2, &n, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pagerange_stop_using(map->range, 7, 9, &n),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pagerange_stop_using(map->range, 2, 1, &n),
			-EINVAL);
	pagerange_test_expect_states(test, map, "UUFFFFFF");
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_io_cases[] = {
	KUNIT_CASE(pagerange_test_io_round_trips_in_use_pages),
	KUNIT_CASE(pagerange_test_io_refuses_pages_not_in_use),
	KUNIT_CASE(pagerange_test_spans_past_the_end_are_refused),
	{}
};

PAGERANGE_TEST_SUITE(io);
