/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The shrinkable page range: pages of one user mapping that are allocated
 * on first use and, once idle, given back to the system by a shrinker.
 *
 * This layer owns pages, their states, the list_lru and the shrinker. It
 * knows nothing of files, ioctls or the UAPI; pagerange_main.c puts a misc
 * device in front of it. See pagerange_core.c for the lock order.
 */
#ifndef _PAGERANGE_CORE_H
#define _PAGERANGE_CORE_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dentry;
struct seq_file;

/*
 * The most pages one range may hold: 256 MiB. The slot array is one
 * kmalloc allocation (list_lru items must live in kmalloc memory); with
 * 4 KiB pages and 32-byte slots this keeps it at 2 MiB.
 */
#define PAGERANGE_MAX_PAGES	(SZ_256M >> PAGE_SHIFT)

/*
 * The most pages all ranges together may hold, 0 for no limit beyond the
 * memory cgroups'. Read once per page allocated; may change at any time.
 */
extern unsigned long pagerange_max_pages;

/**
 * struct pagerange_slot - one page of a range
 * @lru: entry in the global list_lru while the page is reclaimable; empty
 *	otherwise. Protected by &pagerange.lock (and the list_lru lock).
 * @page: the page, or NULL while the slot is free. Set only with
 *	&pagerange.insert_lock and &pagerange.lock held, so either lock keeps
 *	it stable for a reader.
 * @range: the range this slot belongs to; immutable
 *
 * The state is derived, never stored: free (@page is NULL), in use (@page
 * set, @lru empty) or reclaimable (@page set, @lru on the list_lru).
 */
struct pagerange_slot {
	struct list_head lru;
	struct page *page;
	struct pagerange *range;
};

/**
 * struct pagerange - a range of pages backing one user mapping
 * @mm: the mm the range is bound to (mmgrab()); immutable
 * @pid: thread-group id of the opener, for debugfs; immutable
 * @node: entry in the global list of ranges; protected by the list's mutex
 * @rcu: defers freeing; see pagerange_insert_unlock()
 * @insert_lock: serialises inserting pages into the vma with zapping them,
 *	so that a free slot never has a PTE. Taken before the owner's mmap_lock.
 *	Page presence (slot->page) only changes with it held.
 * @lock: protects the fields below and every slot's @lru membership.
 *	Taken inside mmap_lock; the list_lru lock nests inside it.
 * @slots: the per-page array, allocated when the vma is attached
 * @nr_pages: number of slots; 0 until the vma is attached
 * @nid: the node asked for at creation until attach, then the node of
 *	@slots: list_lru accounts every slot to it, so pages are allocated
 *	there by preference and the two agree
 * @vma_addr: start of the attached vma
 * @vma: the attached vma, or NULL before attach and after it was closed.
 *	Compared, never dereferenced, without the owner's mmap_lock.
 * @nr_copying: copies in flight into or out of in-use pages; the shrinker
 *	skips the range while it is non-zero
 * @nr_present: slots with a page
 * @nr_reclaimable: slots on the list_lru
 * @nr_reclaimed: running total of pages the shrinker freed
 * @nr_allocated: running total of pages allocated
 */
struct pagerange {
	struct mm_struct *mm;
	pid_t pid;
	struct list_head node;
	struct rcu_head rcu;

	struct mutex insert_lock;	/* outermost; see above */

	spinlock_t lock;		/* protects everything below */
	struct pagerange_slot *slots;
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

/**
 * struct pagerange_stats - a snapshot of one range's counters
 * @nr_pages: size in pages; 0 until mapped
 * @present: pages that exist
 * @in_use: pages in use
 * @reclaimable: pages on the list_lru
 * @reclaimed: running total of pages the shrinker freed
 * @allocated: running total of pages allocated
 */
struct pagerange_stats {
	u64 nr_pages;
	u64 present;
	u64 in_use;
	u64 reclaimable;
	u64 reclaimed;
	u64 allocated;
};

/**
 * enum pagerange_io_op - what pagerange_io() does with each byte
 * @PAGERANGE_IO_WRITE: copy from the user buffer into the range
 * @PAGERANGE_IO_READ: copy from the range to the user buffer
 * @PAGERANGE_IO_ZERO: clear bytes of the range; no user buffer
 */
enum pagerange_io_op {
	PAGERANGE_IO_WRITE,
	PAGERANGE_IO_READ,
	PAGERANGE_IO_ZERO,
};

/**
 * enum pagerange_skip_reason - why the shrinker left a reclaimable page
 * @PAGERANGE_SKIP_INSERT_LOCK: the range is inserting or zapping pages
 * @PAGERANGE_SKIP_MM_EXITING: the owner's mm is being torn down
 * @PAGERANGE_SKIP_MMAP_LOCK: the owner's mmap_lock is taken
 * @PAGERANGE_SKIP_RANGE_LOCK: the range's spinlock is taken
 * @PAGERANGE_SKIP_COPYING: a copy into or out of the range is in flight
 * @PAGERANGE_SKIP_UNMAPPING: munmap() has unlinked the vma, not closed it
 */
enum pagerange_skip_reason {
	PAGERANGE_SKIP_INSERT_LOCK,
	PAGERANGE_SKIP_MM_EXITING,
	PAGERANGE_SKIP_MMAP_LOCK,
	PAGERANGE_SKIP_RANGE_LOCK,
	PAGERANGE_SKIP_COPYING,
	PAGERANGE_SKIP_UNMAPPING,
};

int pagerange_core_init(const char *name);
void pagerange_core_exit(void);

struct pagerange *pagerange_create(struct mm_struct *mm, pid_t pid, int nid);
void pagerange_destroy(struct pagerange *range);

int pagerange_attach(struct pagerange *range, struct vm_area_struct *vma);
void pagerange_detach(struct pagerange *range, struct vm_area_struct *vma);

int pagerange_use(struct pagerange *range, u64 first, u64 last,
		  u64 *nr_allocated);
int pagerange_stop_using(struct pagerange *range, u64 first, u64 last,
			 u64 *nr_stopped);
int pagerange_io(struct pagerange *range, enum pagerange_io_op op,
		 u64 offset, u64 len, void __user *buf);

void pagerange_get_stats(struct pagerange *range,
			 struct pagerange_stats *stats);
void pagerange_print_stats(struct seq_file *m);
void pagerange_print_ranges(struct seq_file *m);
void pagerange_debugfs_init_faults(struct dentry *dir);

#endif /* _PAGERANGE_CORE_H */
