// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the shrinkable page range: state transitions, the
 * counters, reclaim through the shrinker's own callbacks, the isolate
 * callback's trylocks, per-node bookkeeping and teardown.
 *
 * This file includes pagerange_core.c instead of linking against it. The
 * core's statics are the unit under test: the shrinker's count and scan
 * callbacks, the list_lru isolate callback, the list_lru, the global
 * counters and the fault-injection attribute. An in-tree test would reach
 * them through EXPORT_SYMBOL_IF_KUNIT(), which 6.1 lacks and which an
 * out-of-tree module cannot rely on. So pagerange_kunit.ko carries its own
 * instance of the core, with its own list_lru, shrinker ("pagerange_kunit")
 * and counters: it needs no pagerange.ko and never touches its state.
 *
 * KUnit runs each case in a kernel thread, which has no mm, but runs
 * suite_init in the task that loads the module. suite_init takes a
 * reference on that task's mm; the cases map ranges into it with
 * kthread_use_mm() and vm_mmap() of an anonymous-inode file whose ->mmap
 * calls pagerange_attach(), as the device's does. Without an mm there (a KUnit
 * that ran suite_init elsewhere), the cases that need one skip.
 *
 * An mm is used only around single calls that cannot abort the case: a
 * case thread that exited with a borrowed mm would drop a reference it
 * never took. Presence is checked as user space sees it: copy_from_user()
 * of one byte succeeds for a mapped page and fails for a missing one, whose
 * fault handler returns SIGBUS (-EFAULT for a kernel uaccess).
 *
 * Reclaim is driven by calling the shrinker's callbacks directly. The
 * shrinker is registered too, so memory pressure could scan between two
 * steps of a case; the tests expect a quiet guest, as tools/vm/run boots.
 */

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/signal.h>
#include <linux/string.h>

/* Its own trace system too: pagerange.ko may be loaded at the same time. */
#define PAGERANGE_KUNIT
#include "pagerange_core.c"

#define PAGERANGE_TEST_PAGES	8
/* More than any case ever makes reclaimable: "scan everything". */
#define PAGERANGE_TEST_SCAN_ALL	1024

/* The mm of the task that loaded the module, or NULL; see the head comment. */
static struct mm_struct *pagerange_test_mm;
static pid_t pagerange_test_pid;

/**
 * struct pagerange_test_map - a range behind an anonymous-inode file
 * @range: the range; destroyed when @file is released
 * @file: the file, or NULL once released
 * @addr: start of the mapping, or 0 when not mapped
 * @nr_pages: size of the mapping in pages
 * @released: completed by ->release, which may run in another thread
 */
struct pagerange_test_map {
	struct pagerange *range;
	struct file *file;
	unsigned long addr;
	unsigned long nr_pages;
	struct completion released;
};

/* Make the test mm current; returns whether it had to be borrowed. */
static bool pagerange_test_enter_mm(void)
{
	if (current->mm == pagerange_test_mm)
		return false;
	kthread_use_mm(pagerange_test_mm);
	return true;
}

static void pagerange_test_leave_mm(bool borrowed)
{
	if (borrowed)
		kthread_unuse_mm(pagerange_test_mm);
}

/* As the device's ->mmap: the core checks the vma and applies its policy. */
static int pagerange_test_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct pagerange_test_map *map = file->private_data;

	return pagerange_attach(map->range, vma, PAGERANGE_MAX_PAGES);
}

/* As the device's ->release: the vma holds the file, so it is gone. */
static int pagerange_test_release(struct inode *inode, struct file *file)
{
	struct pagerange_test_map *map = file->private_data;

	pagerange_destroy(map->range);
	complete(&map->released);
	return 0;
}

static const struct file_operations pagerange_test_fops = {
	.owner = THIS_MODULE,
	.release = pagerange_test_release,
	.mmap = pagerange_test_mmap,
};

/* Returns the address, or a negative errno cast to unsigned long. */
static unsigned long pagerange_test_vm_mmap(struct pagerange_test_map *map)
{
	bool borrowed = pagerange_test_enter_mm();
	unsigned long addr;

	addr = vm_mmap(map->file, 0, map->nr_pages << PAGE_SHIFT, PROT_READ,
		       MAP_SHARED, 0);
	pagerange_test_leave_mm(borrowed);
	return addr;
}

/* munmap() the whole mapping: ->close detaches the range. */
static int pagerange_test_unmap(struct pagerange_test_map *map)
{
	bool borrowed;
	int ret;

	if (!map->addr)
		return 0;
	borrowed = pagerange_test_enter_mm();
	ret = vm_munmap(map->addr, map->nr_pages << PAGE_SHIFT);
	pagerange_test_leave_mm(borrowed);
	if (!ret)
		map->addr = 0;
	return ret;
}

/*
 * Unmap, drop the file and wait for ->release to destroy the range. From a
 * kernel thread fput() defers to the delayed-fput list, which is flushed
 * here; the vma's own reference may be on it too, or already with the
 * worker, hence the completion rather than assuming our fput() is last.
 */
static void pagerange_test_teardown(struct pagerange_test_map *map)
{
	if (!map->file) {
		if (map->range)
			pagerange_destroy(map->range);
		map->range = NULL;
		return;
	}
	pagerange_test_unmap(map);
	fput(map->file);
	map->file = NULL;
	flush_delayed_fput();
	wait_for_completion(&map->released);
	map->range = NULL;
}

struct pagerange_test_teardown_work {
	struct pagerange_test_map *map;
	struct completion done;
};

static int pagerange_test_teardown_thread(void *data)
{
	struct pagerange_test_teardown_work *work = data;

	pagerange_test_teardown(work->map);
	kthread_complete_and_exit(&work->done, 0);
}

/*
 * The resource's free callback. After a failed assertion, 6.1 runs it in
 * the loading task, whose fput() would be deferred until the task returns
 * to user space: long after the suite has destroyed the list_lru. Tear
 * down from a kernel thread there.
 */
static void pagerange_test_map_free(struct kunit_resource *res)
{
	struct pagerange_test_map *map = res->data;
	struct pagerange_test_teardown_work work = { .map = map };
	struct task_struct *task;

	if (current->flags & PF_KTHREAD) {
		pagerange_test_teardown(map);
	} else {
		init_completion(&work.done);
		task = kthread_run(pagerange_test_teardown_thread, &work,
				   "pagerange_kunit");
		if (!IS_ERR(task))
			wait_for_completion(&work.done);
	}
	kfree(map);
}

static int pagerange_test_map_init(struct kunit_resource *res, void *context)
{
	struct pagerange_test_map *map;

	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	init_completion(&map->released);
	res->data = map;
	return 0;
}

/* A range on @nid behind a file, not yet mapped; torn down with the case. */
static struct pagerange_test_map *
pagerange_test_map_unmapped(struct kunit *test, unsigned long nr_pages,
			    int nid)
{
	struct pagerange_test_map *map;
	struct pagerange *range;
	struct file *file;

	if (!pagerange_test_mm)
		kunit_skip(test, "no user mm: suite_init did not run in the loading task");

	map = kunit_alloc_resource(test, pagerange_test_map_init,
				   pagerange_test_map_free, GFP_KERNEL, NULL);
	KUNIT_ASSERT_NOT_NULL(test, map);
	map->nr_pages = nr_pages;

	range = pagerange_create(pagerange_test_mm, pagerange_test_pid, nid);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, range);
	map->range = range;

	file = anon_inode_getfile("[pagerange_kunit]", &pagerange_test_fops,
				  map, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	map->file = file;
	return map;
}

/* A range on @nid, mapped read-only as the device maps it. */
static struct pagerange_test_map *
pagerange_test_map(struct kunit *test, unsigned long nr_pages, int nid)
{
	struct pagerange_test_map *map;
	unsigned long addr;

	map = pagerange_test_map_unmapped(test, nr_pages, nid);
	addr = pagerange_test_vm_mmap(map);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "vm_mmap: %ld",
			       (long)addr);
	map->addr = addr;
	return map;
}

struct pagerange_test_ubuf {
	unsigned long addr;
	size_t len;
};

static int pagerange_test_ubuf_init(struct kunit_resource *res, void *context)
{
	struct pagerange_test_ubuf *ubuf;
	size_t len = *(size_t *)context;
	bool borrowed;

	ubuf = kzalloc(sizeof(*ubuf), GFP_KERNEL);
	if (!ubuf)
		return -ENOMEM;
	borrowed = pagerange_test_enter_mm();
	ubuf->addr = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, 0);
	pagerange_test_leave_mm(borrowed);
	if (IS_ERR_VALUE(ubuf->addr)) {
		kfree(ubuf);
		return -ENOMEM;
	}
	ubuf->len = len;
	res->data = ubuf;
	return 0;
}

static void pagerange_test_ubuf_free(struct kunit_resource *res)
{
	struct pagerange_test_ubuf *ubuf = res->data;
	bool borrowed = pagerange_test_enter_mm();

	vm_munmap(ubuf->addr, ubuf->len);
	pagerange_test_leave_mm(borrowed);
	kfree(ubuf);
}

/* A user buffer of @len bytes in the test mm, filled from @init. */
static void __user *pagerange_test_ubuf(struct kunit *test, const void *init,
					size_t len)
{
	struct pagerange_test_ubuf *ubuf;
	unsigned long left;
	bool borrowed;

	if (!pagerange_test_mm)
		kunit_skip(test, "no user mm: suite_init did not run in the loading task");
	ubuf = kunit_alloc_resource(test, pagerange_test_ubuf_init,
				    pagerange_test_ubuf_free, GFP_KERNEL, &len);
	KUNIT_ASSERT_NOT_NULL(test, ubuf);

	borrowed = pagerange_test_enter_mm();
	left = copy_to_user((void __user *)ubuf->addr, init, len);
	pagerange_test_leave_mm(borrowed);
	KUNIT_ASSERT_EQ(test, left, 0UL);
	return (void __user *)ubuf->addr;
}

/* copy_from_user() in the test mm; returns the bytes not copied. */
static unsigned long pagerange_test_copy_in(void *dst, const void __user *src,
					    size_t len)
{
	bool borrowed = pagerange_test_enter_mm();
	unsigned long left;

	left = copy_from_user(dst, src, len);
	pagerange_test_leave_mm(borrowed);
	return left;
}

static void __user *pagerange_test_uaddr(struct pagerange_test_map *map,
					 u64 offset)
{
	return (void __user *)(map->addr + offset);
}

/* Read the mapping as user space would; returns the bytes not copied. */
static unsigned long pagerange_test_read_mapping(struct pagerange_test_map *map,
						 u64 offset, void *dst,
						 size_t len)
{
	return pagerange_test_copy_in(dst, pagerange_test_uaddr(map, offset),
				      len);
}

/* Whether user space can read page @index of the mapping. */
static bool pagerange_test_mapped(struct pagerange_test_map *map,
				  unsigned long index)
{
	char byte;

	return !pagerange_test_read_mapping(map, (u64)index << PAGE_SHIFT,
					    &byte, 1);
}

/* pagerange_io() in the test mm, for its user buffer. */
static int pagerange_test_io(struct pagerange_test_map *map,
			     enum pagerange_io_op op, u64 offset, u64 len,
			     void __user *buf)
{
	bool borrowed = pagerange_test_enter_mm();
	int ret;

	ret = pagerange_io(map->range, op, offset, len, buf);
	pagerange_test_leave_mm(borrowed);
	return ret;
}

static struct page *pagerange_test_page(struct pagerange *range,
					unsigned long index)
{
	struct pagerange_page *pp;
	struct page *page;

	spin_lock(&range->lock);
	pp = range->slots[index];
	page = pp ? pp->page : NULL;
	spin_unlock(&range->lock);
	return page;
}

/* Copy bytes of the page in slot @index through the kernel's own mapping. */
static bool pagerange_test_read_page(struct pagerange *range,
				     unsigned long index, size_t offset,
				     void *dst, size_t len)
{
	struct page *page = pagerange_test_page(range, index);
	void *kaddr;

	if (!page)
		return false;
	kaddr = kmap_local_page(page);
	memcpy(dst, kaddr + offset, len);
	kunmap_local(kaddr);
	return true;
}

/* Expect the page of slot @index to read as zero, via kmap and the mapping. */
static void pagerange_test_expect_zero_page(struct kunit *test,
					    struct pagerange_test_map *map,
					    unsigned long index)
{
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	u64 offset = (u64)index << PAGE_SHIFT;
	unsigned long left;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0xff, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, pagerange_test_read_page(map->range, index, 0,
							 buf, PAGE_SIZE));
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, 0, PAGE_SIZE),
			      "page %lu via kmap", index);

	memset(buf, 0xff, PAGE_SIZE);
	left = pagerange_test_read_mapping(map, offset, buf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, left, 0UL);
	KUNIT_EXPECT_NULL_MSG(test, memchr_inv(buf, 0, PAGE_SIZE),
			      "page %lu via the mapping", index);
}

/* F free (a page the shrinker is taking included), U in use, R reclaimable. */
static char pagerange_test_state_locked(struct pagerange *range,
					unsigned long index)
{
	struct pagerange_page *pp;

	/* A closed range has no slots left. */
	pp = range->slots ? pagerange_slot_page(range, index) : NULL;
	if (!pp)
		return 'F';
	return pagerange_page_reclaimable(pp) ? 'R' : 'U';
}

/*
 * Expect every slot in the state @want gives it, one letter per page: F
 * free, U in use, R reclaimable. While mapped, U and R pages must be
 * readable and F pages must fault. The range's counters must agree.
 */
static void pagerange_test_expect_states(struct kunit *test,
					 struct pagerange_test_map *map,
					 const char *want)
{
	struct pagerange *range = map->range;
	char got[PAGERANGE_TEST_PAGES + 1];
	struct pagerange_stats stats;
	unsigned long i, n = strlen(want);
	u64 in_use = 0, reclaimable = 0;

	KUNIT_ASSERT_EQ(test, n, map->nr_pages);
	KUNIT_ASSERT_LE(test, n, (unsigned long)PAGERANGE_TEST_PAGES);

	spin_lock(&range->lock);
	for (i = 0; i < n; i++)
		got[i] = pagerange_test_state_locked(range, i);
	spin_unlock(&range->lock);
	got[n] = '\0';
	KUNIT_EXPECT_STREQ(test, got, want);

	for (i = 0; i < n; i++) {
		in_use += want[i] == 'U';
		reclaimable += want[i] == 'R';
		if (map->addr)
			KUNIT_EXPECT_EQ_MSG(test, pagerange_test_mapped(map, i),
					    want[i] != 'F', "page %lu of %s",
					    i, want);
	}

	pagerange_get_stats(range, &stats);
	KUNIT_EXPECT_EQ(test, stats.size_pages, (u64)n);
	KUNIT_EXPECT_EQ(test, stats.pages_present, in_use + reclaimable);
	KUNIT_EXPECT_EQ(test, stats.pages_in_use, in_use);
	KUNIT_EXPECT_EQ(test, stats.pages_reclaimable, reclaimable);
}

/*
 * The invariants that tie the counters together, over every live range:
 * each range's counters match its slots and pages_present is what was
 * allocated less what was reclaimed; the global page count is the sum of
 * present pages; the list_lru holds exactly the reclaimable pages, each
 * filed under the node of the page itself. Collected under the locks,
 * checked after.
 */
static void pagerange_test_expect_consistent(struct kunit *test)
{
	unsigned long present = 0, reclaimable = 0;
	unsigned long bad_ranges = 0, *lru_nodes;
	struct pagerange_page *pp;
	struct pagerange *range;
	unsigned long i, p, r;
	int nid;

	lru_nodes = kunit_kcalloc(test, nr_node_ids, sizeof(*lru_nodes),
				  GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lru_nodes);

	mutex_lock(&pagerange_list_lock);
	list_for_each_entry(range, &pagerange_list, node) {
		spin_lock(&range->lock);
		for (i = 0, p = 0, r = 0; range->slots && i < range->nr_pages;
		     i++) {
			pp = pagerange_slot_page(range, i);
			if (!pp)
				continue;
			p++;
			if (!pagerange_page_reclaimable(pp))
				continue;
			r++;
			lru_nodes[page_to_nid(pp->page)]++;
		}
		/* A closed range gave back what it had not reclaimed. */
		if (p != range->pages_present || r != range->pages_reclaimable ||
		    (range->vma &&
		     p != range->pages_allocated - range->pages_reclaimed -
			  range->pages_purged))
			bad_ranges++;
		present += p;
		reclaimable += r;
		spin_unlock(&range->lock);
	}
	mutex_unlock(&pagerange_list_lock);

	KUNIT_EXPECT_EQ(test, bad_ranges, 0UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present),
			(long)present);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), reclaimable);
	for_each_online_node(nid)
		KUNIT_EXPECT_EQ_MSG(test, list_lru_count_node(&pagerange_lru, nid),
				    lru_nodes[nid], "node %d", nid);
}

static unsigned long pagerange_test_count_node(int nid)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nid = nid,
	};

	return pagerange_shrink_count(pagerange_shrinker, &sc);
}

static unsigned long pagerange_test_count(void)
{
	unsigned long count = 0;
	int nid;

	for_each_online_node(nid)
		count += pagerange_test_count_node(nid);
	return count;
}

static unsigned long pagerange_test_scan_node(int nid, unsigned long nr)
{
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL,
		.nid = nid,
		.nr_to_scan = nr,
	};

	return pagerange_shrink_scan(pagerange_shrinker, &sc);
}

/* Scan up to @nr pages of each node, as reclaim would; returns pages freed. */
static unsigned long pagerange_test_scan(unsigned long nr)
{
	unsigned long freed = 0;
	int nid;

	for_each_online_node(nid)
		freed += pagerange_test_scan_node(nid, nr);
	return freed;
}

static void pagerange_test_use(struct kunit *test, struct pagerange *range,
			       u64 first, u64 last, u64 nr_allocated)
{
	u64 n = ~0ULL;

	KUNIT_ASSERT_EQ(test, pagerange_use(range, first, last, &n, NULL), 0);
	KUNIT_EXPECT_EQ_MSG(test, n, nr_allocated, "use [%llu, %llu)",
			    first, last);
}

static void pagerange_test_stop(struct kunit *test, struct pagerange *range,
				u64 first, u64 last, u64 nr_stopped)
{
	u64 n = ~0ULL;

	KUNIT_ASSERT_EQ(test, pagerange_stop_using(range, first, last, &n), 0);
	KUNIT_EXPECT_EQ_MSG(test, n, nr_stopped, "stop [%llu, %llu)",
			    first, last);
}

/* Scan up to @nr pages of each node; expect @freed freed and then @want. */
static void pagerange_test_expect_scan(struct kunit *test,
				       struct pagerange_test_map *map,
				       unsigned long nr, unsigned long freed,
				       const char *want)
{
	KUNIT_EXPECT_EQ_MSG(test, pagerange_test_scan(nr), freed,
			    "scan of %lu", nr);
	pagerange_test_expect_states(test, map, want);
}

/* --- State transitions */

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

/* --- Reclaim */

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

/* --- Copies */

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

/* --- All or nothing */

#ifdef CONFIG_FAULT_INJECTION
struct pagerange_test_fail_saved {
	unsigned long probability;
	unsigned long interval;
	unsigned long verbose;
	unsigned long count;
	int times;
	int space;
	bool task_filter;
};

/*
 * Fail the @nth page allocation from now on, once, silently: a verbose
 * attribute would print a stack trace, which the test runner counts as a
 * kernel splat.
 */
static void pagerange_test_fail_nth_alloc(unsigned long nth,
					  struct pagerange_test_fail_saved *s)
{
	struct fault_attr *attr = &pagerange_fail_alloc;

	s->probability = attr->probability;
	s->interval = attr->interval;
	s->verbose = attr->verbose;
	s->count = attr->count;
	s->times = atomic_read(&attr->times);
	s->space = atomic_read(&attr->space);
	s->task_filter = attr->task_filter;

	attr->verbose = 0;
	attr->task_filter = false;
	attr->count = 0;
	attr->interval = nth;
	atomic_set(&attr->space, 0);
	atomic_set(&attr->times, 1);
	attr->probability = 100;
}

/* Restore the attribute; returns how many injections were left unused. */
static int pagerange_test_fail_restore(struct pagerange_test_fail_saved *s)
{
	struct fault_attr *attr = &pagerange_fail_alloc;
	int left = atomic_read(&attr->times);

	attr->probability = s->probability;
	attr->interval = s->interval;
	attr->verbose = s->verbose;
	attr->count = s->count;
	atomic_set(&attr->times, s->times);
	atomic_set(&attr->space, s->space);
	attr->task_filter = s->task_filter;
	return left;
}

/*
 * pagerange_use() over [@first, @last) with the @nth page allocation from
 * now on failing: it must fail with -ENOMEM, report nothing allocated, and
 * have reached the injected failure.
 */
static void pagerange_test_use_fails_at(struct kunit *test,
					struct pagerange *range,
					u64 first, u64 last, unsigned long nth)
{
	struct pagerange_test_fail_saved saved;
	u64 n = ~0ULL;
	int ret;

	pagerange_test_fail_nth_alloc(nth, &saved);
	ret = pagerange_use(range, first, last, &n, NULL);
	KUNIT_EXPECT_EQ(test, pagerange_test_fail_restore(&saved), 0);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
}
#endif

/*
 * A span of five pages with one in use and one reclaimable: the third of
 * the three allocations fails. Nothing may change: no page of the span in
 * use that was not, the reclaimable page still on the list_lru, the two
 * pages allocated before the failure freed.
 */
static void pagerange_test_use_is_all_or_nothing(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	struct pagerange_stats before, after;
	struct pagerange_test_map *map;
	unsigned long lru;
	long pages;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 2, 2);
	pagerange_test_stop(test, map->range, 1, 2, 1);
	pagerange_get_stats(map->range, &before);
	pages = atomic_long_read(&pagerange_pages_present);
	lru = list_lru_count(&pagerange_lru);

	pagerange_test_use_fails_at(test, map->range, 0, 5, 3);
	pagerange_get_stats(map->range, &after);
	KUNIT_EXPECT_EQ(test, after.pages_present, before.pages_present);
	KUNIT_EXPECT_EQ(test, after.pages_in_use, before.pages_in_use);
	KUNIT_EXPECT_EQ(test, after.pages_reclaimable, before.pages_reclaimable);
	KUNIT_EXPECT_EQ(test, after.pages_allocated, before.pages_allocated);
	KUNIT_EXPECT_EQ(test, after.pages_reclaimed, before.pages_reclaimed);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru);
	pagerange_test_expect_states(test, map, "URFFFFFF");
	pagerange_test_expect_consistent(test);

	/* The same call succeeds once allocations do. */
	pagerange_test_use(test, map->range, 0, 5, 3);
	pagerange_test_expect_states(test, map, "UUUUUFFF");
	pagerange_test_expect_consistent(test);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

/*
 * A span of three allocation batches whose page fails in the second: the
 * first batch's pages, the second's entries and what the third never got
 * are all given back, the global count of pages included.
 */
static void pagerange_test_use_is_all_or_nothing_across_batches(struct kunit *test)
{
#ifdef CONFIG_FAULT_INJECTION
	const unsigned long span = 3 * PAGERANGE_ALLOC_BATCH;
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	long pages;

	map = pagerange_test_map(test, span, NUMA_NO_NODE);
	pages = atomic_long_read(&pagerange_pages_present);

	pagerange_test_use_fails_at(test, map->range, 0, span,
				    PAGERANGE_ALLOC_BATCH + 5);
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_present, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	pagerange_test_expect_consistent(test);

	pagerange_test_use(test, map->range, 0, span, span);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present),
			pages + (long)span);
	pagerange_test_expect_consistent(test);
#else
	kunit_skip(test, "needs CONFIG_FAULT_INJECTION");
#endif
}

/*
 * The global cap counts every page of every range: a span that would pass
 * it fails with -ENOMEM as a whole, and a span that fits still works.
 */
static void pagerange_test_use_stops_at_the_global_cap(struct kunit *test)
{
	unsigned long saved = pagerange_max_pages;
	struct pagerange_stats before, after;
	struct pagerange_test_map *map;
	long pages;
	u64 n = ~0ULL;
	int ret;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 2, 2);
	pagerange_test_stop(test, map->range, 1, 2, 1);
	pagerange_get_stats(map->range, &before);
	pages = atomic_long_read(&pagerange_pages_present);

	/* Room for two more pages; the span below needs three. */
	WRITE_ONCE(pagerange_max_pages, pages + 2);
	ret = pagerange_use(map->range, 0, 5, &n, NULL);
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
	pagerange_get_stats(map->range, &after);
	KUNIT_EXPECT_EQ(test, after.pages_present, before.pages_present);
	KUNIT_EXPECT_EQ(test, after.pages_in_use, before.pages_in_use);
	KUNIT_EXPECT_EQ(test, after.pages_allocated, before.pages_allocated);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	pagerange_test_expect_states(test, map, "URFFFFFF");

	/* Two fit exactly, and then nothing more does. */
	ret = pagerange_use(map->range, 0, 4, &n, NULL);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, n, 2ULL);
	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 4, 5, &n, NULL), -ENOMEM);
	WRITE_ONCE(pagerange_max_pages, saved);
	pagerange_test_expect_states(test, map, "UUUUFFFF");
	pagerange_test_expect_consistent(test);
}

/*
 * A fatal signal stops USE_RANGE before it allocates: -EINTR, and nothing
 * changed. A kernel thread takes SIGKILL only once it allows it, and then
 * as a signal pending, not as its end.
 */
static void pagerange_test_use_stops_at_a_fatal_signal(struct kunit *test)
{
	long pages = atomic_long_read(&pagerange_pages_present);
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	u64 n = ~0ULL;
	int ret;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 1, 1);
	pagerange_test_stop(test, map->range, 0, 1, 1);

	allow_signal(SIGKILL);
	send_sig(SIGKILL, current, 1);
	ret = pagerange_use(map->range, 0, 4, &n, NULL);
	flush_signals(current);
	disallow_signal(SIGKILL);

	KUNIT_EXPECT_EQ(test, ret, -EINTR);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 1);
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, 1ULL);
	pagerange_test_expect_states(test, map, "RFFFFFFF");
	pagerange_test_expect_consistent(test);
}

/* --- The isolate callback under contention */

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

/* --- Two NUMA nodes */

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
	long rss;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	rss = pagerange_read_rss(pagerange_test_mm);
	pagerange_test_use(test, map->range, 0, 6, 6);
	KUNIT_EXPECT_EQ(test, pagerange_read_rss(pagerange_test_mm), rss + 6);
	pagerange_test_stop(test, map->range, 0, 4, 4);
	KUNIT_EXPECT_EQ(test, pagerange_read_rss(pagerange_test_mm), rss + 6);
	pagerange_test_expect_scan(test, map, 2, 2, "RRFFUUFF");
	KUNIT_EXPECT_EQ(test, pagerange_read_rss(pagerange_test_mm), rss + 4);

	KUNIT_ASSERT_EQ(test, pagerange_test_unmap(map), 0);
	KUNIT_EXPECT_EQ(test, pagerange_read_rss(pagerange_test_mm), rss);
	pagerange_test_expect_consistent(test);
}

/* --- Attach, detach, teardown */

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
	long rss = pagerange_read_rss(pagerange_test_mm);
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	u64 n;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 4, 4);
	pagerange_test_stop(test, map->range, 2, 4, 2);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 4);
	KUNIT_EXPECT_EQ(test, pagerange_read_rss(pagerange_test_mm), rss + 4);
	KUNIT_ASSERT_EQ(test, pagerange_test_unmap(map), 0);
	KUNIT_EXPECT_NULL(test, map->range->vma);

	pagerange_test_expect_states(test, map, "FFFFFFFF");
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages);
	KUNIT_EXPECT_EQ(test, list_lru_count(&pagerange_lru), lru);
	KUNIT_EXPECT_EQ(test, pagerange_read_rss(pagerange_test_mm), rss);
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

/* --- The purge map */

/* Report [0, @n) of @map and expect @want: one 0 or 1 a page, and @count. */
static void pagerange_test_use_report(struct kunit *test,
				      struct pagerange_test_map *map,
				      const char *want, u64 count)
{
	unsigned long n = strlen(want), i, *fresh;
	char got[PAGERANGE_TEST_PAGES + 1];
	u64 allocated = ~0ULL;

	KUNIT_ASSERT_LE(test, n, (unsigned long)PAGERANGE_TEST_PAGES);
	fresh = bitmap_zalloc(n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fresh);
	KUNIT_EXPECT_EQ(test, pagerange_use(map->range, 0, n, &allocated,
					    fresh), 0);
	for (i = 0; i < n; i++)
		got[i] = test_bit(i, fresh) ? '1' : '0';
	got[n] = '\0';
	bitmap_free(fresh);
	KUNIT_EXPECT_STREQ(test, got, want);
	KUNIT_EXPECT_EQ(test, allocated, count);
}

static void pagerange_test_purge(struct kunit *test, struct pagerange *range,
				 u64 first, u64 last, u64 nr_freed)
{
	u64 n = ~0ULL;

	KUNIT_ASSERT_EQ(test, pagerange_purge(range, first, last, &n), 0);
	KUNIT_EXPECT_EQ_MSG(test, n, nr_freed, "purge [%llu, %llu)",
			    first, last);
}

/*
 * The report marks exactly the pages that had to be allocated: never used,
 * reclaimed or purged; not those in use or reclaimable, which kept their
 * contents, and it is written as the pages are published, so it is the
 * state the call left, not one it saw before.
 */
static void pagerange_test_report_marks_exactly_the_allocated_pages(struct kunit *test)
{
	struct pagerange_test_map *map;
	unsigned long i;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 7, 7);
	pagerange_test_stop(test, map->range, 1, 3, 2);
	pagerange_test_stop(test, map->range, 5, 6, 1);
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL, 3,
				   "UFFUUFUF");
	pagerange_test_stop(test, map->range, 0, 1, 1);
	pagerange_test_purge(test, map->range, 3, 4, 1);
	pagerange_test_expect_states(test, map, "RFFFUFUF");

	pagerange_test_use_report(test, map, "01110101", 5);
	pagerange_test_expect_states(test, map, "UUUUUUUU");
	for (i = 1; i < 4; i++)
		pagerange_test_expect_zero_page(test, map, i);
	/* All present now: nothing to report. */
	pagerange_test_use_report(test, map, "00000000", 0);
	pagerange_test_expect_consistent(test);
}

/*
 * Purge frees the span's pages at once, in use or reclaimable, counts them
 * apart from reclaim, and refuses to while a copy is in flight.
 */
static void pagerange_test_purge_frees_pages_in_every_state(struct kunit *test)
{
	long pages = atomic_long_read(&pagerange_pages_present);
	struct pagerange_test_map *map;
	struct pagerange_stats stats;
	u64 n;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 0, 6, 6);
	pagerange_test_stop(test, map->range, 2, 4, 2);
	pagerange_test_expect_states(test, map, "UURRUUFF");

	pagerange_test_hold_copy(map->range);
	KUNIT_EXPECT_EQ(test, pagerange_purge(map->range, 0, 8, &n), -EBUSY);
	KUNIT_EXPECT_EQ(test, n, 0ULL);
	pagerange_test_release_copy(map->range);
	pagerange_test_expect_states(test, map, "UURRUUFF");

	pagerange_test_purge(test, map->range, 1, 5, 4);
	pagerange_test_expect_states(test, map, "UFFFFUFF");
	pagerange_get_stats(map->range, &stats);
	KUNIT_EXPECT_EQ(test, stats.pages_purged, 4ULL);
	KUNIT_EXPECT_EQ(test, stats.pages_reclaimed, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&pagerange_pages_present), pages + 2);
	KUNIT_EXPECT_EQ(test, pagerange_test_count(), 0UL);
	pagerange_test_expect_consistent(test);
}

/* QUERY's states are the slots' states, and asking changes none. */
static void pagerange_test_query_reports_each_state(struct kunit *test)
{
	static const char letter[] = "FUR";
	struct pagerange_test_map *map;
	u8 states[PAGERANGE_TEST_PAGES];
	char got[PAGERANGE_TEST_PAGES + 1];
	unsigned long i;

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	pagerange_test_use(test, map->range, 1, 5, 4);
	pagerange_test_stop(test, map->range, 3, 5, 2);
	KUNIT_ASSERT_EQ(test, pagerange_query(map->range, 0, 8, states), 0);
	for (i = 0; i < PAGERANGE_TEST_PAGES; i++) {
		KUNIT_ASSERT_LT(test, states[i], 3);
		got[i] = letter[states[i]];
	}
	got[i] = '\0';
	KUNIT_EXPECT_STREQ(test, got, "FUURRFFF");
	pagerange_test_expect_states(test, map, "FUURRFFF");
	KUNIT_EXPECT_EQ(test, pagerange_query(map->range, 4, 9, states),
			-EINVAL);
	pagerange_test_expect_consistent(test);
}

struct pagerange_test_waker {
	struct wait_queue_entry wq;
	int wakeups;
};

static int pagerange_test_waker_fn(struct wait_queue_entry *wq,
				   unsigned int mode, int sync, void *key)
{
	container_of(wq, struct pagerange_test_waker, wq)->wakeups++;
	return 0;
}

/*
 * The owner is woken when the shrinker takes pages, once until it
 * acknowledges, whatever the number of runs; PURGED then says how many
 * and when; a purge it asked for wakes nobody.
 */
static void pagerange_test_notify_once_per_acknowledgment(struct kunit *test)
{
	struct pagerange_test_waker w = { .wakeups = 0 };
	struct pagerange_purge_report report;
	struct pagerange_test_map *map;
	u64 t0 = ktime_get_ns();

	map = pagerange_test_map(test, PAGERANGE_TEST_PAGES, NUMA_NO_NODE);
	init_waitqueue_func_entry(&w.wq, pagerange_test_waker_fn);
	add_wait_queue(&map->range->purge_wait, &w.wq);

	KUNIT_EXPECT_EQ(test, pagerange_poll(map->range, NULL, NULL), 0U);
	pagerange_test_use(test, map->range, 0, 8, 8);
	pagerange_test_purge(test, map->range, 6, 8, 2);
	KUNIT_EXPECT_EQ(test, w.wakeups, 0);
	/* Two runs, in two scans: one wake-up. */
	pagerange_test_stop(test, map->range, 0, 1, 1);
	pagerange_test_stop(test, map->range, 2, 4, 2);
	pagerange_test_expect_scan(test, map, 1, 1, "FURRUUFF");
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL, 2,
				   "FUFFUUFF");
	KUNIT_EXPECT_EQ(test, w.wakeups, 1);
	KUNIT_EXPECT_EQ(test, pagerange_poll(map->range, NULL, NULL),
			(__poll_t)EPOLLPRI);

	pagerange_take_purged(map->range, &report);
	KUNIT_EXPECT_EQ(test, report.pages, 3ULL);
	KUNIT_EXPECT_EQ(test, report.events, 2ULL);
	KUNIT_EXPECT_GE(test, report.last_ns, t0);
	KUNIT_EXPECT_LE(test, report.last_ns, ktime_get_ns());
	KUNIT_EXPECT_EQ(test, pagerange_poll(map->range, NULL, NULL), 0U);

	/* After the acknowledgment, the next reclaim wakes again. */
	pagerange_test_stop(test, map->range, 4, 5, 1);
	pagerange_test_expect_scan(test, map, PAGERANGE_TEST_SCAN_ALL, 1,
				   "FUFFFUFF");
	KUNIT_EXPECT_EQ(test, w.wakeups, 2);
	pagerange_take_purged(map->range, &report);
	KUNIT_EXPECT_EQ(test, report.pages, 1ULL);
	KUNIT_EXPECT_EQ(test, report.events, 3ULL);

	remove_wait_queue(&map->range->purge_wait, &w.wq);
	pagerange_test_expect_consistent(test);
}

static int pagerange_test_suite_init(struct kunit_suite *suite)
{
	int ret;

	/* A kernel thread's mm would be borrowed: not ours to keep. */
	if (current->mm && !(current->flags & PF_KTHREAD)) {
		mmget(current->mm);
		pagerange_test_mm = current->mm;
		pagerange_test_pid = task_tgid_nr(current);
	}

	ret = pagerange_core_init("pagerange_kunit");
	if (ret && pagerange_test_mm) {
		mmput(pagerange_test_mm);
		pagerange_test_mm = NULL;
	}
	return ret;
}

static void pagerange_test_suite_exit(struct kunit_suite *suite)
{
	pagerange_core_exit();
	if (pagerange_test_mm)
		mmput(pagerange_test_mm);
	pagerange_test_mm = NULL;
}

static struct kunit_case pagerange_test_cases[] = {
	KUNIT_CASE(pagerange_test_use_allocates_only_missing_pages),
	KUNIT_CASE(pagerange_test_stop_keeps_pages_mapped),
	KUNIT_CASE(pagerange_test_stop_on_free_pages_is_a_noop),
	KUNIT_CASE(pagerange_test_reuse_before_reclaim_keeps_the_page),
	KUNIT_CASE(pagerange_test_reclaim_takes_only_reclaimable_pages),
	KUNIT_CASE(pagerange_test_reclaim_takes_highest_pages_first),
	KUNIT_CASE(pagerange_test_reclaim_run_counts_against_the_scan),
	KUNIT_CASE(pagerange_test_reclaim_runs_are_capped),
	KUNIT_CASE(pagerange_test_reclaim_run_stops_at_a_page_in_use),
	KUNIT_CASE(pagerange_test_reclaim_run_follows_the_lru_order),
	KUNIT_CASE(pagerange_test_reclaim_run_stays_in_its_range),
	KUNIT_CASE(pagerange_test_reclaimed_page_comes_back_zeroed),
	KUNIT_CASE(pagerange_test_shrink_count_follows_reclaimable_pages),
	KUNIT_CASE(pagerange_test_io_round_trips_in_use_pages),
	KUNIT_CASE(pagerange_test_io_refuses_pages_not_in_use),
	KUNIT_CASE(pagerange_test_spans_past_the_end_are_refused),
	KUNIT_CASE(pagerange_test_use_is_all_or_nothing),
	KUNIT_CASE(pagerange_test_use_is_all_or_nothing_across_batches),
	KUNIT_CASE(pagerange_test_use_stops_at_the_global_cap),
	KUNIT_CASE(pagerange_test_use_stops_at_a_fatal_signal),
	KUNIT_CASE(pagerange_test_isolate_ignores_insert_lock),
	KUNIT_CASE(pagerange_test_isolate_rotates_on_mmap_lock),
	KUNIT_CASE(pagerange_test_isolate_rotates_for_an_exiting_mm),
	KUNIT_CASE(pagerange_test_isolate_rotates_for_an_unlinked_vma),
	KUNIT_CASE(pagerange_test_isolate_waits_for_range_lock),
	KUNIT_CASE(pagerange_test_isolate_rotates_during_a_copy),
	KUNIT_CASE(pagerange_test_busy_range_does_not_starve_the_next),
	KUNIT_CASE(pagerange_test_pages_are_counted_on_their_node),
	KUNIT_CASE(pagerange_test_scan_of_one_node_frees_only_its_pages),
	KUNIT_CASE(pagerange_test_page_is_filed_under_its_own_node),
	KUNIT_CASE(pagerange_test_rss_counts_mapped_pages),
	KUNIT_CASE(pagerange_test_report_marks_exactly_the_allocated_pages),
	KUNIT_CASE(pagerange_test_purge_frees_pages_in_every_state),
	KUNIT_CASE(pagerange_test_query_reports_each_state),
	KUNIT_CASE(pagerange_test_notify_once_per_acknowledgment),
	KUNIT_CASE(pagerange_test_calls_before_mmap_fail_with_enxio),
	KUNIT_CASE(pagerange_test_second_mmap_fails_with_ebusy),
	KUNIT_CASE(pagerange_test_closed_range_frees_every_page),
	KUNIT_CASE(pagerange_test_close_during_a_copy_frees_at_its_end),
	KUNIT_CASE(pagerange_test_teardown_frees_pages_in_every_state),
	{}
};

static struct kunit_suite pagerange_test_suite = {
	.name = "pagerange_core",
	.suite_init = pagerange_test_suite_init,
	.suite_exit = pagerange_test_suite_exit,
	.test_cases = pagerange_test_cases,
};

kunit_test_suite(pagerange_test_suite);

MODULE_DESCRIPTION("KUnit tests for the pagerange core");
MODULE_AUTHOR("The pagerange authors");
MODULE_LICENSE("GPL");
