// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pagerange_core_isolate: each lock the list_lru isolate
 * callback only tries, held by another thread, and what reclaim does then:
 * skip, rotate or wait.
 *
 * Included by pagerange_core_test.c, after the core and the fixture
 * (pagerange_core_test.h), and built only there; see its head comment.
 */

/**
 * struct pagerange_test_contender - what keeps the shrinker off a range
 * @what: for messages
 * @hold: take it; 0 or a negative errno
 * @release: let it go
 */
struct pagerange_test_contender {
	const char *what;
	int (*hold)(struct pagerange *range);
	void (*release)(struct pagerange *range);
};

/*
 * A reclaimable page of range a, ahead of one of range b on the same list,
 * and @c holding a. A scan of one item must leave a's page mapped and
 * reclaimable, count the skip, and rotate the page to the tail of its
 * list: once @c lets go, a scan of one item frees b's page, which is at
 * the head now, and a last scan frees a's.
 */
static void pagerange_test_expect_skip(struct kunit *test,
				       const struct pagerange_test_contender *c)
{
	long skips = atomic_long_read(&pagerange_shrinker_skips);
	struct pagerange_test_map *a, *b;
	unsigned long freed;
	int ret;

	a = pagerange_test_map(test, 2, first_online_node);
	b = pagerange_test_map(test, 2, first_online_node);
	pagerange_test_use(test, a->range, 0, 1, 1);
	pagerange_test_use(test, b->range, 0, 1, 1);
	pagerange_test_stop(test, a->range, 0, 1, 1);
	pagerange_test_stop(test, b->range, 0, 1, 1);

	ret = c->hold(a->range);
	KUNIT_ASSERT_EQ_MSG(test, ret, 0, "holding %s", c->what);
	freed = pagerange_test_scan(1);
	c->release(a->range);

	KUNIT_EXPECT_EQ_MSG(test, freed, 0UL, "scan with %s held", c->what);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_shrinker_skips), skips + 1);
	pagerange_test_expect_states(test, a, "RF");
	pagerange_test_expect_states(test, b, "RF");
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 2UL);

	KUNIT_EXPECT_EQ(test, pagerange_test_scan(1), 1UL);
	pagerange_test_expect_states(test, a, "RF");
	pagerange_test_expect_states(test, b, "FF");
	pagerange_test_expect_scan(test, a, PAGERANGE_TEST_SCAN_ALL, 1, "FF");
	pagerange_test_expect_consistent(test);
}

/*
 * insert_lock is held by a USE_RANGE for as long as it maps pages, which
 * may mean allocating page tables and reclaiming for them: the shrinker
 * does not take it, and frees the range's idle pages all the same. Here
 * the case holds it across the scans, as a caller stuck in an insert
 * would: every reclaimable page of the range goes, its PTEs with it.
 */
static void pagerange_test_isolate_ignores_insert_lock(struct kunit *test)
{
	long skips = atomic_long_read(&pagerange_shrinker_skips);
	struct pagerange_test_map *a, *b;

	a = pagerange_test_map(test, PAGERANGE_TEST_PAGES, first_online_node);
	b = pagerange_test_map(test, PAGERANGE_TEST_PAGES, first_online_node);
	pagerange_test_use(test, a->range, 0, 6, 6);
	pagerange_test_use(test, b->range, 0, 2, 2);
	pagerange_test_stop(test, a->range, 2, 6, 4);
	pagerange_test_stop(test, b->range, 0, 2, 2);

	mutex_lock(&a->range->insert_lock);
	/* a's pages are ahead of b's: the first scan of four takes them. */
	pagerange_test_expect_scan(test, a, 4, 4, "UUFFFFFF");
	pagerange_test_expect_scan(test, b, PAGERANGE_TEST_SCAN_ALL, 2,
				   "FFFFFFFF");
	mutex_unlock(&a->range->insert_lock);

	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_shrinker_skips), skips);
	pagerange_test_expect_consistent(test);
}

static int pagerange_test_hold_mmap_lock(struct pagerange *range)
{
	mmap_write_lock(range->mm);
	return 0;
}

static void pagerange_test_release_mmap_lock(struct pagerange *range)
{
	mmap_write_unlock(range->mm);
}

static void pagerange_test_isolate_rotates_on_mmap_lock(struct kunit *test)
{
	static const struct pagerange_test_contender c = {
		.what = "the mmap write lock",
		.hold = pagerange_test_hold_mmap_lock,
		.release = pagerange_test_release_mmap_lock,
	};

	pagerange_test_expect_skip(test, &c);
}

/*
 * The owner's mm has no user left (it is exiting): mmget_not_zero() fails.
 * Its users are the loading task's, which sleeps in the module load for
 * as long as the case runs; they are put back as they were.
 */
static int pagerange_test_mm_users;

static int pagerange_test_hold_mm_exiting(struct pagerange *range)
{
	pagerange_test_mm_users = atomic_xchg(&range->mm->mm_users, 0);
	return 0;
}

static void pagerange_test_release_mm_exiting(struct pagerange *range)
{
	atomic_set(&range->mm->mm_users, pagerange_test_mm_users);
}

static void pagerange_test_isolate_rotates_for_an_exiting_mm(struct kunit *test)
{
	static const struct pagerange_test_contender c = {
		.what = "an mm without users",
		.hold = pagerange_test_hold_mm_exiting,
		.release = pagerange_test_release_mm_exiting,
	};

	pagerange_test_expect_skip(test, &c);
}

/*
 * munmap() has unlinked the vma from the mm's tree and not closed it yet:
 * vma_lookup() at the range's address finds another vma, or none. That is
 * what the range sees if its address is moved a page past its end.
 */
static int pagerange_test_hold_unlinked(struct pagerange *range)
{
	spin_lock(&range->lock);
	range->vma_addr += range->nr_pages << PAGE_SHIFT;
	spin_unlock(&range->lock);
	return 0;
}

static void pagerange_test_release_unlinked(struct pagerange *range)
{
	spin_lock(&range->lock);
	range->vma_addr -= range->nr_pages << PAGE_SHIFT;
	spin_unlock(&range->lock);
}

static void pagerange_test_isolate_rotates_for_an_unlinked_vma(struct kunit *test)
{
	static const struct pagerange_test_contender c = {
		.what = "a vma out of the tree",
		.hold = pagerange_test_hold_unlinked,
		.release = pagerange_test_release_unlinked,
	};

	pagerange_test_expect_skip(test, &c);
}

/*
 * range->lock is a spinlock, so this thread cannot hold it across a scan.
 * Another thread, on another CPU, holds it for @hold_ms and then lets go on
 * its own, so that a scan that waits for the lock can be told from one that
 * gives up on it. This thread stays on its own CPU so that it cannot be
 * queued behind the spinner.
 */
static struct pagerange_test_range_locker {
	struct pagerange *range;
	unsigned int hold_ms;
	struct completion held;
	struct completion done;
} pagerange_test_locker;

static int pagerange_test_range_locker_thread(void *data)
{
	struct pagerange_test_range_locker *l = data;
	unsigned long hold;

	spin_lock(&l->range->lock);
	hold = jiffies + msecs_to_jiffies(l->hold_ms);
	complete(&l->held);
	while (time_before(jiffies, hold))
		cpu_relax();
	spin_unlock(&l->range->lock);
	kthread_complete_and_exit(&l->done, 0);
}

/* Have range->lock held for @hold_ms from now on. */
static int pagerange_test_hold_range_lock(struct pagerange *range,
					  unsigned int hold_ms)
{
	struct pagerange_test_range_locker *l = &pagerange_test_locker;
	struct task_struct *task;
	int cpu, other, ret;

	cpu = get_cpu();
	other = cpumask_any_but(cpu_online_mask, cpu);
	put_cpu();
	if (other >= nr_cpu_ids)
		return -EBUSY;
	ret = set_cpus_allowed_ptr(current, cpumask_of(cpu));
	if (ret)
		return ret;

	l->range = range;
	l->hold_ms = hold_ms;
	init_completion(&l->held);
	init_completion(&l->done);
	task = kthread_create(pagerange_test_range_locker_thread, l,
			      "pagerange_kunit_lock");
	if (IS_ERR(task))
		return PTR_ERR(task);
	kthread_bind(task, other);
	wake_up_process(task);
	wait_for_completion(&l->held);
	return 0;
}

/* Wait for the holder to have let go. */
static void pagerange_test_range_lock_done(void)
{
	wait_for_completion(&pagerange_test_locker.done);
}

/*
 * range->lock is held by whoever uses or stops pages, and they take the
 * list_lru lock inside it: the shrinker, which comes with the list_lru lock
 * held, drops that and waits for range->lock rather than give up on every
 * busy range. The page is freed once the holder lets go, and only then.
 */
static void pagerange_test_isolate_waits_for_range_lock(struct kunit *test)
{
	long skips = atomic_long_read(&pagerange_shrinker_skips);
	struct pagerange_test_map *a;
	unsigned long start, freed;
	int ret;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU to hold the spinlock");
	a = pagerange_test_map(test, 2, first_online_node);
	pagerange_test_use(test, a->range, 0, 1, 1);
	pagerange_test_stop(test, a->range, 0, 1, 1);

	start = jiffies;
	ret = pagerange_test_hold_range_lock(a->range, 200);
	KUNIT_ASSERT_EQ(test, ret, 0);
	freed = pagerange_test_scan(1);
	pagerange_test_range_lock_done();

	KUNIT_EXPECT_EQ(test, freed, 1UL);
	KUNIT_EXPECT_GE(test, jiffies_to_msecs(jiffies - start), 200U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_shrinker_skips), skips);
	pagerange_test_expect_states(test, a, "FF");
	pagerange_test_expect_consistent(test);
}

/* A copy in flight: what pagerange_io() holds across its copy. */
static int pagerange_test_hold_copy(struct pagerange *range)
{
	spin_lock(&range->lock);
	range->nr_copying++;
	spin_unlock(&range->lock);
	return 0;
}

static void pagerange_test_release_copy(struct pagerange *range)
{
	spin_lock(&range->lock);
	range->nr_copying--;
	spin_unlock(&range->lock);
}

static void pagerange_test_isolate_rotates_during_a_copy(struct kunit *test)
{
	static const struct pagerange_test_contender c = {
		.what = "a copy in flight",
		.hold = pagerange_test_hold_copy,
		.release = pagerange_test_release_copy,
	};

	pagerange_test_expect_skip(test, &c);
}

/*
 * A range that stays busy must not starve the ranges behind it: with a
 * copy into range a in flight for as long as the case lasts, a's pages at
 * the head of the list go to its tail, and the next scan of the same
 * budget reaches b's pages and frees them all. a's pages stay reclaimable
 * and are freed once the copy is over.
 */
static void pagerange_test_busy_range_does_not_starve_the_next(struct kunit *test)
{
	long skips = atomic_long_read(&pagerange_shrinker_skips);
	struct pagerange_test_map *a, *b;

	a = pagerange_test_map(test, PAGERANGE_TEST_PAGES, first_online_node);
	b = pagerange_test_map(test, PAGERANGE_TEST_PAGES, first_online_node);
	pagerange_test_use(test, a->range, 0, 5, 5);
	pagerange_test_use(test, b->range, 0, 4, 4);
	pagerange_test_stop(test, a->range, 0, 4, 4);
	pagerange_test_stop(test, b->range, 0, 4, 4);

	pagerange_test_hold_copy(a->range);
	pagerange_test_expect_scan(test, a, 4, 0, "RRRRUFFF");
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_shrinker_skips),
			skips + 4);
	pagerange_test_expect_scan(test, b, 4, 4, "FFFFFFFF");
	pagerange_test_expect_states(test, a, "RRRRUFFF");
	pagerange_test_release_copy(a->range);

	pagerange_test_expect_scan(test, a, PAGERANGE_TEST_SCAN_ALL, 4,
				   "FFFFUFFF");
	pagerange_test_expect_consistent(test);
}

static struct kunit_case pagerange_test_isolate_cases[] = {
	KUNIT_CASE(pagerange_test_isolate_ignores_insert_lock),
	KUNIT_CASE(pagerange_test_isolate_rotates_on_mmap_lock),
	KUNIT_CASE(pagerange_test_isolate_rotates_for_an_exiting_mm),
	KUNIT_CASE(pagerange_test_isolate_rotates_for_an_unlinked_vma),
	KUNIT_CASE(pagerange_test_isolate_waits_for_range_lock),
	KUNIT_CASE(pagerange_test_isolate_rotates_during_a_copy),
	KUNIT_CASE(pagerange_test_busy_range_does_not_starve_the_next),
	{}
};

PAGERANGE_TEST_SUITE(isolate);
