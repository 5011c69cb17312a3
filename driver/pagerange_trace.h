/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the page range: pages inserted, spans used and stopped,
 * pages isolated, zapped and freed by the shrinker, and why it rotated
 * one it could not take.
 * They live in tracefs under events/pagerange/.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pagerange

#if !defined(_PAGERANGE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PAGERANGE_TRACE_H

#include <linux/tracepoint.h>

#include "pagerange_core.h"

/*
 * The KUnit module carries its own copy of the core (pagerange_core_test.c)
 * but none of these events: each event is a tracepoint whose global
 * symbols, and whose name in the section of tracepoints, come from the
 * event's name, so a second copy of the events would clash with the
 * driver's when both are built into the kernel. There the trace_*() calls
 * are empty inline functions, as with tracing configured out.
 */
#ifdef PAGERANGE_KUNIT
#pragma push_macro("DEFINE_EVENT")
#pragma push_macro("TRACE_EVENT")
#undef DEFINE_EVENT
#undef TRACE_EVENT
#define DEFINE_EVENT(template, name, proto, args)			\
	static inline void trace_##name(proto) {}
#define TRACE_EVENT(name, proto, args, tstruct, assign, print)		\
	static inline void trace_##name(proto) {}
#endif

#define PAGERANGE_SKIP_REASONS					\
	EM(PAGERANGE_SKIP_MM_EXITING, "mm_exiting")		\
	EM(PAGERANGE_SKIP_MMAP_LOCK, "mmap_lock")		\
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

/* STOP_USING_RANGE with PAGERANGE_STOP_PURGE: count is the pages freed. */
DEFINE_EVENT(pagerange_span, pagerange_purge,
	TP_PROTO(struct pagerange *range, u64 first, u64 last, u64 count,
		 int ret),
	TP_ARGS(range, first, last, count, ret));

/*
 * The shrinker took pages of a range whose owner had acknowledged what it
 * took before, and woke its pollers: pages is the run that did it.
 */
TRACE_EVENT(pagerange_notify,
	TP_PROTO(struct pagerange *range, unsigned long pages),
	TP_ARGS(range, pages),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, pages)
	),
	TP_fast_assign(
		__entry->pid = range->pid;
		__entry->pages = pages;
	),
	TP_printk("pid=%d pages=%lu", __entry->pid, __entry->pages)
);

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
 * The shrinker zapped the PTEs of the pages [first, last), which it had
 * isolated, with one call, and is freeing them.
 */
TRACE_EVENT(pagerange_free,
	TP_PROTO(struct pagerange *range, unsigned long first,
		 unsigned long last),
	TP_ARGS(range, first, last),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, first)
		__field(unsigned long, last)
	),
	TP_fast_assign(
		__entry->pid = range->pid;
		__entry->first = first;
		__entry->last = last;
	),
	TP_printk("pid=%d pages=[%lu,%lu)",
		  __entry->pid, __entry->first, __entry->last)
);

/*
 * The shrinker could not take a reclaimable page and rotated it to the
 * tail of its list; reason says why.
 */
TRACE_EVENT(pagerange_skip,
	TP_PROTO(struct pagerange *range, unsigned long index,
		 enum pagerange_skip_reason reason),
	TP_ARGS(range, index, reason),
	TP_STRUCT__entry(
		__field(pid_t, pid)
		__field(unsigned long, index)
		__field(int, reason)
	),
	TP_fast_assign(
		__entry->pid = range->pid;
		__entry->index = index;
		__entry->reason = reason;
	),
	TP_printk("pid=%d index=%lu reason=%s",
		  __entry->pid, __entry->index,
		  __print_symbolic(__entry->reason, PAGERANGE_SKIP_REASONS))
);

#ifdef PAGERANGE_KUNIT
#pragma pop_macro("TRACE_EVENT")
#pragma pop_macro("DEFINE_EVENT")
#endif

#endif /* _PAGERANGE_TRACE_H */

#ifdef PAGERANGE_KUNIT
/* Nothing to create: what define_trace.h would do, done. */
#undef CREATE_TRACE_POINTS
#else
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pagerange_trace
#include <trace/define_trace.h>
#endif
