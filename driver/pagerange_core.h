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
 * The most pages one range may hold: 256 MiB. It bounds the slot array
 * (one pointer a page, 512 KiB at most) and the work one call may ask for.
 */
#define PAGERANGE_MAX_PAGES	(SZ_256M >> PAGE_SHIFT)

/*
 * The most pages all ranges together may hold, 0 for no limit beyond the
 * memory cgroups'. Read once per page allocated; may change at any time.
 */
extern unsigned long pagerange_max_pages;

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
 *
 * A lock held (insert_lock, mmap_lock, range_lock) is brief: the page keeps
 * its place and the next scan tries it first, as the kernel's own LRUs do
 * on trylock contention. The other reasons last as long as user space or
 * the mm core takes (a copy can wait on a fault indefinitely): the page is
 * rotated to the tail of its list, so that it cannot keep the shrinker
 * from the pages behind it.
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
