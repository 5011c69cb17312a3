/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model of what a range holds, which stress_test and fuzz_test keep in
 * step with the calls they make, as the mm selftests share uffd-common.c:
 * the state of each page (free, in use or reclaimable), the bytes each one
 * holds, and what pagerange(4) says each call returns on it.
 *
 * - rm_predict_span(), rm_predict_io() and rm_expect_use() predict the
 *   result of USE_RANGE, STOP_USING_RANGE, WRITE, READ and ZERO from the
 *   range's kind and pages, in the order of pagerange(4)'s errors; faults
 *   of the argument and of the buffer, which come first, are the caller's;
 * - rm_use(), rm_stop(), rm_reclaimed() and rm_io_done() apply what a call
 *   or drop_caches did;
 * - rm_came_back(), rm_page_differs(), rm_check_report(), rm_check_query()
 *   and rm_check_info() hold what the driver shows against the model.
 *
 * It is linked into the tests that use it (see the Makefile); it reports
 * through its results only, never through the harness.
 */
#ifndef RANGE_MODEL_H
#define RANGE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <linux/pagerange.h>

#include "libpagerange.h"

/* The most pages a model follows. */
#define RM_MAX_PAGES	16

enum rm_page {
	RM_FREE,
	RM_IN_USE,
	RM_RECLAIMABLE,		/* or freed by the shrinker since */
};

enum rm_kind {
	RM_NEVER_MAPPED,	/* ENXIO */
	RM_MAPPED,
	RM_GONE,		/* ESRCH: unmapped, or its owner exited */
	RM_NOT_OURS,		/* ENOTTY for everything */
};

/* A range, or a slice of one, as a test knows it. */
struct rm_range {
	int fd;
	enum rm_kind kind;
	const char *name;
	unsigned char *map;	/* the owner's mapping of page 0, or NULL */
	__u64 npages;
	__u64 purged;		/* PAGERANGE_STOP_PURGE's pages, in total */
	unsigned char page[RM_MAX_PAGES];	/* enum rm_page */
	unsigned char *shadow;	/* npages pages: what each holds, or NULL */
};

/*
 * The outcome the model predicts; @alt is a second acceptable errno, or 1.
 * @uses: the pages [@use_first, @use_end) are in use afterwards, even if
 * the call fails with @err (WRITE with PAGERANGE_WRITE_USE, whose copy
 * faults after the use).
 */
struct rm_expect {
	int err;
	int alt;
	__u64 min_result;
	__u64 max_result;
	bool check_result;
	bool check_data;
	bool uses;
	__u64 use_first;
	__u64 use_end;
};

__u64 rm_count(const struct rm_range *rg, __u64 first, __u64 end, int state);

void rm_expect_use(const struct rm_range *rg, __u64 first, __u64 end,
		   struct rm_expect *e);
struct rm_expect rm_predict_span(const struct rm_range *rg, unsigned long cmd,
				 const struct pagerange_range *r);
struct rm_expect rm_predict_io(const struct rm_range *rg, unsigned long cmd,
			       const struct pagerange_io *io);
int rm_span_err(const struct rm_range *rg, __u64 end);

void rm_use(struct rm_range *rg, __u64 first, __u64 end);
void rm_stop(struct rm_range *rg, __u64 first, __u64 end, __u64 flags,
	     __u64 result);
void rm_reclaimed(struct rm_range *rg);
bool rm_io_done(struct rm_range *rg, unsigned long cmd, __u64 offset,
		const unsigned char *buf, size_t len);

const char *rm_came_back(struct rm_range *rg, __u64 i, int before,
			 const unsigned char *p, size_t *zeroed, size_t *either);
ssize_t rm_page_differs(const struct rm_range *rg, __u64 i,
			const unsigned char *p);

__u64 rm_report_bytes(const struct pagerange_use_report *r);
const char *rm_check_report(const struct rm_range *rg,
			    const struct pagerange_use_report *r,
			    const unsigned char *bitmap, __u64 result);
const char *rm_check_query(struct rm_range *rg, const struct pagerange_query *q,
			   const unsigned char *vec);
const char *rm_check_info(const struct rm_range *rg,
			  const struct pagerange_info *info);
bool rm_documented(int err);

#endif /* RANGE_MODEL_H */
