/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernels before 7.2, for the out-of-tree build only.
 *
 * The driver is written for the kernel it is meant to be merged into: it
 * calls 7.2's interfaces by their 7.2 names, and no source file tests a
 * kernel version or names this header. This header gives those names to
 * the older kernels pagerange builds against, as the interfaces they
 * replaced, and nothing else.
 *
 * How it is included: driver/Kbuild passes "-include pagerange_compat.h"
 * to every file it compiles when the module is built out of tree (an M=
 * build: KBUILD_EXTMOD is set), so the header comes first, before any of
 * the file's own includes. In a kernel tree (drivers/misc/pagerange/) the
 * line is not there and nothing includes the header. Built out of tree
 * against 7.2 it is included and defines nothing: every block below is for
 * older kernels. make compile-test builds the module against 7.2 with the
 * header left out (PAGERANGE_NO_COMPAT=1), as a kernel tree would.
 *
 * Where kernels differ in behaviour, not just in a name, the core has a
 * wrapper of its own: pagerange_add_rss() and pagerange_lru_walk_cb(),
 * each defined in pagerange_core.c for 7.2 under "#ifndef <its name>",
 * with why it exists. For older kernels this header defines the macro of
 * the name, which leaves the core's definition out, and what replaces it:
 * the kernel's own idiom for an override.
 *
 * Each shim names the release that changed the interface. Where the
 * release is uncertain or distributions backport the change, Kbuild
 * detects the feature in the kernel's headers instead and defines
 * PAGERANGE_HAVE_*.
 */
#ifndef _PAGERANGE_COMPAT_H
#define _PAGERANGE_COMPAT_H

#include <linux/list_lru.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/version.h>

/*
 * Shrinker registration. 6.7 replaced the caller-owned struct shrinker and
 * register_shrinker()/unregister_shrinker() with shrinker_alloc(),
 * shrinker_register() and shrinker_free(). Its order is: allocate the
 * shrinker, which assigns its id; set its callbacks; initialise the
 * memcg-aware list_lru, which takes that id; register the shrinker, from
 * when on its callbacks may run. Before 6.7 the id is assigned by
 * register_shrinker() (6.1 exports neither prealloc_shrinker() nor
 * register_shrinker_prepared()), which also makes the callbacks callable:
 * the shrinker is registered before the list_lru can be initialised.
 *
 * So shrinker_alloc() here registers a shrinker of its own, whose callbacks
 * do nothing until shrinker_register(), and returns a second one for the
 * caller to fill in, carrying the first one's id: the callbacks the caller
 * sets on it (count_objects and scan_objects, all the driver sets) run from
 * shrinker_register() on, with what was written before it visible to them,
 * as from 6.7. shrinker_free() unregisters it, which waits for callbacks
 * running, and frees both.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
struct pagerange_compat_shrinker {
	struct shrinker registered;	/* what the kernel calls */
	struct shrinker shrinker;	/* what shrinker_alloc() returns */
	bool active;			/* set by shrinker_register() */
};

static inline struct pagerange_compat_shrinker *
pagerange_compat_shrinker(struct shrinker *shrinker)
{
	return container_of(shrinker, struct pagerange_compat_shrinker,
			    registered);
}

static inline bool pagerange_compat_shrinker_active(struct shrinker *shrinker)
{
	/* Pairs with the release in shrinker_register(). */
	return smp_load_acquire(&pagerange_compat_shrinker(shrinker)->active);
}

static inline unsigned long
pagerange_compat_shrinker_count(struct shrinker *registered,
				struct shrink_control *sc)
{
	struct shrinker *shrinker;

	if (!pagerange_compat_shrinker_active(registered))
		return 0;
	shrinker = &pagerange_compat_shrinker(registered)->shrinker;
	return shrinker->count_objects(shrinker, sc);
}

static inline unsigned long
pagerange_compat_shrinker_scan(struct shrinker *registered,
			       struct shrink_control *sc)
{
	struct shrinker *shrinker;

	if (!pagerange_compat_shrinker_active(registered))
		return SHRINK_STOP;
	shrinker = &pagerange_compat_shrinker(registered)->shrinker;
	return shrinker->scan_objects(shrinker, sc);
}

static inline __printf(2, 3) struct shrinker *
shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct pagerange_compat_shrinker *c;
	va_list ap;
	char *name;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	va_start(ap, fmt);
	name = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (!name)
		goto err_free;
	c->registered.count_objects = pagerange_compat_shrinker_count;
	c->registered.scan_objects = pagerange_compat_shrinker_scan;
	c->registered.seeks = DEFAULT_SEEKS;
	c->registered.flags = flags;
	if (register_shrinker(&c->registered, "%s", name))
		goto err_free_name;
	kfree(name);
	c->shrinker.flags = flags;
	c->shrinker.seeks = DEFAULT_SEEKS;
#ifdef CONFIG_MEMCG
	c->shrinker.id = c->registered.id;
#endif
	return &c->shrinker;

err_free_name:
	kfree(name);
err_free:
	kfree(c);
	return NULL;
}

static inline void shrinker_register(struct shrinker *shrinker)
{
	struct pagerange_compat_shrinker *c =
		container_of(shrinker, struct pagerange_compat_shrinker,
			     shrinker);

	/* The callbacks and what they use are set: pairs with the acquire. */
	smp_store_release(&c->active, true);
}

static inline void shrinker_free(struct shrinker *shrinker)
{
	struct pagerange_compat_shrinker *c;

	if (!shrinker)
		return;
	c = container_of(shrinker, struct pagerange_compat_shrinker, shrinker);
	unregister_shrinker(&c->registered);
	kfree(c);
}
#endif

/*
 * list_lru_add()/list_lru_del() gained nid and memcg arguments in 6.8; the
 * _obj variants that came with them keep the old behaviour of taking the
 * node and memory cgroup from the item's address.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
static inline bool list_lru_add_obj(struct list_lru *lru,
				    struct list_head *item)
{
	return list_lru_add(lru, item);
}

static inline bool list_lru_del_obj(struct list_lru *lru,
				    struct list_head *item)
{
	return list_lru_del(lru, item);
}
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
 * The driver's isolate function, pagerange_isolate(), takes the lock as an
 * argument and returns those statuses with it dropped: on these kernels it
 * is the callback itself (pagerange_lru_walk_cb), and list_lru_walk_one()
 * takes the lock again after it, as 6.13's does. Only the driver's walk
 * uses list_lru_walk_one(), and it returns no LRU_STOP (6.8), which before
 * 6.13 returns with the lock held.
 */
#ifdef PAGERANGE_HAVE_LRU_CB_LOCK_ARG
#define pagerange_lru_walk_cb pagerange_isolate

struct pagerange_compat_walk {
	list_lru_walk_cb isolate;
	void *arg;
};

static inline enum lru_status
pagerange_compat_walk_cb(struct list_head *item, struct list_lru_one *list,
			 spinlock_t *lock, void *arg)
	__must_hold(lock)
{
	struct pagerange_compat_walk *walk = arg;
	enum lru_status status;

	status = walk->isolate(item, list, lock, walk->arg);
	if (status == LRU_RETRY || status == LRU_REMOVED_RETRY) {
		/* Dropped, though sparse sees it held: see the core's return. */
		__release(lock);
		spin_lock(lock);
	}
	return status;
}

static inline unsigned long
pagerange_compat_list_lru_walk_one(struct list_lru *lru, int nid,
				   struct mem_cgroup *memcg,
				   list_lru_walk_cb isolate, void *arg,
				   unsigned long *nr_to_walk)
{
	struct pagerange_compat_walk walk = {
		.isolate = isolate,
		.arg = arg,
	};

	return list_lru_walk_one(lru, nid, memcg, pagerange_compat_walk_cb,
				 &walk, nr_to_walk);
}

#define list_lru_walk_one pagerange_compat_list_lru_walk_one
#endif

/*
 * The owner's RSS counters are an atomic_long_t until 6.2 and a
 * percpu_counter from then on: the core's pagerange_add_rss() is 6.2's.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define pagerange_add_rss pagerange_add_rss
static inline void pagerange_add_rss(struct mm_struct *mm, long pages)
{
	atomic_long_add(pages, &mm->rss_stat.count[MM_FILEPAGES]);
}
#endif

/*
 * get_mm_counter_sum(), the exact count, which get_mm_counter() is not
 * from 6.2 on: 6.16, and backported (detected). Before 6.2 get_mm_counter()
 * is exact.
 */
#ifndef PAGERANGE_HAVE_GET_MM_COUNTER_SUM
static inline unsigned long get_mm_counter_sum(struct mm_struct *mm,
					       int member)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return percpu_counter_sum_positive(&mm->rss_stat[member]);
#else
	return get_mm_counter(mm, member);
#endif
}
#endif

/*
 * mm_account_reclaimed_pages() came with the rename of
 * reclaim_state->reclaimed_slab (6.4; detected). Before, every reclaim
 * counted what a shrinker reported freeing there as its progress; since,
 * only global reclaim does (see the core's call).
 */
#ifndef PAGERANGE_HAVE_MM_ACCOUNT_RECLAIMED_PAGES
static inline void mm_account_reclaimed_pages(unsigned long pages)
{
	if (current->reclaim_state)
		current->reclaim_state->reclaimed_slab += pages;
}
#endif

/* vma->vm_flags became read-only in 6.3: writers use vm_flags_set() etc. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/* zap_vma_ptes() was renamed zap_special_vma_range() (7.2); detected. */
#ifndef PAGERANGE_HAVE_ZAP_SPECIAL_VMA_RANGE
static inline void zap_special_vma_range(struct vm_area_struct *vma,
					 unsigned long address,
					 unsigned long size)
{
	zap_vma_ptes(vma, address, size);
}
#endif

/*
 * kzalloc_obj(), which 7.2 has: a zeroed allocation of @P's type, sized
 * from it. The KUnit suites use it.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

#endif /* _PAGERANGE_COMPAT_H */
