/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the page range: pages inserted, spans used and stopped,
 * pages isolated, zapped and freed by the shrinker, and why it skipped or
 * rotated one.
 * They live in tracefs under events/pagerange/.
 */
#undef TRACE_SYSTEM
/* The KUnit module carries its own copy of the core, and of these events. */
#ifdef PAGERANGE_KUNIT
#define TRACE_SYSTEM pagerange_kunit
#else
#define TRACE_SYSTEM pagerange
#endif

#if !defined(_PAGERANGE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PAGERANGE_TRACE_H

#include <linux/tracepoint.h>

#include "pagerange_core.h"

#define PAGERANGE_SKIP_REASONS					\
	EM(PAGERANGE_SKIP_INSERT_LOCK, "insert_lock")		\
	EM(PAGERANGE_SKIP_MM_EXITING, "mm_exiting")		\
	EM(PAGERANGE_SKIP_MMAP_LOCK, "mmap_lock")		\
	EM(PAGERANGE_SKIP_RANGE_LOCK, "range_lock")		\
	EM(PAGERANGE_SKIP_COPYING, "copying")			\
	EMe(PAGERANGE_SKIP_UNMAPPING, "unmapping")

#undef EM
#undef EMe
#define EM(a, b)	TRACE_DEFINE_ENUM(a);
#define EMe(a, b)	TRACE_DEFINE_ENUM(a);
PAGERANGE_SKIP_REASONS
#undef EM
#undef EMe
#define EM(a, b)	{ a, b },
#define EMe(a, b)	{ a, b }

DECLARE_EVENT_CLASS(pagerange_span,
	TP_PROTO(struct pagerange *range, u64 first, u64 last, u64 count,
		 int ret),
	TP_ARGS(range, first, last, count, ret),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(u64, first)
		__field(u64, last)
		__field(u64, count)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->pid = range->pid;
		__entry->first = first;
		__entry->last = last;
		__entry->count = count;
		__entry->ret = ret;
	),
	TP_printk("pid=%d pages=[%llu,%llu) count=%llu ret=%d",
		  __entry->pid, __entry->first, __entry->last,
		  __entry->count, __entry->ret)
);

/* USE_RANGE: count is the number of pages allocated. */
DEFINE_EVENT(pagerange_span, pagerange_use,
	TP_PROTO(struct pagerange *range, u64 first, u64 last, u64 count,
		 int ret),
	TP_ARGS(range, first, last, count, ret));

/* STOP_USING_RANGE: count is the number of pages made reclaimable. */
DEFINE_EVENT(pagerange_span, pagerange_stop,
	TP_PROTO(struct pagerange *range, u64 first, u64 last, u64 count,
		 int ret),
	TP_ARGS(range, first, last, count, ret));

DECLARE_EVENT_CLASS(pagerange_page,
	TP_PROTO(struct pagerange *range, unsigned long index,
		 struct page *page),
	TP_ARGS(range, index, page),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, index)
		__field(int, nid)
	),
	TP_fast_assign(
		__entry->pid = range->pid;
		__entry->index = index;
		__entry->nid = page_to_nid(page);
	),
	TP_printk("pid=%d index=%lu nid=%d",
		  __entry->pid, __entry->index, __entry->nid)
);

/* A page was allocated and mapped, and is now in use. */
DEFINE_EVENT(pagerange_page, pagerange_insert,
	TP_PROTO(struct pagerange *range, unsigned long index,
		 struct page *page),
	TP_ARGS(range, index, page));

/* The shrinker took a reclaimable page off the LRU and out of its slot. */
DEFINE_EVENT(pagerange_page, pagerange_isolate,
	TP_PROTO(struct pagerange *range, unsigned long index,
		 struct page *page),
	TP_ARGS(range, index, page));

/*
 * The shrinker freed the pages [first, last), which it had isolated, after
 * zapping their PTEs with one call if the vma was there.
 */
TRACE_EVENT(pagerange_free,
	TP_PROTO(struct pagerange *range, unsigned long first,
		 unsigned long last, bool zapped),
	TP_ARGS(range, first, last, zapped),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, first)
		__field(unsigned long, last)
		__field(bool, zapped)
	),
	TP_fast_assign(
		__entry->pid = range->pid;
		__entry->first = first;
		__entry->last = last;
		__entry->zapped = zapped;
	),
	TP_printk("pid=%d pages=[%lu,%lu) zapped=%d",
		  __entry->pid, __entry->first, __entry->last,
		  __entry->zapped)
);

/*
 * The shrinker left a reclaimable page alone; reason says why. rotated says
 * whether it moved the page to the tail of its list (a reason that lasts)
 * or left it where it was (a lock held for a moment).
 */
TRACE_EVENT(pagerange_skip,
	TP_PROTO(struct pagerange *range, unsigned long index,
		 enum pagerange_skip_reason reason, bool rotated),
	TP_ARGS(range, index, reason, rotated),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, index)
		__field(int, reason)
		__field(bool, rotated)
	),
	TP_fast_assign(
		__entry->pid = range->pid;
		__entry->index = index;
		__entry->reason = reason;
		__entry->rotated = rotated;
	),
	TP_printk("pid=%d index=%lu reason=%s rotated=%d",
		  __entry->pid, __entry->index,
		  __print_symbolic(__entry->reason, PAGERANGE_SKIP_REASONS),
		  __entry->rotated)
);

#endif /* _PAGERANGE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pagerange_trace
#include <trace/define_trace.h>
