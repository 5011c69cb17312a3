// SPDX-License-Identifier: GPL-2.0
/*
 * The shrinker: writing 2 to /proc/sys/vm/drop_caches runs it until it has
 * nothing left, so it must take every reclaimable page, and only those.
 * GET_INFO, debugfs and the mapping must all agree on what happened.
 */
#include "pagerange_test.h"

#include <pthread.h>
#include <sched.h>

#define NPAGES	16

PRTEST_MAPPED_FIXTURE(reclaim, NPAGES)

static unsigned char *page(FIXTURE_DATA(reclaim) *self, __u64 index)
{
	return self->map + index * prlib_page_size;
}

/* Make pages [first, end) in use, fill them from @seed, and write them. */
static void fill(struct __test_metadata *_metadata,
		 FIXTURE_DATA(reclaim) *self, __u64 first, __u64 end,
		 __u32 seed)
{
	size_t len = (end - first) * prlib_page_size;
	unsigned char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, prlib_use_range(self->fd, first, end));
	prlib_fill(buf, len, seed);
	ASSERT_EQ(0, prlib_write(self->fd, first * prlib_page_size, buf, len));
	free(buf);
}

/* fill(), then make the pages reclaimable. */
static void fill_and_release(struct __test_metadata *_metadata,
			     FIXTURE_DATA(reclaim) *self, __u64 first,
			     __u64 end, __u32 seed)
{
	fill(_metadata, self, first, end, seed);
	ASSERT_EQ(end - first, prlib_stop_using(self->fd, first, end));
}

TEST_F(reclaim, stop_using_range_keeps_data_until_reclaim)
{
	fill_and_release(_metadata, self, 0, 4, 1);
	/* Still mapped, still readable, still the same bytes. */
	EXPECT_EQ(-1, prlib_check(self->map, 4 * prlib_page_size, 1));
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(SIGBUS, prtest_probe(page(self, 0), NULL));
	EXPECT_EQ(SIGBUS, prtest_probe(page(self, 3) + prlib_page_size - 1, NULL));
	EXPECT_EQ(0, prtest_count_readable(self->map, NPAGES));
}

TEST_F(reclaim, drop_caches_takes_every_reclaimable_page)
{
	struct pagerange_info before, after;

	fill(_metadata, self, 0, 4, 2);
	fill_and_release(_metadata, self, 4, 10, 3);
	ASSERT_EQ(0, prlib_get_info(self->fd, &before));
	EXPECT_EQ(10, before.pages_present);
	EXPECT_EQ(6, before.pages_reclaimable);
	EXPECT_EQ(0, before.pages_reclaimed);

	prtest_reclaim_info(_metadata, self->fd, &after);
	EXPECT_EQ(0, after.pages_reclaimable);
	EXPECT_EQ(4, after.pages_present);
	EXPECT_EQ(4, after.pages_in_use);
	EXPECT_EQ(6, after.pages_reclaimed);
	/* A running total: reclaim does not take it back. */
	EXPECT_EQ(10, after.pages_allocated);
}

TEST_F(reclaim, sysfs_counters_agree_with_get_info)
{
	long long reclaimed = prlib_stat("pages_reclaimed");
	struct pagerange_info info;

	ASSERT_LE(0, reclaimed);
	fill(_metadata, self, 0, 3, 4);
	fill_and_release(_metadata, self, 3, 8, 5);
	EXPECT_EQ(self->before.pages_present + 8,
		  prlib_stat("pages_present"));
	EXPECT_EQ(self->before.pages_reclaimable + 5,
		  prlib_stat("pages_reclaimable"));

	prtest_reclaim_info(_metadata, self->fd, &info);
	EXPECT_EQ(0, prlib_stat("pages_reclaimable"));
	EXPECT_EQ(self->before.pages_present - self->before.pages_reclaimable
		  + info.pages_present, prlib_stat("pages_present"));
	EXPECT_LE(reclaimed + (long long)info.pages_reclaimed,
		  prlib_stat("pages_reclaimed"));
	EXPECT_EQ(5, info.pages_reclaimed);
}

TEST_F(reclaim, ranges_listing_agrees_with_get_info)
{
	struct prlib_ranges_line line;
	struct pagerange_info info;
	int round;

	fill(_metadata, self, 0, 2, 6);
	fill_and_release(_metadata, self, 2, 7, 7);
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, prlib_get_info(self->fd, &info));
		ASSERT_EQ(1, prlib_ranges_line(getpid(), &line));
		EXPECT_EQ(info.size_pages, line.size_pages);
		EXPECT_EQ(info.pages_present, line.pages_present);
		EXPECT_EQ(info.pages_in_use, line.pages_in_use);
		EXPECT_EQ(info.pages_reclaimable, line.pages_reclaimable);
		ASSERT_EQ(0, prlib_drop_caches());
	}
	EXPECT_EQ(2, line.pages_present);
	EXPECT_EQ(0, line.pages_reclaimable);
}

TEST_F(reclaim, reclaim_takes_only_the_reclaimable_pages_in_between)
{
	unsigned char *expect = malloc(self->size);
	__u64 i;

	ASSERT_NE(NULL, expect);
	prlib_fill(expect, self->size, 8);
	fill(_metadata, self, 0, NPAGES, 8);
	for (i = 0; i < NPAGES; i += 2)
		ASSERT_EQ(1, prlib_stop_using(self->fd, i, i + 1));
	ASSERT_EQ(0, prlib_drop_caches());
	for (i = 0; i < NPAGES; i++) {
		if (i % 2 == 0) {
			EXPECT_EQ(SIGBUS, prtest_probe(page(self, i), NULL));
			continue;
		}
		/* The in-use neighbours kept their mapping and data. */
		ASSERT_EQ(0, prtest_probe(page(self, i), NULL));
		EXPECT_EQ(0, memcmp(expect + i * prlib_page_size, page(self, i),
				    prlib_page_size));
	}
	free(expect);
}

TEST_F(reclaim, reclaimed_page_comes_back_zeroed)
{
	unsigned char buf[64];

	fill_and_release(_metadata, self, 0, 4, 9);
	ASSERT_EQ(0, prlib_drop_caches());
	/* Four pages had to be allocated again. */
	ASSERT_EQ(4, prlib_use_range(self->fd, 0, 4));
	EXPECT_EQ(-1, prlib_find_not(self->map, 4 * prlib_page_size, 0));
	memset(buf, 0xff, sizeof(buf));
	ASSERT_EQ(0, prlib_read(self->fd, 3 * prlib_page_size, buf, sizeof(buf)));
	EXPECT_EQ(-1, prlib_find_not(buf, sizeof(buf), 0));
}

TEST_F(reclaim, in_use_pages_are_never_taken)
{
	struct pagerange_info info;

	fill(_metadata, self, 0, NPAGES, 10);
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(-1, prlib_check(self->map, self->size, 10));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(NPAGES, info.pages_in_use);
	EXPECT_EQ(0, info.pages_reclaimed);
}

TEST_F(reclaim, page_used_again_before_reclaim_keeps_data)
{
	struct pagerange_info info;

	fill_and_release(_metadata, self, 0, 4, 11);
	/* Nothing had to be allocated: the data survived. */
	ASSERT_EQ(0, prlib_use_range(self->fd, 0, 4));
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(-1, prlib_check(self->map, 4 * prlib_page_size, 11));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_EQ(4, info.pages_allocated);
}

TEST_F(reclaim, stop_using_result_counts_the_pages_moved)
{
	/* 0-3 reclaimed (free again), 4-7 reclaimable, 8-11 in use, 12-15 never used. */
	fill_and_release(_metadata, self, 0, 4, 12);
	ASSERT_EQ(0, prlib_drop_caches());
	fill_and_release(_metadata, self, 4, 8, 13);
	fill(_metadata, self, 8, 12, 14);
	EXPECT_EQ(4, prlib_stop_using(self->fd, 0, NPAGES));
	EXPECT_EQ(0, prlib_stop_using(self->fd, 0, NPAGES));
	/* USE_RANGE over all of it allocates the free ones only. */
	EXPECT_EQ(8, prlib_use_range(self->fd, 0, NPAGES));
	EXPECT_EQ(-1, prlib_check(page(self, 4), 4 * prlib_page_size, 13));
	EXPECT_EQ(-1, prlib_check(page(self, 8), 4 * prlib_page_size, 14));
}

TEST_F(reclaim, io_on_a_reclaimed_page_fails_enoent_until_it_is_used_again)
{
	unsigned char byte = 0x77;

	fill_and_release(_metadata, self, 0, 1, 15);
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(-ENOENT, prlib_write(self->fd, 10, &byte, 1));
	EXPECT_EQ(-ENOENT, prlib_read(self->fd, 10, &byte, 1));
	ASSERT_EQ(1, prlib_use_range(self->fd, 0, 1));
	byte = 0x77;
	EXPECT_EQ(0, prlib_write(self->fd, 10, &byte, 1));
	EXPECT_EQ(0x77, self->map[10]);
	EXPECT_EQ(0, self->map[9]);
}

TEST_F(reclaim, shrinker_counts_its_scans)
{
	long long scans = prlib_stat("shrinker_scans");

	ASSERT_LE(0, scans);
	ASSERT_LE(0, prlib_stat("shrinker_skips"));
	fill_and_release(_metadata, self, 0, 8, 16);
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_LT(scans, prlib_stat("shrinker_scans"));
}

#define MANY_RANGES	64
#define MANY_MAX_BYTES	(4 << 20)

/* Many ranges of max_size, all pages released, one drop_caches. */
TEST_F_TIMEOUT(reclaim, many_ranges_are_reclaimed_by_one_drop_caches, 180)
{
	long long max = prt_max_size();
	int fds[MANY_RANGES];
	unsigned char *maps[MANY_RANGES];
	struct pagerange_info info;
	unsigned char *buf;
	__u64 npages, p;
	size_t size;
	int i;

	ASSERT_LT(0, max);
	size = max < MANY_MAX_BYTES ? max : MANY_MAX_BYTES;
	npages = size / prlib_page_size;
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	TH_LOG("%d ranges of %llu pages", MANY_RANGES,
	       (unsigned long long)npages);

	for (i = 0; i < MANY_RANGES; i++) {
		fds[i] = prlib_open();
		ASSERT_LE(0, fds[i]);
		maps[i] = prlib_map(fds[i], size);
		ASSERT_NE(MAP_FAILED, maps[i]);
		ASSERT_EQ(npages, prlib_use_range(fds[i], 0, npages));
		prlib_fill(buf, size, 1000 + i);
		ASSERT_EQ(0, prlib_write(fds[i], 0, buf, size));
		/* One byte a page, through the mapping. */
		for (p = 0; p < npages; p++)
			ASSERT_EQ(buf[p * prlib_page_size], maps[i][p * prlib_page_size]);
		ASSERT_EQ(npages, prlib_stop_using(fds[i], 0, npages));
	}
	EXPECT_EQ(self->before.pages_reclaimable + MANY_RANGES * npages,
		  prlib_stat("pages_reclaimable"));
	EXPECT_EQ(self->before.ranges + MANY_RANGES + 1,
		  prlib_stat("ranges"));

	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(0, prlib_stat("pages_reclaimable"));
	for (i = 0; i < MANY_RANGES; i++) {
		ASSERT_EQ(0, prlib_get_info(fds[i], &info));
		EXPECT_EQ(npages, info.pages_reclaimed);
		EXPECT_EQ(0, info.pages_present);
		EXPECT_EQ(SIGBUS, prtest_probe(maps[i], NULL));
		EXPECT_EQ(SIGBUS, prtest_probe(maps[i] + size - 1, NULL));
	}
	for (i = 0; i < MANY_RANGES; i++) {
		EXPECT_EQ(0, munmap(maps[i], size));
		EXPECT_EQ(0, close(fds[i]));
	}
	free(buf);
}

/* ---- a busy range ahead of an idle one ---- */

#define BUSY_PAGES	256	/* reclaimable pages of each range */
#define STALL_SECONDS	30	/* the longest the test waits for the stall */

/*
 * What keeps range a busy: a WRITE into its one in-use page whose source
 * stalls in copy_from_user() on a userfaultfd page until the test lets it
 * go.
 */
struct busy_writer {
	int fd;			/* range a */
	__u64 offset;		/* its in-use page */
	struct prt_stall st;	/* the source page */
	int ret;		/* the WRITE's result */
};

static void *busy_writer_run(void *arg)
{
	struct busy_writer *w = arg;

	w->ret = prlib_write(w->fd, w->offset, w->st.page, prlib_page_size);
	return NULL;
}

/* Open and map @npages pages while on one CPU, so that ranges share a node. */
static void busy_open(struct __test_metadata *_metadata, int cpu,
		      __u64 npages, int *fd, unsigned char **map)
{
	cpu_set_t saved, one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	*fd = prlib_open();
	ASSERT_LE(0, *fd);
	*map = prlib_map(*fd, npages * prlib_page_size);
	ASSERT_NE(MAP_FAILED, *map);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(saved), &saved));
}

/*
 * Range a's reclaimable pages are first on the shrinker's list, and a stays
 * busy: a WRITE into its one in-use page is in flight for as long as the
 * test likes. Range b's reclaimable pages come after a's. One drop_caches
 * must take every page of b: a busy range may not keep reclaim from the
 * pages behind it. a's pages stay (the shrinker leaves a range alone while
 * a copy is in flight), and go once the copy is over.
 */
TEST_F_TIMEOUT(reclaim, busy_range_does_not_starve_reclaim_of_the_ranges_behind_it,
	       120)
{
	long long skips = prlib_stat("shrinker_skips");
	struct busy_writer w = { 0 };
	struct pagerange_info info;
	unsigned char *map[2];
	pthread_t writer;
	int fd[2], cpu;

	/* Before any page exists: the 6.1 harness hides a failure after it. */
	if (!prtest_stall_init(_metadata, &w.st))
		return;
	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	busy_open(_metadata, cpu, BUSY_PAGES + 1, &fd[0], &map[0]);
	busy_open(_metadata, cpu, BUSY_PAGES, &fd[1], &map[1]);

	ASSERT_EQ(BUSY_PAGES + 1, prlib_use_range(fd[0], 0, BUSY_PAGES + 1));
	ASSERT_EQ(BUSY_PAGES, prlib_use_range(fd[1], 0, BUSY_PAGES));
	ASSERT_EQ(BUSY_PAGES, prlib_stop_using(fd[0], 0, BUSY_PAGES));
	ASSERT_EQ(BUSY_PAGES, prlib_stop_using(fd[1], 0, BUSY_PAGES));

	w.fd = fd[0];
	w.offset = BUSY_PAGES * prlib_page_size;
	ASSERT_EQ(0, pthread_create(&writer, NULL, busy_writer_run, &w));
	ASSERT_EQ(0, prt_stall_wait(&w.st, STALL_SECONDS));

	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_get_info(fd[1], &info));
	EXPECT_EQ(BUSY_PAGES, info.pages_reclaimed);
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(0, prtest_count_readable(map[1], BUSY_PAGES));
	ASSERT_EQ(0, prlib_get_info(fd[0], &info));
	EXPECT_EQ(BUSY_PAGES, info.pages_reclaimable);
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_LE(skips + BUSY_PAGES, prlib_stat("shrinker_skips"));
	ASSERT_EQ(0, prt_stall_release(&w.st, 0x77));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(-1, prlib_find_not(map[0] + w.offset, prlib_page_size, 0x77));

	/* The copy is over: a's reclaimable pages go too. */
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_get_info(fd[0], &info));
	EXPECT_EQ(0, info.pages_reclaimable);
	EXPECT_EQ(1, info.pages_in_use);

	prt_stall_fini(&w.st);
	EXPECT_EQ(0, munmap(map[0], (BUSY_PAGES + 1) * prlib_page_size));
	EXPECT_EQ(0, munmap(map[1], BUSY_PAGES * prlib_page_size));
	EXPECT_EQ(0, close(fd[0]));
	EXPECT_EQ(0, close(fd[1]));
}

/* ---- a range whose owner keeps allocating ---- */

#define SERVER_SPAN	32	/* pages of one transaction */
#define SERVER_SPANS	16	/* transactions the server cycles through */

/*
 * Range a's idle pages are first on the shrinker's list, range b's come
 * after them, and a thread of a's owner keeps a busy allocating, as a
 * server does. Reclaim runs while it does: every idle page of b must go,
 * and every idle page of a too. A lock that a USE_RANGE of a holds may
 * not keep the shrinker from a's idle pages, nor from anything behind
 * them. The server must have gone on allocating through it all.
 */
TEST_F_TIMEOUT(reclaim, allocating_range_does_not_starve_reclaim_of_any_idle_page,
	       180)
{
	const __u64 a_pages = BUSY_PAGES + SERVER_SPANS * SERVER_SPAN;
	struct prtest_server sv = {
		.first = BUSY_PAGES, .span = SERVER_SPAN,
		.nspans = SERVER_SPANS,
	};
	struct pagerange_info info;
	unsigned long allocated;
	unsigned char *map[2];
	int fd[2], cpu, pass;

	cpu = sched_getcpu();
	ASSERT_LE(0, cpu);
	busy_open(_metadata, cpu, a_pages, &fd[0], &map[0]);
	busy_open(_metadata, cpu, BUSY_PAGES, &fd[1], &map[1]);
	ASSERT_EQ(BUSY_PAGES, prlib_use_range(fd[0], 0, BUSY_PAGES));
	ASSERT_EQ(BUSY_PAGES, prlib_use_range(fd[1], 0, BUSY_PAGES));
	ASSERT_EQ(BUSY_PAGES, prlib_stop_using(fd[0], 0, BUSY_PAGES));
	ASSERT_EQ(BUSY_PAGES, prlib_stop_using(fd[1], 0, BUSY_PAGES));

	sv.fd = fd[0];
	ASSERT_EQ(0, prtest_server_start(&sv));
	/* Once round the spans: from now on they come back reclaimed. */
	ASSERT_TRUE(prtest_server_wait(&sv, SERVER_SPANS));

	/*
	 * Each pass reclaims everything idle, the server's stopped spans
	 * included, so that its next rounds allocate again.
	 */
	for (pass = 0; pass < 3; pass++) {
		allocated = sv.allocated;
		ASSERT_EQ(0, prlib_drop_caches());
		ASSERT_EQ(0, prlib_get_info(fd[1], &info));
		EXPECT_EQ((pass + 1) * BUSY_PAGES, info.pages_reclaimed)
			TH_LOG("pass %d", pass);
		EXPECT_EQ(0, info.pages_present) TH_LOG("pass %d", pass);
		EXPECT_EQ(0, prtest_count_readable(map[0], BUSY_PAGES))
			TH_LOG("pass %d: a's idle pages", pass);
		ASSERT_TRUE(prtest_server_wait(&sv, SERVER_SPANS));
		EXPECT_LT(allocated, sv.allocated) TH_LOG("pass %d", pass);
		/* Again, a's idle pages ahead of b's, for the next pass. */
		ASSERT_EQ(BUSY_PAGES, prlib_use_range(fd[0], 0, BUSY_PAGES));
		ASSERT_EQ(BUSY_PAGES, prlib_use_range(fd[1], 0, BUSY_PAGES));
		ASSERT_EQ(BUSY_PAGES, prlib_stop_using(fd[0], 0, BUSY_PAGES));
		ASSERT_EQ(BUSY_PAGES, prlib_stop_using(fd[1], 0, BUSY_PAGES));
	}

	EXPECT_EQ(0, prtest_server_stop(&sv));
	EXPECT_EQ(0, sv.no_room);
	prtest_diag("the server ran %lu rounds and allocated %lu pages",
		    sv.rounds, sv.allocated);
	EXPECT_EQ(0, munmap(map[0], a_pages * prlib_page_size));
	EXPECT_EQ(0, munmap(map[1], BUSY_PAGES * prlib_page_size));
	EXPECT_EQ(0, close(fd[0]));
	EXPECT_EQ(0, close(fd[1]));
}

PAGERANGE_TEST_MAIN
