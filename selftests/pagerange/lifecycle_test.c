// SPDX-License-Identifier: GPL-2.0
/*
 * The life of one range: open, mmap, pages moving between free, in use and
 * reclaimable, munmap and close, as GET_INFO, the mapping, the sysfs
 * counters and debugfs' per-range table see it.
 */
#include "pagerange_test.h"

#define NPAGES	16

PRTEST_MAPPED_FIXTURE(range, NPAGES)

/*
 * Check every field of GET_INFO at once: the size, the pages in use and
 * reclaimable (present is their sum), and the running totals.
 */
static void expect_info(struct __test_metadata *_metadata, int fd,
			__u64 size_pages, __u64 in_use, __u64 reclaimable,
			__u64 reclaimed, __u64 allocated)
{
	struct pagerange_info info;

	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(size_pages, info.size_pages);
	prtest_expect_pages(_metadata, fd, in_use + reclaimable, in_use,
			    reclaimable, reclaimed, allocated);
}

TEST(get_info_before_mmap_reports_an_empty_range)
{
	struct pagerange_info info;
	int fd = prlib_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(0, info.size_pages);
	prtest_expect_pages(_metadata, fd, 0, 0, 0, 0, 0);
	EXPECT_EQ(0, close(fd));
}

TEST(open_and_close_add_and_remove_one_range)
{
	long long ranges = prlib_stat("ranges");
	struct prlib_ranges_line line;
	int fd;

	ASSERT_LE(0, ranges);
	fd = prlib_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(ranges + 1, prlib_stat("ranges"));
	/* An unmapped range is listed with size 0. */
	ASSERT_EQ(1, prlib_ranges_line(getpid(), &line));
	EXPECT_EQ(0, line.size_pages);
	EXPECT_EQ(0, line.pages_present);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(ranges, prlib_stat("ranges"));
	EXPECT_EQ(0, prlib_ranges_line(getpid(), &line));
}

/*
 * The global counters are the misc device's attributes: each read-only, a
 * decimal number and a newline, as Documentation/ABI says.
 */
TEST(sysfs_counters_are_read_only_numbers)
{
	static const char *const names[] = {
		"pages_present", "pages_reclaimable", "pages_reclaimed",
		"shrinker_scans", "shrinker_skips", "ranges",
	};
	char path[PATH_MAX], buf[64], *end;
	struct stat st;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", PRLIB_SYSFS, names[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
		n = prlib_read_file(path, buf, sizeof(buf));
		ASSERT_LT(1, n) TH_LOG("%s", path);
		EXPECT_EQ('\n', buf[n - 1]) TH_LOG("%s", path);
		EXPECT_LE(0, strtoll(buf, &end, 10)) TH_LOG("%s", path);
		EXPECT_EQ(buf + n - 1, end) TH_LOG("%s: \"%s\"", path, buf);
		EXPECT_EQ(-1, open(path, O_WRONLY | O_CLOEXEC));
		EXPECT_EQ(EACCES, errno) TH_LOG("%s", path);
	}
}

TEST_F(range, mmap_sets_the_size_and_allocates_nothing)
{
	struct prlib_ranges_line line;

	expect_info(_metadata, self->fd, NPAGES, 0, 0, 0, 0);
	EXPECT_EQ(self->before.pages_present, prlib_stat("pages_present"));
	ASSERT_EQ(1, prlib_ranges_line(getpid(), &line));
	EXPECT_EQ(NPAGES, line.size_pages);
	EXPECT_EQ(0, line.pages_present);
}

TEST_F(range, page_never_used_raises_sigbus)
{
	EXPECT_EQ(SIGBUS, prtest_probe(self->map, NULL));
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + self->size - 1, NULL));
	/* Touching it allocated nothing. */
	expect_info(_metadata, self->fd, NPAGES, 0, 0, 0, 0);
}

TEST_F(range, first_use_allocates_every_page_zeroed)
{
	ASSERT_EQ(NPAGES, prlib_use_range(self->fd, 0, NPAGES));
	EXPECT_EQ(-1, prlib_find_not(self->map, self->size, 0));
	expect_info(_metadata, self->fd, NPAGES, NPAGES, 0, 0, NPAGES);
	EXPECT_EQ(self->before.pages_present + NPAGES,
		  prlib_stat("pages_present"));
}

TEST_F(range, use_range_again_allocates_nothing)
{
	ASSERT_EQ(NPAGES, prlib_use_range(self->fd, 0, NPAGES));
	EXPECT_EQ(0, prlib_use_range(self->fd, 0, NPAGES));
	EXPECT_EQ(0, prlib_use_range(self->fd, 3, 4));
	expect_info(_metadata, self->fd, NPAGES, NPAGES, 0, 0, NPAGES);
}

TEST_F(range, use_range_allocates_only_the_missing_pages)
{
	ASSERT_EQ(2, prlib_use_range(self->fd, 2, 4));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 3, 4));
	/* 2 is in use, 3 reclaimable: only 0, 1, 4 and 5 are missing. */
	EXPECT_EQ(4, prlib_use_range(self->fd, 0, 6));
	expect_info(_metadata, self->fd, NPAGES, 6, 0, 0, 6);
	EXPECT_EQ(6, prtest_count_readable(self->map, NPAGES));
}

TEST_F(range, stop_using_moves_each_in_use_page_once)
{
	ASSERT_EQ(4, prlib_use_range(self->fd, 0, 4));
	EXPECT_EQ(4, prlib_stop_using(self->fd, 0, 4));
	EXPECT_EQ(0, prlib_stop_using(self->fd, 0, 4));
	expect_info(_metadata, self->fd, NPAGES, 0, 4, 0, 4);
	/* Reclaimable pages stay mapped. */
	EXPECT_EQ(4, prtest_count_readable(self->map, NPAGES));
}

TEST_F(range, stop_using_ignores_free_pages)
{
	EXPECT_EQ(0, prlib_stop_using(self->fd, 0, NPAGES));
	expect_info(_metadata, self->fd, NPAGES, 0, 0, 0, 0);
	ASSERT_EQ(1, prlib_use_range(self->fd, 5, 6));
	EXPECT_EQ(1, prlib_stop_using(self->fd, 0, NPAGES));
	expect_info(_metadata, self->fd, NPAGES, 0, 1, 0, 1);
}

TEST_F(range, get_info_counts_pages_in_every_state)
{
	struct prlib_ranges_line line;

	/* 0-3 free, 4-9 in use, 10-15 reclaimable. */
	ASSERT_EQ(12, prlib_use_range(self->fd, 4, NPAGES));
	ASSERT_EQ(6, prlib_stop_using(self->fd, 10, NPAGES));
	expect_info(_metadata, self->fd, NPAGES, 6, 6, 0, 12);
	ASSERT_EQ(1, prlib_ranges_line(getpid(), &line));
	EXPECT_EQ(NPAGES, line.size_pages);
	EXPECT_EQ(12, line.pages_present);
	EXPECT_EQ(6, line.pages_in_use);
	EXPECT_EQ(6, line.pages_reclaimable);
	EXPECT_EQ(self->before.pages_present + 12,
		  prlib_stat("pages_present"));
	EXPECT_EQ(self->before.pages_reclaimable + 6,
		  prlib_stat("pages_reclaimable"));
}

TEST_F(range, owner_reads_through_the_mapping_what_it_wrote)
{
	unsigned char buf[300], back[300];

	prlib_fill(buf, sizeof(buf), 1);
	ASSERT_EQ(2, prlib_use_range(self->fd, 0, 2));
	/* Straddle the boundary between page 0 and page 1. */
	ASSERT_EQ(0, prlib_write(self->fd, prlib_page_size - 100, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(self->map + prlib_page_size - 100, buf, sizeof(buf)));
	ASSERT_EQ(0, prlib_read(self->fd, prlib_page_size - 100, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(back, buf, sizeof(buf)));
	/* The bytes around it are untouched. */
	EXPECT_EQ(-1, prlib_find_not(self->map, prlib_page_size - 100, 0));
	EXPECT_EQ(-1, prlib_find_not(self->map + prlib_page_size + 200,
				     prlib_page_size - 200, 0));
}

TEST_F(range, munmap_ends_the_range_and_gives_back_its_pages_at_once)
{
	ASSERT_EQ(3, prlib_use_range(self->fd, 0, 3));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 2, 3));
	ASSERT_EQ(self->before.pages_present + 3,
		  prlib_stat("pages_present"));
	ASSERT_EQ(0, munmap(self->map, self->size));
	self->map = MAP_FAILED;

	prtest_expect_esrch(_metadata, self->fd);
	/* Nothing can map them again: in use or not, they are gone. */
	EXPECT_EQ(self->before.pages_present, prlib_stat("pages_present"));
	EXPECT_EQ(self->before.pages_reclaimable,
		  prlib_stat("pages_reclaimable"));
	expect_info(_metadata, self->fd, NPAGES, 0, 0, 0, 3);
	EXPECT_EQ(self->before.ranges + 1, prlib_stat("ranges"));
}

TEST_F(range, dup_fd_shares_the_same_range)
{
	int fd2 = dup(self->fd);
	unsigned char byte = 0x42;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(1, prlib_use_range(fd2, 7, 8));
	ASSERT_EQ(0, prlib_write(fd2, 7 * prlib_page_size, &byte, 1));
	EXPECT_EQ(0x42, self->map[7 * prlib_page_size]);
	expect_info(_metadata, self->fd, NPAGES, 1, 0, 0, 1);
	/* It is the same file, so it is already mapped. */
	EXPECT_EQ(-EBUSY, prt_try_map(fd2, prlib_page_size, PROT_READ,
				      MAP_SHARED, 0));
	EXPECT_EQ(0, close(fd2));
	/* Closing a duplicate leaves the range alone. */
	EXPECT_EQ(0x42, self->map[7 * prlib_page_size]);
	EXPECT_EQ(0, prlib_use_range(self->fd, 7, 8));
}

TEST_F(range, each_open_creates_an_independent_range)
{
	size_t size2 = 4 * prlib_page_size;
	unsigned char *map2;
	int fd2;

	fd2 = prlib_open();
	ASSERT_LE(0, fd2);
	map2 = prlib_map(fd2, size2);
	ASSERT_NE(MAP_FAILED, map2);
	EXPECT_EQ(self->before.ranges + 2, prlib_stat("ranges"));

	ASSERT_EQ(4, prlib_use_range(fd2, 0, 4));
	expect_info(_metadata, fd2, 4, 4, 0, 0, 4);
	/* The first range did not get any of them. */
	expect_info(_metadata, self->fd, NPAGES, 0, 0, 0, 0);
	EXPECT_EQ(SIGBUS, prtest_probe(self->map, NULL));
	EXPECT_EQ(0, prtest_probe(map2, NULL));

	EXPECT_EQ(0, munmap(map2, size2));
	EXPECT_EQ(0, close(fd2));
	EXPECT_EQ(self->before.ranges + 1, prlib_stat("ranges"));
}

/* Mappings of different sizes, up to max_size, work from end to end. */
FIXTURE(sizes) {
	int fd;
	unsigned char *map;
	__u64 npages;
	struct prlib_stats before;
};

FIXTURE_VARIANT(sizes) {
	__u64 npages;	/* 0: max_size */
};

FIXTURE_VARIANT_ADD(sizes, one_page) {
	.npages = 1,
};

FIXTURE_VARIANT_ADD(sizes, odd_pages) {
	.npages = 37,
};

FIXTURE_VARIANT_ADD(sizes, max_size) {
	.npages = 0,
};

FIXTURE_SETUP(sizes)
{
	self->npages = variant->npages;
	if (!self->npages) {
		long long max = prt_max_size();

		ASSERT_LT(0, max);
		ASSERT_EQ(0, max % prlib_page_size);
		self->npages = max / prlib_page_size;
	}
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    self->npages * prlib_page_size);
}

FIXTURE_TEARDOWN(sizes)
{
	prtest_teardown_mapped(_metadata, &self->before, self->fd, self->map,
			       self->npages * prlib_page_size);
}

TEST_F(sizes, whole_mapping_can_be_used_written_and_stopped)
{
	size_t size = self->npages * prlib_page_size;
	unsigned char *buf = malloc(size);
	struct pagerange_info info;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(self->npages, prlib_use_range(self->fd, 0, self->npages));
	prlib_fill(buf, size, self->npages);
	ASSERT_EQ(0, prlib_write(self->fd, 0, buf, size));
	EXPECT_EQ(-1, prlib_check(self->map, size, self->npages));
	EXPECT_EQ(self->npages, prlib_stop_using(self->fd, 0, self->npages));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(self->npages, info.size_pages);
	EXPECT_EQ(self->npages, info.pages_reclaimable);
	/* Past the last page there is nothing to use. */
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, 0, self->npages + 1));
	free(buf);
}

PAGERANGE_TEST_MAIN
