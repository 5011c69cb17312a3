// SPDX-License-Identifier: GPL-2.0
/*
 * Pages of a user mapping that are allocated on first use and, once idle,
 * given back to the system by a shrinker.
 *
 * Lock order, outermost first:
 *   range->insert_lock       (mutex: serialises the inserters of one range)
 *     mm->mmap_lock          (read; the owner's mm)
 *       range->lock          (spinlock: slot states and counters)
 *         list_lru lock      (taken inside list_lru_*())
 *
 * pagerange_list_lock (mutex: the list of ranges) is only ever taken alone
 * or just outside range->lock.
 *
 * No lock of a range may keep the shrinker from the others: reclaim is the
 * driver's one promise, and a server's ranges are busy all the time. So
 * nothing is allocated with a lock held that the shrinker needs, and the
 * shrinker needs no lock that is held for long:
 *   - USE_RANGE takes the span's reclaimable pages off the list_lru first,
 *     so that the reclaim its own allocations cause frees other pages, and
 *     then allocates what is missing with no lock held. Only then does it
 *     take insert_lock and the mmap read lock to map the pages;
 *   - the shrinker never takes insert_lock. It is called with the list_lru
 *     lock held, and takes the owner's mmap read lock with a trylock. Once
 *     it has seen the range's vma in the mm's tree, which keeps the range
 *     alive, it drops the list_lru lock and takes range->lock in order:
 *     every holder of range->lock may be waiting for the list_lru lock, so
 *     a trylock would fail for precisely the ranges that are busy. Whatever
 *     it cannot wait for (the mmap lock wanted for writing, a copy in
 *     flight, the owner's mm exiting, the vma being unmapped) rotates the
 *     page to the tail of its list (LRU_ROTATE): a page it skipped in place
 *     would be the first it met again, and one busy range would starve
 *     reclaim for every range behind it on the node.
 * An inserter and the shrinker share only the mmap read lock, so they are
 * kept apart per slot: the shrinker leaves a page it takes in its slot,
 * claimed (PAGERANGE_CLAIM_RECLAIM), until it has zapped the PTE; an
 * inserter waits for such a slot to empty, then decides once, under
 * range->lock, which free slots it fills, and publishes each page at the
 * slot it mapped it at. A free slot therefore never has a PTE, which
 * vmf_insert_pfn() would silently keep.
 *
 * The shrinker may still wait for range->lock while a call holds it for a
 * span: as long as one call of that range takes, never for a lock held
 * across an allocation, a page fault or a lock of user space's choosing.
 *
 * The invariant everything here keeps: a page is freed only after every PTE
 * that maps it is gone and the TLB has been flushed. Pages are mapped only
 * as special PTEs (vmf_insert_pfn() into a VM_PFNMAP vma), so GUP cannot take
 * a reference that would outlive the PTE, and only at one address: the vma
 * cannot be split, moved or copied. A page leaves its slot in one of two
 * ways:
 *   - the shrinker zaps its PTE (zap_special_vma_range() flushes the TLB)
 *     under the mmap read lock, having checked that the vma it zaps is the
 *     range's and is still in the mm's tree, then empties its slot and
 *     frees it. It takes a run of neighbouring pages that are next on the
 *     list_lru this way at once, with one zap and one TLB flush;
 *   - the vma is closed (munmap(), or exit_mmap() once the owner's mm has no
 *     user), and every page is freed: the mm core calls ->close only after
 *     unmapping the vma and flushing the TLB. Nothing can map or read those
 *     pages again, so they go back at once, not when the last fd is closed.
 *     A copy in flight still holds them (pagerange_io() reads the slots
 *     without a lock); the last copy to end frees them then.
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
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/uaccess.h>

#include "pagerange_core.h"

/*
 * Who holds a page that is off the list_lru without being in use for good
 * (&struct pagerange_page.claim): nobody, the shrinker, or else the ticket
 * of the USE_RANGE call in progress that took it.
 */
#define PAGERANGE_CLAIM_NONE	0U
#define PAGERANGE_CLAIM_RECLAIM	U32_MAX

/**
 * struct pagerange_page - one page of a range
 * @lru: entry in the global list_lru while the page is reclaimable, and
 *	empty otherwise. Protected by &pagerange.lock (and the list_lru
 *	lock). Before the page is published in a slot and after it has been
 *	taken out of one, it links a private list of pages to insert or to
 *	free.
 * @page: the page; immutable
 * @range: the range the page belongs to; immutable
 * @index: the slot the page is published in; set before it is published
 * @claim: %PAGERANGE_CLAIM_NONE; %PAGERANGE_CLAIM_RECLAIM while the
 *	shrinker, which took the page off the list_lru, zaps its PTE: the page
 *	is gone for every purpose but the slot's, which is not free yet; or the
 *	ticket of a USE_RANGE in progress that took the page off the list_lru
 *	(or inserted it), and puts it back on the list if it fails. Protected
 *	by &pagerange.lock
 *
 * One per page, from a slab cache, on the page's own node: list_lru files
 * an item under the node (and the memory cgroup) its memory is charged to,
 * so the page is reclaimed under pressure on the node it occupies.
 *
 * A slot's state is derived, never stored: free (no &pagerange_page, or
 * one the shrinker is taking), in use (@lru empty) or reclaimable (@lru on
 * the list_lru).
 */
struct pagerange_page {
	struct list_head lru;
	struct page *page;
	struct pagerange *range;
	u32 index;
	u32 claim;
};

/**
 * struct pagerange - a range of pages backing one user mapping
 * @mm: the mm the range is bound to (mmgrab()); immutable. Pages are
 *	charged to its memory cgroup of the moment, whoever allocates them
 * @pid: thread-group id of the opener, for debugfs; immutable
 * @node: entry in the global list of ranges; protected by the list's mutex
 * @insert_lock: serialises the callers that map new pages into the vma.
 *	Taken before the owner's mmap_lock, and never held while pages are
 *	allocated; the shrinker does not take it. Slots only change from
 *	free to present with it held.
 * @reclaim_wait: inserters waiting for the shrinker to empty a slot
 * @purge_wait: pollers of the fd, woken when the shrinker takes pages
 * @lock: protects the fields below, every page's @lru membership and its
 *	claim. Taken inside mmap_lock; the list_lru lock nests inside it.
 * @slots: one pointer per page of the vma, NULL while the slot is free;
 *	allocated when the vma is attached and freed with the pages once it
 *	is closed. A slot is filled only with @insert_lock and @lock held and
 *	emptied only with @lock held, by the shrinker or once the vma is
 *	closed; an in-use page's slot is stable while a copy is in flight
 * @nr_pages: number of slots; 0 until the vma is attached
 * @nid: the node pages are allocated on by preference: the node asked
 *	for at creation, else the node of the task that attached the vma
 * @vma_addr: start of the attached vma
 * @vma: the attached vma, or NULL before attach and after it was closed.
 *	Compared, never dereferenced, without the owner's mmap_lock.
 * @nr_copying: copies in flight into or out of in-use pages; the shrinker
 *	skips the range while it is non-zero, and the pages of a closed vma
 *	are freed when it drops to zero
 * @next_ticket: the claim of the next USE_RANGE. It wraps after 2^32
 *	calls; a claim only has to tell apart the calls in flight at once
 * @reclaim_seq: bumped each time the shrinker empties slots
 * @pages_present: slots with a page (the shrinker's claimed pages excluded)
 * @pages_reclaimable: pages on the list_lru
 * @pages_reclaimed: running total of pages the shrinker freed
 * @pages_allocated: running total of pages allocated
 * @pages_purged: running total of pages pagerange_purge() freed
 * @purged: pages the shrinker freed since pagerange_take_purged()
 * @purge_pending: the shrinker took pages since then: pollers see EPOLLPRI
 * @purge_events: running total of the shrinker's runs over the range
 * @last_purge_ns: ktime_get_ns() of the last of them
 */
struct pagerange {
	struct mm_struct *mm;
	pid_t pid;
	struct list_head node;

	struct mutex insert_lock;	/* outermost; see above */
	wait_queue_head_t reclaim_wait;
	wait_queue_head_t purge_wait;

	spinlock_t lock;		/* protects everything below */
	struct pagerange_page **slots;
	unsigned long nr_pages;
	int nid;
	unsigned long vma_addr;
	struct vm_area_struct *vma;
	unsigned int nr_copying;
	u32 next_ticket;
	unsigned long reclaim_seq;
	unsigned long pages_present;
	unsigned long pages_reclaimable;
	u64 pages_reclaimed;
	u64 pages_allocated;
	u64 pages_purged;
	u64 purged;
	bool purge_pending;
	u64 purge_events;
	u64 last_purge_ns;
};

#define CREATE_TRACE_POINTS
#include "pagerange_trace.h"

/*
 * Pages are zeroed for the user, charged to the memory cgroup of the
 * range's mm (see pagerange_charge_begin()), and may come from highmem:
 * the kernel only reaches them through kmap_local_page(). User space asks
 * for them, so running out is its ENOMEM: reclaim is tried (our own
 * shrinker included) but neither the OOM killer nor the memcg OOM killer
 * is invoked on its behalf, and the kernel log gets no warning. The same
 * holds for the &struct pagerange_page of each page, whose cache is
 * SLAB_ACCOUNT. (The page tables that map the pages are allocated by the
 * mm core, as for a page fault; see pagerange_populate().)
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
 * it is using. 32 keeps the flush to the pages taken; figure 5 of
 * tools/bench/README.md has the measurements. It also bounds how long the
 * mmap read lock is held.
 */
#define PAGERANGE_RECLAIM_BATCH	32UL

/*
 * The most pages allocated together, whose entries come from one bulk
 * slab allocation (an array of as many pointers on the stack).
 */
#define PAGERANGE_ALLOC_BATCH	32UL

/*
 * The most entries freed with one bulk call. The array is on the stack of
 * whoever frees, the shrinker included, which reclaim enters from any depth
 * of any allocation: 64 bytes, where 32 entries were 256.
 */
#define PAGERANGE_FREE_BATCH	8

static struct list_lru pagerange_lru;
static struct shrinker *pagerange_shrinker;
static struct kmem_cache *pagerange_page_cache;
static struct kmem_cache *pagerange_range_cache;
static DEFINE_MUTEX(pagerange_list_lock);
static LIST_HEAD(pagerange_list);	/* protected by pagerange_list_lock */

/*
 * The global counters, which sysfs shows (see struct pagerange_global_stats).
 * Pages that exist now, and those reserved for allocations in progress.
 */
static atomic_long_t pagerange_pages_present;

/*
 * The most pages all ranges together may hold, 0 for no limit beyond the
 * memory cgroups'. Read once per batch of pages allocated; may change at
 * any time.
 */
static unsigned long pagerange_max_pages;
module_param_named(max_pages, pagerange_max_pages, ulong, 0644);
MODULE_PARM_DESC(max_pages,
		 "Most pages all ranges together may hold; 0 for no limit (default)");

static atomic_long_t pagerange_pages_reclaimed;	/* freed by the shrinker */
static atomic_long_t pagerange_shrinker_scans;
static atomic_long_t pagerange_shrinker_skips;
static atomic_long_t pagerange_ranges;

/*
 * Add @pages to the owner's RSS. The mm core counts no page mapped by a
 * special PTE, at insert or at zap, so the driver keeps the count itself,
 * in the counter vm_insert_page() uses for such pages (MM_FILEPAGES). Not
 * with add_mm_counter(): it calls mm_trace_rss_stat(), which is not
 * exported, so the rss_stat trace event does not see the driver's changes.
 * The counter was an atomic_long_t before 6.2: an out-of-tree build for
 * such a kernel defines this wrapper, and the macro of its name, in
 * pagerange_compat.h.
 */
#ifndef pagerange_add_rss
static void pagerange_add_rss(struct mm_struct *mm, long pages)
{
	percpu_counter_add(&mm->rss_stat[MM_FILEPAGES], pages);
}
#endif

static unsigned long pagerange_slot_addr(struct pagerange *range,
					 unsigned long index)
{
	return range->vma_addr + (index << PAGE_SHIFT);
}

static bool pagerange_page_reclaimable(struct pagerange_page *pp)
{
	return !list_empty(&pp->lru);
}

/* A page the shrinker has taken, whose slot it has not emptied yet. */
static bool pagerange_page_leaving(struct pagerange_page *pp)
{
	return pp->claim == PAGERANGE_CLAIM_RECLAIM;
}

/* The page in slot @index, unless the slot is free or being emptied. */
static struct pagerange_page *pagerange_slot_page(struct pagerange *range,
						  unsigned long index)
{
	struct pagerange_page *pp = range->slots[index];

	return pp && !pagerange_page_leaving(pp) ? pp : NULL;
}

/*
 * Charge what is allocated until pagerange_charge_end() to @memcg, the
 * memory cgroup of the range's mm (pagerange_use() looks it up once per
 * call), whoever allocates it: a remote writer's USE_RANGE charges the
 * owner, as a page fault charges an anonymous page to the cgroup of the mm
 * it is mapped into, not to the task that touched it, and to the cgroup
 * the owner is in now, not the one it opened the device in. Returns what to
 * hand pagerange_charge_end().
 */
static struct mem_cgroup *pagerange_charge_begin(struct mem_cgroup *memcg)
{
	return set_active_memcg(memcg);
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

	if (atomic_long_add_return(count, &pagerange_pages_present) <= max || !max)
		return true;
	atomic_long_sub(count, &pagerange_pages_present);
	return false;
}

/*
 * Free the pages of a list of &struct pagerange_page linked by ->lru, and
 * the list's entries in bulk, PAGERANGE_FREE_BATCH at a time: they were
 * mostly allocated together, so most of a bulk free goes to one slab.
 */
static void pagerange_free_pages(struct list_head *pages)
{
	struct pagerange_page *pp, *next;
	void *batch[PAGERANGE_FREE_BATCH];
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
	atomic_long_sub(freed + n, &pagerange_pages_present);
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
 * elsewhere. The exchange is worth no reclaim at all: GFP_NOWAIT neither
 * reclaims directly nor charges a memory cgroup past its limit, so if node
 * @nid cannot spare a slab page at once, @pp stays and the page is filed
 * under @pp's node. (KFENCE, which samples allocations from a pool of its
 * own, leaves __GFP_THISNODE ones to the slab on every kernel supported.)
 */
static struct pagerange_page *pagerange_entry_on_node(struct pagerange_page *pp,
						      int nid)
{
	struct pagerange_page *local;

	/*
	 * A plain read of the slab page's flags, as list_lru_add_obj()'s own:
	 * SLUB sets and clears other bits of the word (SL_partial) with atomic
	 * bitops while it moves the slab between lists, and the node bits
	 * never change while the slab exists.
	 */
	if (data_race(page_to_nid(virt_to_page(pp))) == nid)
		return pp;
	local = kmem_cache_alloc_node(pagerange_page_cache,
				      GFP_NOWAIT | __GFP_THISNODE |
				      __GFP_NOWARN, nid);
	if (!local)
		return pp;
	kmem_cache_free(pagerange_page_cache, pp);
	return local;
}

/*
 * The entries of a batch of @count pages. The first comes from
 * kmem_cache_alloc_lru(), which creates the list_lru's lists for the memory
 * cgroup being charged (and its ancestors) if it has none yet: 6.1 to 6.12
 * dereference NULL when an item is added to a list that was never created.
 * The rest come from one bulk allocation, which enters the slab allocator
 * once for all of them, from the same cgroup.
 */
static bool pagerange_alloc_entries(void **entries, unsigned long count)
{
	entries[0] = kmem_cache_alloc_lru(pagerange_page_cache, &pagerange_lru,
					  PAGERANGE_PAGE_GFP);
	if (!entries[0])
		return false;
	/* All or nothing: the count (6.1, 6.12) or true (7.2), else 0. */
	if (count > 1 &&
	    !kmem_cache_alloc_bulk(pagerange_page_cache, PAGERANGE_PAGE_GFP,
				   count - 1, entries + 1)) {
		kmem_cache_free(pagerange_page_cache, entries[0]);
		return false;
	}
	return true;
}

/*
 * Allocate @count pages, at most PAGERANGE_ALLOC_BATCH, onto @pages. On
 * failure @pages keeps those allocated, and the rest are no longer
 * reserved. A task that has been killed stops at once: the OOM killer
 * gives its victim access to the memory reserves, which a large span would
 * otherwise drain for nothing. On 6.1, a failed bulk allocation leaves the
 * memory cgroup charged for the entries it did not hand out, as with every
 * SLAB_ACCOUNT bulk user.
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
	if (!pagerange_alloc_entries(entries, count)) {
		atomic_long_sub(count, &pagerange_pages_present);
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
		pp->claim = PAGERANGE_CLAIM_NONE;
		list_add_tail(&pp->lru, pages);
	}
	return 0;

fail:
	kmem_cache_free_bulk(pagerange_page_cache, count - i, entries + i);
	atomic_long_sub(count - i, &pagerange_pages_present);
	return ret;
}

/*
 * Allocate @count pages onto @pages, a list of &struct pagerange_page, a
 * batch at a time, charged to @memcg. On failure @pages keeps those
 * allocated.
 */
static int pagerange_alloc_pages(struct pagerange *range,
				 struct mem_cgroup *memcg,
				 struct list_head *pages, unsigned long count)
{
	struct mem_cgroup *old = pagerange_charge_begin(memcg);
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

/* A claim for one USE_RANGE call: never NONE, never RECLAIM. */
static u32 pagerange_next_ticket_locked(struct pagerange *range)
{
	lockdep_assert_held(&range->lock);

	do {
		range->next_ticket++;
	} while (range->next_ticket == PAGERANGE_CLAIM_NONE ||
		 range->next_ticket == PAGERANGE_CLAIM_RECLAIM);
	return range->next_ticket;
}

/*
 * Take the reclaimable pages of a span off the list_lru, claimed for
 * @ticket, so that neither the shrinker nor the reclaim that the caller's
 * own allocations cause can take them. Returns the slots that need a new
 * page: free ones, and those whose page the shrinker is taking.
 */
static unsigned long pagerange_claim_span_locked(struct pagerange *range,
						 u64 first, u64 last,
						 u32 ticket)
{
	struct pagerange_page *pp;
	unsigned long missing = 0;
	u64 i;

	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++) {
		pp = pagerange_slot_page(range, i);
		if (!pp) {
			missing++;
		} else if (pagerange_page_reclaimable(pp)) {
			list_lru_del_obj(&pagerange_lru, &pp->lru);
			range->pages_reclaimable--;
			pp->claim = ticket;
		}
	}
	return missing;
}

/*
 * A USE_RANGE succeeded: every page of the span is in use for good, whoever
 * claimed it. Another call that claimed one of them and then fails must not
 * make it reclaimable again behind this one's back.
 */
static void pagerange_settle_span_locked(struct pagerange *range,
					 u64 first, u64 last)
{
	u64 i;

	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++)
		range->slots[i]->claim = PAGERANGE_CLAIM_NONE;
}

/*
 * A USE_RANGE failed: the pages it claimed that are still in use, the ones
 * it took off the list_lru and the ones it inserted, become reclaimable,
 * as they were or as if they had been used and stopped: no page of the
 * span is in use that was not before. Once the vma is closed there is
 * nothing to undo: its close freed the pages, or the last copy will.
 */
static void pagerange_unclaim_span_locked(struct pagerange *range,
					  u64 first, u64 last, u32 ticket)
{
	struct pagerange_page *pp;
	u64 i;

	lockdep_assert_held(&range->lock);

	if (!range->vma)
		return;
	for (i = first; i < last; i++) {
		pp = pagerange_slot_page(range, i);
		if (!pp || pp->claim != ticket)
			continue;
		pp->claim = PAGERANGE_CLAIM_NONE;
		if (!pagerange_page_reclaimable(pp)) {
			list_lru_add_obj(&pagerange_lru, &pp->lru);
			range->pages_reclaimable++;
		}
	}
}

/*
 * Give every free slot of the span a page from @pool, which holds enough,
 * moving them to @targets in slot order; each page's index is its slot.
 * The slots stay free until pagerange_commit_locked() publishes the pages
 * in them: only inserters fill a slot, and the caller holds insert_lock.
 * They are decided once, here: the shrinker may empty other slots of the
 * span from now on (pages that a concurrent STOP_USING_RANGE made
 * reclaimable), which the caller finds when it commits.
 */
static void pagerange_assign_slots_locked(struct pagerange *range,
					  u64 first, u64 last,
					  struct list_head *pool,
					  struct list_head *targets)
{
	struct pagerange_page *pp;
	u64 i;

	lockdep_assert_held(&range->insert_lock);
	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++) {
		if (range->slots[i])
			continue;
		pp = list_first_entry(pool, struct pagerange_page, lru);
		pp->index = i;
		list_move_tail(&pp->lru, targets);
	}
}

/*
 * Map each page of @targets at its slot's address. A free slot never has a
 * PTE (the shrinker empties a slot only once it has zapped it), so this
 * cannot hit vmf_insert_pfn()'s silent "already mapped" success. On
 * failure the PTEs inserted so far are zapped (which flushes the TLB)
 * before the caller frees the pages.
 */
static int pagerange_insert_targets(struct pagerange *range,
				    struct vm_area_struct *vma,
				    struct list_head *targets)
{
	struct pagerange_page *pp, *done;
	vm_fault_t vmf;

	lockdep_assert_held(&range->insert_lock);
	/*
	 * Not mmap_assert_locked(): with CONFIG_DEBUG_VM it needs dump_mm(),
	 * which 6.1 does not export to modules.
	 */
	lockdep_assert_held(&range->mm->mmap_lock);

	list_for_each_entry(pp, targets, lru) {
		vmf = vmf_insert_pfn(vma, pagerange_slot_addr(range, pp->index),
				     page_to_pfn(pp->page));
		if (vmf == VM_FAULT_NOPAGE)
			continue;
		list_for_each_entry(done, targets, lru) {
			if (done == pp)
				break;
			zap_special_vma_range(vma,
					      pagerange_slot_addr(range, done->index),
					      PAGE_SIZE);
		}
		return vmf == VM_FAULT_OOM ? -ENOMEM : -EFAULT;
	}
	return 0;
}

/*
 * Publish the pages of @targets in their slots, claimed for @ticket: in
 * use, unless the call fails after all, and marked in @fresh (bit 0 for
 * slot @first), if given. From now on they count in the owner's RSS, until
 * their PTEs are gone. Returns how many.
 */
static unsigned long pagerange_commit_locked(struct pagerange *range,
					     u32 ticket, u64 first,
					     unsigned long *fresh,
					     struct list_head *targets)
{
	struct pagerange_page *pp, *next;
	unsigned long count = 0;

	lockdep_assert_held(&range->insert_lock);
	lockdep_assert_held(&range->lock);

	list_for_each_entry_safe(pp, next, targets, lru) {
		list_del_init(&pp->lru);
		pp->claim = ticket;
		WRITE_ONCE(range->slots[pp->index], pp);
		if (fresh)
			__set_bit(pp->index - first, fresh);
		count++;
		trace_pagerange_insert(range, pp->index, pp->page);
	}
	range->pages_present += count;
	range->pages_allocated += count;
	pagerange_add_rss(range->mm, count);
	return count;
}

/*
 * Whether a slot of the span holds a page the shrinker is taking; if so,
 * *@seq is what pagerange_wait_reclaim() waits to see change.
 */
static bool pagerange_span_leaving_locked(struct pagerange *range,
					  u64 first, u64 last,
					  unsigned long *seq)
{
	u64 i;

	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++) {
		if (range->slots[i] && pagerange_page_leaving(range->slots[i])) {
			*seq = range->reclaim_seq;
			return true;
		}
	}
	return false;
}

/*
 * Wait until the shrinker has emptied slots since @seq. It holds the mmap
 * read lock, as the caller does, from before it claims a page until after
 * it has emptied the slot, and needs nothing the caller holds: the wait is
 * as short as one zap.
 */
static int pagerange_wait_reclaim(struct pagerange *range, unsigned long seq)
{
	if (wait_event_killable(range->reclaim_wait,
				READ_ONCE(range->reclaim_seq) != seq))
		return -EINTR;
	return 0;
}

/*
 * The slow path of pagerange_use(): map the missing pages of the span from
 * @pool, which holds *@pooled pages. With insert_lock held no other caller
 * fills a slot, and with the mmap read lock held the vma cannot be closed.
 * The shrinker runs alongside: a slot of the span it is emptying is waited
 * for, then the free slots are decided once (pagerange_assign_slots_locked()),
 * and what the shrinker takes after that (pages that a concurrent
 * STOP_USING_RANGE made reclaimable) is found when the pages are published.
 * Returns -EAGAIN with *@missing set when the pool is too small for the
 * free slots found, or when the span is not complete after the pages were
 * published; the caller allocates more, with no lock held, and calls again.
 *
 * The page tables the inserts allocate are charged to @memcg too, with the
 * mm core's GFP_KERNEL_ACCOUNT: a cgroup at its limit reclaims for them,
 * and the shrinker can take every idle page of the cgroup, this range's
 * included, while this runs. Only a cgroup with nothing left to reclaim
 * meets its OOM killer here, as a page fault would.
 */
static int pagerange_populate(struct pagerange *range, u64 first, u64 last,
			      u32 ticket, struct mem_cgroup *memcg,
			      struct list_head *pool, unsigned long *pooled,
			      unsigned long *missing, u64 *nr_allocated,
			      unsigned long *fresh)
{
	struct mm_struct *mm = range->mm;
	struct vm_area_struct *vma;
	unsigned long seq, count;
	struct mem_cgroup *old;
	LIST_HEAD(targets);
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
	for (;;) {
		ret = pagerange_check_span_locked(range, first, last);
		if (ret || !pagerange_span_leaving_locked(range, first, last,
							  &seq))
			break;
		spin_unlock(&range->lock);
		ret = pagerange_wait_reclaim(range, seq);
		spin_lock(&range->lock);
		if (ret)
			break;
	}
	vma = range->vma;
	if (!ret) {
		*missing = pagerange_claim_span_locked(range, first, last,
						       ticket);
		if (*missing > *pooled)
			ret = -EAGAIN;
		else
			pagerange_assign_slots_locked(range, first, last, pool,
						      &targets);
	}
	spin_unlock(&range->lock);
	if (ret)
		goto out_mmap_unlock;

	/* munmap() may have taken the vma out of the tree and not closed it yet. */
	ret = -ESRCH;
	if (vma_lookup(mm, range->vma_addr) == vma) {
		old = pagerange_charge_begin(memcg);
		ret = pagerange_insert_targets(range, vma, &targets);
		pagerange_charge_end(old);
	}
	if (ret) {
		list_splice(&targets, pool);
		goto out_mmap_unlock;
	}

	spin_lock(&range->lock);
	count = pagerange_commit_locked(range, ticket, first, fresh, &targets);
	/* Anything a concurrent STOP_USING_RANGE let the shrinker take? */
	*missing = pagerange_claim_span_locked(range, first, last, ticket);
	if (*missing)
		ret = -EAGAIN;
	else
		pagerange_settle_span_locked(range, first, last);
	spin_unlock(&range->lock);
	*pooled -= count;
	*nr_allocated += count;

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
 * @fresh: if not NULL, a bitmap of @last - @first bits, all clear: bit i
 *	is set for each page @first + i that had to be allocated. Undefined
 *	on failure. Every page of the span is in use when the call returns,
 *	so no reclaim can slip between this report and the pages' use
 *
 * Reclaimable pages of the span are taken off the list_lru first, so that
 * the reclaim the allocations may cause takes other pages. Missing pages
 * are then allocated with no lock held, charged to the memory cgroup the
 * range's mm is in now, and mapped under insert_lock and the owner's mmap
 * read lock. All or nothing: on failure no page of the span is in use that
 * was not before; the pages it took off the list_lru, and any it mapped,
 * are reclaimable.
 *
 * Context: Process context; may sleep. Takes insert_lock, the owner's
 * mmap_lock and range->lock.
 * Return: 0, -EINVAL if @first is past @last, -ENXIO before attach, -ESRCH
 * once the vma or the owner's mm is gone, -EINVAL past the end, -ENOMEM, or
 * -EINTR on a fatal signal.
 */
int pagerange_use(struct pagerange *range, u64 first, u64 last,
		  u64 *nr_allocated, unsigned long *fresh)
{
	unsigned long missing = 0, pooled = 0;
	struct mem_cgroup *memcg;
	LIST_HEAD(pool);
	u32 ticket = 0;
	int ret;

	*nr_allocated = 0;
	if (first > last)
		return -EINVAL;

	spin_lock(&range->lock);
	ret = pagerange_check_span_locked(range, first, last);
	if (!ret) {
		ticket = pagerange_next_ticket_locked(range);
		missing = pagerange_claim_span_locked(range, first, last,
						      ticket);
		if (!missing)
			pagerange_settle_span_locked(range, first, last);
	}
	spin_unlock(&range->lock);
	if (ret || !missing)
		goto out;

	memcg = get_mem_cgroup_from_mm(range->mm);
	do {
		if (missing > pooled) {
			ret = pagerange_alloc_pages(range, memcg, &pool,
						    missing - pooled);
			if (ret)
				break;
			pooled = missing;
		}
		ret = pagerange_populate(range, first, last, ticket, memcg,
					 &pool, &pooled, &missing,
					 nr_allocated, fresh);
	} while (ret == -EAGAIN);
	mem_cgroup_put(memcg);
	pagerange_free_pages(&pool);

	if (ret) {
		spin_lock(&range->lock);
		pagerange_unclaim_span_locked(range, first, last, ticket);
		spin_unlock(&range->lock);
	}
out:
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
 * Context: Process context; takes range->lock.
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
		pp = pagerange_slot_page(range, i - 1);
		if (!pp || pagerange_page_reclaimable(pp))
			continue;
		pp->claim = PAGERANGE_CLAIM_NONE;
		list_lru_add_obj(&pagerange_lru, &pp->lru);
		range->pages_reclaimable++;
		(*nr_stopped)++;
	}
	spin_unlock(&range->lock);
	trace_pagerange_stop(range, first, last, *nr_stopped, ret);
	return ret;
}

/*
 * Take the pages of a span for pagerange_purge(), in use or reclaimable,
 * onto @pages, in slot order: off the list_lru, out of the counts, claimed
 * as the shrinker claims a page it reclaims, so that nothing uses, stops
 * or inserts at their slots until they are emptied. Returns how many.
 */
static unsigned long pagerange_claim_span_for_purge_locked(struct pagerange *range,
							   u64 first, u64 last,
							   struct list_head *pages)
{
	struct pagerange_page *pp;
	unsigned long count = 0;
	u64 i;

	lockdep_assert_held(&range->lock);

	for (i = first; i < last; i++) {
		pp = pagerange_slot_page(range, i);
		if (!pp)
			continue;
		if (pagerange_page_reclaimable(pp)) {
			list_lru_del_obj(&pagerange_lru, &pp->lru);
			range->pages_reclaimable--;
		}
		pp->claim = PAGERANGE_CLAIM_RECLAIM;
		list_add_tail(&pp->lru, pages);
		count++;
	}
	range->pages_present -= count;
	range->pages_purged += count;
	return count;
}

/* Zap the PTEs of @pages, a run of neighbouring slots at a time. */
static void pagerange_zap_pages(struct pagerange *range,
				struct vm_area_struct *vma,
				struct list_head *pages)
{
	struct pagerange_page *pp;
	unsigned long lo = 0, hi = 0;

	list_for_each_entry(pp, pages, lru) {
		if (pp->index == hi) {
			hi++;
			continue;
		}
		if (hi > lo)
			zap_special_vma_range(vma, pagerange_slot_addr(range, lo),
					      (hi - lo) << PAGE_SHIFT);
		lo = pp->index;
		hi = lo + 1;
	}
	if (hi > lo)
		zap_special_vma_range(vma, pagerange_slot_addr(range, lo),
				      (hi - lo) << PAGE_SHIFT);
}

/**
 * pagerange_purge() - free every page of a span at once
 * @range: the range
 * @first: first page index
 * @last: one past the last page index
 * @nr_freed: out: how many pages were freed
 *
 * As the shrinker would, but now and whatever their state: in use or
 * reclaimable, the pages' PTEs are zapped and the pages freed. They read as
 * zero once used again. Pages the shrinker is taking already are left to
 * it. A copy in flight reads its pages without a lock, so nothing is done
 * while one is.
 *
 * Context: Process context; may sleep. Takes the owner's mmap_lock and
 * range->lock.
 * Return: 0, -EINVAL if @first is past @last, -ENXIO before attach, -ESRCH
 * once the vma or the owner's mm is gone, -EINVAL past the end, -EBUSY with
 * a copy in flight (unless the span is empty), or -EINTR on a fatal signal.
 */
int pagerange_purge(struct pagerange *range, u64 first, u64 last,
		    u64 *nr_freed)
{
	struct mm_struct *mm = range->mm;
	struct vm_area_struct *vma;
	struct pagerange_page *pp;
	unsigned long count = 0;
	LIST_HEAD(pages);
	int ret;

	*nr_freed = 0;
	ret = -EINVAL;
	if (first > last)
		goto out;
	ret = -ESRCH;
	if (!mmget_not_zero(mm))
		goto out_check;
	ret = -EINTR;
	if (mmap_read_lock_killable(mm))
		goto out_mmput;

	/* As the shrinker: zap only a vma that is in the tree. */
	vma = READ_ONCE(range->vma);
	spin_lock(&range->lock);
	ret = pagerange_check_span_locked(range, first, last);
	if (!ret && vma_lookup(mm, range->vma_addr) != vma)
		ret = -ESRCH;
	if (!ret && first < last && range->nr_copying)
		ret = -EBUSY;
	if (!ret)
		count = pagerange_claim_span_for_purge_locked(range, first,
							      last, &pages);
	spin_unlock(&range->lock);

	if (count) {
		pagerange_zap_pages(range, vma, &pages);
		spin_lock(&range->lock);
		list_for_each_entry(pp, &pages, lru)
			WRITE_ONCE(range->slots[pp->index], NULL);
		WRITE_ONCE(range->reclaim_seq, range->reclaim_seq + 1);
		spin_unlock(&range->lock);
		wake_up_all(&range->reclaim_wait);
		pagerange_add_rss(mm, -(long)count);
	}
	mmap_read_unlock(mm);
out_mmput:
	mmput_async(mm);
out_check:
	/* An mm without users: the errors of every call, in their order. */
	if (ret == -ESRCH && !count) {
		spin_lock(&range->lock);
		ret = pagerange_check_span_locked(range, first, last) ?: -ESRCH;
		spin_unlock(&range->lock);
	}
out:
	/* No PTE maps them and the TLB has been flushed. */
	pagerange_free_pages(&pages);
	*nr_freed = count;
	trace_pagerange_purge(range, first, last, count, ret);
	return ret;
}

/**
 * pagerange_query() - the state of each page of a span
 * @range: the range
 * @first: first page index
 * @last: one past the last page index
 * @states: out: @last - @first &enum pagerange_state values, one a page,
 *	all taken at one instant. A page the shrinker is taking is free.
 *
 * Changes nothing.
 *
 * Context: Process context; takes range->lock.
 * Return: 0, -EINVAL if @first is past @last, -ENXIO before attach, -ESRCH
 * once the vma or the owner's mm is gone, or -EINVAL past the end.
 */
int pagerange_query(struct pagerange *range, u64 first, u64 last, u8 *states)
{
	struct pagerange_page *pp;
	int ret;
	u64 i;

	if (first > last)
		return -EINVAL;
	spin_lock(&range->lock);
	ret = pagerange_check_span_locked(range, first, last);
	for (i = first; !ret && i < last; i++) {
		pp = pagerange_slot_page(range, i);
		if (!pp)
			states[i - first] = PAGERANGE_STATE_FREE;
		else if (pagerange_page_reclaimable(pp))
			states[i - first] = PAGERANGE_STATE_RECLAIMABLE;
		else
			states[i - first] = PAGERANGE_STATE_IN_USE;
	}
	spin_unlock(&range->lock);
	return ret;
}

/**
 * pagerange_take_purged() - what the shrinker took since the last call
 * @range: the range
 * @report: out: the pages freed since the last call, the running total of
 *	the shrinker's runs over the range and when the last one was
 *
 * Acknowledges the notification: pagerange_poll() reports no EPOLLPRI
 * until the shrinker takes pages again.
 *
 * Context: Process context; takes range->lock.
 */
void pagerange_take_purged(struct pagerange *range,
			   struct pagerange_purge_report *report)
{
	spin_lock(&range->lock);
	report->pages = range->purged;
	report->events = range->purge_events;
	report->last_ns = range->last_purge_ns;
	range->purged = 0;
	range->purge_pending = false;
	spin_unlock(&range->lock);
}

/**
 * pagerange_poll() - what a poll() of the range's file reports
 * @range: the range
 * @file: its file
 * @wait: the poll table
 *
 * EPOLLPRI once the shrinker has taken pages of the range, until
 * pagerange_take_purged() acknowledges it: a purge that comes after the
 * acknowledgment is reported again, and one wake-up covers every page
 * taken until then. EPOLLHUP once the vma is closed: nothing more will
 * come.
 *
 * Context: Process context; takes range->lock.
 * Return: the mask.
 */
__poll_t pagerange_poll(struct pagerange *range, struct file *file,
			struct poll_table_struct *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &range->purge_wait, wait);
	spin_lock(&range->lock);
	if (range->purge_pending)
		mask |= EPOLLPRI;
	if (range->nr_pages && !range->vma)
		mask |= EPOLLHUP;
	spin_unlock(&range->lock);
	return mask;
}

/*
 * Empty every slot onto @pages, and hand back the slot array for the
 * caller to free once it has dropped range->lock: the vma is closed and
 * nothing will ever map or read a page of the range again. The shrinker
 * is not taking any page (it does so only while the vma is in the mm's
 * tree, under the mmap read lock, which the closing of the vma excludes).
 */
static struct pagerange_page **pagerange_take_all_locked(struct pagerange *range,
							 struct list_head *pages)
{
	struct pagerange_page **slots = range->slots;
	struct pagerange_page *pp;
	unsigned long i;

	lockdep_assert_held(&range->lock);

	for (i = 0; slots && i < range->nr_pages; i++) {
		pp = slots[i];
		if (!pp)
			continue;
		if (pagerange_page_reclaimable(pp))
			list_lru_del_obj(&pagerange_lru, &pp->lru);
		list_add_tail(&pp->lru, pages);
	}
	range->slots = NULL;
	range->pages_present = 0;
	range->pages_reclaimable = 0;
	return slots;
}

/* Free what pagerange_take_all_locked() took. */
static void pagerange_free_all(struct pagerange_page **slots,
			       struct list_head *pages)
{
	pagerange_free_pages(pages);
	kvfree(slots);
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
		pp = pagerange_slot_page(range, i);
		if (!pp || pagerange_page_reclaimable(pp))
			ret = -ENOENT;
	}
	if (!ret)
		WRITE_ONCE(range->nr_copying, range->nr_copying + 1);
	spin_unlock(&range->lock);
	return ret;
}

/* The last copy to end after the vma was closed frees the pages. */
static void pagerange_io_end(struct pagerange *range)
{
	struct pagerange_page **slots = NULL;
	LIST_HEAD(pages);

	spin_lock(&range->lock);
	WRITE_ONCE(range->nr_copying, range->nr_copying - 1);
	if (!range->nr_copying && !range->vma)
		slots = pagerange_take_all_locked(range, &pages);
	spin_unlock(&range->lock);
	if (slots)
		pagerange_free_all(slots, &pages);
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
 * reason: the shrinker empties only the slots of reclaimable pages, and
 * the vma's close leaves the pages and the slots to the last copy in
 * flight to free (pagerange_io_end()).
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
 * Context: Process context; takes range->lock.
 */
void pagerange_get_stats(struct pagerange *range,
			 struct pagerange_stats *stats)
{
	spin_lock(&range->lock);
	stats->size_pages = range->nr_pages;
	stats->pages_present = range->pages_present;
	stats->pages_in_use = range->pages_present - range->pages_reclaimable;
	stats->pages_reclaimable = range->pages_reclaimable;
	stats->pages_reclaimed = range->pages_reclaimed;
	stats->pages_allocated = range->pages_allocated;
	stats->pages_purged = range->pages_purged;
	spin_unlock(&range->lock);
}

/* One shrinker scan: the list_lru walk's budget and what it freed. */
struct pagerange_walk {
	unsigned long nr_to_walk;	/* decremented by the walk and by runs */
	unsigned long nr_freed;
};

/*
 * Whether @item is the list_lru entry of the page in slot @index. The slot
 * is read without range->lock (see pagerange_grow_run()): the page is only
 * compared by address, never followed.
 */
static bool pagerange_slot_is(struct pagerange *range, unsigned long index,
			      struct list_head *item)
{
	struct pagerange_page *pp = READ_ONCE(range->slots[index]);

	return pp && item == &pp->lru;
}

/*
 * Grow the run [*lo, *hi), which holds the slot the walk is at, by the
 * items that follow it on the list_lru for as long as each is the slot
 * just below or just above the run: the items the walk would visit next,
 * in its order. STOP_USING_RANGE queues a span's pages in a row, highest
 * first, so a stopped span comes back as runs. The list_lru lock keeps the
 * list still; the slots are read without range->lock, which cannot be
 * taken here, so the run is only a proposal that
 * pagerange_trim_run_locked() checks. Items are never followed into another
 * range. Returns the slots added.
 */
static unsigned long pagerange_grow_run(struct pagerange *range,
					struct list_head *item,
					unsigned long *lo, unsigned long *hi,
					unsigned long budget)
{
	struct list_head *next = item->next;
	unsigned long added;

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

/* Whether slot @index holds a reclaimable page the shrinker may take. */
static bool pagerange_slot_reclaimable_locked(struct pagerange *range,
					      unsigned long index)
{
	struct pagerange_page *pp = pagerange_slot_page(range, index);

	lockdep_assert_held(&range->lock);

	return pp && pagerange_page_reclaimable(pp);
}

/*
 * Shrink the proposed run [*lo, *hi) to the slots around @index that still
 * hold reclaimable pages; empty if @index does not. A call may have used a
 * page since, another scan taken it, or a copy begun. A slot whose page
 * changed hands meanwhile may hold one filed on another list (another
 * memory cgroup's, during a cgroup's reclaim): it is reclaimable all the
 * same.
 */
static void pagerange_trim_run_locked(struct pagerange *range,
				      unsigned long index,
				      unsigned long *lo, unsigned long *hi)
{
	unsigned long i;

	lockdep_assert_held(&range->lock);

	if (range->nr_copying ||
	    !pagerange_slot_reclaimable_locked(range, index)) {
		*lo = *hi = index;
		return;
	}
	for (i = index; i > *lo; i--)
		if (!pagerange_slot_reclaimable_locked(range, i - 1))
			break;
	*lo = i;
	for (i = index + 1; i < *hi; i++)
		if (!pagerange_slot_reclaimable_locked(range, i))
			break;
	*hi = i;
}

/*
 * Claim the pages of the run [@lo, @hi), which are reclaimable, for the
 * shrinker: off the list_lru, out of the counts, but still in their slots
 * until their PTEs are zapped.
 */
static void pagerange_claim_run_locked(struct pagerange *range,
				       unsigned long lo, unsigned long hi)
{
	struct pagerange_page *pp;
	unsigned long i;

	lockdep_assert_held(&range->lock);

	for (i = hi; i-- > lo;) {
		pp = range->slots[i];
		list_lru_del_obj(&pagerange_lru, &pp->lru);
		pp->claim = PAGERANGE_CLAIM_RECLAIM;
		trace_pagerange_isolate(range, i, pp->page);
	}
	range->pages_present -= hi - lo;
	range->pages_reclaimable -= hi - lo;
	range->pages_reclaimed += hi - lo;
}

/*
 * The PTEs of the run [@lo, @hi) are gone: empty its slots onto @pages,
 * wake the inserters waiting for them, and tell the owner: its pollers are
 * woken when the first pages go after it last looked (PURGED), not again
 * until it looks, so a reclaim of many runs wakes them once.
 */
static void pagerange_empty_run(struct pagerange *range,
				unsigned long lo, unsigned long hi,
				struct list_head *pages)
{
	unsigned long i;
	bool notify;

	spin_lock(&range->lock);
	for (i = hi; i-- > lo;) {
		list_add_tail(&range->slots[i]->lru, pages);
		WRITE_ONCE(range->slots[i], NULL);
	}
	WRITE_ONCE(range->reclaim_seq, range->reclaim_seq + 1);
	range->purged += hi - lo;
	range->purge_events++;
	range->last_purge_ns = ktime_get_ns();
	notify = !range->purge_pending;
	range->purge_pending = true;
	spin_unlock(&range->lock);
	wake_up_all(&range->reclaim_wait);
	if (notify) {
		trace_pagerange_notify(range, hi - lo);
		wake_up_interruptible_poll(&range->purge_wait, EPOLLPRI);
	}
}

/*
 * Reclaim the run [@lo, @hi) of @range around slot @index, or what is left
 * of it once range->lock is held, from @vma, which is in the mm's tree
 * under the mmap read lock the caller holds. Returns the pages freed.
 */
static unsigned long pagerange_reclaim_run(struct pagerange *range,
					   struct vm_area_struct *vma,
					   unsigned long index,
					   unsigned long lo, unsigned long hi)
{
	LIST_HEAD(pages);

	spin_lock(&range->lock);
	pagerange_trim_run_locked(range, index, &lo, &hi);
	if (lo < hi)
		pagerange_claim_run_locked(range, lo, hi);
	spin_unlock(&range->lock);
	if (lo == hi)
		return 0;

	zap_special_vma_range(vma, pagerange_slot_addr(range, lo),
			      (hi - lo) << PAGE_SHIFT);
	pagerange_empty_run(range, lo, hi, &pages);
	pagerange_add_rss(range->mm, -(long)(hi - lo));
	trace_pagerange_free(range, lo, hi);
	/* No PTE maps them and the TLB has been flushed. */
	pagerange_free_pages(&pages);
	/*
	 * Reclaim counts these as its progress only when it is global
	 * (kswapd, the machine's direct reclaim): a memory cgroup's own
	 * reclaim cannot tell which cgroup a shrinker's page was charged to.
	 * That reclaim then goes on to lower priorities, scanning more of the
	 * cgroup's idle pages than it needed; but the pages are uncharged as
	 * they are freed, and the charge that started the reclaim checks the
	 * cgroup's margin first and retries when there is room: a cgroup
	 * whose idle pages the shrinker can take does not reach its OOM
	 * killer for want of counted progress.
	 */
	mm_account_reclaimed_pages(hi - lo);
	atomic_long_add(hi - lo, &pagerange_pages_reclaimed);
	return hi - lo;
}

/*
 * Count a page the shrinker could not take, which it rotates to the tail of
 * its list, and trace why.
 */
static void pagerange_count_skip(struct pagerange *range, unsigned long index,
				 enum pagerange_skip_reason why)
{
	trace_pagerange_skip(range, index, why);
	atomic_long_inc(&pagerange_shrinker_skips);
}

/*
 * Reclaim the page of a reclaimable slot, and the run of its range's pages
 * that follows it on the list_lru, called with the list_lru lock, @lru_lock,
 * held.
 *
 * The owner's mm and its mmap read lock come first, with a trylock, and
 * then the check that the range's vma is in the mm's tree: from then on
 * the vma cannot be closed until the lock is dropped (munmap() unlinks it
 * under the write lock first), and so the range, whose file the vma holds,
 * stays alive without the list_lru lock. The list_lru lock is then dropped
 * and range->lock taken in order: its holders take the list_lru lock
 * inside it, so a trylock would fail for exactly the ranges that are busy
 * using and stopping pages, all the time. The walk takes the lock again
 * and restarts from the head of the list afterwards (LRU_RETRY, returned
 * with @lru_lock dropped).
 *
 * What the shrinker cannot wait for (the mmap lock held for writing or
 * wanted by a writer, the owner's mm exiting, the vma being unmapped, a
 * copy in flight, which may wait on a user fault for as long as user space
 * likes) rotates the page to the tail of its list.
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
	struct mm_struct *mm = range->mm;
	enum pagerange_skip_reason why;
	struct vm_area_struct *vma;

	why = PAGERANGE_SKIP_MM_EXITING;
	if (!mmget_not_zero(mm))
		goto skip;
	why = PAGERANGE_SKIP_MMAP_LOCK;
	if (!mmap_read_trylock(mm))
		goto skip_mmput;
	/*
	 * The vma the range points to, if the range still points to it, was
	 * in the tree when the mmap read lock was taken: a vma closed and
	 * freed before is seen as NULL here.
	 */
	why = PAGERANGE_SKIP_UNMAPPING;
	vma = READ_ONCE(range->vma);
	if (!vma || vma_lookup(mm, range->vma_addr) != vma)
		goto skip_mmap_unlock;
	why = PAGERANGE_SKIP_COPYING;
	if (READ_ONCE(range->nr_copying))
		goto skip_mmap_unlock;

	walk->nr_to_walk -= pagerange_grow_run(range, item, &lo, &hi,
					       min(walk->nr_to_walk,
						   PAGERANGE_RECLAIM_BATCH - 1));
	spin_unlock(lru_lock);
	walk->nr_freed += pagerange_reclaim_run(range, vma, index, lo, hi);
	mmap_read_unlock(mm);
	mmput_async(mm);
	/*
	 * Returned with @lru_lock dropped, which sparse cannot follow: for it
	 * the lock is held, as on the other returns. Nothing is locked.
	 */
	__acquire(lru_lock);
	return LRU_RETRY;

skip_mmap_unlock:
	mmap_read_unlock(mm);
skip_mmput:
	mmput_async(mm);
skip:
	pagerange_count_skip(range, index, why);
	return LRU_ROTATE;
}

/*
 * The list_lru walk callback: pagerange_isolate() with the list's lock.
 * Since 6.13 the lock is the list's own, and a callback returns LRU_RETRY
 * with it dropped; kernels before pass the callback the lock as an
 * argument and want it held again on return. pagerange_isolate() takes the
 * lock as an argument to serve both: an out-of-tree build for such a
 * kernel defines pagerange_lru_walk_cb as pagerange_isolate, and takes the
 * lock again after it, in pagerange_compat.h.
 */
#ifndef pagerange_lru_walk_cb
static enum lru_status pagerange_lru_walk_cb(struct list_head *item,
					     struct list_lru_one *list,
					     void *arg)
	__must_hold(&list->lock)
{
	return pagerange_isolate(item, list, &list->lock, arg);
}
#endif

static unsigned long pagerange_shrink_count(struct shrinker *shrinker,
					    struct shrink_control *sc)
{
	return list_lru_shrink_count(&pagerange_lru, sc);
}

static unsigned long pagerange_shrink_scan(struct shrinker *shrinker,
					   struct shrink_control *sc)
{
	struct pagerange_walk walk = { .nr_to_walk = sc->nr_to_scan };

	atomic_long_inc(&pagerange_shrinker_scans);
	list_lru_walk_one(&pagerange_lru, sc->nid, sc->memcg,
			  pagerange_lru_walk_cb, &walk, &walk.nr_to_walk);
	return walk.nr_freed;
}

/**
 * pagerange_create() - create an empty range bound to an mm
 * @mm: the mm whose mapping the range will back
 * @pid: thread-group id to show in debugfs
 * @nid: node to allocate the range's pages on by preference, or
 *	%NUMA_NO_NODE for the node the caller of pagerange_attach() runs on
 *
 * The range itself is charged to the caller's memory cgroup. Its pages,
 * their entries and the page tables that map them are charged to the
 * cgroup @mm is in when they are allocated, whoever allocates them: a
 * range opened before its owner moved to another cgroup charges new pages
 * there, as the owner's page faults do, and those pages are reclaimed by
 * that cgroup's pressure. Pages allocated before the move stay charged
 * where they were, as the kernel leaves the charges of a moved task's
 * memory behind (cgroup v2). If a cgroup is removed, its charges and the
 * list_lru entries of its pages go to its parent.
 *
 * Context: Process context; may sleep.
 * Return: the range, or an ERR_PTR(): -ESRCH without an mm, -ENOMEM.
 */
struct pagerange *pagerange_create(struct mm_struct *mm, pid_t pid, int nid)
{
	struct pagerange *range;

	if (!mm)
		return ERR_PTR(-ESRCH);

	range = kmem_cache_zalloc(pagerange_range_cache, GFP_KERNEL);
	if (!range)
		return ERR_PTR(-ENOMEM);

	mmgrab(mm);
	range->mm = mm;
	range->pid = pid;
	range->nid = nid;
	mutex_init(&range->insert_lock);
	init_waitqueue_head(&range->reclaim_wait);
	init_waitqueue_head(&range->purge_wait);
	spin_lock_init(&range->lock);

	mutex_lock(&pagerange_list_lock);
	list_add_tail(&range->node, &pagerange_list);
	atomic_long_inc(&pagerange_ranges);
	mutex_unlock(&pagerange_list_lock);
	return range;
}

/**
 * pagerange_destroy() - free a range
 * @range: the range; its vma must be gone
 *
 * The pages went when the vma was closed. A range that was never mapped
 * has none, and a copy in flight holds a reference to the file.
 *
 * Context: Process context; may sleep.
 */
void pagerange_destroy(struct pagerange *range)
{
	struct pagerange_page **slots;
	LIST_HEAD(pages);

	mutex_lock(&pagerange_list_lock);
	list_del(&range->node);
	atomic_long_dec(&pagerange_ranges);
	mutex_unlock(&pagerange_list_lock);

	spin_lock(&range->lock);
	slots = pagerange_take_all_locked(range, &pages);
	spin_unlock(&range->lock);
	pagerange_free_all(slots, &pages);

	mmdrop(range->mm);
	mutex_destroy(&range->insert_lock);
	kmem_cache_free(pagerange_range_cache, range);
}

/*
 * The range's vma is closed: by munmap(), or by exit_mmap() once the
 * owner's mm has no user. Only the range's own vma detaches it: a refused
 * mremap() closes a copy. The mm core has zapped the PTEs and flushed the
 * TLB, so the pages leave the owner's RSS, and nothing can map or read
 * them again: they are freed now, whoever still holds the file, unless a
 * copy is in flight, whose end frees them. Every call but
 * pagerange_get_stats() fails with -ESRCH from now on.
 */
static void pagerange_vm_close(struct vm_area_struct *vma)
{
	struct pagerange *range = vma->vm_private_data;
	struct pagerange_page **slots = NULL;
	LIST_HEAD(pages);

	spin_lock(&range->lock);
	if (range->vma == vma) {
		WRITE_ONCE(range->vma, NULL);
		pagerange_add_rss(range->mm, -(long)range->pages_present);
		if (!range->nr_copying)
			slots = pagerange_take_all_locked(range, &pages);
	}
	spin_unlock(&range->lock);
	if (slots)
		pagerange_free_all(slots, &pages);
	/* Nothing will be reclaimed any more: pollers see the end. */
	wake_up_interruptible_poll(&range->purge_wait, EPOLLHUP);
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
	int ret;

	ret = pagerange_check_vma(range, vma, max_pages);
	if (ret)
		return ret;

	/* The caller is the owner: its cgroup is the mm's. */
	slots = kvzalloc_node(array_size(nr_pages, sizeof(*slots)),
			      GFP_KERNEL_ACCOUNT | __GFP_NOWARN, range->nid);
	if (!slots)
		return -ENOMEM;

	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTCOPY | VM_DONTEXPAND |
		     VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYWRITE);
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
		WRITE_ONCE(range->vma, vma);
	}
	spin_unlock(&range->lock);

	if (ret)
		kvfree(slots);
	return ret;
}

/**
 * pagerange_get_global_stats() - snapshot the counters of all ranges
 * @stats: out
 *
 * Each counter is read on its own: the snapshot is not atomic as a whole.
 *
 * Context: Process context.
 */
void pagerange_get_global_stats(struct pagerange_global_stats *stats)
{
	stats->pages_present = atomic_long_read(&pagerange_pages_present);
	stats->pages_reclaimable = list_lru_count(&pagerange_lru);
	stats->pages_reclaimed = atomic_long_read(&pagerange_pages_reclaimed);
	stats->shrinker_scans = atomic_long_read(&pagerange_shrinker_scans);
	stats->shrinker_skips = atomic_long_read(&pagerange_shrinker_skips);
	stats->ranges = atomic_long_read(&pagerange_ranges);
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

	seq_puts(m, "pid size_pages pages_present pages_in_use pages_reclaimable\n");
	mutex_lock(&pagerange_list_lock);
	list_for_each_entry(range, &pagerange_list, node) {
		pagerange_get_stats(range, &stats);
		seq_printf(m, "%d %llu %llu %llu %llu\n", range->pid,
			   stats.size_pages, stats.pages_present, stats.pages_in_use,
			   stats.pages_reclaimable);
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

	pagerange_shrinker = shrinker_alloc(SHRINKER_NUMA_AWARE |
					    SHRINKER_MEMCG_AWARE, "%s", name);
	if (!pagerange_shrinker)
		goto err_destroy_range_cache;
	pagerange_shrinker->count_objects = pagerange_shrink_count;
	pagerange_shrinker->scan_objects = pagerange_shrink_scan;
	/*
	 * The list takes the id shrinker_alloc() assigned; the callbacks run
	 * once the shrinker is registered, when the list is ready.
	 */
	ret = list_lru_init_memcg(&pagerange_lru, pagerange_shrinker);
	if (ret)
		goto err_free_shrinker;
	shrinker_register(pagerange_shrinker);
	return 0;

err_free_shrinker:
	shrinker_free(pagerange_shrinker);
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
	shrinker_free(pagerange_shrinker);
	list_lru_destroy(&pagerange_lru);
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
