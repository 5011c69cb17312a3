// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions in the Binder style: a sender process holding the fd makes
 * pages of the owner's range in use and copies data into them; the owner
 * reads it through its mapping and then stops using the pages.
 */
#include "pagerange_test.h"

#define NPAGES	16

FIXTURE(transaction) {
	int fd;
	unsigned char *map;
	__u64 npages;
	size_t size;
	struct prlib_sender sender;
	struct prlib_stats before;
};

FIXTURE_SETUP(transaction)
{
	self->npages = NPAGES;
	self->size = self->npages * prlib_page_size;
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    self->size);
	ASSERT_EQ(0, prlib_sender_start(&self->sender, self->fd));
}

FIXTURE_TEARDOWN(transaction)
{
	EXPECT_EQ(0, prlib_sender_stop(&self->sender));
	prtest_teardown_mapped(_metadata, &self->before, self->fd, self->map,
			       self->size);
}

static __u64 first_page(__u64 offset)
{
	return offset / prlib_page_size;
}

static __u64 end_page(__u64 offset, __u64 len)
{
	return (offset + len + prlib_page_size - 1) / prlib_page_size;
}

TEST_F(transaction, sender_write_is_visible_in_the_owner_mapping)
{
	struct prlib_reply r;

	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE, 100,
			    prlib_page_size + 50, 11);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(2, r.used);
	EXPECT_EQ(-1, prlib_check(self->map + 100, prlib_page_size + 50, 11));
	EXPECT_EQ(-1, prlib_find_not(self->map, 100, 0));
	EXPECT_EQ(-1, prlib_find_not(self->map + prlib_page_size + 150,
				     prlib_page_size - 150, 0));
	EXPECT_EQ(2, prlib_stop_using(self->fd, 0, 2));
	/* Page 2 was never part of it. */
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + 2 * prlib_page_size, NULL));
}

TEST_F(transaction, read_returns_what_write_wrote)
{
	size_t len = 3 * prlib_page_size;
	unsigned char *buf = malloc(len);
	struct prlib_reply r;

	ASSERT_NE(NULL, buf);
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE,
			    prlib_page_size / 2, len, 12);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(4, r.used);
	/* The owner reads it with READ... */
	ASSERT_EQ(0, prlib_read(self->fd, prlib_page_size / 2, buf, len));
	EXPECT_EQ(-1, prlib_check(buf, len, 12));
	/* ...and so does the sender. */
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_CHECK,
			    prlib_page_size / 2, len, 12);
	EXPECT_EQ(0, r.err);
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_CHECK,
			    prlib_page_size / 2 + 1, len - 1, 12);
	EXPECT_EQ(-EBADMSG, r.err);
	free(buf);
}

TEST_F(transaction, zero_clears_exactly_the_span)
{
	__u32 state = prt_seed();
	unsigned char *shadow = malloc(self->size);
	int i;

	ASSERT_NE(NULL, shadow);
	TH_LOG("seed %#x", state);
	ASSERT_EQ(0, prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE,
				     0, self->size, 13).err);
	prlib_fill(shadow, self->size, 13);
	for (i = 0; i < 50; i++) {
		__u64 offset = prlib_rand(&state) % self->size;
		__u64 len = prlib_rand(&state) % (self->size - offset) % (3 * prlib_page_size);

		ASSERT_EQ(0, prlib_zero(self->fd, offset, len));
		memset(shadow + offset, 0, len);
		ASSERT_EQ(0, memcmp(shadow, self->map, self->size)) {
			TH_LOG("zero %llu bytes at %llu", (unsigned long long)len,
			       (unsigned long long)offset);
		}
	}
	free(shadow);
}

TEST_F(transaction, use_range_result_counts_only_pages_that_were_missing)
{
	struct prlib_reply r;

	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE, 0,
			    4 * prlib_page_size, 14);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(4, r.used);
	EXPECT_EQ(4, prlib_stop_using(self->fd, 0, 4));

	/* Reused before any reclaim: nothing is allocated. */
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE, 0,
			    4 * prlib_page_size, 15);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(0, r.used);
	EXPECT_EQ(4, prlib_stop_using(self->fd, 0, 4));

	/* Half old, half new. */
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE,
			    2 * prlib_page_size, 4 * prlib_page_size, 16);
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(2, r.used);
	EXPECT_EQ(4, prlib_stop_using(self->fd, 2, 6));
	/* Page 1 is reclaimable and still holds its data. */
	EXPECT_EQ(-1, prlib_check(self->map, 2 * prlib_page_size, 15));
}

/*
 * Many transactions of random sizes at random offsets reusing the same
 * pages. The owner keeps a copy of what every present page must hold and
 * compares all of them after each transaction. With @reclaim_every, the
 * shrinker takes every page after that many transactions, and the pages
 * come back zeroed.
 */
static void random_transactions(struct __test_metadata *_metadata,
				FIXTURE_DATA(transaction) *self,
				int reclaim_every)
{
	unsigned char *shadow = malloc(self->size);
	bool *present = calloc(self->npages, sizeof(*present));
	__u32 state = prt_seed();
	struct pagerange_info info;
	int t;

	ASSERT_NE(NULL, shadow);
	ASSERT_NE(NULL, present);
	TH_LOG("seed %#x", state);
	for (t = 0; t < 200; t++) {
		__u64 offset = prlib_rand(&state) % self->size;
		__u64 len = 1 + prlib_rand(&state) %
			    (self->size - offset < 3 * prlib_page_size ?
			     self->size - offset : 3 * prlib_page_size);
		__u64 first = first_page(offset), end = end_page(offset, len);
		__u32 seed = prlib_rand(&state);
		struct prlib_reply r;
		long missing = 0;
		__u64 i;

		for (i = first; i < end; i++) {
			if (present[i])
				continue;
			missing++;
			present[i] = true;
			memset(shadow + i * prlib_page_size, 0, prlib_page_size);
		}
		r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE,
				    offset, len, seed);
		ASSERT_EQ(0, r.err);
		ASSERT_EQ(missing, r.used) {
			TH_LOG("transaction %d: %llu bytes at %llu", t,
			       (unsigned long long)len,
			       (unsigned long long)offset);
		}
		prlib_fill(shadow + offset, len, seed);
		for (i = 0; i < self->npages; i++) {
			if (!present[i])
				continue;
			ASSERT_EQ(0, memcmp(shadow + i * prlib_page_size,
					    self->map + i * prlib_page_size,
					    prlib_page_size)) {
				TH_LOG("transaction %d: page %llu differs", t,
				       (unsigned long long)i);
			}
		}
		ASSERT_EQ(end - first, prlib_stop_using(self->fd, first, end));

		if (!reclaim_every || (t + 1) % reclaim_every)
			continue;
		prtest_reclaim_info(_metadata, self->fd, &info);
		ASSERT_EQ(0, info.pages_present);
		memset(present, 0, self->npages * sizeof(*present));
	}
	/* Without reclaim every page was allocated once at most. */
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	if (!reclaim_every) {
		EXPECT_GE(self->npages, info.pages_allocated);
	} else {
		EXPECT_EQ(info.pages_allocated,
			  info.pages_reclaimed + info.pages_present);
	}
	free(present);
	free(shadow);
}

TEST_F_TIMEOUT(transaction, random_transactions_match_byte_for_byte, 120)
{
	random_transactions(_metadata, self, 0);
}

TEST_F_TIMEOUT(transaction,
	       random_transactions_with_reclaim_between_match_byte_for_byte,
	       120)
{
	random_transactions(_metadata, self, 25);
}

TEST_F(transaction, concurrent_senders_fill_disjoint_spans)
{
	struct prlib_sender second = { 0 };
	size_t half = self->size / 2;
	int i;

	ASSERT_EQ(0, prlib_sender_start(&second, self->fd));
	for (i = 0; i < 40; i++) {
		struct prlib_reply r1, r2;

		ASSERT_EQ(0, prlib_sender_send(&self->sender,
					       PRLIB_ORDER_WRITE,
					       0, half, 100 + i));
		ASSERT_EQ(0, prlib_sender_send(&second,
					       PRLIB_ORDER_WRITE,
					       half, half, 200 + i));
		r1 = prlib_sender_reply(&self->sender);
		r2 = prlib_sender_reply(&second);
		ASSERT_EQ(0, r1.err);
		ASSERT_EQ(0, r2.err);
		EXPECT_EQ(i ? 0 : self->npages / 2, r1.used);
		EXPECT_EQ(i ? 0 : self->npages / 2, r2.used);
		ASSERT_EQ(-1, prlib_check(self->map, half, 100 + i));
		ASSERT_EQ(-1, prlib_check(self->map + half, half, 200 + i));
		ASSERT_EQ(self->npages, prlib_stop_using(self->fd, 0,
							 self->npages));
	}
	EXPECT_EQ(0, prlib_sender_stop(&second));
}

/* What the racer and the test share, in a MAP_SHARED page. */
struct racer {
	volatile int stop;
	volatile long landed;	/* WRITEs into page 0 while in use */
	volatile long refused;	/* WRITEs that found it not in use */
};

/* WRITE page 0 over and over while the owner keeps releasing it. */
static int racer_write(int fd, struct racer *rc)
{
	unsigned char *buf = malloc(prlib_page_size);
	int ret;

	prlib_die_with_parent();
	if (!buf)
		return 2;
	memset(buf, 0x5a, prlib_page_size);
	while (!rc->stop) {
		ret = prlib_write(fd, 0, buf, prlib_page_size);
		if (!ret)
			rc->landed++;
		else if (ret == -ENOENT)
			rc->refused++;
		else
			return 1;
	}
	return 0;
}

TEST_F_TIMEOUT(transaction, writes_racing_stop_using_never_land_elsewhere, 120)
{
	struct racer *rc = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct prlib_reply r;
	pid_t pid;
	int i;

	ASSERT_NE(MAP_FAILED, rc);
	/* Pages 1-3 hold a pattern and stay in use throughout. */
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE,
			    prlib_page_size, 3 * prlib_page_size, 17);
	ASSERT_EQ(0, r.err);

	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(racer_write(self->fd, rc));
	for (i = 0; i < 300 || !rc->landed || !rc->refused; i++) {
		ASSERT_GT(30000, i) {
			TH_LOG("%ld WRITEs landed, %ld refused", rc->landed,
			       rc->refused);
		}
		ASSERT_LE(0, prlib_use_range(self->fd, 0, 1));
		ASSERT_LE(0, prlib_stop_using(self->fd, 0, 1));
		if (i % 50 == 49)
			ASSERT_EQ(0, prlib_drop_caches());
	}
	rc->stop = 1;
	EXPECT_EQ(0, prlib_wait_exit(pid));
	/* It raced: WRITEs found page 0 in use, and not in use. */
	prtest_diag("%ld WRITEs landed, %ld refused", rc->landed, rc->refused);

	EXPECT_EQ(-1, prlib_check(self->map + prlib_page_size,
				  3 * prlib_page_size, 17));
	ASSERT_LE(0, prlib_use_range(self->fd, 0, 1));
	for (i = 0; i < (int)prlib_page_size; i++)
		ASSERT_TRUE(self->map[i] == 0 || self->map[i] == 0x5a);
	munmap(rc, prlib_page_size);
}

TEST_F(transaction, sender_gets_esrch_once_the_owner_unmaps)
{
	struct prlib_reply r;

	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE, 0, 8, 18);
	ASSERT_EQ(0, r.err);
	ASSERT_EQ(0, munmap(self->map, self->size));
	self->map = MAP_FAILED;
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_WRITE, 0, 8, 19);
	EXPECT_EQ(-ESRCH, r.err);
	r = prlib_sender_do(&self->sender, PRLIB_ORDER_CHECK, 0, 8, 18);
	EXPECT_EQ(-ESRCH, r.err);
}

PAGERANGE_TEST_MAIN
