/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pagerange: a read-only mapping whose pages the kernel allocates on first
 * use and, once idle, may take back under memory pressure.
 *
 * Each open of /dev/pagerange creates a range bound to the opener's mm. The
 * opener maps it once, read-only, at offset 0. Any process holding the fd may
 * then populate pages (USE_RANGE), copy data in and out (WRITE, READ, ZERO)
 * and release them to the shrinker (STOP_USING_RANGE).
 *
 * Every page is in one of three states:
 *   free         no page; touching it through the mapping raises SIGBUS
 *   in use       a page is mapped, and the shrinker leaves it alone
 *   reclaimable  still mapped with its data, until the shrinker frees it
 *
 * The owner learns which pages it lost from USE_RANGE_REPORT, and when from
 * poll(): the fd reports POLLPRI once the shrinker has taken pages of the
 * range, until PURGED acknowledges it.
 *
 * All fields are 64 bits wide and naturally aligned, so the layout is the
 * same for 32-bit and 64-bit callers. User pointers are passed as __u64.
 * Every flags and reserved field must be zero, or the call fails with EINVAL.
 */
#ifndef _UAPI_LINUX_PAGERANGE_H
#define _UAPI_LINUX_PAGERANGE_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct pagerange_range - a span of pages
 * @start: first page index
 * @end: one past the last page index; @start == @end is a no-op
 * @flags: for STOP_USING_RANGE, %PAGERANGE_STOP_PURGE or zero; for
 *	USE_RANGE, zero
 * @result: out: for USE_RANGE, the number of pages that had to be allocated
 *	(never used before, or reclaimed since their last use) and so now
 *	read as zero; for STOP_USING_RANGE, the number of pages that went from
 *	in use to reclaimable, or with %PAGERANGE_STOP_PURGE the number of
 *	pages freed
 */
struct pagerange_range {
	__u64 start;
	__u64 end;
	__u64 flags;
	__u64 result;
};

#define PAGERANGE_USE_RANGE_FLAGS	0

/*
 * STOP_USING_RANGE: free every page of the span at once, in use or
 * reclaimable, as the shrinker would, instead of leaving them to memory
 * pressure: they read as zero once used again.
 */
#define PAGERANGE_STOP_PURGE		_BITULL(0)
#define PAGERANGE_STOP_USING_RANGE_FLAGS	PAGERANGE_STOP_PURGE

/**
 * struct pagerange_io - a byte span of the range and a user buffer
 * @offset: byte offset into the range
 * @len: number of bytes; zero is a no-op
 * @buf: user buffer (a pointer cast to __u64); must be zero for ZERO
 * @flags: for WRITE, %PAGERANGE_WRITE_USE or zero; for READ and ZERO, zero
 */
struct pagerange_io {
	__u64 offset;
	__u64 len;
	__u64 buf;
	__u64 flags;
};

#define PAGERANGE_IO_FLAGS	0

/*
 * WRITE: first make every page the bytes touch in use, allocating the
 * missing ones, all or nothing, as USE_RANGE does; then copy. One call per
 * transaction.
 */
#define PAGERANGE_WRITE_USE		_BITULL(0)
#define PAGERANGE_WRITE_FLAGS		PAGERANGE_WRITE_USE

/**
 * struct pagerange_info - the state of one range
 * @size_pages: size of the mapping in pages; 0 until mapped
 * @pages_present: pages that exist (in use or reclaimable)
 * @pages_in_use: pages in use
 * @pages_reclaimable: pages the shrinker may take
 * @pages_reclaimed: running total of pages the shrinker took from this range
 * @pages_allocated: running total of pages allocated for this range
 * @pages_purged: running total of pages STOP_USING_RANGE freed with
 *	%PAGERANGE_STOP_PURGE
 * @reserved: zero
 */
struct pagerange_info {
	__u64 size_pages;
	__u64 pages_present;
	__u64 pages_in_use;
	__u64 pages_reclaimable;
	__u64 pages_reclaimed;
	__u64 pages_allocated;
	__u64 pages_purged;
	__u64 reserved;
};

/**
 * struct pagerange_use_report - USE_RANGE that says which pages it allocated
 * @start: first page index
 * @end: one past the last page index; @start == @end is a no-op
 * @flags: must be zero
 * @result: out: the number of pages that had to be allocated, as for
 *	USE_RANGE
 * @bitmap: user buffer (a pointer cast to __u64) of
 *	(@end - @start + 63) / 64 __u64 words. Out: page @start + i is bit
 *	(i % 64) of word i / 64, bit 0 the least significant: set if the page
 *	had to be allocated and reads as zero, clear if it kept its contents.
 *	Bits past @end - @start in the last word are zero. Written in full
 *	before anything else is done; on failure it holds no report
 * @bitmap_size: size of @bitmap in bytes; at least
 *	8 * ((@end - @start + 63) / 64)
 * @reserved: zero
 *
 * The report is one step with the use: once the call returns, every page of
 * the span is in use, and the shrinker cannot take one before the caller
 * reads the bitmap.
 */
struct pagerange_use_report {
	__u64 start;
	__u64 end;
	__u64 flags;
	__u64 result;
	__u64 bitmap;
	__u64 bitmap_size;
	__u64 reserved[2];
};

#define PAGERANGE_USE_REPORT_FLAGS	0

/* The state of a page, as QUERY reports it. */
#define PAGERANGE_PAGE_FREE		0
#define PAGERANGE_PAGE_IN_USE		1
#define PAGERANGE_PAGE_RECLAIMABLE	2

/**
 * struct pagerange_query - the state of each page of a span, changing none
 * @start: first page index
 * @end: one past the last page index; @start == @end is a no-op
 * @flags: must be zero
 * @vec: user buffer (a pointer cast to __u64) of @end - @start bytes. Out:
 *	byte i is the state of page @start + i, one of PAGERANGE_PAGE_*, all
 *	taken at one instant
 * @reserved: zero
 */
struct pagerange_query {
	__u64 start;
	__u64 end;
	__u64 flags;
	__u64 vec;
	__u64 reserved[2];
};

#define PAGERANGE_QUERY_FLAGS		0

/**
 * struct pagerange_purged - what the shrinker took since the last call
 * @pages: out: pages of the range the shrinker freed since the last
 *	PURGED (since the open, for the first)
 * @events: out: running total of the shrinker's reclaims of this range's
 *	pages, one per run of up to 32 pages
 * @last_ns: out: CLOCK_MONOTONIC time of the last one, in nanoseconds; 0
 *	if none yet
 * @flags: must be zero
 *
 * The call acknowledges the notification: poll() no longer reports
 * POLLPRI until the shrinker takes pages again.
 */
struct pagerange_purged {
	__u64 pages;
	__u64 events;
	__u64 last_ns;
	__u64 flags;
};

#define PAGERANGE_PURGED_FLAGS		0

/* 0xB9 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define PAGERANGE_IOC_MAGIC	0xB9

/* Allocate and map the missing pages of a span; all pages become in use. */
#define PAGERANGE_IOC_USE_RANGE \
	_IOWR(PAGERANGE_IOC_MAGIC, 0x01, struct pagerange_range)
/* Make the in-use pages of a span reclaimable; free pages are ignored. */
#define PAGERANGE_IOC_STOP_USING_RANGE \
	_IOWR(PAGERANGE_IOC_MAGIC, 0x02, struct pagerange_range)
/* Copy @len bytes from @buf into the range; every page must be in use. */
#define PAGERANGE_IOC_WRITE \
	_IOW(PAGERANGE_IOC_MAGIC, 0x03, struct pagerange_io)
/* Copy @len bytes from the range to @buf; every page must be in use. */
#define PAGERANGE_IOC_READ \
	_IOW(PAGERANGE_IOC_MAGIC, 0x04, struct pagerange_io)
/* Zero @len bytes of the range; @buf must be 0; every page must be in use. */
#define PAGERANGE_IOC_ZERO \
	_IOW(PAGERANGE_IOC_MAGIC, 0x05, struct pagerange_io)
/* Report the state of the range. */
#define PAGERANGE_IOC_GET_INFO \
	_IOR(PAGERANGE_IOC_MAGIC, 0x06, struct pagerange_info)
/* USE_RANGE, and say which pages of the span had to be allocated. */
#define PAGERANGE_IOC_USE_RANGE_REPORT \
	_IOWR(PAGERANGE_IOC_MAGIC, 0x07, struct pagerange_use_report)
/* Report the state of each page of a span; change nothing. */
#define PAGERANGE_IOC_QUERY \
	_IOW(PAGERANGE_IOC_MAGIC, 0x08, struct pagerange_query)
/* Report and acknowledge what the shrinker took since the last call. */
#define PAGERANGE_IOC_PURGED \
	_IOWR(PAGERANGE_IOC_MAGIC, 0x09, struct pagerange_purged)

#endif /* _UAPI_LINUX_PAGERANGE_H */
