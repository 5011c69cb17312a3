// SPDX-License-Identifier: GPL-2.0
/*
 * Pages of a user mapping that are allocated on first use and, once idle,
 * given back to the system by a shrinker.
 *
 * Lock order, outermost first:
 *   range->insert_lock       (mutex: inserting and zapping pages)
 *     mm->mmap_lock          (read; the owner's mm)
 *       range->lock          (spinlock: slot states and counters)
 *         list_lru node lock (taken inside list_lru_*())
 *
 * pagerange_list_lock (mutex: the list of ranges) is only ever taken alone
 * or just outside range->lock.
 *
 * The shrinker is called with the list_lru lock held and so walks this order
 * backwards: it takes insert_lock, mmap_lock and range->lock with trylocks
 * only. On contention for one of them, which lasts a moment, it skips the
 * page (LRU_SKIP): the page keeps its place and the next scan tries it
 * first. A range that cannot be reclaimed for longer, because a copy into
 * it is in flight (which may wait on a user page fault for as long as user
 * space likes), its mm is exiting or munmap() is tearing its vma down, has
 * the page rotated to the tail of its list instead (LRU_ROTATE). Otherwise
 * every scan would spend its budget on that range's pages at the head of the
 * list and never reach the pages behind them: one busy range would starve
 * reclaim for every range on the node.
 *
 * The invariant everything here keeps: a page is freed only after every PTE
 * that maps it is gone and the TLB has been flushed. Pages are mapped only
 * as special PTEs (vmf_insert_pfn() into a VM_PFNMAP vma), so GUP cannot take
 * a reference that would outlive the PTE, and only at one address: the vma
 * cannot be split, moved or copied. A page leaves its slot in one of three
 * ways:
 *   - the shrinker empties its slot and zaps its PTE (zap_vma_ptes()
 *     flushes the TLB) under insert_lock and the mmap read lock, having
 *     checked that the vma it zaps is the range's and is still in the mm's
 *     tree, and frees it once the zap is done. It
 *     takes a run of neighbouring pages that are next on the list_lru this
 *     way at once, with one zap and one TLB flush;
 *   - the shrinker frees it without zapping once the vma is closed: the mm
 *     core calls ->close only after unmapping the vma and flushing the TLB;
 *   - pagerange_destroy() frees it, which runs only after the vma is gone
 *     because the vma holds a reference to the file.
 */

#include <linux/atomic.h>
#include <linux/fault-inject.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/list_lru.h>
#include <linux/memcontrol.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/mmap_lock.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "pagerange_compat.h"
#include "pagerange_core.h"

/**
 * struct pagerange_page - one present page of a range
 * @lru: entry in the global list_lru while the page is reclaimable, and
 *	empty while it is in use. Protected by &pagerange.lock (and the
 *	list_lru lock). Before the page is published in a slot and after it
 *	has been taken out of one, it links a private list of pages to
 *	insert or to free.
 * @page: the page; immutable
 * @range: the range the page belongs to; immutable
 * @index: the slot the page is published in; set before it is published
 *
 * One per page, from a slab cache, on the page's own node: list_lru files
 * an item under the node its memory lives on, so the page is reclaimed
 * under pressure on the node it occupies.
 *
 * A slot's state is derived, never stored: free (no &pagerange_page), in
 * use (@lru empty) or reclaimable (@lru on the list_lru).
 */
struct pagerange_page {
	struct list_head lru;
	struct page *page;
	struct pagerange *range;
	unsigned long index;
};

/**
 * struct pagerange - a range of pages backing one user mapping
 * @mm: the mm the range is bound to (mmgrab()); immutable
 * @memcg: the memory cgroup of @mm when the range was created, with a
 *	reference; NULL without memory cgroups. Everything allocated for the
 *	range is charged to it, whichever task allocates it. Immutable
 * @pid: thread-group id of the opener, for debugfs; immutable
 * @node: entry in the global list of ranges; protected by the list's mutex
 * @rcu: defers freeing; see pagerange_insert_unlock()
 * @insert_lock: serialises inserting pages into the vma with zapping them,
 *	so that a free slot never has a PTE. Taken before the owner's mmap_lock.
 *	Page presence (@slots) only changes with it held.
 * @lock: protects the fields below and every page's @lru membership.
 *	Taken inside mmap_lock; the list_lru lock nests inside it.
 * @slots: one pointer per page of the vma, NULL while the slot is free;
 *	allocated when the vma is attached. A slot is set only with
 *	@insert_lock and @lock held, so either lock keeps it stable for a
 *	reader; an in-use page's slot is also stable without them, since only
 *	the shrinker and pagerange_destroy() empty a slot
 * @nr_pages: number of slots; 0 until the vma is attached
 * @nid: the node pages are allocated on by preference: the node asked
 *	for at creation, else the node of the task that attached the vma
 * @vma_addr: start of the attached vma
 * @vma: the attached vma, or NULL before attach and after it was closed.
 *	Compared, never dereferenced, without the owner's mmap_lock.
 * @nr_copying: copies in flight into or out of in-use pages; the shrinker
 *	skips the range while it is non-zero
 * @nr_present: slots with a page
 * @nr_reclaimable: pages on the list_lru
 * @nr_reclaimed: running total of pages the shrinker freed
 * @nr_allocated: running total of pages allocated
 */
struct pagerange {
	struct mm_struct *mm;
	struct mem_cgroup *memcg;
	pid_t pid;
	struct list_head node;
	struct rcu_head rcu;

	struct mutex insert_lock;	/* outermost; see above */

	spinlock_t lock;		/* protects everything below */
	struct pagerange_page **slots;
	unsigned long nr_pages;
	int nid;
	unsigned long vma_addr;
	struct vm_area_struct *vma;
	unsigned int nr_copying;
	unsigned long nr_present;
	unsigned long nr_reclaimable;
	u64 nr_reclaimed;
	u64 nr_allocated;
};

#define CREATE_TRACE_POINTS
#include "pagerange_trace.h"

/*
 * Pages are zeroed for the user, charged to the range's memory cgroup (see
 * pagerange_charge_begin()), and may come from highmem: the kernel only
 * reaches them through kmap_local_page(). User space asks for them, so
 * running out is its ENOMEM: reclaim is tried (our own shrinker included)
 * but neither the OOM killer nor the memcg OOM killer is invoked on its
 * behalf, and the kernel log gets no warning. The same holds for the
 * &struct pagerange_page of each page, whose cache is SLAB_ACCOUNT.
 */
#define PAGERANGE_GFP	(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT | \
			 __GFP_RETRY_MAYFAIL | __GFP_NOWARN)
#define PAGERANGE_PAGE_GFP	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/*
 * Fails page allocations on demand, so that the all-or-nothing paths can be
 * tested mid-span. Exposed as pagerange/fail_alloc in debugfs.
 */
#ifdef CONFIG_FAULT_INJECTION
static DECLARE_FAULT_ATTR(pagerange_fail_alloc);

static bool pagerange_should_fail_alloc(void)
{
	return should_fail(&pagerange_fail_alloc, PAGE_SIZE);
}
#else
static bool pagerange_should_fail_alloc(void)
{
	return false;
}
#endif

/*
 * The most pages the shrinker takes from one range under one set of locks
 * and zaps with one call. One zap flushes the TLB once, so longer runs cost
 * less per page, up to a point: x86 invalidates a range of up to 33 pages
 * (tlb_single_page_flush_ceiling) entry by entry and flushes the mm's whole
 * TLB beyond that, which would also cost the owner the entries of the pages
 * it is using. 32 keeps the flush to the pages taken; the README's
 * Performance section has the measurements. It also bounds how long
 * insert_lock and the mmap read lock are held.
 */
#define PAGERANGE_RECLAIM_BATCH	32UL

/*
 * The most pages allocated together, whose entries come from one bulk
 * slab allocation (an array of as many pointers on the stack).
 */
#define PAGERANGE_ALLOC_BATCH	32UL

static struct list_lru pagerange_lru;
static struct shrinker *pagerange_shrinker;
static struct kmem_cache *pagerange_page_cache;
static struct kmem_cache *pagerange_range_cache;
/*
 * Set once the list_lru is initialised: before 6.7 the shrinker is
 * registered first and may be called before (see pagerange_compat.h).
 */
static bool pagerange_lru_ready;

static DEFINE_MUTEX(pagerange_list_lock);
static LIST_HEAD(pagerange_list);	/* protected by pagerange_list_lock */

/* Pages that exist now, and those reserved for allocations in progress. */
static atomic_long_t pagerange_nr_pages;

/*
 * The most pages all ranges together may hold, 0 for no limit beyond the
 * memory cgroups'. Read once per batch of pages allocated; may change at
 * any time.
 */
static unsigned long pagerange_max_pages;
module_param_named(max_pages, pagerange_max_pages, ulong, 0644);
MODULE_PARM_DESC(max_pages,
		 "Most pages all ranges together may hold; 0 for no limit (default)");

static atomic_long_t pagerange_nr_reclaimed;	/* freed by the shrinker */
static atomic_long_t pagerange_nr_scans;
static atomic_long_t pagerange_nr_skips;
static atomic_long_t pagerange_nr_rotated;
static atomic_long_t pagerange_nr_ranges;

static unsigned long pagerange_slot_addr(struct pagerange *range,
					 unsigned long index)
{
	return range->vma_addr + (index << PAGE_SHIFT);
}

static bool pagerange_page_reclaimable(struct pagerange_page *pp)
{
	return !list_empty(&pp->lru);
}

/*
 * Release insert_lock from a path that does not own the range. The owner
 * frees the range right after taking insert_lock, but mutex_unlock() may
 * still touch the mutex after a waiter has been handed it; the range is
 * freed after an RCU grace period, so holding the RCU read lock keeps it
 * valid.
 */
static void pagerange_insert_unlock(struct pagerange *range)
{
	rcu_read_lock();
	mutex_unlock(&range->insert_lock);
	rcu_read_unlock();
}

/*
 * Charge what is allocated until pagerange_charge_end() to the range's
 * memory cgroup, whoever allocates it: a remote writer's USE_RANGE charges
 * the owner, as a page fault charges an anonymous page to the cgroup of
 * the mm it is mapped into, not to the task that touched it. Returns what
 * to hand pagerange_charge_end().
 */
static struct mem_cgroup *pagerange_charge_begin(struct pagerange *range)
{
	return set_active_memcg(range->memcg);
}

static void pagerange_charge_end(struct mem_cgroup *old)
{
	set_active_memcg(old);
}

/*
 * Count @count pages against pagerange_max_pages before allocating them.
 * Each caller reserves a batch at a time, and one whose batch would pass
 * the limit takes it back: near the limit, concurrent callers may all get
 * ENOMEM, even one whose batch alone would have fitted. The count never
 * stays above the limit.
 */
static bool pagerange_reserve_pages(unsigned long count)
{
	unsigned long max = READ_ONCE(pagerange_max_pages);

	if (atomic_long_add_return(count, &pagerange_nr_pages) <= max || !max)
		return true;
	atomic_long_sub(count, &pagerange_nr_pages);
	return false;
}

/*
 * Free the pages of a list of &struct pagerange_page linked by ->lru, and
 * the list's entries in bulk, a shrinker run's worth at a time: they were
 * mostly allocated together, so most of a bulk free goes to one slab.
 */
static void pagerange_free_pages(struct list_head *pages)
{
	struct pagerange_page *pp, *next;
	void *batch[PAGERANGE_RECLAIM_BATCH];
	size_t n = 0;
	long freed = 0;

	list_for_each_entry_safe(pp, next, pages, lru) {
		__free_page(pp->page);
		batch[n++] = pp;
		if (n == ARRAY_SIZE(batch)) {
			kmem_cache_free_bulk(pagerange_page_cache, n, batch);
			freed += n;
			n = 0;
		}
	}
	if (n)
		kmem_cache_free_bulk(pagerange_page_cache, n, batch);
	atomic_long_sub(freed + n, &pagerange_nr_pages);
	INIT_LIST_HEAD(pages);
}

/*
 * A zeroed page for @range, preferably on its node.
 *
 * __GFP_ZERO cleared the page through the kernel's mapping, and it is
 * about to be mapped to user space as a special PTE, for which the mm core
 * does no cache maintenance (32-bit ARM skips __sync_icache_dcache() for
 * pte_special()). On a CPU whose data cache can alias, the user could read
 * the page's old contents through its own mapping: write the zeroes back
 * now. A no-op on x86 and arm64.
 */
static struct page *pagerange_alloc_zeroed(struct pagerange *range)
{
	struct page *page;

	if (pagerange_should_fail_alloc())
		return NULL;
	page = alloc_pages_node(range->nid, PAGERANGE_GFP, 0);
	if (page)
		flush_dcache_page(page);
	return page;
}

/*
 * @pp, or an entry on node @nid in its place. list_lru files an item under
 * the node its memory lives on, and that must be the page's node for the
 * page to be reclaimed under pressure on the node it occupies. A bulk
 * allocation takes entries from the local CPU's slabs, which are on the
 * page's node unless the range prefers another node or the page came from
 * elsewhere. The exchange is worth no reclaim: if node @nid cannot spare a
 * slab page at once, @pp stays and the page is filed under @pp's node.
 * (KFENCE, which samples allocations from a pool of its own, leaves
 * __GFP_THISNODE ones to the slab on every kernel supported.)
 */
static struct pagerange_page *pagerange_entry_on_node(struct pagerange_page *pp,
						      int nid)
{
	struct pagerange_page *local;

	if (page_to_nid(virt_to_page(pp)) == nid)
		return pp;
	local = kmem_cache_alloc_node(pagerange_page_cache,
				      GFP_KERNEL | __GFP_THISNODE |
				      __GFP_NORETRY | __GFP_NOWARN, nid);
	if (!local)
		return pp;
	kmem_cache_free(pagerange_page_cache, pp);
	return local;
}

/*
 * Allocate @count pages, at most PAGERANGE_ALLOC_BATCH, onto @pages: their
 * entries with one bulk allocation, which enters the slab allocator once
 * for the batch rather than once a page, then the pages one by one. On
 * failure @pages keeps those allocated, and the rest are no longer
 * reserved. A task that has been killed stops at once: the OOM killer
 * gives its victim access to the memory reserves, which a large span would
 * otherwise drain for nothing.
 */
static int pagerange_alloc_batch(struct pagerange *range,
				 struct list_head *pages, unsigned long count)
{
	void *entries[PAGERANGE_ALLOC_BATCH];
	struct pagerange_page *pp;
	struct page *page;
	unsigned long i;
	int ret;

	if (fatal_signal_pending(current))
		return -EINTR;
	if (!pagerange_reserve_pages(count))
		return -ENOMEM;
	/*
	 * All or nothing: the count (6.1, 6.12) or true (7.2), else 0. On
	 * 6.1, a failure part-way leaves the memory cgroup charged for the
	 * entries it did not hand out, as with every SLAB_ACCOUNT bulk user.
	 */
	if (!kmem_cache_alloc_bulk(pagerange_page_cache, PAGERANGE_PAGE_GFP,
				   count, entries)) {
		atomic_long_sub(count, &pagerange_nr_pages);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		ret = -EINTR;
		if (fatal_signal_pending(current))
			goto fail;
		ret = -ENOMEM;
		page = pagerange_alloc_zeroed(range);
		if (!page)
			goto fail;
		pp = pagerange_entry_on_node(entries[i], page_to_nid(page));
		pp->page = page;
		pp->range = range;
		list_add_tail(&pp->lru, pages);
	}
	return 0;

fail:
	kmem_cache_free_bulk(pagerange_page_cache, count - i, entries + i);
	atomic_long_sub(count - i, &pagerange_nr_pages);
	return ret;
}

/*
 * Allocate @count pages onto @pages, a list of &struct pagerange_page, a
 * batch at a time, charged to the range's memory cgroup. On failure @pages
 * keeps those allocated.
 */
static int pagerange_alloc_pages(struct pagerange *range,
				 struct list_head *pages, unsigned long count)
{
	struct mem_cgroup *old = pagerange_charge_begin(range);
	unsigned long batch;
	int ret = 0;

	while (count && !ret) {
		batch = min(count, PAGERANGE_ALLOC_BATCH);
		ret = pagerange_alloc_batch(range, pages, batch);
		count -= batch;
	}
	pagerange_charge_end(old);
	return ret;
}

/*
 * ENXIO before the vma is attached; ESRCH once it is closed, or once the
 * owner's mm has no user left: the vma then stays until exit_mmap() closes
 * it, which may run late, from the work mmput_async() queued.
 */
static int pagerange_check_attached_locked(struct pagerange *range)
{
	lockdep_assert_held(&range->lock);

	if (!range->nr_pages)
		return -ENXIO;
	if (!range->vma || !atomic_read(&range->mm->mm_users))
		return -ESRCH;
	return 0;
}

/* As pagerange_check_attached_locked(), then EINVAL for a span past the end. */
static int pagerange_check_span_locked(struct pagerange *range,
				       u64 first, u64 last)
{
	int ret = pagerange_check_attached_locked(range);

	if (!ret && last > range->nr_pages)
		ret = -EINVAL;
	return ret;
}

static unsigned long pagerange_count_missing_locked(struct pagerange *range,
						    u64 first, u64 last)
{
	unsigned long missing = 0;
	u64 i;

	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++)
		missing += !range->slots[i];
	return missing;
}

/*
 * Make the present pages of a span in use. Called once every page of the
 * span is present: the fast path of pagerange_use() and its commit step.
 */
static void pagerange_mark_in_use_locked(struct pagerange *range,
					 u64 first, u64 last)
{
	struct pagerange_page *pp;
	u64 i;

	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++) {
		pp = range->slots[i];
		if (pagerange_page_reclaimable(pp)) {
			pagerange_lru_del(&pagerange_lru, &pp->lru);
			range->nr_reclaimable--;
		}
	}
}

/*
 * Undo the first @count insertions of pagerange_insert_missing(): zap the
 * PTEs (which flushes the TLB) before the caller frees the pages.
 */
static void pagerange_zap_inserted(struct pagerange *range,
				   struct vm_area_struct *vma,
				   u64 first, unsigned long count)
{
	u64 i;

	for (i = first; count; i++) {
		if (range->slots[i])
			continue;
		pagerange_zap_ptes(vma, pagerange_slot_addr(range, i),
				   PAGE_SIZE);
		count--;
	}
}

/*
 * Map a page from @pool at every free slot of the span, in slot order,
 * moving the pages to @inserted in the same order. Nothing is published
 * in the slots yet; on failure the PTEs inserted so far are zapped and the
 * pages are back on @pool.
 */
static int pagerange_insert_missing(struct pagerange *range,
				    struct vm_area_struct *vma,
				    u64 first, u64 last,
				    struct list_head *pool,
				    struct list_head *inserted)
{
	struct pagerange_page *pp;
	unsigned long count = 0;
	vm_fault_t vmf;
	u64 i;

	lockdep_assert_held(&range->insert_lock);
	/*
	 * Not mmap_assert_locked(): with CONFIG_DEBUG_VM it needs dump_mm(),
	 * which 6.1 does not export to modules.
	 */
	lockdep_assert_held(&range->mm->mmap_lock);

	for (i = first; i < last; i++) {
		if (range->slots[i])
			continue;
		pp = list_first_entry(pool, struct pagerange_page, lru);
		/*
		 * A free slot never has a PTE (insert_lock orders us against
		 * the shrinker's zap), so this cannot hit vmf_insert_pfn()'s
		 * silent "already mapped" success.
		 */
		vmf = vmf_insert_pfn(vma, pagerange_slot_addr(range, i),
				     page_to_pfn(pp->page));
		if (vmf != VM_FAULT_NOPAGE) {
			pagerange_zap_inserted(range, vma, first, count);
			list_splice_init(inserted, pool);
			return vmf == VM_FAULT_OOM ? -ENOMEM : -EFAULT;
		}
		list_move_tail(&pp->lru, inserted);
		count++;
	}
	return 0;
}

/*
 * Publish the pages of @inserted in the free slots of the span; all in use.
 * From now on they count in the owner's RSS, until their PTEs are gone.
 */
static void pagerange_commit_locked(struct pagerange *range,
				    u64 first, u64 last,
				    struct list_head *inserted)
{
	struct pagerange_page *pp;
	unsigned long count = 0;
	u64 i;

	lockdep_assert_held(&range->insert_lock);
	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++) {
		if (range->slots[i])
			continue;
		pp = list_first_entry(inserted, struct pagerange_page, lru);
		list_del_init(&pp->lru);
		pp->index = i;
		range->slots[i] = pp;
		count++;
		trace_pagerange_insert(range, i, pp->page);
	}
	range->nr_present += count;
	range->nr_allocated += count;
	pagerange_add_rss(range->mm, count);
	pagerange_mark_in_use_locked(range, first, last);
}

/*
 * The slow path of pagerange_use(): map the missing pages of the span. With
 * insert_lock held no page can appear or disappear, and with the mmap read
 * lock held the vma cannot be closed, so the span counted here is the span
 * committed.
 */
static int pagerange_populate(struct pagerange *range, u64 first, u64 last,
			      struct list_head *pool, unsigned long pooled,
			      u64 *nr_allocated)
{
	struct mm_struct *mm = range->mm;
	struct vm_area_struct *vma;
	unsigned long missing = 0;
	struct mem_cgroup *old;
	LIST_HEAD(inserted);
	int ret;

	if (mutex_lock_killable(&range->insert_lock))
		return -EINTR;
	/*
	 * The caller may be a remote writer. If it dropped the last reference
	 * to the owner's mm with mmput(), it would run exit_mmap() itself and
	 * could deadlock against an owner that waits for it: mmput_async().
	 */
	ret = -ESRCH;
	if (!mmget_not_zero(mm))
		goto out_unlock;
	ret = -EINTR;
	if (mmap_read_lock_killable(mm))
		goto out_mmput;

	spin_lock(&range->lock);
	vma = range->vma;
	ret = pagerange_check_span_locked(range, first, last);
	if (!ret)
		missing = pagerange_count_missing_locked(range, first, last);
	spin_unlock(&range->lock);
	if (ret)
		goto out_mmap_unlock;

	/* munmap() may have taken the vma out of the tree and not closed it yet. */
	ret = -ESRCH;
	if (vma_lookup(mm, range->vma_addr) != vma)
		goto out_mmap_unlock;

	/* The pool was sized before the locks; reclaim may have taken more since. */
	if (missing > pooled)
		ret = pagerange_alloc_pages(range, pool, missing - pooled);
	else
		ret = 0;
	if (ret)
		goto out_mmap_unlock;

	/* The page tables the inserts allocate are the owner's too. */
	old = pagerange_charge_begin(range);
	ret = pagerange_insert_missing(range, vma, first, last, pool,
				       &inserted);
	pagerange_charge_end(old);
	if (ret)
		goto out_mmap_unlock;

	spin_lock(&range->lock);
	pagerange_commit_locked(range, first, last, &inserted);
	spin_unlock(&range->lock);
	*nr_allocated = missing;

out_mmap_unlock:
	mmap_read_unlock(mm);
out_mmput:
	mmput_async(mm);
out_unlock:
	mutex_unlock(&range->insert_lock);
	return ret;
}

/**
 * pagerange_use() - make every page of a span in use
 * @range: the range
 * @first: first page index
 * @last: one past the last page index
 * @nr_allocated: out: how many pages had to be allocated (and read as zero)
 *
 * Reclaimable pages are taken off the list_lru. Missing pages are allocated
 * outside every lock, then mapped under insert_lock and the owner's mmap
 * read lock, once per call. All or nothing: on failure no page of the span
 * is in use that was not before.
 *
 * Context: Process context; may sleep. Takes insert_lock, the owner's
 * mmap_lock and range->lock.
 * Return: 0, -EINVAL if @first is past @last, -ENXIO before attach, -ESRCH
 * once the vma or the owner's mm is gone, -EINVAL past the end, -ENOMEM, or
 * -EINTR on a fatal signal.
 */
int pagerange_use(struct pagerange *range, u64 first, u64 last,
		  u64 *nr_allocated)
{
	unsigned long missing = 0;
	LIST_HEAD(pool);
	int ret;

	*nr_allocated = 0;
	if (first > last)
		return -EINVAL;

	spin_lock(&range->lock);
	ret = pagerange_check_span_locked(range, first, last);
	if (!ret)
		missing = pagerange_count_missing_locked(range, first, last);
	if (!ret && !missing)
		pagerange_mark_in_use_locked(range, first, last);
	spin_unlock(&range->lock);

	if (!ret && missing) {
		ret = pagerange_alloc_pages(range, &pool, missing);
		if (!ret)
			ret = pagerange_populate(range, first, last, &pool,
						 missing, nr_allocated);
		pagerange_free_pages(&pool);
	}
	trace_pagerange_use(range, first, last, *nr_allocated, ret);
	return ret;
}

/**
 * pagerange_stop_using() - make in-use pages reclaimable
 * @range: the range
 * @first: first page index
 * @last: one past the last page index
 * @nr_stopped: out: how many pages went from in use to reclaimable
 *
 * Pages stay mapped and keep their contents until the shrinker takes them.
 * Pages that are free or already reclaimable are left alone.
 *
 * Context: Any context but hard irq; takes range->lock.
 * Return: 0, -EINVAL if @first is past @last, -ENXIO before attach, -ESRCH
 * once the vma or the owner's mm is gone, or -EINVAL past the end.
 */
int pagerange_stop_using(struct pagerange *range, u64 first, u64 last,
			 u64 *nr_stopped)
{
	struct pagerange_page *pp;
	u64 i;
	int ret;

	*nr_stopped = 0;
	if (first > last)
		return -EINVAL;

	spin_lock(&range->lock);
	ret = pagerange_check_span_locked(range, first, last);
	/*
	 * Backwards, so that the list_lru, which is walked from its head, gives
	 * up the highest pages first: the low ones are the likeliest reused.
	 */
	for (i = last; !ret && i > first; i--) {
		pp = range->slots[i - 1];
		if (!pp || pagerange_page_reclaimable(pp))
			continue;
		pagerange_lru_add(&pagerange_lru, &pp->lru);
		range->nr_reclaimable++;
		(*nr_stopped)++;
	}
	spin_unlock(&range->lock);
	trace_pagerange_stop(range, first, last, *nr_stopped, ret);
	return ret;
}

/*
 * Check that every page under [@offset, @end) is in use and hold the
 * shrinker off the range until pagerange_io_end(). Returns the first page
 * index through @first.
 */
static int pagerange_io_begin(struct pagerange *range, u64 offset, u64 end,
			      u64 *first)
{
	u64 last = DIV_ROUND_UP_ULL(end, PAGE_SIZE);
	struct pagerange_page *pp;
	int ret;
	u64 i;

	*first = offset >> PAGE_SHIFT;

	spin_lock(&range->lock);
	ret = pagerange_check_attached_locked(range);
	if (!ret && end > (u64)range->nr_pages << PAGE_SHIFT)
		ret = -EINVAL;
	for (i = *first; !ret && end > offset && i < last; i++) {
		pp = range->slots[i];
		if (!pp || pagerange_page_reclaimable(pp))
			ret = -ENOENT;
	}
	if (!ret)
		range->nr_copying++;
	spin_unlock(&range->lock);
	return ret;
}

static void pagerange_io_end(struct pagerange *range)
{
	spin_lock(&range->lock);
	range->nr_copying--;
	spin_unlock(&range->lock);
}

/* Returns the number of bytes not copied. */
static size_t pagerange_io_page(struct page *page, enum pagerange_io_op op,
				size_t offset, size_t len, void __user *buf)
{
	void *kaddr = kmap_local_page(page) + offset;
	size_t left = 0;

	switch (op) {
	case PAGERANGE_IO_WRITE:
		left = copy_from_user(kaddr, buf, len);
		break;
	case PAGERANGE_IO_READ:
		left = copy_to_user(buf, kaddr, len);
		break;
	case PAGERANGE_IO_ZERO:
		memset(kaddr, 0, len);
		break;
	}
	kunmap_local(kaddr);
	if (op != PAGERANGE_IO_READ)
		flush_dcache_page(page);
	return left;
}

/**
 * pagerange_io() - copy into, out of, or clear bytes of in-use pages
 * @range: the range
 * @op: what to do
 * @offset: byte offset into the range
 * @len: number of bytes; 0 does nothing (after the state checks)
 * @buf: the user buffer; unused for %PAGERANGE_IO_ZERO
 *
 * Every page touched must be in use, or nothing is copied. The caller need
 * not be the owner. The shrinker skips the range during the copy, so a
 * concurrent pagerange_stop_using() cannot get a page freed under it: the
 * copy may land in a page that is reclaimable by then, never in a freed one.
 * The slots of in-use pages are stable without range->lock for the same
 * reason: only the shrinker and pagerange_destroy() empty a slot.
 *
 * Context: Process context; may fault on @buf and sleep.
 * Return: 0, -EINVAL if @offset + @len overflows, -ENXIO, -ESRCH, -EINVAL
 * past the end, -ENOENT if a page is not in use, or -EFAULT if @buf faults
 * (some bytes may have been copied).
 */
int pagerange_io(struct pagerange *range, enum pagerange_io_op op,
		 u64 offset, u64 len, void __user *buf)
{
	size_t in_page = offset_in_page(offset);
	size_t chunk;
	u64 index, end;
	int ret;

	if (check_add_overflow(offset, len, &end))
		return -EINVAL;
	ret = pagerange_io_begin(range, offset, end, &index);
	if (ret)
		return ret;

	for (; len; len -= chunk, index++, in_page = 0) {
		chunk = min_t(u64, len, PAGE_SIZE - in_page);
		if (pagerange_io_page(range->slots[index]->page, op, in_page,
				      chunk, buf)) {
			ret = -EFAULT;
			break;
		}
		if (buf)
			buf += chunk;
	}

	pagerange_io_end(range);
	return ret;
}

/**
 * pagerange_get_stats() - snapshot the counters of one range
 * @range: the range
 * @stats: out
 *
 * Context: Any context but hard irq; takes range->lock.
 */
void pagerange_get_stats(struct pagerange *range,
			 struct pagerange_stats *stats)
{
	spin_lock(&range->lock);
	stats->nr_pages = range->nr_pages;
	stats->present = range->nr_present;
	stats->in_use = range->nr_present - range->nr_reclaimable;
	stats->reclaimable = range->nr_reclaimable;
	stats->reclaimed = range->nr_reclaimed;
	stats->allocated = range->nr_allocated;
	spin_unlock(&range->lock);
}

/* One shrinker scan: the list_lru walk's budget and what it freed besides. */
struct pagerange_walk {
	unsigned long nr_to_walk;	/* decremented by the walk and by runs */
	unsigned long nr_freed_extra;	/* pages freed past the walk's count */
};

/* Whether @item is the list_lru entry of the page in slot @index. */
static bool pagerange_slot_is(struct pagerange *range, unsigned long index,
			      struct list_head *item)
{
	struct pagerange_page *pp = range->slots[index];

	return pp && item == &pp->lru;
}

/*
 * Grow the run [*lo, *hi), which holds the slot being isolated, by the
 * items that follow it on the list_lru for as long as each is the slot
 * just below or just above the run: the items the walk would visit next,
 * in its order (after items it skipped, which it visits again first when
 * it restarts). STOP_USING_RANGE queues a span's pages in a row, highest
 * first, so a stopped span comes back as runs. Items are only compared by
 * address, never followed into another range; the list_lru lock keeps the
 * list still, and range->lock keeps the slots reclaimable. Returns the
 * slots added.
 */
static unsigned long pagerange_grow_run(struct pagerange *range,
					struct list_head *item,
					unsigned long *lo, unsigned long *hi,
					unsigned long budget)
{
	struct list_head *next = item->next;
	unsigned long added;

	lockdep_assert_held(&range->lock);

	for (added = 0; added < budget; added++, next = next->next) {
		if (*lo && pagerange_slot_is(range, *lo - 1, next))
			(*lo)--;
		else if (*hi < range->nr_pages &&
			 pagerange_slot_is(range, *hi, next))
			(*hi)++;
		else
			break;
	}
	return added;
}

/*
 * Empty the slots of the run [@lo, @hi), whose pages are reclaimable, onto
 * @pages. The slot at @isolated has been isolated by the walk already; the
 * others are still on the list_lru, whose lock the caller has dropped.
 */
static void pagerange_take_run_locked(struct pagerange *range,
				      unsigned long lo, unsigned long hi,
				      unsigned long isolated,
				      struct list_head *pages)
{
	struct pagerange_page *pp;
	unsigned long i;

	lockdep_assert_held(&range->lock);

	for (i = hi; i-- > lo;) {
		pp = range->slots[i];
		if (i != isolated)
			pagerange_lru_del(&pagerange_lru, &pp->lru);
		trace_pagerange_isolate(range, i, pp->page);
		list_add_tail(&pp->lru, pages);
		range->slots[i] = NULL;
	}
	range->nr_present -= hi - lo;
	range->nr_reclaimable -= hi - lo;
	range->nr_reclaimed += hi - lo;
}

/* Drop what pagerange_isolate() took: the mmap read lock if any, insert_lock. */
static void pagerange_reclaim_unlock(struct pagerange *range,
				     struct mm_struct *mm)
{
	if (mm) {
		mmap_read_unlock(mm);
		mmput_async(mm);
	}
	pagerange_insert_unlock(range);
}

/*
 * Count a page the shrinker could not take and trace why, and whether it
 * was rotated to the tail of its list or left in place.
 */
static void pagerange_count_skip(struct pagerange *range, unsigned long index,
				 enum pagerange_skip_reason why, bool rotated)
{
	trace_pagerange_skip(range, index, why, rotated);
	atomic_long_inc(&pagerange_nr_skips);
	if (rotated)
		atomic_long_inc(&pagerange_nr_rotated);
}

/*
 * Take the page of a reclaimable slot, and the run of its range's pages
 * that follows it on the list_lru, with the list_lru lock held. Every lock
 * is a trylock (see the lock order at the top). Once the item is isolated,
 * the list_lru lock is dropped to take the rest of the run off it and zap
 * it; the range stays alive until insert_lock is dropped, because
 * pagerange_destroy() waits for it, and no page of the run can be mapped
 * again before the zap because the slots are free and inserting needs
 * insert_lock. A page that cannot be taken stays on the list, whose lock
 * then keeps the range alive (pagerange_destroy() must take it to delete
 * the page).
 */
static enum lru_status pagerange_isolate(struct list_head *item,
					 struct list_lru_one *list,
					 spinlock_t *lru_lock, void *arg)
	__must_hold(lru_lock)
{
	struct pagerange_page *pp =
		container_of(item, struct pagerange_page, lru);
	struct pagerange *range = pp->range;
	unsigned long index = pp->index;
	unsigned long lo = index, hi = index + 1;
	struct pagerange_walk *walk = arg;
	enum pagerange_skip_reason why;
	struct vm_area_struct *vma = NULL;
	struct mm_struct *mm = NULL;
	LIST_HEAD(pages);

	why = PAGERANGE_SKIP_INSERT_LOCK;
	if (!mutex_trylock(&range->insert_lock))
		goto skip;
	if (mmget_not_zero(range->mm)) {
		why = PAGERANGE_SKIP_MMAP_LOCK;
		if (!mmap_read_trylock(range->mm)) {
			mmput_async(range->mm);
			goto skip_insert_unlock;
		}
		mm = range->mm;
	}
	why = PAGERANGE_SKIP_RANGE_LOCK;
	if (!spin_trylock(&range->lock))
		goto skip_mm;
	/* From here on, what keeps the range busy lasts: rotate. */
	why = PAGERANGE_SKIP_COPYING;
	if (range->nr_copying)
		goto rotate;
	if (range->vma) {
		/*
		 * Still attached: zap under the mmap read lock, and only if the
		 * vma is still in the tree. If it is not, munmap() is between
		 * unlinking it and zapping it; wait until it has closed it.
		 */
		why = PAGERANGE_SKIP_MM_EXITING;
		if (!mm)
			goto rotate;
		why = PAGERANGE_SKIP_UNMAPPING;
		if (vma_lookup(mm, range->vma_addr) != range->vma)
			goto rotate;
		vma = range->vma;
	}

	walk->nr_to_walk -= pagerange_grow_run(range, item, &lo, &hi,
					       min(walk->nr_to_walk,
						   PAGERANGE_RECLAIM_BATCH - 1));
	list_lru_isolate(list, item);
	spin_unlock(lru_lock);
	/* The list_lru lock is taken again, in order, for the rest of the run. */
	pagerange_take_run_locked(range, lo, hi, index, &pages);
	spin_unlock(&range->lock);

	if (vma) {
		pagerange_zap_ptes(vma, pagerange_slot_addr(range, lo),
				   (hi - lo) << PAGE_SHIFT);
		pagerange_add_rss(mm, -(long)(hi - lo));
	}
	/* Last use of the range: it may be freed once insert_lock is dropped. */
	trace_pagerange_free(range, lo, hi, !!vma);
	pagerange_reclaim_unlock(range, mm);
	/* No PTE maps them and the TLB has been flushed. */
	pagerange_free_pages(&pages);
	pagerange_account_reclaimed(hi - lo);
	atomic_long_add(hi - lo, &pagerange_nr_reclaimed);
	walk->nr_freed_extra += hi - lo - 1;
	return pagerange_lru_removed(lru_lock);

rotate:
	spin_unlock(&range->lock);
	pagerange_reclaim_unlock(range, mm);
	pagerange_count_skip(range, index, why, true);
	return LRU_ROTATE;

skip_mm:
	if (mm) {
		mmap_read_unlock(mm);
		mmput_async(mm);
	}
skip_insert_unlock:
	mutex_unlock(&range->insert_lock);
skip:
	pagerange_count_skip(range, index, why, false);
	return LRU_SKIP;
}

/* Whether the shrinker may use the list_lru yet; see pagerange_lru_ready. */
static bool pagerange_lru_is_ready(void)
{
	/* Pairs with the release in pagerange_core_init(). */
	return smp_load_acquire(&pagerange_lru_ready);
}

PAGERANGE_LRU_WALK_CB(pagerange_lru_walk_cb, pagerange_isolate)

static unsigned long pagerange_shrink_count(struct shrinker *shrinker,
					    struct shrink_control *sc)
{
	if (!pagerange_lru_is_ready())
		return 0;
	return list_lru_shrink_count(&pagerange_lru, sc);
}

static unsigned long pagerange_shrink_scan(struct shrinker *shrinker,
					   struct shrink_control *sc)
{
	struct pagerange_walk walk = { .nr_to_walk = sc->nr_to_scan };
	unsigned long freed;

	if (!pagerange_lru_is_ready())
		return SHRINK_STOP;
	atomic_long_inc(&pagerange_nr_scans);
	freed = list_lru_walk_one(&pagerange_lru, sc->nid, sc->memcg,
				  pagerange_lru_walk_cb, &walk, &walk.nr_to_walk);
	return freed + walk.nr_freed_extra;
}

static void pagerange_free_range_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(pagerange_range_cache,
			container_of(rcu, struct pagerange, rcu));
}

/**
 * pagerange_create() - create an empty range bound to an mm
 * @mm: the mm whose mapping the range will back
 * @pid: thread-group id to show in debugfs
 * @nid: node to allocate the range's pages on by preference, or
 *	%NUMA_NO_NODE for the node the caller of pagerange_attach() runs on
 *
 * The range is charged to the memory cgroup of @mm, and so is everything
 * allocated for it later, whoever allocates it. It keeps that cgroup for
 * its life: if the owner moves to another cgroup, the range and its pages
 * stay charged where they were, as the kernel leaves the charges of a
 * task's memory behind when the task moves (cgroup v2). If that cgroup is
 * removed, its charges and the range's list_lru entries go to its parent,
 * and so do later ones.
 *
 * Context: Process context; may sleep.
 * Return: the range, or an ERR_PTR(): -ESRCH without an mm, -ENOMEM.
 */
struct pagerange *pagerange_create(struct mm_struct *mm, pid_t pid, int nid)
{
	struct mem_cgroup *memcg, *old;
	struct pagerange *range;

	if (!mm)
		return ERR_PTR(-ESRCH);

	/*
	 * Allocated with the list_lru: that creates the cgroup's lists (and
	 * its ancestors') in it before the first page is added, which 6.1 to
	 * 6.12 do not do on their own (adding to a missing list there
	 * dereferences NULL).
	 */
	memcg = get_mem_cgroup_from_mm(mm);
	old = set_active_memcg(memcg);
	range = kmem_cache_alloc_lru(pagerange_range_cache, &pagerange_lru,
				     GFP_KERNEL | __GFP_ZERO);
	set_active_memcg(old);
	if (!range) {
		mem_cgroup_put(memcg);
		return ERR_PTR(-ENOMEM);
	}

	mmgrab(mm);
	range->mm = mm;
	range->memcg = memcg;
	range->pid = pid;
	range->nid = nid;
	mutex_init(&range->insert_lock);
	spin_lock_init(&range->lock);

	mutex_lock(&pagerange_list_lock);
	list_add_tail(&range->node, &pagerange_list);
	atomic_long_inc(&pagerange_nr_ranges);
	mutex_unlock(&pagerange_list_lock);
	return range;
}

/**
 * pagerange_destroy() - free a range and every page it holds
 * @range: the range; its vma must be gone
 *
 * Waits for a shrinker that has isolated one of the range's pages. The vma
 * is gone, so no PTE maps any page left.
 *
 * Context: Process context; may sleep.
 */
void pagerange_destroy(struct pagerange *range)
{
	struct pagerange_page *pp;
	LIST_HEAD(pages);
	unsigned long i;

	mutex_lock(&pagerange_list_lock);
	list_del(&range->node);
	atomic_long_dec(&pagerange_nr_ranges);
	mutex_unlock(&pagerange_list_lock);

	mutex_lock(&range->insert_lock);
	spin_lock(&range->lock);
	for (i = 0; i < range->nr_pages; i++) {
		pp = range->slots[i];
		if (!pp)
			continue;
		if (pagerange_page_reclaimable(pp))
			pagerange_lru_del(&pagerange_lru, &pp->lru);
		list_add_tail(&pp->lru, &pages);
		range->slots[i] = NULL;
	}
	range->nr_present = 0;
	range->nr_reclaimable = 0;
	spin_unlock(&range->lock);
	mutex_unlock(&range->insert_lock);

	pagerange_free_pages(&pages);
	kvfree(range->slots);
	mmdrop(range->mm);
	mem_cgroup_put(range->memcg);
	call_rcu(&range->rcu, pagerange_free_range_rcu);
}

/*
 * The range's vma is closed: by munmap(), or by exit_mmap(). Only the
 * range's own vma detaches it: a refused mremap() closes a copy. The pages
 * stay until the shrinker takes the reclaimable ones or
 * pagerange_destroy() frees them all; every call but pagerange_get_stats()
 * fails with -ESRCH from now on. The mm core has zapped their PTEs and
 * flushed the TLB, so they leave the owner's RSS.
 */
static void pagerange_vm_close(struct vm_area_struct *vma)
{
	struct pagerange *range = vma->vm_private_data;

	spin_lock(&range->lock);
	if (range->vma == vma) {
		range->vma = NULL;
		pagerange_add_rss(range->mm, -(long)range->nr_present);
	}
	spin_unlock(&range->lock);
}

/* Present pages are mapped when they are inserted; anything else is not there. */
static vm_fault_t pagerange_vm_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

/* A page is only ever mapped at one known address: no splitting... */
static int pagerange_vm_may_split(struct vm_area_struct *vma,
				  unsigned long addr)
{
	return -EINVAL;
}

/* ...and no moving. */
static int pagerange_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct vm_operations_struct pagerange_vm_ops = {
	.close = pagerange_vm_close,
	.fault = pagerange_vm_fault,
	.may_split = pagerange_vm_may_split,
	.mremap = pagerange_vm_mremap,
};

/* The vma the range may back: mmap()'s errors, in the order they are checked. */
static int pagerange_check_vma(struct pagerange *range,
			       struct vm_area_struct *vma,
			       unsigned long max_pages)
{
	unsigned long nr_pages = vma_pages(vma);

	if (vma->vm_mm != range->mm)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	if (vma->vm_pgoff)
		return -EINVAL;
	if (!nr_pages || nr_pages > min(max_pages, PAGERANGE_MAX_PAGES))
		return -EINVAL;
	if (READ_ONCE(range->nr_pages))
		return -EBUSY;
	return 0;
}

/**
 * pagerange_attach() - back a new vma with the range
 * @range: the range
 * @vma: the vma being mapped
 * @max_pages: the largest vma allowed, at most %PAGERANGE_MAX_PAGES
 *
 * Checks @vma against the range and applies the policy the range's
 * invariant rests on: VM_PFNMAP, so that pages are mapped only as special
 * PTEs, which GUP cannot pin and which carry no page reference (reclaim is
 * zap, then free); VM_DONTCOPY, VM_DONTEXPAND and vm_ops that refuse a
 * split or a move, so that every page is mapped at one known address; no
 * VM_MAYWRITE, so that the mapping can never become writable. Allocates
 * the slots. A range is attached at most once, even after its vma has
 * been closed.
 *
 * Context: Process context, from ->mmap with the mmap write lock held.
 * Return: 0; -EINVAL if @vma is not in the range's mm; -EPERM if it is
 * writable; -EINVAL if it does not start at offset 0, or is larger than
 * @max_pages; -EBUSY if the range was already attached; or -ENOMEM.
 */
int pagerange_attach(struct pagerange *range, struct vm_area_struct *vma,
		     unsigned long max_pages)
{
	unsigned long nr_pages = vma_pages(vma);
	struct pagerange_page **slots;
	struct mem_cgroup *old;
	int ret;

	ret = pagerange_check_vma(range, vma, max_pages);
	if (ret)
		return ret;

	old = pagerange_charge_begin(range);
	slots = kvzalloc_node(array_size(nr_pages, sizeof(*slots)),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN, range->nid);
	pagerange_charge_end(old);
	if (!slots)
		return -ENOMEM;

	pagerange_vm_flags_mod(vma, VM_PFNMAP | VM_IO | VM_DONTCOPY |
			       VM_DONTEXPAND | VM_DONTDUMP, VM_MAYWRITE);
	vma->vm_ops = &pagerange_vm_ops;
	vma->vm_private_data = range;

	spin_lock(&range->lock);
	if (range->nr_pages) {
		ret = -EBUSY;
	} else {
		range->slots = slots;
		range->nr_pages = nr_pages;
		if (range->nid == NUMA_NO_NODE)
			range->nid = numa_node_id();
		range->vma_addr = vma->vm_start;
		range->vma = vma;
	}
	spin_unlock(&range->lock);

	if (ret)
		kvfree(slots);
	return ret;
}

/**
 * pagerange_print_stats() - print the global counters, one per line
 * @m: the seq_file
 *
 * Context: Process context.
 */
void pagerange_print_stats(struct seq_file *m)
{
	seq_printf(m, "pages_allocated %ld\n",
		   atomic_long_read(&pagerange_nr_pages));
	seq_printf(m, "pages_reclaimable %lu\n",
		   list_lru_count(&pagerange_lru));
	seq_printf(m, "pages_reclaimed %ld\n",
		   atomic_long_read(&pagerange_nr_reclaimed));
	seq_printf(m, "shrinker_scans %ld\n",
		   atomic_long_read(&pagerange_nr_scans));
	seq_printf(m, "shrinker_skips %ld\n",
		   atomic_long_read(&pagerange_nr_skips));
	seq_printf(m, "shrinker_rotated %ld\n",
		   atomic_long_read(&pagerange_nr_rotated));
	seq_printf(m, "ranges %ld\n", atomic_long_read(&pagerange_nr_ranges));
}

/**
 * pagerange_print_ranges() - print one line per range
 * @m: the seq_file
 *
 * Context: Process context; takes pagerange_list_lock.
 */
void pagerange_print_ranges(struct seq_file *m)
{
	struct pagerange_stats stats;
	struct pagerange *range;

	seq_puts(m, "pid size_pages present in_use reclaimable\n");
	mutex_lock(&pagerange_list_lock);
	list_for_each_entry(range, &pagerange_list, node) {
		pagerange_get_stats(range, &stats);
		seq_printf(m, "%d %llu %llu %llu %llu\n", range->pid,
			   stats.nr_pages, stats.present, stats.in_use,
			   stats.reclaimable);
	}
	mutex_unlock(&pagerange_list_lock);
}

/*
 * A cache whose objects are charged to the allocating (or active) memory
 * cgroup, named after the shrinker: the KUnit module has caches of its own.
 */
static struct kmem_cache *pagerange_cache_create(const char *name,
						 const char *what,
						 unsigned int size)
{
	char cache_name[32];

	snprintf(cache_name, sizeof(cache_name), "%s_%s", name, what);
	return kmem_cache_create(cache_name, size, 0, SLAB_ACCOUNT, NULL);
}

/**
 * pagerange_core_init() - set up the caches, the list_lru and the shrinker
 * @name: the shrinker's name (in debugfs, shrinker/<name>-<id>)
 *
 * Context: Module init.
 * Return: 0 or a negative errno.
 */
int pagerange_core_init(const char *name)
{
	int ret = -ENOMEM;

	pagerange_page_cache =
		pagerange_cache_create(name, "page", sizeof(struct pagerange_page));
	if (!pagerange_page_cache)
		return ret;
	pagerange_range_cache =
		pagerange_cache_create(name, "range", sizeof(struct pagerange));
	if (!pagerange_range_cache)
		goto err_destroy_page_cache;

	pagerange_shrinker = pagerange_shrinker_alloc(SHRINKER_NUMA_AWARE |
						      SHRINKER_MEMCG_AWARE,
						      name);
	if (!pagerange_shrinker)
		goto err_destroy_range_cache;
	pagerange_shrinker->count_objects = pagerange_shrink_count;
	pagerange_shrinker->scan_objects = pagerange_shrink_scan;
	ret = pagerange_shrinker_register(pagerange_shrinker, &pagerange_lru,
					  name);
	if (ret)
		goto err_free_shrinker;
	/* The list is initialised before a callback can see it is. */
	smp_store_release(&pagerange_lru_ready, true);
	return 0;

err_free_shrinker:
	pagerange_shrinker_free(pagerange_shrinker);
err_destroy_range_cache:
	kmem_cache_destroy(pagerange_range_cache);
err_destroy_page_cache:
	kmem_cache_destroy(pagerange_page_cache);
	return ret;
}

/**
 * pagerange_core_exit() - unregister the shrinker and free the list_lru
 *
 * Every range has been destroyed: the module cannot be unloaded while a
 * file or a vma refers to it.
 *
 * Context: Module exit.
 */
void pagerange_core_exit(void)
{
	pagerange_shrinker_free(pagerange_shrinker);
	list_lru_destroy(&pagerange_lru);
	/* Ranges are freed after a grace period. */
	rcu_barrier();
	kmem_cache_destroy(pagerange_range_cache);
	kmem_cache_destroy(pagerange_page_cache);
}

/**
 * pagerange_debugfs_init_faults() - expose the fault-injection attributes
 * @dir: the driver's debugfs directory
 *
 * Adds @dir/fail_alloc, the kernel's usual fault_attr files, on kernels
 * with CONFIG_FAULT_INJECTION_DEBUG_FS.
 *
 * Context: Module init.
 */
void pagerange_debugfs_init_faults(struct dentry *dir)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_alloc", dir, &pagerange_fail_alloc);
#endif
}
