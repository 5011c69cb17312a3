// SPDX-License-Identifier: GPL-2.0
/*
 * The model of a range that stress_test and fuzz_test share: see
 * range_model.h.
 */
#include <errno.h>
#include <string.h>

#include "range_model.h"

/* Pages of [first, end) in @state. */
__u64 rm_count(const struct rm_range *rg, __u64 first, __u64 end, int state)
{
	__u64 i, n = 0;

	for (i = first; i < end; i++)
		n += rg->page[i] == state;
	return n;
}

/* The span's errors, in their order, for a range of @rg's kind. */
int rm_span_err(const struct rm_range *rg, __u64 end)
{
	if (rg->kind == RM_NEVER_MAPPED)
		return -ENXIO;
	if (rg->kind == RM_GONE)
		return -ESRCH;
	return end > rg->npages ? -EINVAL : 0;
}

/* The flags each command takes. */
static __u64 rm_span_flags(unsigned long cmd)
{
	return cmd == PAGERANGE_IOC_STOP_USING_RANGE ?
	       PAGERANGE_STOP_USING_RANGE_FLAGS : PAGERANGE_USE_RANGE_FLAGS;
}

static __u64 rm_io_flags(unsigned long cmd)
{
	return cmd == PAGERANGE_IOC_WRITE ? PAGERANGE_WRITE_FLAGS :
					    PAGERANGE_IO_FLAGS;
}

/*
 * The result of a USE_RANGE (or USE_RANGE_REPORT) of [first, end) that
 * succeeds: every free page is allocated, and so is every reclaimable page
 * the shrinker took.
 */
void rm_expect_use(const struct rm_range *rg, __u64 first, __u64 end,
		   struct rm_expect *e)
{
	e->check_result = true;
	e->min_result = rm_count(rg, first, end, RM_FREE);
	e->max_result = e->min_result + rm_count(rg, first, end, RM_RECLAIMABLE);
}

/*
 * USE_RANGE or STOP_USING_RANGE of @r, its argument read and writable: the
 * fields, the range's kind, the span; then the bounds of the result.
 */
struct rm_expect rm_predict_span(const struct rm_range *rg, unsigned long cmd,
				 const struct pagerange_range *r)
{
	struct rm_expect e = { .alt = 1 };

	if (r->flags & ~rm_span_flags(cmd) || r->start > r->end)
		e.err = -EINVAL;
	else
		e.err = rm_span_err(rg, r->end);
	if (e.err)
		return e;
	if (cmd == PAGERANGE_IOC_USE_RANGE) {
		rm_expect_use(rg, r->start, r->end, &e);
	} else {
		e.check_result = true;
		e.min_result = rm_count(rg, r->start, r->end, RM_IN_USE);
		e.max_result = e.min_result;
		/* Purge frees the reclaimable pages the shrinker left. */
		if (r->flags & PAGERANGE_STOP_PURGE)
			e.max_result += rm_count(rg, r->start, r->end,
						 RM_RECLAIMABLE);
	}
	return e;
}

/*
 * WRITE, READ or ZERO of @io, its argument readable: the fields, the
 * range's kind, the span, then whether every page is in use (after the use
 * of PAGERANGE_WRITE_USE). Faults of the buffer come after that.
 */
struct rm_expect rm_predict_io(const struct rm_range *rg, unsigned long cmd,
			       const struct pagerange_io *io)
{
	struct rm_expect e = { .alt = 1 };
	__u64 end_byte, first, end;

	if (io->flags & ~rm_io_flags(cmd) ||
	    __builtin_add_overflow(io->offset, io->len, &end_byte) ||
	    (cmd == PAGERANGE_IOC_ZERO && io->buf))
		e.err = -EINVAL;
	else if (rg->kind == RM_NEVER_MAPPED)
		e.err = -ENXIO;
	else if (rg->kind == RM_GONE)
		e.err = -ESRCH;
	else if (end_byte > rg->npages * prlib_page_size)
		e.err = -EINVAL;
	if (e.err || !io->len)
		return e;
	first = io->offset / prlib_page_size;
	end = (end_byte + prlib_page_size - 1) / prlib_page_size;
	if (io->flags & PAGERANGE_WRITE_USE) {
		/* The span is in use before the copy reads the buffer. */
		e.uses = true;
		e.use_first = first;
		e.use_end = end;
	} else if (rm_count(rg, first, end, RM_IN_USE) != end - first) {
		e.err = -ENOENT;
	}
	return e;
}

/* USE_RANGE of [first, end) succeeded. */
void rm_use(struct rm_range *rg, __u64 first, __u64 end)
{
	memset(rg->page + first, RM_IN_USE, end - first);
}

/* STOP_USING_RANGE of [first, end) with @flags succeeded with @result. */
void rm_stop(struct rm_range *rg, __u64 first, __u64 end, __u64 flags,
	     __u64 result)
{
	__u64 i;

	if (flags & PAGERANGE_STOP_PURGE) {
		memset(rg->page + first, RM_FREE, end - first);
		rg->purged += result;
		return;
	}
	for (i = first; i < end; i++)
		if (rg->page[i] == RM_IN_USE)
			rg->page[i] = RM_RECLAIMABLE;
}

/* Reclaimable pages are all gone after drop_caches. */
void rm_reclaimed(struct rm_range *rg)
{
	int i;

	for (i = 0; i < RM_MAX_PAGES; i++)
		if (rg->page[i] == RM_RECLAIMABLE)
			rg->page[i] = RM_FREE;
}

/*
 * WRITE, READ or ZERO of @len bytes at @offset with @buf succeeded: what
 * the pages hold now, or whether READ found what they held.
 */
bool rm_io_done(struct rm_range *rg, unsigned long cmd, __u64 offset,
		const unsigned char *buf, size_t len)
{
	if (cmd == PAGERANGE_IOC_WRITE)
		memcpy(rg->shadow + offset, buf, len);
	else if (cmd == PAGERANGE_IOC_ZERO)
		memset(rg->shadow + offset, 0, len);
	else
		return !memcmp(buf, rg->shadow + offset, len);
	return true;
}

/*
 * Page @i, in state @before until a USE_RANGE made it in use, holds @p: a
 * page allocated reads zero, and a reclaimable one comes back either
 * intact or all zero, never anything else. Counts in @zeroed a page that
 * came back zero from holding data, in @either one that held zero anyway
 * (reclaimed or not), and takes @p into the model; or says what is wrong.
 */
const char *rm_came_back(struct rm_range *rg, __u64 i, int before,
			 const unsigned char *p, size_t *zeroed, size_t *either)
{
	unsigned char *want = rg->shadow + i * prlib_page_size;
	bool zero = prlib_find_not(p, prlib_page_size, 0) < 0;

	if (before == RM_FREE && !zero)
		return "newly allocated, not zero";
	if (before == RM_FREE || !memcmp(p, want, prlib_page_size))
		/* Zero data may or may not have been reclaimed. */
		*either += before == RM_RECLAIMABLE && zero;
	else if (zero)
		(*zeroed)++;
	else
		return "came back from reclaimable with data neither its own nor zero";
	memcpy(want, p, prlib_page_size);
	return NULL;
}

/* The first byte at which in-use page @i, reading @p, differs; or -1. */
ssize_t rm_page_differs(const struct rm_range *rg, __u64 i,
			const unsigned char *p)
{
	const unsigned char *want = rg->shadow + i * prlib_page_size;
	ssize_t j;

	if (!memcmp(p, want, prlib_page_size))
		return -1;
	for (j = 0; p[j] == want[j]; j++)
		;
	return j;
}

/* The bytes of bitmap the span of @r needs; 0 if it is swapped. */
__u64 rm_report_bytes(const struct pagerange_use_report *r)
{
	if (r->start > r->end)
		return 0;
	return 8 * ((r->end - r->start) / 64 + !!((r->end - r->start) % 64));
}

/*
 * USE_RANGE_REPORT's bitmap: set for a free page, clear for one in use,
 * either for a reclaimable one (the shrinker may have taken it); one bit
 * for each page allocated; nothing past the span. A description of what
 * is wrong, or NULL.
 */
const char *rm_check_report(const struct rm_range *rg,
			    const struct pagerange_use_report *r,
			    const unsigned char *bitmap, __u64 result)
{
	__u64 n = r->end - r->start, i, set = 0, word;
	bool lost;
	int bit;

	for (i = 0; i < rm_report_bytes(r) * 8; i++) {
		memcpy(&word, bitmap + i / 64 * 8, sizeof(word));
		bit = word >> (i % 64) & 1;
		if (i >= n) {
			if (bit)
				return "a report bit past the span is set";
			continue;
		}
		set += bit;
		lost = rg->page[r->start + i] == RM_FREE;
		if (bit != lost && rg->page[r->start + i] != RM_RECLAIMABLE)
			return "the report disagrees with the model";
	}
	return set == result ? NULL : "the report's bits are not its result";
}

/*
 * QUERY's states in @vec: as the model has them; a reclaimable page may be
 * free, which sharpens the model.
 */
const char *rm_check_query(struct rm_range *rg, const struct pagerange_query *q,
			   const unsigned char *vec)
{
	__u64 i;

	for (i = q->start; i < q->end; i++) {
		unsigned char got = vec[i - q->start];

		switch (rg->page[i]) {
		case RM_FREE:
			if (got != PAGERANGE_PAGE_FREE)
				return "QUERY: a free page is not free";
			break;
		case RM_IN_USE:
			if (got != PAGERANGE_PAGE_IN_USE)
				return "QUERY: a page in use is not in use";
			break;
		default:
			if (got == PAGERANGE_PAGE_FREE)
				rg->page[i] = RM_FREE;
			else if (got != PAGERANGE_PAGE_RECLAIMABLE)
				return "QUERY: a reclaimable page is in use";
			break;
		}
	}
	return NULL;
}

/* GET_INFO's counters: as the model has them. */
const char *rm_check_info(const struct rm_range *rg,
			  const struct pagerange_info *info)
{
	__u64 in_use = rm_count(rg, 0, rg->npages, RM_IN_USE);
	__u64 recl = rm_count(rg, 0, rg->npages, RM_RECLAIMABLE);

	if (info->size_pages != (rg->kind == RM_NEVER_MAPPED ? 0 : rg->npages) ||
	    info->pages_in_use != in_use ||
	    info->pages_reclaimable > recl ||
	    info->pages_present != in_use + info->pages_reclaimable ||
	    info->pages_purged != rg->purged || info->reserved)
		return "GET_INFO disagrees with the model";
	return NULL;
}

/* Whether pagerange(4) documents @err (0 or -errno) for any ioctl. */
bool rm_documented(int err)
{
	switch (-err) {
	case 0: case EFAULT: case EINVAL: case ENXIO: case ESRCH:
	case ENOENT: case ENOTTY:
		return true;
	default:
		return false;
	}
}
