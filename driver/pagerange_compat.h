/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels pagerange builds against, in one
 * place. Each shim names the release that changed the interface; nothing
 * else in the driver tests a kernel version. Where the release is uncertain
 * or distributions backport the change, Kbuild detects the feature in the
 * kernel's headers instead and defines PAGERANGE_HAVE_*.
 */
#ifndef _PAGERANGE_COMPAT_H
#define _PAGERANGE_COMPAT_H

#include <linux/list_lru.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/swap.h>
#include <linux/version.h>

/*
 * Shrinker registration. 6.7 replaced the caller-owned struct shrinker and
 * register_shrinker() with shrinker_alloc()/shrinker_register()/
 * shrinker_free(). Older kernels get a static shrinker behind the same calls.
 *
 * A memcg-aware list_lru takes the shrinker's id when it is initialised.
 * From 6.7 shrinker_alloc() assigns the id, so the list is initialised
 * before the shrinker is registered. Before 6.7 the id is assigned by
 * register_shrinker() (6.1 exports neither prealloc_shrinker() nor
 * register_shrinker_prepared()), so the list can only be initialised after
 * registration, and the shrinker's callbacks may run before it is: they
 * must check that it is (pagerange_lru_ready in the core).
 * pagerange_shrinker_register() does both, in the order the kernel needs.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *
pagerange_shrinker_alloc(unsigned int flags, const char *name)
{
	return shrinker_alloc(flags, "%s", name);
}

static inline int pagerange_shrinker_register(struct shrinker *shrinker,
					      struct list_lru *lru,
					      const char *name)
{
	int ret;

	ret = list_lru_init_memcg(lru, shrinker);
	if (ret)
		return ret;
	shrinker_register(shrinker);
	return 0;
}

static inline void pagerange_shrinker_free(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
static inline struct shrinker *
pagerange_shrinker_alloc(unsigned int flags, const char *name)
{
	static struct shrinker pagerange_shrinker_storage;

	memset(&pagerange_shrinker_storage, 0,
	       sizeof(pagerange_shrinker_storage));
	pagerange_shrinker_storage.flags = flags;
	pagerange_shrinker_storage.seeks = DEFAULT_SEEKS;
	return &pagerange_shrinker_storage;
}

static inline int pagerange_shrinker_register(struct shrinker *shrinker,
					      struct list_lru *lru,
					      const char *name)
{
	int ret;

	ret = register_shrinker(shrinker, "%s", name);
	if (ret)
		return ret;
	ret = list_lru_init_memcg(lru, shrinker);
	if (ret)
		unregister_shrinker(shrinker);
	return ret;
}

static inline void pagerange_shrinker_free(struct shrinker *shrinker)
{
	unregister_shrinker(shrinker);
}
#endif

/*
 * list_lru_add()/list_lru_del() gained nid and memcg arguments in 6.8; the
 * _obj variants keep the old behaviour of taking the node from the item's
 * address, which is why items must live in kmalloc memory.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#define pagerange_lru_add(lru, item)	list_lru_add_obj(lru, item)
#define pagerange_lru_del(lru, item)	list_lru_del_obj(lru, item)
#else
#define pagerange_lru_add(lru, item)	list_lru_add(lru, item)
#define pagerange_lru_del(lru, item)	list_lru_del(lru, item)
#endif

/*
 * The list_lru walk callback. Until 6.13 it is passed the node lock and
 * must return LRU_RETRY and LRU_REMOVED_RETRY with that lock held again;
 * since then the lock is the list's own and those statuses return with it
 * dropped: the walk takes it again itself. (On those kernels the list may
 * be freed once its lock is dropped, when its memory cgroup is removed: it
 * must not be locked again.) Detected: PAGERANGE_HAVE_LRU_CB_LOCK_ARG is
 * the old signature.
 *
 * The driver's isolate function takes the lock as an argument, whatever
 * the kernel: PAGERANGE_LRU_WALK_CB(name, isolate) defines the callback
 * named @name that list_lru calls, which hands @isolate the lock it holds.
 * @isolate drops @lock and returns pagerange_lru_relock(lock, status) for
 * those two statuses, which keeps each kernel's contract.
 */
#ifdef PAGERANGE_HAVE_LRU_CB_LOCK_ARG
#define PAGERANGE_LRU_WALK_CB(name, isolate)				\
static enum lru_status name(struct list_head *item,			\
			    struct list_lru_one *list,			\
			    spinlock_t *lock, void *arg)		\
	__must_hold(lock)						\
{									\
	return isolate(item, list, lock, arg);				\
}

static inline enum lru_status pagerange_lru_relock(spinlock_t *lock,
						   enum lru_status status)
	__acquires(lock)
{
	spin_lock(lock);
	return status;
}
#else
#define PAGERANGE_LRU_WALK_CB(name, isolate)				\
static enum lru_status name(struct list_head *item,			\
			    struct list_lru_one *list, void *arg)	\
	__must_hold(&list->lock)					\
{									\
	return isolate(item, list, &list->lock, arg);			\
}

/* __acquire() only tells sparse what the caller expects; nothing is locked. */
static inline enum lru_status pagerange_lru_relock(spinlock_t *lock,
						   enum lru_status status)
	__acquires(lock)
{
	__acquire(lock);
	return status;
}
#endif

/*
 * The owner's RSS. The mm core counts no page mapped by a special PTE, at
 * insert or at zap, so the driver keeps the count itself, in the counter
 * vm_insert_page() uses for such pages (MM_FILEPAGES). add_mm_counter() is
 * inline and calls mm_trace_rss_stat(), which is not exported; the counter
 * under it is an atomic_long_t until 6.2 and a percpu_counter from then on
 * (percpu_counter_add() is inline over the exported
 * percpu_counter_add_batch()). The rss_stat trace event does not see the
 * driver's changes.
 */
static inline void pagerange_add_rss(struct mm_struct *mm, long pages)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	percpu_counter_add(&mm->rss_stat[MM_FILEPAGES], pages);
#else
	atomic_long_add(pages, &mm->rss_stat.count[MM_FILEPAGES]);
#endif
}

/* The exact count, which get_mm_counter() is not from 6.2 on. */
static inline long pagerange_read_rss(struct mm_struct *mm)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return percpu_counter_sum(&mm->rss_stat[MM_FILEPAGES]);
#else
	return atomic_long_read(&mm->rss_stat.count[MM_FILEPAGES]);
#endif
}

/*
 * Tell reclaim that a shrinker freed pages, as slab does for its own. Until
 * reclaim_state->reclaimed_slab was renamed (mm_account_reclaimed_pages()
 * came with the rename; detected), every reclaim counted them as progress.
 * Since then flush_reclaim_state() counts them for global reclaim only
 * (kswapd, the machine's direct reclaim): a memory cgroup's own reclaim
 * cannot tell which cgroup a shrinker's page was charged to. That reclaim
 * then sees no progress from the driver and goes on to lower priorities,
 * scanning more of the cgroup's idle pages than it needed; but the pages
 * are uncharged as they are freed, and the charge that started the reclaim
 * checks the cgroup's margin before anything else and retries when there
 * is room: a cgroup whose idle pages the shrinker can take does not reach
 * its OOM killer for want of counted progress.
 */
static inline void pagerange_account_reclaimed(unsigned long pages)
{
#ifdef PAGERANGE_HAVE_MM_ACCOUNT_RECLAIMED_PAGES
	mm_account_reclaimed_pages(pages);
#else
	if (current->reclaim_state)
		current->reclaim_state->reclaimed_slab += pages;
#endif
}

/* vma->vm_flags became read-only in 6.3: writers use vm_flags_mod(). */
static inline void pagerange_vm_flags_mod(struct vm_area_struct *vma,
					  vm_flags_t set, vm_flags_t clear)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/* zap_vma_ptes() was renamed zap_special_vma_range() (7.2); detected. */
static inline void pagerange_zap_ptes(struct vm_area_struct *vma,
				      unsigned long addr, unsigned long size)
{
#ifdef PAGERANGE_HAVE_ZAP_SPECIAL_VMA_RANGE
	zap_special_vma_range(vma, addr, size);
#else
	zap_vma_ptes(vma, addr, size);
#endif
}

#endif /* _PAGERANGE_COMPAT_H */
