// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's figures B1 to B4: against Binder's buffer allocator
 * (tools/bench/README.md), which binder_peer.c drives.
 */
#define _GNU_SOURCE
#include "bench.h"

/* ---- figures B1 to B4: against Binder's allocator --------------------- */

/*
 * pagerange is modelled on Binder's buffer allocator: pages of a read-only
 * mapping installed as transactions need them, kept on a list_lru once their
 * buffer is freed, taken back by a shrinker. These figures give both the
 * same work in this run, a second process (the peer) sending, the benchmark
 * receiving: into a range it owns through USE_RANGE and WRITE, or into its
 * Binder buffer as one-way transactions (binder_peer.c). Why each is the
 * fair comparison: tools/bench/README.md.
 */

/* The receiver's Binder buffer: all Binder uses; one-way transactions get half. */
#define BENCH_BINDER_MAP	BINDER_PEER_MAP_MAX
#define BENCH_BINDER_ASYNC	(BENCH_BINDER_MAP / 2)
/* B1: pages each round installs, in spans of 1, 16 or 256 pages. */
#define BENCH_B1_PAGES		256UL
/*
 * B1: rounds in a repetition, each side of each from a drop_caches; a
 * repetition's value is their median, which one slow round does not move.
 */
#define BENCH_B1_ROUNDS		5
/* B2: drop_caches rounds in a repetition, each of a full buffer. */
#define BENCH_B2_ROUNDS		4
/*
 * B3: messages in flight at most, as in figure 6. On one CPU a deeper
 * window only changes how the scheduler interleaves the two processes: at
 * 8 the ratio swung from 0.9 to 1.4x between runs.
 */
#define BENCH_B3_WINDOW		1UL
/* B3: the largest message, in pages. */
#define BENCH_B3_MAX_PAGES	16UL
/*
 * Buffers that a copy reads and writes move by an odd number of pages in
 * each repetition, up to this many, as figure 4's do: so that the median
 * does not measure one placement that aliases in TCG's software TLB.
 */
#define BENCH_B_SKEW		16UL

static const unsigned long bench_b1_sizes[] = { 1, 16, 256 };
static const unsigned long bench_b3_sizes[] = { 1, 16 };

/*
 * What the benchmark orders its peer, a prlib_sender of its own: set
 * itself up, or send @offset messages of @len pages each. 0 is
 * PRLIB_ORDER_EXIT.
 */
enum bench_peer_op {
	BENCH_PEER_INIT = 1,	/* open its /dev/binder, map its messages */
	BENCH_PEER_BATCH,	/* send them back to back */
	BENCH_PEER_STREAM,	/* send them, at most BENCH_B3_WINDOW ahead */
};

/*
 * The second process, and the benchmark's end of it. In the peer, @seq
 * counts messages sent; in the benchmark, messages consumed. Each message
 * starts with its sequence number, which the benchmark checks.
 */
struct bench_peer {
	bool binder;		/* Binder transactions, or pagerange messages */
	bool empty;		/* pagerange: no message, the wake-up alone */
	struct prlib_sender sender;
	int credit;		/* eventfd: messages the benchmark consumed */
	int ready;		/* eventfd: messages the peer wrote (pagerange) */
	int fd;			/* the range the peer writes into (pagerange) */
	char *map;		/* the benchmark's mapping of it */
	char *base;		/* peer: room for its messages */
	unsigned long streams;	/* peer: BENCH_PEER_STREAM orders so far */
	uint64_t seq;
	uint64_t credited;	/* peer: credits taken from @credit */
	uint64_t pending;	/* benchmark: messages @ready announced, unread */
	struct binder_peer bp;	/* peer: its own /dev/binder */
};

/* The range's slots: message @seq of @pages pages starts at this page. */
static unsigned long bench_slot(uint64_t seq, unsigned long pages)
{
	return seq % BENCH_B3_WINDOW * pages;
}

/* In the peer: wait until fewer than BENCH_B3_WINDOW messages are unconsumed. */
static void bench_peer_wait_credit(struct bench_peer *pe)
{
	eventfd_t n;

	while (pe->seq - pe->credited >= BENCH_B3_WINDOW) {
		if (eventfd_read(pe->credit, &n))
			err(1, "eventfd read");
		pe->credited += n;
	}
}

/*
 * In the peer: message @pe->seq of @pages pages from @msg. A pagerange
 * sender makes its slot in use and copies the message in with one WRITE,
 * and wakes the owner with an eventfd; Binder does all of it in one
 * BC_TRANSACTION. An empty sender only wakes the owner.
 */
static void bench_peer_send(struct bench_peer *pe, char *msg,
			    unsigned long pages)
{
	unsigned long first = bench_slot(pe->seq, pages);
	size_t len = pages * prlib_page_size;

	memcpy(msg, &pe->seq, sizeof(pe->seq));
	if (pe->binder) {
		bench_check(binder_peer_send(&pe->bp, msg, len), "BC_TRANSACTION");
	} else {
		if (!pe->empty)
			bench_check(prlib_write_use(pe->fd, first * prlib_page_size,
						    msg, len), "WRITE_USE");
		if (eventfd_write(pe->ready, 1))
			err(1, "eventfd write");
	}
	pe->seq++;
}

/* The @n-th placement of a buffer that moves (BENCH_B_SKEW). */
static char *bench_skew(char *base, unsigned long n)
{
	return base + n * 5 % BENCH_B_SKEW * prlib_page_size;
}

/* In the peer: carry out order @o; a batch's time goes back in ns. */
static void bench_peer_serve(void *arg, const struct prlib_order *o,
			     struct prlib_reply *r)
{
	size_t len = BENCH_BINDER_ASYNC + BENCH_B_SKEW * prlib_page_size;
	struct bench_peer *pe = arg;
	unsigned long i;
	double t0;
	char *msg;

	if (o->op == BENCH_PEER_INIT) {
		if (pe->binder)
			bench_check(binder_peer_open(&pe->bp, 0),
				    "open " BINDER_PEER_DEV);
		/* Room for the largest message, B2's, wherever it starts. */
		pe->base = bench_anon(len, MAP_POPULATE);
		memset(pe->base, 0xa5, len);
		return;
	}
	/* B1 compares batches: theirs stays put. */
	msg = pe->base;
	if (o->op == BENCH_PEER_STREAM)
		msg = bench_skew(pe->base, pe->streams++);
	/* A batch is consumed with no credits handed back. */
	if (o->op == BENCH_PEER_BATCH)
		pe->credited += o->offset;
	t0 = bench_now_ns();
	for (i = 0; i < o->offset; i++) {
		if (o->op == BENCH_PEER_STREAM)
			bench_peer_wait_credit(pe);
		bench_peer_send(pe, msg, o->len);
	}
	r->used = bench_now_ns() - t0;
}

static void bench_peer_order(struct bench_peer *pe, enum bench_peer_op op,
			     unsigned long pages, unsigned long count)
{
	if (prlib_sender_send(&pe->sender, op, count, pages, 0))
		errx(1, "the peer is gone");
}

/* The time the peer's last order took, in ns. */
static double bench_peer_wait(struct bench_peer *pe)
{
	struct prlib_reply r = prlib_sender_reply(&pe->sender);

	if (r.err)
		errx(1, "the peer failed");
	return r.used;
}

enum bench_peer_kind {
	BENCH_PEER_BINDER,	/* one-way transactions */
	BENCH_PEER_RANGE,	/* WRITE into a range, and an eventfd */
	BENCH_PEER_EMPTY,	/* the eventfd alone */
};

/* Start a peer; a range peer writes into a new range of @pages pages. */
static void bench_peer_start(struct bench_peer *pe, enum bench_peer_kind kind,
			     unsigned long pages)
{
	bool binder = kind == BENCH_PEER_BINDER;

	memset(pe, 0, sizeof(*pe));
	pe->binder = binder;
	pe->empty = kind == BENCH_PEER_EMPTY;
	pe->fd = -1;
	pe->ready = -1;
	pe->credit = eventfd(0, EFD_CLOEXEC);
	if (pe->credit < 0)
		err(1, "eventfd");
	if (!binder) {
		pe->ready = eventfd(0, EFD_CLOEXEC);
		if (pe->ready < 0)
			err(1, "eventfd");
		if (!pe->empty)
			pe->fd = bench_open_range(pages, &pe->map);
	}
	if (prlib_sender_start_fn(&pe->sender, bench_peer_serve, pe))
		err(1, "fork");
	bench_peer_order(pe, BENCH_PEER_INIT, 0, 0);
	bench_peer_wait(pe);
}

static void bench_peer_stop(struct bench_peer *pe, unsigned long pages)
{
	if (prlib_sender_stop(&pe->sender))
		errx(1, "the %s peer failed", pe->binder ? "Binder" : "pagerange");
	close(pe->credit);
	if (!pe->binder)
		close(pe->ready);
	if (pe->fd >= 0)
		bench_close_range(pe->fd, pe->map, pages);
}

/* In the benchmark: check a message's size and sequence number. */
static void bench_peer_check(struct bench_peer *pe, const void *data,
			     size_t len, size_t want)
{
	uint64_t stamp;

	memcpy(&stamp, data, sizeof(stamp));
	if (len != want || stamp != pe->seq)
		errx(1, "message %llu: %zu bytes stamped %llu",
		     (unsigned long long)pe->seq, len,
		     (unsigned long long)stamp);
	pe->seq++;
}

/* Receive @count transactions of @pages pages from @pe and free them. */
static void bench_binder_drain(struct bench_peer *pe, struct binder_peer *mgr,
			       unsigned long pages, unsigned long count)
{
	struct binder_peer_msg m;
	unsigned long i;

	for (i = 0; i < count; i++) {
		bench_check(binder_peer_receive(mgr, &m), "BINDER_WRITE_READ");
		bench_peer_check(pe, m.data, m.size, pages * prlib_page_size);
		bench_check(binder_peer_free(mgr, m.data), "BC_FREE_BUFFER");
	}
	bench_check(binder_peer_flush(mgr), "BC_FREE_BUFFER");
}

/* Pages of the benchmark's Binder buffer: held by buffers, and on the lru. */
static void bench_binder_pages(long long *active, long long *lru)
{
	bench_check(binder_peer_pages(getpid(), active, lru),
		    "read " BINDER_PEER_STATS);
}

/*
 * B1, pagerange: ns per page of cold USE_RANGE calls of @pages pages over
 * BENCH_B1_PAGES pages that drop_caches has just taken back, the state
 * Binder's fresh pages are in.
 */
static double bench_b1_range_ns(int fd, unsigned long pages)
{
	unsigned long i;
	double t0, t1;

	bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
	t0 = bench_now_ns();
	for (i = 0; i < BENCH_B1_PAGES; i += pages)
		if (bench_check(prlib_use_range(fd, i, i + pages),
				"USE_RANGE") != (long)pages)
			errx(1, "cold USE_RANGE found present pages");
	t1 = bench_now_ns();
	bench_check(prlib_stop_using(fd, 0, BENCH_B1_PAGES), "STOP_USING_RANGE");
	return (t1 - t0) / BENCH_B1_PAGES;
}

/*
 * B1, Binder: ns per page the peer takes to send BENCH_B1_PAGES pages as
 * one-way transactions of @pages pages, which the benchmark then receives
 * and frees. @fresh: after drop_caches, so that Binder installs every page;
 * otherwise into the pages the last call's buffers left installed. The
 * buffers land at the same place each time: all are free before, and Binder
 * takes the first that fits.
 */
static double bench_b1_binder_ns(struct bench_peer *pe, struct binder_peer *mgr,
				 unsigned long pages, bool fresh)
{
	unsigned long count = BENCH_B1_PAGES / pages;
	long long active, lru;
	double ns;

	if (fresh) {
		bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
		bench_binder_pages(&active, &lru);
		if (active + lru)
			bench_progress("  %lld Binder pages survived drop_caches",
				       active + lru);
	}
	bench_peer_order(pe, BENCH_PEER_BATCH, pages, count);
	ns = bench_peer_wait(pe);
	bench_binder_drain(pe, mgr, pages, count);
	return ns / BENCH_B1_PAGES;
}

static void bench_fig_b1(struct bench_peer *pe, struct binder_peer *mgr)
{
	double pr[BENCH_MAX_REPS], fresh[BENCH_MAX_REPS];
	double warm[BENCH_MAX_REPS], extra[BENCH_MAX_REPS];
	double rp[BENCH_B1_ROUNDS], rf[BENCH_B1_ROUNDS];
	double rw[BENCH_B1_ROUNDS], rx[BENCH_B1_ROUNDS];
	struct bench_row *r;
	unsigned long pages;
	char *map;
	size_t s;
	int fd, i, k;

	fd = bench_open_range(BENCH_B1_PAGES, &map);
	for (s = 0; s < BENCH_ARRAY_SIZE(bench_b1_sizes); s++) {
		pages = bench_b1_sizes[s];
		bench_progress("figure B1: installing pages, %lu at a time",
			       pages);
		for (i = 0; i < bench_reps; i++) {
			for (k = 0; k < BENCH_B1_ROUNDS; k++) {
				rp[k] = bench_b1_range_ns(fd, pages);
				rf[k] = bench_b1_binder_ns(pe, mgr, pages, true);
				rw[k] = bench_b1_binder_ns(pe, mgr, pages, false);
				rx[k] = rf[k] - rw[k];
			}
			pr[i] = bench_median(rp, BENCH_B1_ROUNDS);
			fresh[i] = bench_median(rf, BENCH_B1_ROUNDS);
			warm[i] = bench_median(rw, BENCH_B1_ROUNDS);
			extra[i] = bench_median(rx, BENCH_B1_ROUNDS);
		}
		r = bench_add_row(BENCH_FIG_B(1), "cold_use_range", pages,
				  "pages", bench_median(pr, bench_reps),
				  "ns/page", "binder_install",
				  bench_median(extra, bench_reps));
		bench_goal(r, -INFINITY, 1.0);
		bench_add_row(BENCH_FIG_B(1), "binder_txn_fresh", pages, "pages",
			      bench_median(fresh, bench_reps), "ns/page",
			      "binder_txn_installed",
			      bench_median(warm, bench_reps));
	}
	bench_close_range(fd, map, BENCH_B1_PAGES);
}

/* B2: the pages one fill of Binder's buffer leaves on its lru (below). */
static unsigned long bench_b2_pages(void)
{
	return 2 * (BENCH_BINDER_ASYNC / prlib_page_size) - 4;
}

/*
 * Leave bench_b2_pages() pages of the benchmark's Binder buffer installed
 * and on Binder's lru. One-way transactions may hold half the buffer at a
 * time, so it takes three: A (half less 3 pages), then T (one page) after
 * it; A is freed, and B (half less 2 pages, a page more than A) no longer
 * fits in A's place and goes after T. The three freed, their pages stay.
 */
static void bench_b2_binder_fill(struct bench_peer *pe,
				 struct binder_peer *mgr)
{
	unsigned long half = BENCH_BINDER_ASYNC / prlib_page_size;

	bench_peer_order(pe, BENCH_PEER_BATCH, half - 3, 1);
	bench_peer_wait(pe);
	bench_peer_order(pe, BENCH_PEER_BATCH, 1, 1);
	bench_peer_wait(pe);
	bench_binder_drain(pe, mgr, half - 3, 1);
	bench_peer_order(pe, BENCH_PEER_BATCH, half - 2, 1);
	bench_peer_wait(pe);
	bench_binder_drain(pe, mgr, 1, 1);
	bench_binder_drain(pe, mgr, half - 2, 1);
}

/*
 * B2: pages per second one drop_caches frees, less an empty one timed
 * before: bench_b2_pages() pages in BENCH_B2_ROUNDS rounds, of a range made
 * reclaimable with STOP_USING_RANGE (@pe NULL), or of Binder buffers used
 * and freed.
 */
static double bench_b2_rate(struct bench_peer *pe, struct binder_peer *mgr,
			    int fd)
{
	unsigned long pages = bench_b2_pages();
	long long before, after, active, freed = 0;
	double base, ns = 0;
	int i;

	for (i = 0; i < BENCH_B2_ROUNDS; i++) {
		base = bench_drop_caches_ns();
		if (pe) {
			bench_b2_binder_fill(pe, mgr);
			bench_binder_pages(&active, &before);
		} else {
			bench_check(prlib_use_range(fd, 0, pages), "USE_RANGE");
			bench_check(prlib_stop_using(fd, 0, pages),
				    "STOP_USING_RANGE");
			before = bench_reclaimed();
		}
		ns += bench_drop_caches_ns() - base;
		if (pe) {
			bench_binder_pages(&active, &after);
			freed += before - after;
		} else {
			freed += bench_reclaimed() - before;
		}
	}
	if (freed != (long long)(BENCH_B2_ROUNDS * pages))
		bench_progress("  %s: drop_caches freed %lld of %lu pages",
			       pe ? "Binder" : "pagerange", freed,
			       BENCH_B2_ROUNDS * pages);
	return freed / ns * 1e9;
}

static void bench_fig_b2(struct bench_peer *pe, struct binder_peer *mgr)
{
	double pr[BENCH_MAX_REPS], bd[BENCH_MAX_REPS];
	unsigned long pages = bench_b2_pages();
	struct bench_row *r;
	char *map;
	int fd, i;

	bench_progress("figure B2: drop_caches of %lu pages", pages);
	fd = bench_open_range(pages, &map);
	for (i = 0; i < bench_reps; i++) {
		pr[i] = bench_b2_rate(NULL, NULL, fd);
		bd[i] = bench_b2_rate(pe, mgr, -1);
	}
	bench_close_range(fd, map, pages);
	r = bench_add_row(BENCH_FIG_B(2), "reclaim_rate", pages, "pages",
			  bench_median(pr, bench_reps), "pages/s",
			  "binder_shrinker", bench_median(bd, bench_reps));
	bench_goal(r, 1.0, INFINITY);
}

/* B3: hand the peer a credit for a message consumed. */
static void bench_b3_credit(struct bench_peer *pe)
{
	if (eventfd_write(pe->credit, 1))
		err(1, "eventfd write");
}

/*
 * B3, the benchmark's end: @count messages of @pages pages from @pe, each
 * read through the mapping into @copy and given back: STOP_USING_RANGE of
 * its slot, or BC_FREE_BUFFER (sent with the next read); an empty peer's
 * wake-ups only. Each consumed message hands the peer a credit.
 * Transactions per second.
 */
static double bench_b3_run(struct bench_peer *pe, struct binder_peer *mgr,
			   unsigned long pages, unsigned long count, char *copy)
{
	size_t len = pages * prlib_page_size;
	unsigned long i, first = 0;
	struct binder_peer_msg m;
	const char *src;
	double t0, t1;
	eventfd_t n;

	t0 = bench_now_ns();
	bench_peer_order(pe, BENCH_PEER_STREAM, pages, count);
	for (i = 0; i < count; i++) {
		if (pe->binder) {
			bench_check(binder_peer_receive(mgr, &m),
				    "BINDER_WRITE_READ");
			src = m.data;
		} else {
			if (!pe->pending) {
				if (eventfd_read(pe->ready, &n))
					err(1, "eventfd read");
				pe->pending = n;
			}
			pe->pending--;
			if (pe->empty) {
				bench_b3_credit(pe);
				pe->seq++;
				continue;
			}
			first = bench_slot(pe->seq, pages);
			src = pe->map + first * prlib_page_size;
			m.size = len;
		}
		memcpy(copy, src, len);
		bench_clobber(copy);
		if (pe->binder)
			bench_check(binder_peer_free(mgr, m.data),
				    "BC_FREE_BUFFER");
		else
			bench_check(prlib_stop_using(pe->fd, first, first + pages),
				    "STOP_USING_RANGE");
		bench_b3_credit(pe);
		bench_peer_check(pe, copy, m.size, len);
	}
	if (pe->binder)
		bench_check(binder_peer_flush(mgr), "BC_FREE_BUFFER");
	t1 = bench_now_ns();
	bench_peer_wait(pe);
	return count / (t1 - t0) * 1e9;
}

/* B4: pages the benchmark's range holds, as debugfs counts them. */
static long long bench_range_pages(void)
{
	struct prlib_ranges_line line;

	if (prlib_ranges_line(getpid(), &line) != 1)
		errx(1, "not one range of ours in %s", PRLIB_RANGES);
	return line.pages_present;
}

/*
 * B3, and B4 after it: @rp writes into a range, @bp sends transactions,
 * @ep only wakes the benchmark, which bounds what any transport could
 * reach on this exchange.
 */
static void bench_fig_b3(struct bench_peer *rp, struct bench_peer *bp,
			 struct bench_peer *ep, struct binder_peer *mgr)
{
	double pr[BENCH_MAX_REPS], bd[BENCH_MAX_REPS], em[BENCH_MAX_REPS];
	unsigned long pages, count;
	size_t len = (BENCH_B3_MAX_PAGES + BENCH_B_SKEW) * prlib_page_size;
	long long active, lru;
	struct bench_row *r;
	char *copy;
	size_t s;
	int i;

	copy = bench_anon(len, MAP_POPULATE);
	for (s = 0; s < BENCH_ARRAY_SIZE(bench_b3_sizes); s++) {
		pages = bench_b3_sizes[s];
		count = bench_loops(pages > 1 ? 500 : 2000);
		bench_progress("figure B3: transactions of %lu KiB",
			       pages * prlib_page_size >> 10);
		/* B4 then counts what this size left, nothing from before. */
		bench_check(prlib_drop_caches(), "write " PRLIB_DROP_CACHES);
		bench_b3_run(rp, mgr, pages, 2 * BENCH_B3_WINDOW, copy);
		bench_b3_run(bp, mgr, pages, 2 * BENCH_B3_WINDOW, copy);
		bench_b3_run(ep, mgr, pages, 2 * BENCH_B3_WINDOW, copy);
		for (i = 0; i < bench_reps; i++) {
			pr[i] = bench_b3_run(rp, mgr, pages, count,
					     bench_skew(copy, i));
			bd[i] = bench_b3_run(bp, mgr, pages, count,
					     bench_skew(copy, i));
			if (pages == 1)
				em[i] = bench_b3_run(ep, mgr, pages, count,
						     copy);
		}
		r = bench_add_row(BENCH_FIG_B(3), "transactions",
				  pages * prlib_page_size >> 10, "KiB",
				  bench_median(pr, bench_reps), "tx/s",
				  "binder_oneway", bench_median(bd, bench_reps));
		bench_goal(r, pages == 1 ? 1.5 : 1.0, INFINITY);
		if (pages == 1)
			bench_add_row(BENCH_FIG_B(3), "empty_exchange",
				      pages * prlib_page_size >> 10, "KiB",
				      bench_median(em, bench_reps), "tx/s",
				      "binder_oneway",
				      bench_median(bd, bench_reps));
		bench_binder_pages(&active, &lru);
		bench_add_row(BENCH_FIG_B(4), "pages_held",
			      pages * prlib_page_size >> 10, "KiB",
			      bench_range_pages(), "pages", "binder_pages",
			      active + lru);
	}
	munmap(copy, len);
}

/*
 * Load Binder from @path with its device named as Debian names it, unless
 * the kernel has /dev/binder already. Returns NULL, or why not; *@loaded
 * says whether it was loaded here.
 */
static const char *bench_binder_load(const char *path, bool *loaded)
{
	static char why[256];
	int fd;

	*loaded = false;
	if (!access(BINDER_PEER_DEV, F_OK))
		return NULL;
	if (!path)
		return "no Binder module for this kernel (-b)";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "devices=binder", 0)) {
		snprintf(why, sizeof(why), "cannot load %s: %s", path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return why;
	}
	close(fd);
	*loaded = true;
	if (access(BINDER_PEER_DEV, F_OK))
		return "no " BINDER_PEER_DEV " after loading Binder";
	return NULL;
}

/*
 * binder_linux has no exit function: the kernel refuses to unload it
 * (EBUSY), short of a forced unload, which would leave its device behind
 * with no code. It stays, and nothing runs after these figures.
 */
static void bench_binder_unload(bool loaded)
{
	if (loaded && syscall(SYS_delete_module, "binder_linux", O_NONBLOCK))
		bench_progress("binder_linux stays loaded (%s): the Binder figures run last",
			       strerror(errno));
}

void bench_fig_binder(void)
{
	bool b3 = bench_figures & 1u << BENCH_FIG_B(3);
	struct bench_peer rp, bp, ep;
	struct binder_peer mgr;
	const char *why;
	bool loaded;

	why = bench_binder_load(bench_binder_ko, &loaded);
	if (why) {
		bench_progress("figures B1 to B4 skipped: %s", why);
		bench_binder_unload(loaded);
		return;
	}
	/*
	 * The peers first. A child that inherited the benchmark's
	 * /dev/binder would flush it on exit (binder_flush()), which sends
	 * the benchmark's looper back to user space with nothing to read.
	 */
	bench_peer_start(&bp, BENCH_PEER_BINDER, 0);
	if (b3) {
		bench_peer_start(&rp, BENCH_PEER_RANGE,
				 BENCH_B3_WINDOW * BENCH_B3_MAX_PAGES);
		bench_peer_start(&ep, BENCH_PEER_EMPTY, 0);
	}
	bench_check(binder_peer_open(&mgr, BENCH_BINDER_MAP),
		    "open " BINDER_PEER_DEV);
	bench_check(binder_peer_become_manager(&mgr), "BINDER_SET_CONTEXT_MGR");

	if (bench_figures & 1u << BENCH_FIG_B(1))
		bench_fig_b1(&bp, &mgr);
	if (bench_figures & 1u << BENCH_FIG_B(2))
		bench_fig_b2(&bp, &mgr);
	if (b3)
		bench_fig_b3(&rp, &bp, &ep, &mgr);

	bench_peer_stop(&bp, 0);
	if (b3) {
		bench_peer_stop(&rp, BENCH_B3_WINDOW * BENCH_B3_MAX_PAGES);
		bench_peer_stop(&ep, 0);
	}
	binder_peer_close(&mgr);
	bench_binder_unload(loaded);
}

