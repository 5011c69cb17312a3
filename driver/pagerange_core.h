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

#include <linux/sizes.h>
#include <linux/types.h>

struct dentry;
struct file;
struct mm_struct;
struct poll_table_struct;
struct seq_file;
struct vm_area_struct;

/*
 * The most pages one range may hold: 256 MiB. It bounds the slot array
 * (one pointer a page, 512 KiB at most) and the work one call may ask for.
 */
#define PAGERANGE_MAX_PAGES	(SZ_256M >> PAGE_SHIFT)

struct pagerange;

/**
 * struct pagerange_stats - a snapshot of one range's counters
 * @size_pages: size in pages; 0 until mapped
 * @pages_present: pages that exist
 * @pages_in_use: pages in use
 * @pages_reclaimable: pages on the list_lru
 * @pages_reclaimed: running total of pages the shrinker freed
 * @pages_allocated: running total of pages allocated
 * @pages_purged: running total of pages pagerange_purge() freed
 *
 * The names, and the meanings, are struct pagerange_info's.
 */
struct pagerange_stats {
	u64 size_pages;
	u64 pages_present;
	u64 pages_in_use;
	u64 pages_reclaimable;
	u64 pages_reclaimed;
	u64 pages_allocated;
	u64 pages_purged;
};

/**
 * struct pagerange_global_stats - the counters of all ranges together
 * @pages_present: pages that exist, with those allocations in progress
 *	have reserved against the max_pages limit
 * @pages_reclaimable: pages on the list_lru
 * @pages_reclaimed: running total of pages the shrinker freed
 * @shrinker_scans: running total of the shrinker's scans
 * @shrinker_skips: running total of the pages the shrinker could not take
 *	and rotated to the tail of its list
 * @ranges: open ranges
 *
 * The names are those of the device's sysfs attributes, and of struct
 * pagerange_info's fields where a range has the same counter. All are
 * longs: the attributes read them by their offset.
 */
struct pagerange_global_stats {
	long pages_present;
	long pages_reclaimable;
	long pages_reclaimed;
	long shrinker_scans;
	long shrinker_skips;
	long ranges;
};

/**
 * struct pagerange_purge_report - what the shrinker took since the last look
 * @pages: pages freed since the last pagerange_take_purged()
 * @events: running total of the shrinker's runs over the range's pages
 * @last_ns: ktime_get_ns() of the last one, 0 if none yet
 */
struct pagerange_purge_report {
	u64 pages;
	u64 events;
	u64 last_ns;
};

/**
 * enum pagerange_state - the state of a page, as pagerange_query() reports it
 * @PAGERANGE_STATE_FREE: no page
 * @PAGERANGE_STATE_IN_USE: a page, in use
 * @PAGERANGE_STATE_RECLAIMABLE: a page the shrinker may take
 */
enum pagerange_state {
	PAGERANGE_STATE_FREE,
	PAGERANGE_STATE_IN_USE,
	PAGERANGE_STATE_RECLAIMABLE,
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
 * @PAGERANGE_SKIP_MM_EXITING: the owner's mm has no user; its vma is about
 *	to be closed, which frees the pages
 * @PAGERANGE_SKIP_MMAP_LOCK: the owner's mmap_lock is taken for writing,
 *	or a writer waits for it
 * @PAGERANGE_SKIP_COPYING: a copy into or out of the range is in flight
 * @PAGERANGE_SKIP_UNMAPPING: munmap() has unlinked the vma and not closed it
 *	yet, or closed it while a copy was in flight (whose end frees the pages)
 *
 * Whatever the reason, the page is rotated to the tail of its list: a page
 * left in place would be the first the next scan meets, and a range that
 * stays busy (a copy can wait on a fault for as long as user space likes,
 * a server's ranges are always in some call) would keep the shrinker from
 * every page behind its own.
 */
enum pagerange_skip_reason {
	PAGERANGE_SKIP_MM_EXITING,
	PAGERANGE_SKIP_MMAP_LOCK,
	PAGERANGE_SKIP_COPYING,
	PAGERANGE_SKIP_UNMAPPING,
};

int pagerange_core_init(const char *name);
void pagerange_core_exit(void);

struct pagerange *pagerange_create(struct mm_struct *mm, pid_t pid, int nid);
void pagerange_destroy(struct pagerange *range);

int pagerange_attach(struct pagerange *range, struct vm_area_struct *vma,
		     unsigned long max_pages);

int pagerange_use(struct pagerange *range, u64 first, u64 last,
		  u64 *nr_allocated, unsigned long *fresh);
int pagerange_stop_using(struct pagerange *range, u64 first, u64 last,
			 u64 *nr_stopped);
int pagerange_purge(struct pagerange *range, u64 first, u64 last,
		    u64 *nr_freed);
int pagerange_query(struct pagerange *range, u64 first, u64 last, u8 *states);
void pagerange_take_purged(struct pagerange *range,
			   struct pagerange_purge_report *report);
__poll_t pagerange_poll(struct pagerange *range, struct file *file,
			struct poll_table_struct *wait);
int pagerange_io(struct pagerange *range, enum pagerange_io_op op,
		 u64 offset, u64 len, void __user *buf);

void pagerange_get_stats(struct pagerange *range,
			 struct pagerange_stats *stats);
void pagerange_get_global_stats(struct pagerange_global_stats *stats);
void pagerange_print_ranges(struct seq_file *m);
void pagerange_debugfs_init_faults(struct dentry *dir);

#endif /* _PAGERANGE_CORE_H */
