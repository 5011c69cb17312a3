// SPDX-License-Identifier: GPL-2.0
/*
 * What the owner learns of its pages, and what it can ask of them:
 *
 * - USE_RANGE_REPORT: which pages of a span had to be allocated (they read
 *   as zero) and which kept their contents, checked against the states the
 *   pages were left in by reclaim, purge and a cgroup's pressure;
 * - QUERY: the state of every page of a span, changing none;
 * - poll() and PURGED: POLLPRI once the shrinker has taken pages, until
 *   acknowledged, with no wake-up lost and none without a purge;
 * - STOP_USING_RANGE with PAGERANGE_STOP_PURGE: the span freed at once;
 * - WRITE with PAGERANGE_WRITE_USE: a transaction in one call, all or
 *   nothing.
 */
#include "pagerange_test.h"

#include <sys/epoll.h>

#define NPAGES		16
#define BIG_PAGES	130	/* a report of more than two words */

PRTEST_MAPPED_FIXTURE(report, BIG_PAGES)

/* QUERY of [first, end) is @want, one letter a page: F, U or R. */
static void expect_states(struct __test_metadata *_metadata, int fd,
			  __u64 first, const char *want)
{
	static const char letter[] = "FUR";
	size_t i, n = strlen(want);
	unsigned char vec[BIG_PAGES];
	char got[BIG_PAGES + 1];

	ASSERT_GE(sizeof(vec), n);
	ASSERT_EQ(0, prlib_query(fd, first, first + n, vec));
	for (i = 0; i < n; i++) {
		ASSERT_GT(3, vec[i]);
		got[i] = letter[vec[i]];
	}
	got[n] = '\0';
	EXPECT_STREQ(want, got);
}

/* The report's bits of [0, n), as a string of 0 and 1. */
static void report_string(const __u64 *bitmap, size_t n, char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		s[i] = prlib_report_bit(bitmap, i) ? '1' : '0';
	s[n] = '\0';
}

/*
 * Pages in use and reclaimable keep their contents; a page purged and a
 * page never used are allocated: exactly those bits are set, and exactly
 * those pages read as zero.
 */
TEST_F(report, marks_exactly_the_pages_that_had_to_be_allocated)
{
	__u64 bitmap[PRLIB_REPORT_WORDS(8)];
	char bits[9];
	size_t i;

	prtest_use_and_fill(_metadata, self->fd, 0, 6, 3);
	ASSERT_EQ(4, prlib_stop_using(self->fd, 2, 6));
	ASSERT_EQ(1, prlib_purge(self->fd, 3, 4));
	expect_states(_metadata, self->fd, 0, "UURFRRFF");

	memset(bitmap, 0xff, sizeof(bitmap));
	ASSERT_EQ(3, prlib_use_range_report(self->fd, 0, 8, bitmap));
	report_string(bitmap, 8, bits);
	EXPECT_STREQ("00010011", bits);
	EXPECT_EQ(0, bitmap[0] >> 8);
	expect_states(_metadata, self->fd, 0, "UUUUUUUU");
	for (i = 0; i < 8; i++) {
		const unsigned char *p = self->map + i * prlib_page_size;
		bool zero = prlib_find_not(p, prlib_page_size, 0) < 0;

		EXPECT_EQ(prlib_report_bit(bitmap, i), zero) TH_LOG("page %zu", i);
	}
	/* The kept pages kept their bytes, not only some of them. */
	EXPECT_EQ(-1, prlib_check(self->map, 3 * prlib_page_size, 3));
}

/* What reclaim took is what the report says, bit for bit. */
TEST_F(report, after_reclaim_every_reclaimed_page_is_marked)
{
	__u64 bitmap[PRLIB_REPORT_WORDS(NPAGES)];
	struct pagerange_info info;
	char bits[NPAGES + 1];

	prtest_use_and_fill(_metadata, self->fd, 0, NPAGES, 4);
	ASSERT_EQ(8, prlib_stop_using(self->fd, 4, 12));
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	ASSERT_EQ(8, info.pages_reclaimed);

	ASSERT_EQ(8, prlib_use_range_report(self->fd, 0, NPAGES, bitmap));
	report_string(bitmap, NPAGES, bits);
	EXPECT_STREQ("0000111111110000", bits);
	EXPECT_EQ(-1, prlib_check(self->map, 4 * prlib_page_size, 4));
	EXPECT_EQ(-1, prlib_find_not(self->map + 4 * prlib_page_size,
				     8 * prlib_page_size, 0));
}

/*
 * The bitmap's layout: page start + i is bit i % 64 of word i / 64, least
 * significant first; the bits past the span in the last word are written
 * as zero; the words past it are not touched.
 */
TEST_F(report, bitmap_layout_is_words_of_64_bits_lsb_first)
{
	const __u64 start = 1, end = BIG_PAGES;
	__u64 bitmap[PRLIB_REPORT_WORDS(BIG_PAGES) + 1];
	__u64 n = end - start, i;

	/* Pages 1, 64 and 129 in use: bits 0, 63 and 128 stay clear. */
	ASSERT_EQ(1, prlib_use_range(self->fd, 1, 2));
	ASSERT_EQ(1, prlib_use_range(self->fd, 64, 65));
	ASSERT_EQ(1, prlib_use_range(self->fd, 129, 130));
	memset(bitmap, 0xa5, sizeof(bitmap));
	ASSERT_EQ(n - 3, prlib_use_range_report(self->fd, start, end, bitmap));
	for (i = 0; i < n; i++)
		EXPECT_EQ(i != 0 && i != 63 && i != 128,
			  prlib_report_bit(bitmap, i)) TH_LOG("bit %llu",
							       (unsigned long long)i);
	EXPECT_EQ(0, bitmap[2] >> (n % 64));
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, bitmap[3]);
}

/*
 * Every error, in the order the man page gives, with nothing changed: the
 * argument, then the bitmap, then the span.
 */
TEST_F(report, errors_change_nothing)
{
	const size_t words = PRLIB_REPORT_WORDS(BIG_PAGES);
	struct pagerange_use_report r = { .start = 0, .end = 4 };
	struct pagerange_info info;
	unsigned char *area;
	__u64 *edge, *good;

	/* One word before an inaccessible page. */
	area = mmap(NULL, 2 * prlib_page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, area);
	ASSERT_EQ(0, mprotect(area + prlib_page_size, prlib_page_size, PROT_NONE));
	edge = (__u64 *)(area + prlib_page_size) - 1;

	ASSERT_EQ(1, prlib_use_range(self->fd, 0, 1));
	r.bitmap = prlib_u64(edge);
	r.bitmap_size = 7;
	EXPECT_EQ(-EINVAL, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE_REPORT, &r));
	r.bitmap_size = 8;
	r.flags = 1;
	EXPECT_EQ(-EINVAL, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE_REPORT, &r));
	r.flags = 0;
	r.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE_REPORT, &r));
	r.reserved[1] = 0;
	r.start = 5;
	EXPECT_EQ(-EINVAL, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE_REPORT, &r));
	r.start = 0;
	r.bitmap = prlib_u64(prlib_ptr(8));
	EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE_REPORT, &r));
	/* A bitmap shorter than its size says, even past the end. */
	r.end = BIG_PAGES + 1;
	r.bitmap = prlib_u64(edge);
	r.bitmap_size = 8 * PRLIB_REPORT_WORDS(BIG_PAGES + 1);
	EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE_REPORT, &r));
	/* A good bitmap, a span past the end. */
	good = (__u64 *)(area + prlib_page_size) - words - 1;
	EXPECT_EQ(-EINVAL, prlib_use_range_report(self->fd, 0, BIG_PAGES + 1,
						  good));
	EXPECT_EQ(-EINVAL, prlib_use_range_report(self->fd, 0, ~0ULL, edge));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(1, info.pages_present);
	EXPECT_EQ(1, info.pages_allocated);
	EXPECT_EQ(0, munmap(area, 2 * prlib_page_size));
}

/* QUERY reports each state and changes none of them. */
TEST_F(report, query_reports_each_state_and_changes_nothing)
{
	struct pagerange_info before, after;
	unsigned char vec[4];

	prtest_use_and_fill(_metadata, self->fd, 0, 4, 5);
	ASSERT_EQ(2, prlib_stop_using(self->fd, 2, 4));
	ASSERT_EQ(0, prlib_get_info(self->fd, &before));
	expect_states(_metadata, self->fd, 0, "UURRFF");
	expect_states(_metadata, self->fd, 3, "RFF");
	ASSERT_EQ(0, prlib_get_info(self->fd, &after));
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(0, prlib_query(self->fd, 2, 2, vec));
	EXPECT_EQ(-EINVAL, prlib_query(self->fd, 3, 2, vec));
	EXPECT_EQ(-EINVAL, prlib_query(self->fd, 0, BIG_PAGES + 1, vec));
	EXPECT_EQ(-EFAULT, prlib_query(self->fd, 0, 4, prlib_ptr(8)));
	ASSERT_EQ(0, prlib_drop_caches());
	expect_states(_metadata, self->fd, 0, "UUFF");
}

/* ---- PAGERANGE_STOP_PURGE ---- */

/* Purge frees the span now, in use or reclaimable, and no page is left. */
TEST_F(report, purge_frees_the_span_at_once)
{
	long long allocated = prlib_stat("pages_present");
	struct pagerange_info info;

	prtest_use_and_fill(_metadata, self->fd, 0, 8, 6);
	ASSERT_EQ(4, prlib_stop_using(self->fd, 4, 8));
	EXPECT_EQ(6, prlib_purge(self->fd, 2, 10));
	expect_states(_metadata, self->fd, 0, "UUFFFFFFFF");
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + 2 * prlib_page_size, NULL));
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + 7 * prlib_page_size, NULL));
	EXPECT_EQ(-1, prlib_check(self->map, 2 * prlib_page_size, 6));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(6, info.pages_purged);
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_EQ(2, info.pages_present);
	EXPECT_EQ(allocated + 2, prlib_stat("pages_present"));
	/* Used again, they read as zero. */
	EXPECT_EQ(6, prlib_use_range(self->fd, 2, 8));
	EXPECT_EQ(-1, prlib_find_not(self->map + 2 * prlib_page_size,
				     6 * prlib_page_size, 0));
	EXPECT_EQ(0, prlib_purge(self->fd, 10, 12));
}

/* A copy in flight reads its pages without a lock: purge waits for none. */
TEST_F(report, purge_during_a_copy_fails_ebusy_and_changes_nothing)
{
	struct prtest_stalled_write w = { .fd = self->fd };
	pthread_t writer;

	if (!prtest_stall_init(_metadata, &w.st))
		return;
	ASSERT_EQ(2, prlib_use_range(self->fd, 0, 2));
	ASSERT_EQ(0, pthread_create(&writer, NULL, prtest_stalled_write_run, &w));
	ASSERT_EQ(0, prt_stall_wait(&w.st, 30));
	EXPECT_EQ(-EBUSY, prlib_purge(self->fd, 0, 2));
	EXPECT_EQ(-EBUSY, prlib_purge(self->fd, 1, 2))
		TH_LOG("even for pages the copy does not touch");
	EXPECT_EQ(0, prlib_purge(self->fd, 1, 1)) TH_LOG("an empty span is a no-op");
	EXPECT_EQ(-EINVAL, prlib_purge(self->fd, 0, BIG_PAGES + 1))
		TH_LOG("the span's errors come first");
	expect_states(_metadata, self->fd, 0, "UU");
	ASSERT_EQ(0, prt_stall_release(&w.st, 0x42));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	EXPECT_EQ(0, w.ret);
	prt_stall_fini(&w.st);
	EXPECT_EQ(2, prlib_purge(self->fd, 0, 2));
}

/* ---- notification ---- */

/* poll() of the fd, without waiting: its revents. */
static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLPRI };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/*
 * POLLPRI once the shrinker has taken pages, and until PURGED says how
 * many and when; not for a purge the owner asked for itself.
 */
TEST_F(report, poll_reports_pollpri_after_reclaim_until_acknowledged)
{
	struct pagerange_purged p;
	struct timespec t0, t1;

	EXPECT_EQ(0, poll_now(self->fd));
	prtest_use_and_fill(_metadata, self->fd, 0, 8, 7);
	ASSERT_EQ(4, prlib_purge(self->fd, 4, 8));
	ASSERT_EQ(4, prlib_stop_using(self->fd, 0, 4));
	EXPECT_EQ(0, poll_now(self->fd)) TH_LOG("no wake-up without reclaim");

	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &t0));
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &t1));
	EXPECT_EQ(POLLPRI, poll_now(self->fd));
	EXPECT_EQ(POLLPRI, poll_now(self->fd)) TH_LOG("until acknowledged");
	ASSERT_EQ(0, prlib_purged(self->fd, &p));
	EXPECT_EQ(4, p.pages);
	EXPECT_LE(1, p.events);
	EXPECT_LE((__u64)t0.tv_sec * 1000000000 + t0.tv_nsec, p.last_ns);
	EXPECT_GE((__u64)t1.tv_sec * 1000000000 + t1.tv_nsec, p.last_ns);
	EXPECT_EQ(0, poll_now(self->fd));
	ASSERT_EQ(0, prlib_purged(self->fd, &p));
	EXPECT_EQ(0, p.pages);
	p.flags = 1;
	EXPECT_EQ(-EINVAL, prlib_ioctl(self->fd, PAGERANGE_IOC_PURGED, &p));
}

/* A thread blocked in epoll_wait() is woken by the shrinker. */
TEST_F(report, epoll_wait_returns_when_the_shrinker_takes_pages)
{
	struct epoll_event ev = { .events = EPOLLPRI }, got;
	struct pagerange_purged p;
	int ep, n;

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &got, 1, 0));
	ASSERT_EQ(3, prlib_use_range(self->fd, 0, 3));
	ASSERT_EQ(3, prlib_stop_using(self->fd, 0, 3));
	ASSERT_EQ(0, prlib_drop_caches());
	n = epoll_wait(ep, &got, 1, 10000);
	ASSERT_EQ(1, n);
	EXPECT_TRUE(got.events & EPOLLPRI);
	ASSERT_EQ(0, prlib_purged(self->fd, &p));
	EXPECT_EQ(3, p.pages);
	EXPECT_EQ(0, epoll_wait(ep, &got, 1, 0));
	EXPECT_EQ(0, close(ep));
}

/* What a waiter and a reclaimer share. */
struct waiter {
	int fd;
	volatile int stop;
	volatile long wakeups;
	volatile long long reported;	/* PURGED's pages, summed */
	int err;
};

/* poll(), then PURGED, until told to stop. */
static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	struct pollfd pfd = { .fd = w->fd, .events = POLLPRI };
	struct pagerange_purged p;
	int n;

	while (!w->stop) {
		n = poll(&pfd, 1, 100);
		if (n < 0) {
			w->err = -errno;
			break;
		}
		if (!n)
			continue;
		w->wakeups++;
		if (prlib_purged(w->fd, &p)) {
			w->err = -EIO;
			break;
		}
		w->reported += p.pages;
	}
	return NULL;
}

/*
 * A waiter that polls and acknowledges, against a loop that stops pages
 * and reclaims them: every page the shrinker took is reported to the
 * waiter, none twice, whatever came between an acknowledgment and the
 * next poll; and it is woken once per reclaim at most, not per page.
 */
TEST_F_TIMEOUT(report, no_wakeup_is_lost_under_a_racing_reclaim_loop, 120)
{
	struct waiter w = { .fd = self->fd };
	struct pagerange_info info;
	struct pagerange_purged p;
	pthread_t thread;
	int round;

	ASSERT_EQ(0, pthread_create(&thread, NULL, waiter_run, &w));
	for (round = 0; round < 100; round++) {
		ASSERT_LE(0, prlib_use_range(self->fd, 0, NPAGES));
		ASSERT_EQ(NPAGES, prlib_stop_using(self->fd, 0, NPAGES));
		ASSERT_EQ(0, prlib_drop_caches());
	}
	/* The last reclaim is reported too, once the waiter got to it. */
	for (round = 0; round < 1000 && w.reported < 100 * NPAGES; round++)
		usleep(10000);
	w.stop = 1;
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(0, w.err);
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	ASSERT_EQ(0, prlib_purged(self->fd, &p));
	EXPECT_EQ(info.pages_reclaimed, w.reported + p.pages);
	EXPECT_EQ(100 * NPAGES, info.pages_reclaimed);
	prtest_diag("%ld wake-ups for %llu pages in 100 reclaims", w.wakeups,
		    (unsigned long long)info.pages_reclaimed);
	EXPECT_LE(1, w.wakeups);
	EXPECT_GE(100, w.wakeups);
}

/* Once the mapping is gone, poll() says so: nothing more will come. */
TEST_F(report, poll_reports_pollhup_once_the_mapping_is_gone)
{
	EXPECT_EQ(0, poll_now(self->fd) & POLLHUP);
	ASSERT_EQ(0, munmap(self->map, self->size));
	self->map = MAP_FAILED;
	EXPECT_TRUE(poll_now(self->fd) & POLLHUP);
}

/* ---- PAGERANGE_WRITE_USE ---- */

/* One call makes the pages in use, allocating what is missing, and copies. */
TEST_F(report, write_use_makes_the_span_in_use_then_copies)
{
	size_t len = 2 * prlib_page_size + 300, off = prlib_page_size - 100;
	unsigned char *buf = malloc(len);
	struct pagerange_info info;

	ASSERT_NE(NULL, buf);
	prlib_fill(buf, len, 8);
	ASSERT_EQ(1, prlib_use_range(self->fd, 1, 2));
	ASSERT_EQ(0, prlib_write_use(self->fd, off, buf, len));
	expect_states(_metadata, self->fd, 0, "UUUUF");
	EXPECT_EQ(-1, prlib_check(self->map + off, len, 8));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(4, info.pages_allocated);
	/* Across reclaim: the pages come back, and the bytes land. */
	ASSERT_EQ(4, prlib_stop_using(self->fd, 0, 4));
	ASSERT_EQ(0, prlib_drop_caches());
	prlib_fill(buf, len, 9);
	ASSERT_EQ(0, prlib_write_use(self->fd, off, buf, len));
	EXPECT_EQ(-1, prlib_check(self->map + off, len, 9));
	EXPECT_EQ(0, prlib_write_use(self->fd, 5 * prlib_page_size, buf, 0));
	expect_states(_metadata, self->fd, 4, "FF");
	free(buf);
}

/* The flag is WRITE's alone. */
TEST_F(report, write_use_is_refused_for_read_and_zero)
{
	unsigned char byte;

	ASSERT_EQ(1, prlib_use_range(self->fd, 0, 1));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_READ, 0, 1,
				    prlib_u64(&byte), PAGERANGE_WRITE_USE));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_ZERO, 0, 1, 0,
				    PAGERANGE_WRITE_USE));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_WRITE, 0, 1,
				    prlib_u64(&byte), 2));
}

/* At max_pages, nothing is allocated and nothing copied. */
TEST_F(report, write_use_is_all_or_nothing_at_max_pages)
{
	long long saved = prt_read_ll(PRT_MAX_PAGES_PARAM);
	size_t len = 4 * prlib_page_size;
	unsigned char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	ASSERT_LE(0, saved);
	prlib_fill(buf, len, 10);
	ASSERT_EQ(1, prlib_use_range(self->fd, 0, 1));
	/* Room for two more pages; the write needs three. */
	ASSERT_EQ(0, prt_write_ll(PRT_MAX_PAGES_PARAM,
				  prlib_stat("pages_present") + 2));
	EXPECT_EQ(-ENOMEM, prlib_write_use(self->fd, 0, buf, len));
	EXPECT_EQ(0, prt_write_ll(PRT_MAX_PAGES_PARAM, saved));
	expect_states(_metadata, self->fd, 0, "UFFFF");
	EXPECT_EQ(-1, prlib_find_not(self->map, prlib_page_size, 0));
	free(buf);
}

PAGERANGE_TEST_MAIN
