/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * <linux/pagerange.h> as its first release had it, byte for byte from the
 * next comment on: what a program built then was compiled against.
 * abi_v1_test.c includes it instead of the current header, under the same
 * include guard, to show that such a program runs unchanged against
 * today's driver. Never edit it; a later release that changes the ABI
 * adds a header of its own.
 *
 * The guard below is the one make headers_install gives the current header
 * (it drops the _UAPI prefix): an installed copy must not follow this one.
 */
#define _LINUX_PAGERANGE_H
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
 * All fields are 64 bits wide and naturally aligned, so the layout is the
 * same for 32-bit and 64-bit callers. User pointers are passed as __u64.
 * Every flags and reserved field must be zero, or the call fails with EINVAL.
 */
#ifndef _UAPI_LINUX_PAGERANGE_H
#define _UAPI_LINUX_PAGERANGE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct pagerange_range - a span of pages
 * @start: first page index
 * @end: one past the last page index; @start == @end is a no-op
 * @flags: must be zero
 * @result: out: for USE_RANGE, the number of pages that had to be allocated
 *	(never used before, or reclaimed since their last use) and so now
 *	read as zero; for STOP_USING_RANGE, the number of pages that went from
 *	in use to reclaimable
 */
struct pagerange_range {
	__u64 start;
	__u64 end;
	__u64 flags;
	__u64 result;
};

#define PAGERANGE_USE_RANGE_FLAGS	0
#define PAGERANGE_STOP_USING_RANGE_FLAGS	0

/**
 * struct pagerange_io - a byte span of the range and a user buffer
 * @offset: byte offset into the range
 * @len: number of bytes; zero is a no-op
 * @buf: user buffer (a pointer cast to __u64); must be zero for ZERO
 * @flags: must be zero
 */
struct pagerange_io {
	__u64 offset;
	__u64 len;
	__u64 buf;
	__u64 flags;
};

#define PAGERANGE_IO_FLAGS	0

/**
 * struct pagerange_info - the state of one range
 * @size_pages: size of the mapping in pages; 0 until mapped
 * @pages_present: pages that exist (in use or reclaimable)
 * @pages_in_use: pages in use
 * @pages_reclaimable: pages the shrinker may take
 * @pages_reclaimed: running total of pages the shrinker took from this range
 * @pages_allocated: running total of pages allocated for this range
 * @reserved: zero
 */
struct pagerange_info {
	__u64 size_pages;
	__u64 pages_present;
	__u64 pages_in_use;
	__u64 pages_reclaimable;
	__u64 pages_reclaimed;
	__u64 pages_allocated;
	__u64 reserved[2];
};

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

#endif /* _UAPI_LINUX_PAGERANGE_H */
