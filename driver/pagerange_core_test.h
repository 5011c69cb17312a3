/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the core's KUnit suites: ranges mapped into a borrowed
 * user mm, user buffers, reads of the mapping and of the pages, the
 * expected states and counters, the shrinker's callbacks called directly,
 * and the suites' init and exit.
 *
 * Included by pagerange_core_test.c after pagerange_core.c, whose statics
 * it uses, and before the topic files; built only there.
 *
 * KUnit runs each case in a kernel thread, which has no mm, but runs
 * suite_init in the task that loads the module (see pagerange_core_test.c
 * for each kernel's path to it). Every suite's suite_init takes a reference
 * on that task's mm and its suite_exit drops it; the cases map ranges into
 * it with kthread_use_mm() and vm_mmap() of an anonymous-inode file whose
 * ->mmap calls pagerange_attach(), as the device's does. Built into the
 * kernel, the suites run at boot from the init task before it has an mm:
 * suite_init then makes an mm of its own, as kunit_attach_mm() does for a
 * case. Without an mm either way (a module whose suites some kernel thread
 * ran), the cases that need one skip.
 *
 * An mm is used only around single calls that cannot abort the case: a
 * case thread that exited with a borrowed mm would drop a reference it
 * never took. Presence is checked as user space sees it: copy_from_user()
 * of one byte succeeds for a mapped page and fails for a missing one, whose
 * fault handler returns SIGBUS (-EFAULT for a kernel uaccess).
 *
 * Reclaim is driven by calling the shrinker's callbacks directly. The
 * shrinker is registered too, so memory pressure could scan between two
 * steps of a case; the tests expect a quiet guest, as tools/dev/run boots.
 */
#ifndef PAGERANGE_CORE_TEST_H
#define PAGERANGE_CORE_TEST_H

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

#define PAGERANGE_TEST_PAGES	8
/* More than any case ever makes reclaimable: "scan everything". */
#define PAGERANGE_TEST_SCAN_ALL	1024

/*
 * The mm of the task that loaded the module, an mm of the suites' own, or
 * NULL; see the head comment.
 */
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

	map = kzalloc_obj(*map, GFP_KERNEL);
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
		kunit_skip(test, "no user mm: none lent by a loading task, none made");

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

	ubuf = kzalloc_obj(*ubuf, GFP_KERNEL);
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
		kunit_skip(test, "no user mm: none lent by a loading task, none made");
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

/*
 * The core is initialised once, by the first suite_init, and serves every
 * suite, as it served the cases of one suite: a leak of one case shows in
 * the counters of the next, whatever its suite.
 */
static bool pagerange_test_core_ready;

/*
 * An empty user mm, for suites that run where no task lends one: built in,
 * at boot. The kernel's own symbols are reachable there, and only there:
 * a module (in a tree or out of it) is loaded by a task with an mm, and
 * older kernels do not export mm_alloc(). Whether this object is built in
 * is what MODULE says: CONFIG_PAGERANGE_KUNIT_TEST is the tree's setting,
 * which a module built out of tree against it also sees.
 */
static struct mm_struct *pagerange_test_new_mm(void)
{
#ifndef MODULE
	struct mm_struct *mm = mm_alloc();

	if (!mm)
		return NULL;
	mm->task_size = TASK_SIZE;
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	return mm;
#else
	return NULL;
#endif
}

static int pagerange_test_suite_init(struct kunit_suite *suite)
{
	int ret;

	/* A kernel thread's mm would be borrowed: not ours to keep. */
	if (current->mm && !(current->flags & PF_KTHREAD)) {
		mmget(current->mm);
		pagerange_test_mm = current->mm;
	} else {
		pagerange_test_mm = pagerange_test_new_mm();
	}
	pagerange_test_pid = task_tgid_nr(current);

	if (pagerange_test_core_ready)
		return 0;
	ret = pagerange_core_init("pagerange_kunit");
	if (ret) {
		if (pagerange_test_mm)
			mmput(pagerange_test_mm);
		pagerange_test_mm = NULL;
		return ret;
	}
	pagerange_test_core_ready = true;
	return 0;
}

static void pagerange_test_suite_exit(struct kunit_suite *suite)
{
	if (pagerange_test_mm)
		mmput(pagerange_test_mm);
	pagerange_test_mm = NULL;
}

/* At module exit, after every suite: the core, if a suite_init set it up. */
static void pagerange_test_core_exit(void)
{
	if (pagerange_test_core_ready)
		pagerange_core_exit();
	pagerange_test_core_ready = false;
}

/*
 * The suite of a topic file, pagerange_core_@topic: the cases of
 * pagerange_test_@topic_cases[], each suite with the same suite_init and
 * suite_exit. It is pagerange_test_@topic_suite to kunit_test_suites().
 */
#define PAGERANGE_TEST_SUITE(topic)					\
	static struct kunit_suite pagerange_test_##topic##_suite = {	\
		.name = "pagerange_core_" #topic,			\
		.suite_init = pagerange_test_suite_init,		\
		.suite_exit = pagerange_test_suite_exit,		\
		.test_cases = pagerange_test_##topic##_cases,		\
	}

#endif /* PAGERANGE_CORE_TEST_H */
