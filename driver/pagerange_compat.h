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
#include <linux/shrinker.h>
#include <linux/version.h>

/*
 * Shrinker registration. 6.7 replaced the caller-owned struct shrinker and
 * register_shrinker() with shrinker_alloc()/shrinker_register()/
 * shrinker_free(). Older kernels get a static shrinker behind the same calls.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
static inline struct shrinker *
pagerange_shrinker_alloc(unsigned int flags, const char *name)
{
	return shrinker_alloc(flags, "%s", name);
}

static inline int pagerange_shrinker_register(struct shrinker *shrinker,
					      const char *name)
{
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
					      const char *name)
{
	return register_shrinker(shrinker, "%s", name);
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
 * must return LRU_REMOVED_RETRY with that lock held again; since then the
 * lock is the list's own and LRU_REMOVED_RETRY returns with it dropped.
 * Detected: PAGERANGE_HAVE_LRU_CB_LOCK_ARG is the old signature.
 * PAGERANGE_LRU_CB_ARGS declares the callback's parameters and
 * PAGERANGE_LRU_CB_LOCK names the lock held on entry;
 * pagerange_lru_unlock() drops the lock before work that may sleep and
 * pagerange_lru_retry() is the matching return.
 */
#ifndef PAGERANGE_HAVE_LRU_CB_LOCK_ARG
#define PAGERANGE_LRU_CB_ARGS \
	struct list_head *item, struct list_lru_one *list, void *cb_arg
#define PAGERANGE_LRU_CB_LOCK	(&list->lock)
#define pagerange_lru_unlock()	spin_unlock(&list->lock)
#define pagerange_lru_retry()	LRU_REMOVED_RETRY
#else
#define PAGERANGE_LRU_CB_ARGS \
	struct list_head *item, struct list_lru_one *list, \
	spinlock_t *lru_lock, void *cb_arg
#define PAGERANGE_LRU_CB_LOCK	lru_lock
#define pagerange_lru_unlock()	spin_unlock(lru_lock)
#define pagerange_lru_retry()	({ spin_lock(lru_lock); LRU_REMOVED_RETRY; })
#endif

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
