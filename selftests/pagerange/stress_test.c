// SPDX-License-Identifier: GPL-2.0
/*
 * Everything at once, for a bounded time. Threads of the owner and other
 * processes holding the fd (inherited through fork(), or passed over a unix
 * socket) race USE_RANGE, STOP_USING_RANGE, WRITE, READ and ZERO on random
 * spans of shared ranges, while a loop writes drop_caches, processes are
 * killed and replaced, ranges are unmapped and closed under the thread using
 * them, and owners exit while a remote writer is still at work.
 *
 * Every actor owns a slice of pages nobody else touches and keeps a model of
 * it (range_model.h): which pages are in use, which reclaimable, and what
 * each one holds. So every result is checked exactly:
 *   - an in-use page holds what its actor last put there, read through the
 *     owner's mapping or with READ, and in particular just before STOP;
 *   - a page allocated by USE_RANGE reads zero, and a reclaimable page comes
 *     back either intact or all zero, never anything else; USE_RANGE's
 *     result is the number of pages that came back zero (a page whose data
 *     was zero anyway may count either way);
 *   - I/O on a page the actor stopped fails with ENOENT and copies nothing;
 *   - ESRCH comes only from a range whose owner unmapped it or exited, and
 *     once a range is gone every call fails with it; no other errno at all.
 * At the end every page and range is gone (the fixture's teardown).
 *
 * PAGERANGE_STRESS_SECONDS sets the duration (default 30 s); PAGERANGE_SEED
 * the seed.
 */
#include "pagerange_test.h"
#include "range_model.h"

#include <pthread.h>
#include <stdarg.h>

#define STRESS_DEFAULT_SECONDS	30
#define STRESS_MAX_SECONDS	3000

#define NRANGES		2	/* shared ranges the owner maps */
#define SLICE_PAGES	RM_MAX_PAGES	/* pages an actor owns in each of them */
#define NTHREADS	4	/* actors that are threads of the owner */
#define NREMOTES	4	/* actors that are other processes */
#define RANGE_PAGES	((NTHREADS + NREMOTES) * SLICE_PAGES)
#define CHURN_PAGES	(2 * SLICE_PAGES)	/* owner's half, writer's half */
#define IO_MAX		(2 * prlib_page_size + 64)	/* most bytes one I/O moves */
#define GONE_GRACE_SEC	10	/* a dead owner's range must be gone by then */
#define NERRNO		140

enum stress_op {
	OP_USE, OP_STOP, OP_WRITE, OP_READ, OP_ZERO, OP_VERIFY,
	OP_DROP, OP_RECYCLE, OP_EXIT, OP_KILL, OP_NR
};

static const char *const op_names[OP_NR] = {
	"use_range", "stop_using_range", "write", "read", "zero", "verify",
	"drop_caches", "unmap_under_user", "owner_exit", "killed",
};

/* One per actor, in memory shared by every process of the test. */
struct tally {
	unsigned long ops[OP_NR];
	unsigned long errors[NERRNO];	/* errno 0 counts anything larger */
	unsigned long allocated;	/* the sum of USE_RANGE's results */
	unsigned long came_back_zero;	/* reclaimable pages seen reclaimed */
	unsigned long failures;
	char failure[256];		/* the first one */
};

enum {
	T_REMOTE = NTHREADS,		/* NREMOTES of them */
	T_RECYCLE = T_REMOTE + NREMOTES,
	T_CHURN_WRITER,
	T_CHURN_OWNER,
	T_DROP,
	T_NR
};

static const char *tally_name(int i)
{
	static char name[32];

	if (i < T_REMOTE)
		snprintf(name, sizeof(name), "owner thread %d", i);
	else if (i < T_RECYCLE)
		snprintf(name, sizeof(name), "%s process %d",
			 i % 2 ? "passed-fd" : "inherited-fd", i - T_REMOTE);
	else
		return i == T_RECYCLE ? "unmapped-range user" :
		       i == T_CHURN_WRITER ? "remote writer" :
		       i == T_CHURN_OWNER ? "exiting owner" : "drop_caches loop";
	return name;
}

struct stress_shared {
	int stop;
	struct tally tally[T_NR];
};

/* Set up by the test before any actor starts; children inherit it. */
static struct stress_shared *shared;
static __u32 stress_seed;

static bool stopping(void)
{
	return __atomic_load_n(&shared->stop, __ATOMIC_RELAXED);
}

struct actor {
	struct tally *tally;
	int nranges;
	__u64 base;			/* first page of the slice in each range */
	struct rm_range slice[NRANGES];	/* map NULL: it reads with READ */
	unsigned char *buf;		/* IO_MAX bytes */
	__u32 rand;
	__u32 seq;
	bool may_vanish;		/* its owner may unmap or exit */
	const int *unmapped;		/* set once the range is known gone */
	bool gone;			/* a call said so: ESRCH from now on */
};

static void __attribute__((format(printf, 2, 0)))
tally_vfail(struct tally *t, const char *fmt, va_list ap)
{
	if (!t->failures++)
		vsnprintf(t->failure, sizeof(t->failure), fmt, ap);
}

static void __attribute__((format(printf, 2, 3)))
tally_fail(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tally_vfail(t, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
actor_fail(struct actor *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tally_vfail(a->tally, fmt, ap);
	va_end(ap);
}

static __u32 rnd(struct actor *a)
{
	return prlib_rand(&a->rand);
}

static int actor_init(struct actor *a, int tally, int nranges,
		      const int *fds, unsigned char *const *maps, __u64 base)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->tally = &shared->tally[tally];
	a->nranges = nranges;
	a->base = base;
	a->rand = stress_seed ^ (tally * 0x9e3779b9u) ^ (getpid() << 8) ^
		  (__u32)(uintptr_t)a;
	if (!a->rand)
		a->rand = 1;
	a->buf = malloc(IO_MAX);
	if (!a->buf)
		return -ENOMEM;
	for (r = 0; r < nranges; r++) {
		a->slice[r].fd = fds[r];
		a->slice[r].kind = RM_MAPPED;
		a->slice[r].npages = SLICE_PAGES;
		a->slice[r].map = maps ? maps[r] + base * prlib_page_size : NULL;
		a->slice[r].shadow = calloc(SLICE_PAGES, prlib_page_size);
		if (!a->slice[r].shadow)
			return -ENOMEM;
	}
	return 0;
}

static void actor_free(struct actor *a)
{
	int r;

	for (r = 0; r < a->nranges; r++)
		free(a->slice[r].shadow);
	free(a->buf);
}

static bool actor_known_gone(struct actor *a)
{
	return a->gone ||
	       (a->unmapped && __atomic_load_n(a->unmapped, __ATOMIC_ACQUIRE));
}

/*
 * Count the result of one call, and say whether it is one the model can
 * take (success or ENOENT). ESRCH is fine on a range that may vanish; from
 * any call but USE_RANGE (which fails as soon as the owner's mm is dead, a
 * little before the mapping is torn down) it means the range is gone.
 */
static bool actor_check(struct actor *a, enum stress_op op, long ret,
			bool gone_before)
{
	struct tally *t = a->tally;

	t->ops[op]++;
	if (ret < 0)
		t->errors[-ret < NERRNO ? -ret : 0]++;
	if (gone_before) {
		a->gone = true;
		if (ret != -ESRCH)
			actor_fail(a, "%s returned %ld on a range that is gone, not -ESRCH",
				   op_names[op], ret);
		return false;
	}
	if (ret == -ESRCH) {
		if (!a->may_vanish)
			actor_fail(a, "%s: ESRCH while the owner still maps the range",
				   op_names[op]);
		else if (op != OP_USE)
			a->gone = true;
		return false;
	}
	if (ret < 0 && ret != -ENOENT) {
		actor_fail(a, "%s: unexpected error %s", op_names[op],
			   strerror(-ret));
		return false;
	}
	return true;
}

/* The bytes of in-use page @i of slice @r, or NULL if the range is gone. */
static const unsigned char *actor_page(struct actor *a, int r, size_t i)
{
	__u64 offset = (a->base + i) * prlib_page_size;
	bool gone = actor_known_gone(a);
	long ret;

	if (a->slice[r].map)
		return a->slice[r].map + i * prlib_page_size;
	ret = prlib_read(a->slice[r].fd, offset, a->buf, prlib_page_size);
	if (!actor_check(a, OP_READ, ret, gone))
		return NULL;
	if (ret) {
		actor_fail(a, "read of in-use page %llu: %s",
			   (unsigned long long)(a->base + i), strerror(-ret));
		return NULL;
	}
	return a->buf;
}

/* An in-use page must hold what the actor last put there. */
static bool actor_verify_page(struct actor *a, int r, size_t i)
{
	const unsigned char *p = actor_page(a, r, i);
	const unsigned char *want = a->slice[r].shadow + i * prlib_page_size;
	ssize_t j;

	if (!p)
		return false;
	j = rm_page_differs(&a->slice[r], i, p);
	if (j < 0)
		return true;
	actor_fail(a, "in-use page %llu of range %d changed at byte %zd: %#x, not %#x",
		   (unsigned long long)(a->base + i), r, j, p[j], want[j]);
	return false;
}

/* A span of pages: mostly one to three, sometimes up to the whole slice. */
static void random_span(struct actor *a, size_t *first, size_t *end)
{
	size_t f = rnd(a) % SLICE_PAGES, room = SLICE_PAGES - f;
	size_t n = rnd(a) % 4 ? 1 + rnd(a) % (room < 3 ? room : 3) :
				1 + rnd(a) % room;

	*first = f;
	*end = f + n;
}

static void actor_use(struct actor *a, int r)
{
	struct rm_range *s = &a->slice[r];
	size_t first, end, i, nfree, zeroed = 0, either = 0;
	bool gone = actor_known_gone(a);
	unsigned char before[SLICE_PAGES];
	const char *what;
	long ret;

	random_span(a, &first, &end);
	memcpy(before, s->page, sizeof(before));
	nfree = rm_count(s, first, end, RM_FREE);
	ret = prlib_use_range(s->fd, a->base + first, a->base + end);
	if (!actor_check(a, OP_USE, ret, gone))
		return;
	if (ret < 0) {
		actor_fail(a, "use_range: %s", strerror(-ret));
		return;
	}
	a->tally->allocated += ret;
	rm_use(s, first, end);

	for (i = first; i < end; i++) {
		const unsigned char *p;

		if (before[i] == RM_IN_USE) {
			if (!actor_verify_page(a, r, i))
				return;
			continue;
		}
		p = actor_page(a, r, i);
		if (!p)
			return;
		what = rm_came_back(s, i, before[i], p, &zeroed, &either);
		if (what) {
			actor_fail(a, "page %llu: %s",
				   (unsigned long long)(a->base + i), what);
			return;
		}
	}
	a->tally->came_back_zero += zeroed;
	if ((size_t)ret < nfree + zeroed || (size_t)ret > nfree + zeroed + either)
		actor_fail(a,
			   "use_range of %zu pages allocated %ld: %zu were free, %zu came back zero (%zu more could have)",
			   end - first, ret, nfree, zeroed, either);
}

static void actor_stop(struct actor *a, int r)
{
	struct rm_range *s = &a->slice[r];
	size_t first, end, i, in_use = 0;
	bool gone;
	long ret;

	random_span(a, &first, &end);
	/* Whatever the actor put in a page is still there as it lets go. */
	for (i = first; i < end; i++) {
		if (s->page[i] != RM_IN_USE)
			continue;
		if (!actor_verify_page(a, r, i))
			return;
		in_use++;
	}
	gone = actor_known_gone(a);
	ret = prlib_stop_using(s->fd, a->base + first, a->base + end);
	if (!actor_check(a, OP_STOP, ret, gone))
		return;
	if (ret != (long)in_use) {
		actor_fail(a, "stop_using_range of %zu pages with %zu in use returned %ld",
			   end - first, in_use, ret);
		return;
	}
	rm_stop(s, first, end, 0, ret);
}

static void actor_io(struct actor *a, int r, enum stress_op op)
{
	size_t slice_bytes = SLICE_PAGES * prlib_page_size;
	unsigned long cmd = op == OP_WRITE ? PAGERANGE_IOC_WRITE :
			    op == OP_ZERO ? PAGERANGE_IOC_ZERO : PAGERANGE_IOC_READ;
	struct rm_range *s = &a->slice[r];
	size_t off, len, room;
	__u64 at;
	long expect, ret;
	bool gone;

	if (rnd(a) % 8) {
		off = rnd(a) % slice_bytes;
		room = slice_bytes - off;
		len = 1 + rnd(a) % (room < IO_MAX ? room : IO_MAX);
	} else {
		off = (rnd(a) % SLICE_PAGES) * prlib_page_size;
		len = prlib_page_size;
	}
	at = a->base * prlib_page_size + off;
	expect = rm_predict_io(s, cmd,
			       &(struct pagerange_io){ .offset = off, .len = len }).err;

	gone = actor_known_gone(a);
	if (op == OP_WRITE) {
		prlib_fill(a->buf, len, stress_seed ^ ++a->seq);
		ret = prlib_write(s->fd, at, a->buf, len);
	} else if (op == OP_ZERO) {
		ret = prlib_zero(s->fd, at, len);
	} else {
		ret = prlib_read(s->fd, at, a->buf, len);
	}
	if (!actor_check(a, op, ret, gone))
		return;
	if (ret != expect) {
		actor_fail(a, "%s of %zu bytes at %llu returned %ld, expected %ld",
			   op_names[op], len, (unsigned long long)at, ret, expect);
		return;
	}
	if (!ret && !rm_io_done(s, cmd, off, a->buf, len))
		actor_fail(a, "read of %zu bytes at %llu differs from what was written",
			   len, (unsigned long long)at);
}

static void actor_verify(struct actor *a, int r)
{
	size_t i;

	a->tally->ops[OP_VERIFY]++;
	for (i = 0; i < SLICE_PAGES; i++)
		if (a->slice[r].page[i] == RM_IN_USE &&
		    !actor_verify_page(a, r, i))
			return;
}

static void actor_step(struct actor *a)
{
	int r = rnd(a) % a->nranges;

	switch (rnd(a) % 16) {
	case 0 ... 3:
		actor_use(a, r);
		break;
	case 4 ... 6:
		actor_stop(a, r);
		break;
	case 7 ... 9:
		actor_io(a, r, OP_WRITE);
		break;
	case 10 ... 11:
		actor_io(a, r, OP_READ);
		break;
	case 12:
		actor_io(a, r, OP_ZERO);
		break;
	default:
		actor_verify(a, r);
	}
}

static bool actor_ok(struct actor *a)
{
	return !a->tally->failures;
}

/*
 * Take over a slice in an unknown state (its previous actor was killed):
 * every page in use and zero.
 */
static void actor_take_over(struct actor *a)
{
	int r;

	for (r = 0; r < a->nranges; r++) {
		long ret = prlib_use_range(a->slice[r].fd, a->base,
					   a->base + SLICE_PAGES);

		if (actor_check(a, OP_USE, ret, false) && ret >= 0) {
			ret = prlib_zero(a->slice[r].fd, a->base * prlib_page_size,
					 SLICE_PAGES * prlib_page_size);
			actor_check(a, OP_ZERO, ret, false);
		}
		if (ret < 0) {
			actor_fail(a, "cannot take over the slice: %s",
				   strerror(-ret));
			return;
		}
		rm_use(&a->slice[r], 0, SLICE_PAGES);
	}
}

/* Once a range is gone, every call on it fails with ESRCH. */
static void actor_expect_gone(struct actor *a)
{
	int r = 0;

	a->gone = true;
	actor_use(a, r);
	actor_stop(a, r);
	actor_io(a, r, OP_WRITE);
	actor_io(a, r, OP_READ);
	actor_io(a, r, OP_ZERO);
}

/* --- The actors */

struct stress_ctx {
	int fds[NRANGES];
	unsigned char *maps[NRANGES];
	pid_t remotes[NREMOTES];
};

struct owner_arg {
	struct stress_ctx *ctx;
	int id;
};

/* A thread of the owner: checks its slices through the mapping. */
static void *owner_thread(void *arg)
{
	struct owner_arg *oa = arg;
	struct actor a;

	if (actor_init(&a, oa->id, NRANGES, oa->ctx->fds, oa->ctx->maps,
		       oa->id * SLICE_PAGES)) {
		actor_fail(&a, "out of memory");
	} else {
		actor_take_over(&a);
		while (!stopping() && actor_ok(&a))
			actor_step(&a);
	}
	actor_free(&a);
	return NULL;
}

/*
 * Another process holding the fds: inherited through fork(), or, with @sock,
 * only the copies passed over it. It reads its slices with READ.
 */
static void __attribute__((noreturn))
remote_run(struct stress_ctx *ctx, int i, int sock)
{
	int fds[NRANGES], r;
	struct actor a;

	prlib_die_with_parent();
	memcpy(fds, ctx->fds, sizeof(fds));
	for (r = 0; sock >= 0 && r < NRANGES; r++) {
		close(fds[r]);
		fds[r] = prt_recv_fd(sock);
	}
	if (actor_init(&a, T_REMOTE + i, NRANGES, fds, NULL,
		       (NTHREADS + i) * SLICE_PAGES))
		actor_fail(&a, "out of memory");
	else if (fds[0] < 0 || fds[NRANGES - 1] < 0)
		actor_fail(&a, "no fd came over the socket");
	else
		actor_take_over(&a);
	while (!stopping() && actor_ok(&a))
		actor_step(&a);
	_exit(0);
}

static void remote_spawn(struct stress_ctx *ctx, int i)
{
	bool passed = i % 2;
	int sv[2] = { -1, -1 }, r;
	pid_t pid;

	if (passed && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		tally_fail(&shared->tally[T_REMOTE + i], "socketpair: %m");
		return;
	}
	pid = prlib_fork();
	if (!pid)
		remote_run(ctx, i, sv[1]);
	if (pid < 0)
		tally_fail(&shared->tally[T_REMOTE + i], "fork: %m");
	for (r = 0; passed && pid > 0 && r < NRANGES; r++)
		prt_send_fd(sv[0], ctx->fds[r]);
	if (passed) {
		close(sv[0]);
		close(sv[1]);
	}
	ctx->remotes[i] = pid;
}

/* Reap remote @i: killed by us (@killed) or exited on its own, nothing else. */
static void remote_reap(struct stress_ctx *ctx, int i, bool killed)
{
	struct tally *t = &shared->tally[T_REMOTE + i];
	int ret;

	if (ctx->remotes[i] <= 0)
		return;
	if (killed)
		kill(ctx->remotes[i], SIGKILL);
	ret = prlib_wait_exit(ctx->remotes[i]);
	ctx->remotes[i] = 0;
	if (killed && ret == -SIGKILL)
		t->ops[OP_KILL]++;
	else if (ret)
		tally_fail(t, "the process ended with %d", ret);
}

static void *drop_thread(void *arg)
{
	struct tally *t = &shared->tally[T_DROP];
	__u32 x = stress_seed | 1;
	int ret;

	(void)arg;
	while (!stopping() && !t->failures) {
		ret = prlib_drop_caches();
		t->ops[OP_DROP]++;
		if (ret)
			tally_fail(t, "drop_caches: %s", strerror(-ret));
		usleep(prlib_rand(&x) % 20000);
	}
	return NULL;
}

/*
 * A range that one thread of the owner maps and unmaps (and closes, before
 * or after) at a random moment while another thread works on it through a
 * dup of the fd: once munmap() has returned, every call fails with ESRCH.
 */
struct recycler {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;		/* the user's fd; -1 while there is none, -2 at the end */
	int unmapped;	/* set once munmap() of the current range returned */
	bool done;	/* the user let go of the current range */
};

#define RECYCLE_END	(-2)

static void recycle_publish(struct recycler *rc, int fd)
{
	pthread_mutex_lock(&rc->lock);
	rc->fd = fd;
	rc->done = false;
	__atomic_store_n(&rc->unmapped, 0, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&rc->cond);
	pthread_mutex_unlock(&rc->lock);
}

static void *recycle_owner(void *arg)
{
	struct tally *t = &shared->tally[T_RECYCLE];
	size_t size = SLICE_PAGES * prlib_page_size;
	struct recycler *rc = arg;
	__u32 x = stress_seed ^ 0x5ca1ab1e;
	unsigned char *map;
	int fd, user_fd;

	while (!stopping() && !t->failures) {
		fd = prlib_open();
		if (fd < 0) {
			tally_fail(t, "open: %m");
			break;
		}
		map = prlib_map(fd, size);
		user_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (map == MAP_FAILED || user_fd < 0) {
			tally_fail(t, "mmap or dup: %m");
			close(fd);
			break;
		}
		recycle_publish(rc, user_fd);
		usleep(prlib_rand(&x) % 3000);
		if (prlib_rand(&x) % 2) {
			close(fd);
			fd = -1;
		}
		if (munmap(map, size))
			tally_fail(t, "munmap: %m");
		__atomic_store_n(&rc->unmapped, 1, __ATOMIC_RELEASE);
		if (fd >= 0)
			close(fd);
		pthread_mutex_lock(&rc->lock);
		while (!rc->done)
			pthread_cond_wait(&rc->cond, &rc->lock);
		pthread_mutex_unlock(&rc->lock);
		t->ops[OP_RECYCLE]++;
	}
	recycle_publish(rc, RECYCLE_END);
	return NULL;
}

static void *recycle_user(void *arg)
{
	struct recycler *rc = arg;
	struct actor a;
	int fd;

	for (;;) {
		pthread_mutex_lock(&rc->lock);
		while (rc->fd == -1)
			pthread_cond_wait(&rc->cond, &rc->lock);
		fd = rc->fd;
		pthread_mutex_unlock(&rc->lock);
		if (fd == RECYCLE_END)
			break;

		if (actor_init(&a, T_RECYCLE, 1, &fd, NULL, 0)) {
			actor_fail(&a, "out of memory");
		} else {
			a.may_vanish = true;
			a.unmapped = &rc->unmapped;
			while (!a.gone && actor_ok(&a))
				actor_step(&a);
			if (actor_ok(&a))
				actor_expect_gone(&a);
		}
		actor_free(&a);
		close(fd);

		pthread_mutex_lock(&rc->lock);
		rc->fd = -1;
		rc->done = true;
		pthread_cond_broadcast(&rc->cond);
		pthread_mutex_unlock(&rc->lock);
	}
	return NULL;
}

/*
 * An owner that maps a range, hands the fd to the writer, works on its own
 * half, and then goes away in one of four ways: exit with everything, close
 * and exit, unmap (and see ESRCH at once) and exit, unmap and close.
 */
static int churn_owner(int sock, __u32 seed)
{
	size_t size = CHURN_PAGES * prlib_page_size;
	int fd = prlib_open(), unmapped = 0, n;
	unsigned char *map;
	struct actor a;

	prlib_die_with_parent();
	if (fd < 0)
		return 1;
	map = prlib_map(fd, size);
	if (map == MAP_FAILED || prt_send_fd(sock, fd))
		return 2;
	if (actor_init(&a, T_CHURN_OWNER, 1, &fd, &map, 0))
		return 3;
	a.rand = seed | 1;
	for (n = rnd(&a) % 64; n && actor_ok(&a); n--)
		actor_step(&a);
	switch (rnd(&a) % 4) {
	case 0:
		break;
	case 1:
		close(fd);
		break;
	case 2:
		if (munmap(map, size))
			actor_fail(&a, "munmap: %m");
		a.slice[0].map = NULL;
		a.may_vanish = true;
		unmapped = 1;
		a.unmapped = &unmapped;
		actor_expect_gone(&a);
		break;
	default:
		if (munmap(map, size))
			actor_fail(&a, "munmap: %m");
		close(fd);
	}
	a.tally->ops[OP_EXIT]++;
	return actor_ok(&a) ? 0 : 4;
}

/* One owner's life as its writer sees it; false to stop. */
static bool churn_cycle(__u32 seed)
{
	struct tally *t = &shared->tally[T_CHURN_WRITER];
	struct pagerange_info info;
	time_t reaped = 0;
	int sv[2], fd, ret = 0;
	struct actor a;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		tally_fail(t, "socketpair: %m");
		return false;
	}
	pid = fork();
	if (!pid)
		_exit(churn_owner(sv[1], seed));
	fd = pid > 0 ? prt_recv_fd(sv[0]) : -1;
	close(sv[0]);
	close(sv[1]);
	if (fd < 0) {
		tally_fail(t, "no range from the owner (%d)",
			   pid > 0 ? prlib_wait_exit(pid) : -1);
		return false;
	}

	if (actor_init(&a, T_CHURN_WRITER, 1, &fd, NULL, SLICE_PAGES)) {
		actor_fail(&a, "out of memory");
	} else {
		a.may_vanish = true;
		while (!a.gone && actor_ok(&a)) {
			actor_step(&a);
			if (!reaped && waitpid(pid, &ret, WNOHANG) == pid) {
				reaped = time(NULL);
				ret = WIFEXITED(ret) ? WEXITSTATUS(ret) :
				      -WTERMSIG(ret);
			} else if (reaped && time(NULL) - reaped > GONE_GRACE_SEC) {
				actor_fail(&a, "the range still works %d s after its owner exited",
					   GONE_GRACE_SEC);
			}
		}
		if (actor_ok(&a))
			actor_expect_gone(&a);
		/* GET_INFO alone still answers. */
		if (prlib_get_info(fd, &info))
			actor_fail(&a, "get_info on a range that is gone: %m");
	}
	actor_free(&a);
	if (!reaped)
		ret = prlib_wait_exit(pid);
	if (ret)
		tally_fail(t, "the owner ended with %d", ret);
	close(fd);
	return !t->failures && !shared->tally[T_CHURN_OWNER].failures;
}

static void __attribute__((noreturn)) churn_run(void)
{
	__u32 x = stress_seed ^ 0xc4u;

	prlib_die_with_parent();
	while (!stopping() && churn_cycle(prlib_rand(&x)))
		;
	_exit(0);
}

/* --- The test */

static unsigned int stress_seconds(void)
{
	const char *s = getenv("PAGERANGE_STRESS_SECONDS");
	long v = s ? strtol(s, NULL, 0) : STRESS_DEFAULT_SECONDS;

	return v < 1 ? 1 : v > STRESS_MAX_SECONDS ? STRESS_MAX_SECONDS : v;
}

static unsigned long failures(void)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < T_NR; i++)
		n += shared->tally[i].failures;
	return n;
}

FIXTURE(stress) {
	struct prlib_stats before;
	struct stress_ctx ctx;
};

FIXTURE_SETUP(stress)
{
	int r;

	prtest_stats_begin(_metadata, &self->before);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	stress_seed = prt_seed();
	for (r = 0; r < NRANGES; r++) {
		self->ctx.fds[r] = -1;
		self->ctx.maps[r] = MAP_FAILED;
	}
	for (r = 0; r < NRANGES; r++) {
		self->ctx.fds[r] = prlib_open();
		ASSERT_LE(0, self->ctx.fds[r]);
		self->ctx.maps[r] = prlib_map(self->ctx.fds[r],
					      RANGE_PAGES * prlib_page_size);
		ASSERT_NE(MAP_FAILED, self->ctx.maps[r]);
	}
}

FIXTURE_TEARDOWN(stress)
{
	int r;

	for (r = 0; r < NRANGES; r++) {
		if (self->ctx.maps[r] != MAP_FAILED)
			EXPECT_EQ(0, munmap(self->ctx.maps[r],
					    RANGE_PAGES * prlib_page_size));
		if (self->ctx.fds[r] >= 0)
			EXPECT_EQ(0, close(self->ctx.fds[r]));
	}
	/* An exited owner's mm may still be torn down by a worker. */
	prlib_stats_settle(&self->before, 10000);
	prtest_expect_stats(_metadata, &self->before);
	munmap(shared, sizeof(*shared));
}

/* Print the figures of the run as TAP diagnostics. */
static void stress_report(double seconds, long long reclaimed,
			  long long scans, long long skips)
{
	unsigned long ops[OP_NR] = { 0 }, errors[NERRNO] = { 0 };
	unsigned long allocated = 0, zeroed = 0, total = 0;
	char line[512];
	size_t len;
	int i, j;

	for (i = 0; i < T_NR; i++) {
		struct tally *t = &shared->tally[i];

		for (j = 0; j < OP_NR; j++)
			ops[j] += t->ops[j];
		for (j = 0; j < NERRNO; j++)
			errors[j] += t->errors[j];
		allocated += t->allocated;
		zeroed += t->came_back_zero;
	}
	for (j = 0; j <= OP_ZERO; j++)
		total += ops[j];
	prtest_diag("stress: %.0f s, seed %#x, %lu ioctls (%.0f/s)", seconds,
		    stress_seed, total, total / seconds);
	len = 0;
	for (j = 0; j < OP_NR; j++)
		len += snprintf(line + len, sizeof(line) - len, " %s %lu",
				op_names[j], ops[j]);
	prtest_diag("stress: ops:%s", line);
	prtest_diag("stress: pages allocated by use_range %lu, seen zeroed after reclaim %lu",
		    allocated, zeroed);
	prtest_diag("stress: reclaimed (debugfs) %lld, shrinker scans %lld, skips %lld",
		    reclaimed, scans, skips);
	for (j = 0, len = 0; j < NERRNO; j++)
		if (errors[j])
			len += snprintf(line + len, sizeof(line) - len,
					" %s %lu", j ? strerrorname_np(j) :
					"other", errors[j]);
	prtest_diag("stress: errors by errno:%s", len ? line : " none");
}

TEST_F_TIMEOUT(stress, racing_actors_keep_in_use_data_and_get_reclaimed_pages_back_zeroed,
	       STRESS_MAX_SECONDS + 120)
{
	struct owner_arg owners[NTHREADS];
	pthread_t threads[NTHREADS + 3];
	struct recycler rc = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
		.fd = -1,
	};
	long long reclaimed = prlib_stat("pages_reclaimed");
	long long scans = prlib_stat("shrinker_scans");
	long long skips = prlib_stat("shrinker_skips");
	unsigned int seconds = stress_seconds();
	__u32 x = stress_seed | 1;
	double start = prt_seconds(), end = start + seconds;
	unsigned long zeroed;
	pid_t churn;
	int i, n = 0;

	ASSERT_LE(0, reclaimed);
	for (i = 0; i < NREMOTES; i++)
		remote_spawn(&self->ctx, i);
	churn = prlib_fork();
	if (!churn)
		churn_run();
	ASSERT_LT(0, churn);
	for (i = 0; i < NTHREADS; i++) {
		owners[i].ctx = &self->ctx;
		owners[i].id = i;
		ASSERT_EQ(0, pthread_create(&threads[n++], NULL, owner_thread,
					    &owners[i]));
	}
	ASSERT_EQ(0, pthread_create(&threads[n++], NULL, drop_thread, NULL));
	ASSERT_EQ(0, pthread_create(&threads[n++], NULL, recycle_owner, &rc));
	ASSERT_EQ(0, pthread_create(&threads[n++], NULL, recycle_user, &rc));

	/* Kill a remote actor now and then, and start another on its slice. */
	while (prt_seconds() < end && !failures()) {
		double left = end - prt_seconds();
		useconds_t nap = 200000 + prlib_rand(&x) % 800000;

		usleep(left * 1e6 < nap ? left * 1e6 : nap);
		if (prt_seconds() >= end)
			break;
		i = prlib_rand(&x) % NREMOTES;
		remote_reap(&self->ctx, i, true);
		remote_spawn(&self->ctx, i);
	}

	__atomic_store_n(&shared->stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, pthread_join(threads[i], NULL));
	for (i = 0; i < NREMOTES; i++)
		remote_reap(&self->ctx, i, false);
	EXPECT_EQ(0, prlib_wait_exit(churn));

	stress_report(prt_seconds() - start,
		      prlib_stat("pages_reclaimed") - reclaimed,
		      prlib_stat("shrinker_scans") - scans,
		      prlib_stat("shrinker_skips") - skips);
	for (i = 0; i < T_NR; i++)
		if (shared->tally[i].failures)
			TH_LOG("%s: %lu failure(s), the first: %s", tally_name(i),
			       shared->tally[i].failures,
			       shared->tally[i].failure);
	EXPECT_EQ(0, failures());
	/* Every kind of actor got to run, and reclaim raced with them. */
	EXPECT_LT(0, shared->tally[T_DROP].ops[OP_DROP]);
	EXPECT_LT(0, shared->tally[T_RECYCLE].ops[OP_RECYCLE]);
	EXPECT_LT(0, shared->tally[T_CHURN_OWNER].ops[OP_EXIT]);
	EXPECT_LT(0, shared->tally[T_CHURN_WRITER].errors[ESRCH]);
	for (i = 0; i < T_RECYCLE; i++)
		EXPECT_LT(0, shared->tally[i].ops[OP_USE]);
	EXPECT_LT(0, prlib_stat("pages_reclaimed") - reclaimed);
	/* And what the name says: reclaimed pages were seen coming back zero. */
	for (i = 0, zeroed = 0; i < T_NR; i++)
		zeroed += shared->tally[i].came_back_zero;
	EXPECT_LT(0, zeroed);
}

PAGERANGE_TEST_MAIN
