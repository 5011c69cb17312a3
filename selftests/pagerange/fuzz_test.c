// SPDX-License-Identifier: GPL-2.0
/*
 * A bounded, deterministic ioctl fuzzer.
 *
 * Every call is drawn from a seeded generator: the driver's commands and
 * near misses of them (other size, direction, number or type), random
 * command numbers, other subsystems' numbers; argument structs with values
 * near 2^64, offset + len overflows, spans swapped, empty or past the end;
 * NULL, unaligned, kernel, non-canonical, unmapped, read-only and
 * half-mapped argument pointers and buffers, and the owner's own mapping as
 * a buffer. They go to ranges in every state (never mapped, mapped with
 * pages free, in use and reclaimable, unmapped, owner gone) and to fds that
 * are not pagerange's at all (/dev/null, a pipe, a memfd).
 *
 * A model of every range (range_model.h) predicts each result from the
 * order pagerange(4) gives: the errno, USE_RANGE's and STOP_USING_RANGE's
 * result (with and without PAGERANGE_STOP_PURGE), USE_RANGE_REPORT's
 * bitmap, QUERY's states, GET_INFO's counters, and the bytes WRITE (with
 * and without PAGERANGE_WRITE_USE), READ and ZERO move (checked through
 * the owner's mapping). Any other outcome is a failure, and so is an errno
 * outside the documented set. At the end every page is back.
 *
 * PAGERANGE_SEED picks the seed, PAGERANGE_FUZZ_CALLS the number of calls.
 */
#include "pagerange_test.h"
#include "range_model.h"

#include <termios.h>

/* From <linux/fs.h>, which clashes with <sys/mount.h>. */
#ifndef FIBMAP
#define FIBMAP		_IO(0x00, 1)
#endif
#ifndef BLKGETSIZE64
#define BLKGETSIZE64	_IOR(0x12, 114, size_t)
#endif
#ifndef FS_IOC_GETFLAGS
#define FS_IOC_GETFLAGS	_IOR('f', 1, long)
#endif

#define FUZZ_DEFAULT_CALLS	100000
#define FUZZ_MAX_PAGES		RM_MAX_PAGES
#define FUZZ_ROUNDS		8	/* a fresh mapped range for each */
#define FUZZ_DROP_EVERY		4096	/* calls between two drop_caches */
#define FUZZ_MAX_GONE		(FUZZ_ROUNDS + 1)
#define FUZZ_FOREIGN		3
#define FUZZ_MAX_REPORTS	10
#define FUZZ_NERRNO		256
/* The driver's longest range, PAGERANGE_MAX_PAGES: 256 MiB of 4 KiB pages. */
#define FUZZ_DRIVER_MAX_PAGES	65536ULL

/* Kernel and non-canonical addresses: copy_{from,to}_user must refuse them. */
#define FUZZ_KERNEL_ADDR	0xffff888000000000ULL
#define FUZZ_NONCANONICAL	0x0000800000000000ULL
/* Below mmap_min_addr: nothing is ever mapped there. */
#define FUZZ_LOW_ADDR		0x1000ULL
/*
 * A 32-bit caller's argument pointer can be neither a kernel address nor a
 * non-canonical one: its stand-in for both is the top page of its 4 GiB,
 * above where a 32-bit task's address space ends on x86-64 (0xffffe000).
 * The __u64 buffer fields keep the 64-bit addresses above.
 */
#define FUZZ_TOP_ADDR32		0xfffff000UL

/* @addr as an argument pointer: itself, or FUZZ_TOP_ADDR32 in a 32-bit build. */
static void *fuzz_high_arg(__u64 addr)
{
	if (sizeof(void *) < sizeof(addr))
		return prlib_ptr(FUZZ_TOP_ADDR32 + (addr & 0xfff));
	return prlib_ptr(addr);
}

/* Where the argument struct is put. */
enum fuzz_arg {
	ARG_GOOD,
	ARG_UNALIGNED,
	ARG_READ_ONLY,
	ARG_RESULT_READ_ONLY,	/* the first bytes writable, the rest not */
	ARG_HALF_MAPPED,	/* runs into an inaccessible page */
	ARG_NULL,
	ARG_KERNEL,
	ARG_NONCANONICAL,
	ARG_UNMAPPED,
	ARG_NR,
};

/* What @buf points to. */
enum fuzz_buf {
	BUF_GOOD,
	BUF_UNALIGNED,
	BUF_READ_ONLY,		/* readable up to cap, then inaccessible */
	BUF_EDGE,		/* writable up to cap, then inaccessible */
	BUF_MAPPING,		/* the owner's own read-only mapping */
	BUF_NULL,
	BUF_KERNEL,
	BUF_NONCANONICAL,
	BUF_UNMAPPED,
	BUF_NR,
};

struct fuzz_call {
	unsigned long cmd;
	bool valid;		/* one of the driver's commands */
	enum fuzz_arg arg_kind;
	enum fuzz_buf buf_kind;
	unsigned char *arg;	/* what is passed to ioctl() */
	unsigned char *arg_rw;	/* a writable alias of it, or NULL */
	union {
		struct pagerange_range r;
		struct pagerange_io io;
		struct pagerange_info info;
		struct pagerange_use_report rep;
		struct pagerange_query q;
		struct pagerange_purged p;
	} u;
	unsigned char *buf;	/* the user buffer, when it is ours and accessible */
	size_t buf_cap;		/* bytes accessible from buf */
};

FIXTURE(fuzz) {
	__u32 seed;
	long calls;
	struct prlib_stats before;
	struct rm_range fresh;
	struct rm_range mapped;
	struct rm_range gone[FUZZ_MAX_GONE];
	int nr_gone;
	struct rm_range foreign[FUZZ_FOREIGN];
	int pipe_fds[2];
	int memfd;
	/*
	 * The argument arena: page 0 writable, page 1 read-only, page 2
	 * inaccessible; pages 0 and 1 are one memfd, also mapped writable at
	 * arena_rw so that the fuzzer can fill the read-only page.
	 */
	unsigned char *arena;
	unsigned char *arena_rw;
	/* Buffers: good, and an edge whose next page is inaccessible. */
	unsigned char *good;
	size_t good_size;
	unsigned char *edge;
	unsigned long hist[FUZZ_NERRNO];
	unsigned long mismatches;
	unsigned long undocumented;
	unsigned long data_errors;
	unsigned long reports;
	unsigned long by_cmd[4];	/* valid, near miss, random, foreign number */
	unsigned long ok_by_cmd[PRT_NR_IOC_CMDS];	/* successes of each */
};

static int fuzz_arena(FIXTURE_DATA(fuzz) *self)
{
	int mfd = memfd_create("pagerange-fuzz-arena", MFD_CLOEXEC);
	unsigned char *a;

	if (mfd < 0 || ftruncate(mfd, 2 * prlib_page_size))
		return -1;
	a = mmap(NULL, 3 * prlib_page_size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		return -1;
	if (mmap(a, prlib_page_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 mfd, 0) == MAP_FAILED ||
	    mmap(a + prlib_page_size, prlib_page_size, PROT_READ, MAP_SHARED | MAP_FIXED,
		 mfd, prlib_page_size) == MAP_FAILED)
		return -1;
	self->arena_rw = mmap(NULL, 2 * prlib_page_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, mfd, 0);
	close(mfd);
	if (self->arena_rw == MAP_FAILED)
		return -1;
	self->arena = a;
	return 0;
}

/* The current mapped range is unmapped and joins the gone ones. */
static void fuzz_retire(struct __test_metadata *_metadata,
			FIXTURE_DATA(fuzz) *self)
{
	struct rm_range *g;

	if (self->mapped.kind != RM_MAPPED)
		return;
	ASSERT_GT(FUZZ_MAX_GONE, self->nr_gone);
	ASSERT_EQ(0, munmap(self->mapped.map,
			    self->mapped.npages * prlib_page_size));
	g = &self->gone[self->nr_gone++];
	*g = self->mapped;
	g->kind = RM_GONE;
	g->name = "unmapped";
	g->map = NULL;
	/* Nothing can map them again: the pages went with the vma. */
	memset(g->page, RM_FREE, sizeof(g->page));
	self->mapped.kind = RM_NOT_OURS;
	self->mapped.fd = -1;
}

static void fuzz_new_mapping(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fuzz) *self, __u64 npages)
{
	struct rm_range *m = &self->mapped;

	memset(m, 0, sizeof(*m));
	m->kind = RM_MAPPED;
	m->name = "mapped";
	m->npages = npages;
	m->fd = prlib_open();
	ASSERT_LE(0, m->fd);
	m->map = prlib_map(m->fd, npages * prlib_page_size);
	ASSERT_NE(MAP_FAILED, m->map);
}

FIXTURE_SETUP(fuzz)
{
	const char *env = getenv("PAGERANGE_FUZZ_CALLS");
	struct rm_range *g;
	int i;

	self->seed = prt_seed();
	self->calls = env ? strtol(env, NULL, 0) : FUZZ_DEFAULT_CALLS;
	self->mapped.fd = -1;
	self->pipe_fds[0] = -1;
	self->pipe_fds[1] = -1;
	self->memfd = -1;
	for (i = 0; i < FUZZ_FOREIGN; i++)
		self->foreign[i].fd = -1;
	prtest_stats_begin(_metadata, &self->before);

	self->fresh.fd = prlib_open();
	ASSERT_LE(0, self->fresh.fd);
	self->fresh.kind = RM_NEVER_MAPPED;
	self->fresh.name = "never mapped";

	/*
	 * Owner gone with 3 pages in use and 2 reclaimable: its exit gave
	 * them back.
	 */
	g = &self->gone[self->nr_gone++];
	g->fd = prt_orphan_range(8, 3, 2);
	ASSERT_LE(0, g->fd);
	g->kind = RM_GONE;
	g->name = "owner exited";
	g->npages = 8;

	ASSERT_EQ(0, pipe2(self->pipe_fds, O_CLOEXEC));
	self->memfd = memfd_create("pagerange-fuzz", MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, prlib_page_size));
	self->foreign[0].fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->foreign[0].fd);
	self->foreign[0].name = "/dev/null";
	self->foreign[1].fd = dup(self->pipe_fds[0]);
	self->foreign[1].name = "pipe";
	self->foreign[2].fd = dup(self->memfd);
	self->foreign[2].name = "memfd";
	for (i = 0; i < FUZZ_FOREIGN; i++) {
		ASSERT_LE(0, self->foreign[i].fd);
		self->foreign[i].kind = RM_NOT_OURS;
	}

	ASSERT_EQ(0, fuzz_arena(self));
	/* Room for any in-bounds length from any offset of the buffer. */
	self->good_size = (FUZZ_MAX_PAGES + 1) * prlib_page_size;
	self->good = malloc(self->good_size);
	ASSERT_NE(NULL, self->good);
	prlib_fill(self->good, self->good_size, self->seed);
	self->edge = mmap(NULL, 2 * prlib_page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->edge);
	ASSERT_EQ(0, mprotect(self->edge + prlib_page_size, prlib_page_size, PROT_NONE));
}

FIXTURE_TEARDOWN(fuzz)
{
	int i;

	if (self->mapped.kind == RM_MAPPED)
		EXPECT_EQ(0, munmap(self->mapped.map,
				    self->mapped.npages * prlib_page_size));
	if (self->mapped.fd >= 0)
		EXPECT_EQ(0, close(self->mapped.fd));
	for (i = 0; i < self->nr_gone; i++)
		EXPECT_EQ(0, close(self->gone[i].fd));
	for (i = 0; i < FUZZ_FOREIGN; i++)
		if (self->foreign[i].fd >= 0)
			close(self->foreign[i].fd);
	if (self->pipe_fds[0] >= 0) {
		close(self->pipe_fds[0]);
		close(self->pipe_fds[1]);
	}
	if (self->memfd >= 0)
		close(self->memfd);
	free(self->good);
	EXPECT_EQ(0, close(self->fresh.fd));
	/* Every page the fuzzer made the driver allocate is back. */
	prtest_expect_stats(_metadata, &self->before);
}

/* ---- the generator ---- */

static __u64 fuzz_rand64(__u32 *s)
{
	__u64 hi = prlib_rand(s);

	return hi << 32 | prlib_rand(s);
}

static __u32 fuzz_below(__u32 *s, __u32 n)
{
	return prlib_rand(s) % n;
}

/*
 * A value for a field counted in @unit (1 for bytes, 1 for pages), around a
 * range of @npages pages: mostly plausible, often at an edge, sometimes wild.
 */
static __u64 fuzz_value(__u32 *s, __u64 npages, __u64 unit)
{
	__u64 size = npages * unit;
	__u64 small = fuzz_below(s, 4);

	switch (fuzz_below(s, 16)) {
	case 0:
		return 0;
	case 1:
		return size;
	case 2:
		return size + 1 + small;
	case 3:
		return size ? size - 1 - small % size : 0;
	case 4:
		return ~0ULL - small;
	case 5:
		return (1ULL << 63) - 2 + small;
	case 6:
		return (1ULL << 32) - 2 + small;
	case 7:
		return fuzz_rand64(s);
	case 8:
		return fuzz_rand64(s) & ~(__u64)(prlib_page_size - 1);
	case 9:
		return (~0ULL - size) + small;	/* overflows with the other field */
	case 10:
		return (__u64)fuzz_below(s, npages + 1) * unit;
	default:
		return fuzz_below(s, size + 2);
	}
}

static __u64 fuzz_flags(__u32 *s)
{
	if (fuzz_below(s, 10))
		return 0;
	return fuzz_below(s, 2) ? 1ULL << fuzz_below(s, 64) : fuzz_rand64(s);
}

/* Numbers of other subsystems; on a pagerange fd they reach the driver. */
static const unsigned long fuzz_foreign_cmds[] = {
	FIONREAD, FIBMAP, TCGETS, TIOCGWINSZ, BLKGETSIZE64, FS_IOC_GETFLAGS,
};

static bool fuzz_is_ours(unsigned long cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prt_ioc_cmds); i++)
		if (cmd == prt_ioc_cmds[i])
			return true;
	return false;
}

/*
 * The VFS decodes a few command types itself before any driver sees them
 * (FIOCLEX, FIFREEZE, FS_IOC_*, FIBMAP...): their errors are the VFS's, so
 * the random and near-miss numbers avoid those types.
 */
static bool fuzz_vfs_type(unsigned long cmd)
{
	switch (_IOC_TYPE(cmd)) {
	case 0: case 'T': case 'X': case 'f': case 0x15: case 0x94:
		return true;
	default:
		return false;
	}
}

/* A command number no driver should answer to but with ENOTTY. */
static unsigned long fuzz_near_miss(__u32 *s)
{
	unsigned long cmd, base;

	do {
		base = prt_ioc_cmds[fuzz_below(s,
					ARRAY_SIZE(prt_ioc_cmds))];
		switch (fuzz_below(s, 5)) {
		case 0:	/* other size */
			cmd = _IOC(_IOC_DIR(base), _IOC_TYPE(base), _IOC_NR(base),
				   fuzz_below(s, 1 << _IOC_SIZEBITS));
			break;
		case 1:	/* other direction */
			cmd = _IOC(fuzz_below(s, 4), _IOC_TYPE(base),
				   _IOC_NR(base), _IOC_SIZE(base));
			break;
		case 2:	/* other number */
			cmd = _IOC(_IOC_DIR(base), _IOC_TYPE(base),
				   fuzz_below(s, 2) ? 0 : 7 + fuzz_below(s, 249),
				   _IOC_SIZE(base));
			break;
		case 3:	/* other type */
			cmd = _IOC(_IOC_DIR(base), fuzz_below(s, 256),
				   _IOC_NR(base), _IOC_SIZE(base));
			break;
		default: /* random */
			cmd = prlib_rand(s);
			break;
		}
	} while (fuzz_is_ours(cmd) || fuzz_vfs_type(cmd));
	return cmd;
}

static void fuzz_place_arg(__u32 *s, FIXTURE_DATA(fuzz) *self,
			   struct fuzz_call *c, size_t size)
{
	size_t off;

	c->arg_kind = fuzz_below(s, 4) ? ARG_GOOD : fuzz_below(s, ARG_NR);
	c->arg_rw = NULL;
	switch (c->arg_kind) {
	case ARG_GOOD:
		off = 8 * fuzz_below(s, 64);
		c->arg = self->arena + off;
		break;
	case ARG_UNALIGNED:
		off = 8 * fuzz_below(s, 64) + 1 + fuzz_below(s, 7);
		c->arg = self->arena + off;
		break;
	case ARG_READ_ONLY:
		off = prlib_page_size + 8 * fuzz_below(s, 64);
		c->arg = self->arena + off;
		break;
	case ARG_RESULT_READ_ONLY:
		/* pagerange_range.result (bytes 24-31) in the read-only page. */
		off = prlib_page_size - 8 - fuzz_below(s, 17);
		c->arg = self->arena + off;
		break;
	case ARG_HALF_MAPPED:
		off = 2 * prlib_page_size - 1 - fuzz_below(s, size - 1);
		c->arg = self->arena + off;
		break;
	case ARG_NULL:
		c->arg = NULL;
		return;
	case ARG_KERNEL:
		c->arg = fuzz_high_arg(FUZZ_KERNEL_ADDR + fuzz_below(s, 1 << 20));
		return;
	case ARG_NONCANONICAL:
		c->arg = fuzz_high_arg(FUZZ_NONCANONICAL |
				       (fuzz_rand64(s) & 0x7fffffffffffULL));
		return;
	default:
		c->arg = prlib_ptr(FUZZ_LOW_ADDR + fuzz_below(s, prlib_page_size));
		return;
	}
	c->arg_rw = self->arena_rw + off;
}

/* Copy the struct to where the call will find it, as much of it as is mapped. */
static void fuzz_store_arg(FIXTURE_DATA(fuzz) *self, struct fuzz_call *c,
			   size_t size)
{
	size_t off;

	if (!c->arg_rw)
		return;
	off = c->arg_rw - self->arena_rw;
	memcpy(c->arg_rw, &c->u, size < 2 * prlib_page_size - off ?
				 size : 2 * prlib_page_size - off);
}

static __u64 fuzz_pick_buf(__u32 *s, FIXTURE_DATA(fuzz) *self,
			   struct rm_range *rg, struct fuzz_call *c)
{
	size_t off;

	c->buf_kind = fuzz_below(s, 3) ? BUF_GOOD : fuzz_below(s, BUF_NR);
	c->buf = NULL;
	c->buf_cap = 0;
	switch (c->buf_kind) {
	case BUF_GOOD:
		c->buf = self->good + 8 * fuzz_below(s, prlib_page_size / 8);
		break;
	case BUF_UNALIGNED:
		c->buf = self->good + 1 + fuzz_below(s, prlib_page_size - 1);
		break;
	case BUF_READ_ONLY:
		off = fuzz_below(s, prlib_page_size);
		c->buf = self->arena + prlib_page_size + off;
		c->buf_cap = prlib_page_size - off;
		return prlib_u64(c->buf);
	case BUF_EDGE:
		off = fuzz_below(s, prlib_page_size + 1);
		c->buf = self->edge + prlib_page_size - off;
		c->buf_cap = off;
		return prlib_u64(c->buf);
	case BUF_MAPPING:
		if (rg->kind != RM_MAPPED)
			return FUZZ_LOW_ADDR;
		off = fuzz_below(s, rg->npages * prlib_page_size);
		c->buf = rg->map + off;
		c->buf_cap = rg->npages * prlib_page_size - off;
		return prlib_u64(c->buf);
	case BUF_NULL:
		return 0;
	case BUF_KERNEL:
		return FUZZ_KERNEL_ADDR + fuzz_below(s, 1 << 20);
	case BUF_NONCANONICAL:
		return FUZZ_NONCANONICAL | (fuzz_rand64(s) & 0x7fffffffffffULL);
	default:
		return FUZZ_LOW_ADDR + fuzz_below(s, prlib_page_size);
	}
	c->buf_cap = self->good + self->good_size - c->buf;
	/* A few new bytes, so that WRITE does not copy the same data forever. */
	prlib_fill(c->buf, 8, prlib_rand(s));
	return prlib_u64(c->buf);
}

/* A page span: half the time a plausible one, sometimes swapped. */
static void fuzz_span(__u32 *s, __u64 np, __u64 *start, __u64 *end)
{
	__u64 t;

	if (fuzz_below(s, 2)) {
		*start = fuzz_below(s, np + 1);
		*end = *start + fuzz_below(s, np + 2 - *start);
		if (!fuzz_below(s, 8)) {
			t = *start;
			*start = *end;
			*end = t;
		}
	} else {
		*start = fuzz_value(s, np, 1);
		*end = fuzz_value(s, np, 1);
	}
}

static void fuzz_generate(__u32 *s, FIXTURE_DATA(fuzz) *self,
			  struct rm_range *rg, struct fuzz_call *c)
{
	__u64 np = rg->npages ? rg->npages : 4;
	__u32 dice = fuzz_below(s, 100);
	size_t size;

	memset(c, 0, sizeof(*c));
	if (dice < 80) {
		c->cmd = prt_ioc_cmds[fuzz_below(s,
					ARRAY_SIZE(prt_ioc_cmds))];
		c->valid = true;
		self->by_cmd[0]++;
	} else if (dice < 90) {
		c->cmd = fuzz_near_miss(s);
		self->by_cmd[1]++;
	} else if (dice < 95 || rg->kind == RM_NOT_OURS) {
		do {
			c->cmd = prlib_rand(s);
		} while (fuzz_is_ours(c->cmd) || fuzz_vfs_type(c->cmd));
		self->by_cmd[2]++;
	} else {
		c->cmd = fuzz_foreign_cmds[fuzz_below(s,
					ARRAY_SIZE(fuzz_foreign_cmds))];
		self->by_cmd[3]++;
	}
	/* Only type 0xB9 on fds that are not ours: their own numbers are theirs. */
	if (rg->kind == RM_NOT_OURS && !c->valid)
		c->cmd = _IOC(_IOC_DIR(c->cmd), PAGERANGE_IOC_MAGIC,
			      _IOC_NR(c->cmd), _IOC_SIZE(c->cmd));
	if (rg->kind == RM_NOT_OURS && fuzz_is_ours(c->cmd))
		c->valid = true;

	switch (c->cmd) {
	case PAGERANGE_IOC_USE_RANGE:
	case PAGERANGE_IOC_STOP_USING_RANGE:
		size = sizeof(c->u.r);
		fuzz_span(s, np, &c->u.r.start, &c->u.r.end);
		c->u.r.flags = fuzz_flags(s);
		if (c->cmd == PAGERANGE_IOC_STOP_USING_RANGE && !fuzz_below(s, 4))
			c->u.r.flags = PAGERANGE_STOP_PURGE;
		c->u.r.result = fuzz_rand64(s);
		break;
	case PAGERANGE_IOC_USE_RANGE_REPORT:
		size = sizeof(c->u.rep);
		fuzz_span(s, np, &c->u.rep.start, &c->u.rep.end);
		c->u.rep.flags = fuzz_flags(s);
		c->u.rep.result = fuzz_rand64(s);
		c->u.rep.bitmap = fuzz_pick_buf(s, self, rg, c);
		/* Mostly the size the span needs, sometimes less or wild. */
		c->u.rep.bitmap_size = rm_report_bytes(&c->u.rep);
		if (!fuzz_below(s, 8))
			c->u.rep.bitmap_size = fuzz_value(s, 2, 8);
		if (!fuzz_below(s, 16))
			c->u.rep.reserved[fuzz_below(s, 2)] = fuzz_rand64(s) | 1;
		break;
	case PAGERANGE_IOC_QUERY:
		size = sizeof(c->u.q);
		fuzz_span(s, np, &c->u.q.start, &c->u.q.end);
		c->u.q.flags = fuzz_flags(s);
		c->u.q.vec = fuzz_pick_buf(s, self, rg, c);
		if (!fuzz_below(s, 16))
			c->u.q.reserved[fuzz_below(s, 2)] = fuzz_rand64(s) | 1;
		break;
	case PAGERANGE_IOC_PURGED:
		size = sizeof(c->u.p);
		memset(&c->u, 0xa5, size);
		c->u.p.flags = fuzz_flags(s);
		break;
	case PAGERANGE_IOC_WRITE:
	case PAGERANGE_IOC_READ:
	case PAGERANGE_IOC_ZERO:
		size = sizeof(c->u.io);
		if (fuzz_below(s, 2)) {
			/* A plausible byte span, mostly short. */
			c->u.io.offset = fuzz_below(s, np * prlib_page_size + 1);
			c->u.io.len = fuzz_below(s, 4) ?
				fuzz_below(s, 2 * prlib_page_size + 1) :
				fuzz_below(s, np * prlib_page_size + 1);
		} else {
			c->u.io.offset = fuzz_value(s, np, prlib_page_size);
			c->u.io.len = fuzz_value(s, np, prlib_page_size);
		}
		c->u.io.flags = fuzz_flags(s);
		if (c->cmd == PAGERANGE_IOC_WRITE && !fuzz_below(s, 4))
			c->u.io.flags = PAGERANGE_WRITE_USE;
		if (c->cmd != PAGERANGE_IOC_ZERO || !fuzz_below(s, 8))
			c->u.io.buf = fuzz_pick_buf(s, self, rg, c);
		else
			c->buf_kind = BUF_NULL;
		break;
	default:
		/* Poison, so that a field GET_INFO leaves alone is noticed. */
		size = sizeof(c->u.info);
		memset(&c->u, 0xa5, size);
		break;
	}
	fuzz_place_arg(s, self, c, size);
	fuzz_store_arg(self, c, size);
}

/* ---- the oracle ---- */

static bool fuzz_arg_unreadable(enum fuzz_arg a)
{
	return a >= ARG_HALF_MAPPED;
}

static bool fuzz_arg_unwritable(enum fuzz_arg a)
{
	return a == ARG_READ_ONLY || a == ARG_RESULT_READ_ONLY ||
	       fuzz_arg_unreadable(a);
}

/* Whether @buf is accessible for @len bytes, for a copy in direction @to_user. */
static int fuzz_buf_err(struct rm_range *rg, struct fuzz_call *c,
			__u64 len, bool to_user, int *alt)
{
	__u64 off, i;

	/* Nothing to copy: the buffer is never looked at. */
	if (!len)
		return 0;
	switch (c->buf_kind) {
	case BUF_GOOD:
	case BUF_UNALIGNED:
		return 0;
	case BUF_READ_ONLY:
		return to_user || len > c->buf_cap ? -EFAULT : 0;
	case BUF_EDGE:
		return len > c->buf_cap ? -EFAULT : 0;
	case BUF_MAPPING:
		if (to_user || rg->kind != RM_MAPPED)
			return -EFAULT;
		if (len > c->buf_cap) {
			*alt = 0;	/* whatever lies beyond the mapping */
			return -EFAULT;
		}
		off = c->buf - rg->map;
		for (i = off / prlib_page_size;
		     i < (off + len + prlib_page_size - 1) / prlib_page_size; i++) {
			if (rg->page[i] == RM_FREE)
				return -EFAULT;
			if (rg->page[i] == RM_RECLAIMABLE)
				*alt = -EFAULT;
		}
		return 0;
	default:
		return -EFAULT;
	}
}

/*
 * USE_RANGE_REPORT: the argument, its fields, the bitmap's size, the bitmap
 * (probed before anything is done, for a span no range can be longer
 * than), then the span.
 */
static struct rm_expect fuzz_predict_report(struct rm_range *rg,
					    struct fuzz_call *c)
{
	const struct pagerange_use_report *r = &c->u.rep;
	struct rm_expect e = { .alt = 1 };
	__u64 n = r->end - r->start;

	if (fuzz_arg_unwritable(c->arg_kind))
		e.err = -EFAULT;
	else if (r->flags || r->reserved[0] || r->reserved[1] ||
		 r->start > r->end || r->bitmap_size < rm_report_bytes(r))
		e.err = -EINVAL;
	else if (n <= FUZZ_DRIVER_MAX_PAGES &&
		 fuzz_buf_err(rg, c, rm_report_bytes(r), true, &e.alt))
		e.err = -EFAULT;
	else
		e.err = rm_span_err(rg, r->end);
	if (e.err)
		return e;
	rm_expect_use(rg, r->start, r->end, &e);
	e.check_data = true;
	return e;
}

/* QUERY: the argument, its fields, the span, then the vector it writes. */
static struct rm_expect fuzz_predict_query(struct rm_range *rg,
					   struct fuzz_call *c)
{
	const struct pagerange_query *q = &c->u.q;
	struct rm_expect e = { .alt = 1 };

	if (fuzz_arg_unreadable(c->arg_kind))
		e.err = -EFAULT;
	else if (q->flags || q->reserved[0] || q->reserved[1] ||
		 q->start > q->end)
		e.err = -EINVAL;
	else
		e.err = rm_span_err(rg, q->end);
	if (!e.err)
		e.err = fuzz_buf_err(rg, c, q->end - q->start, true, &e.alt);
	e.check_data = !e.err;
	return e;
}

static struct rm_expect fuzz_predict(struct rm_range *rg,
				     struct fuzz_call *c)
{
	struct rm_expect e = { .alt = 1 };
	struct rm_range after;

	if (!c->valid || rg->kind == RM_NOT_OURS) {
		e.err = -ENOTTY;
		return e;
	}
	if (c->cmd == PAGERANGE_IOC_GET_INFO) {
		e.err = fuzz_arg_unwritable(c->arg_kind) ? -EFAULT : 0;
		e.check_data = !e.err;
		return e;
	}
	if (c->cmd == PAGERANGE_IOC_USE_RANGE ||
	    c->cmd == PAGERANGE_IOC_STOP_USING_RANGE) {
		if (fuzz_arg_unwritable(c->arg_kind)) {
			e.err = -EFAULT;
			return e;
		}
		return rm_predict_span(rg, c->cmd, &c->u.r);
	}
	if (c->cmd == PAGERANGE_IOC_USE_RANGE_REPORT)
		return fuzz_predict_report(rg, c);
	if (c->cmd == PAGERANGE_IOC_QUERY)
		return fuzz_predict_query(rg, c);
	if (c->cmd == PAGERANGE_IOC_PURGED) {
		if (fuzz_arg_unreadable(c->arg_kind))
			e.err = -EFAULT;
		else if (c->u.p.flags)
			e.err = -EINVAL;
		else if (fuzz_arg_unwritable(c->arg_kind))
			e.err = -EFAULT;
		return e;
	}

	/* WRITE, READ, ZERO */
	if (fuzz_arg_unreadable(c->arg_kind)) {
		e.err = -EFAULT;
		return e;
	}
	e = rm_predict_io(rg, c->cmd, &c->u.io);
	if (e.err || !c->u.io.len)
		return e;
	if (e.uses) {
		after = *rg;
		rm_use(&after, e.use_first, e.use_end);
		rg = &after;
	}
	if (c->cmd != PAGERANGE_IOC_ZERO)
		e.err = fuzz_buf_err(rg, c, c->u.io.len,
				     c->cmd == PAGERANGE_IOC_READ, &e.alt);
	/* A buffer inside the same mapping may overlap the destination. */
	e.check_data = !e.err && e.alt == 1 && c->buf_kind != BUF_MAPPING;
	return e;
}

/* The result field of a USE_RANGE, STOP_USING_RANGE or USE_RANGE_REPORT. */
static __u64 fuzz_result(struct fuzz_call *c)
{
	__u64 result;

	memcpy(&result, c->arg_rw + offsetof(struct pagerange_range, result),
	       sizeof(result));
	return result;
}

/* Apply a call that did what @e predicts to the model. */
static void fuzz_update(struct rm_range *rg, struct fuzz_call *c,
			const struct rm_expect *e, int got)
{
	if (e->uses)
		rm_use(rg, e->use_first, e->use_end);
	if (got)
		return;
	if (c->cmd == PAGERANGE_IOC_USE_RANGE)
		rm_use(rg, c->u.r.start, c->u.r.end);
	else if (c->cmd == PAGERANGE_IOC_USE_RANGE_REPORT)
		rm_use(rg, c->u.rep.start, c->u.rep.end);
	else if (c->cmd == PAGERANGE_IOC_STOP_USING_RANGE)
		rm_stop(rg, c->u.r.start, c->u.r.end, c->u.r.flags,
			c->u.r.flags & PAGERANGE_STOP_PURGE ? fuzz_result(c) : 0);
}

/* What the call did, checked against the model: a description, or NULL. */
static const char *fuzz_check_effect(struct rm_range *rg,
				     struct fuzz_call *c,
				     const struct rm_expect *e)
{
	struct pagerange_info info;
	__u64 result;

	if (e->check_result) {
		result = fuzz_result(c);
		if (result < e->min_result || result > e->max_result)
			return "result out of the predicted bounds";
		if (c->cmd == PAGERANGE_IOC_USE_RANGE_REPORT && c->buf)
			return rm_check_report(rg, &c->u.rep, c->buf, result);
		return NULL;
	}
	if (!e->check_data)
		return NULL;
	if (c->cmd == PAGERANGE_IOC_QUERY)
		return c->buf ? rm_check_query(rg, &c->u.q, c->buf) : NULL;
	if (c->cmd == PAGERANGE_IOC_GET_INFO) {
		memcpy(&info, c->arg_rw, sizeof(info));
		return rm_check_info(rg, &info);
	}
	if (rg->kind != RM_MAPPED)
		return "success on a range that is not mapped";
	switch (c->cmd) {
	case PAGERANGE_IOC_WRITE:
	case PAGERANGE_IOC_READ:
		if (memcmp(rg->map + c->u.io.offset, c->buf, c->u.io.len))
			return "data in the mapping differs from the buffer";
		break;
	case PAGERANGE_IOC_ZERO:
		if (prlib_find_not(rg->map + c->u.io.offset,
				   c->u.io.len, 0) >= 0)
			return "ZERO left a non-zero byte";
		break;
	}
	return NULL;
}

static void fuzz_report(FIXTURE_DATA(fuzz) *self, long n,
			struct rm_range *rg, struct fuzz_call *c,
			const struct rm_expect *e, int got, const char *what)
{
	if (self->reports++ >= FUZZ_MAX_REPORTS)
		return;
	prtest_diag("call %ld on %s fd: cmd %#lx arg %d@%p buf %d: %s: got %d (%s), want %d%s",
		    n, rg->name, c->cmd, c->arg_kind, c->arg, c->buf_kind,
		    what, got, got ? strerrorname_np(-got) : "0", e->err,
		    e->alt != 1 ? " or an alternative" : "");
	prtest_diag("  fields %#llx %#llx %#llx %#llx",
		    (unsigned long long)c->u.io.offset,
		    (unsigned long long)c->u.io.len,
		    (unsigned long long)c->u.io.buf,
		    (unsigned long long)c->u.io.flags);
}

static struct rm_range *fuzz_pick_range(__u32 *s, FIXTURE_DATA(fuzz) *self)
{
	__u32 dice = fuzz_below(s, 100);

	if (dice < 65)
		return &self->mapped;
	if (dice < 75)
		return &self->fresh;
	if (dice < 90)
		return &self->gone[fuzz_below(s, self->nr_gone)];
	return &self->foreign[fuzz_below(s, FUZZ_FOREIGN)];
}

/* Reclaimable pages are all gone after drop_caches. */
static void fuzz_reclaimed(FIXTURE_DATA(fuzz) *self)
{
	int j;

	for (j = -1; j < self->nr_gone; j++)
		rm_reclaimed(j < 0 ? &self->mapped : &self->gone[j]);
}

static void fuzz_one(FIXTURE_DATA(fuzz) *self, __u32 *s, long n)
{
	struct rm_range *rg = fuzz_pick_range(s, self);
	struct rm_expect e;
	struct fuzz_call c;
	const char *what;
	int got, i;

	fuzz_generate(s, self, rg, &c);
	e = fuzz_predict(rg, &c);
	got = ioctl(rg->fd, c.cmd, c.arg) ? -errno : 0;
	self->hist[-got < FUZZ_NERRNO ? -got : FUZZ_NERRNO - 1]++;
	if (!rm_documented(got))
		self->undocumented++;
	if (got != e.err && got != e.alt) {
		self->mismatches++;
		fuzz_report(self, n, rg, &c, &e, got, "unexpected errno");
		return;
	}
	what = got ? NULL : fuzz_check_effect(rg, &c, &e);
	if (what) {
		self->data_errors++;
		fuzz_report(self, n, rg, &c, &e, got, what);
	}
	fuzz_update(rg, &c, &e, got);
	for (i = 0; !got && i < PRT_NR_IOC_CMDS; i++)
		self->ok_by_cmd[i] += c.cmd == prt_ioc_cmds[i];
}

static void fuzz_print_figures(FIXTURE_DATA(fuzz) *self, long calls)
{
	int i;

	prtest_diag("seed %#x: %ld calls: %lu valid commands, %lu near misses,",
		    self->seed, calls, self->by_cmd[0], self->by_cmd[1]);
	prtest_diag("  %lu random numbers, %lu other subsystems' numbers",
		    self->by_cmd[2], self->by_cmd[3]);
	for (i = 0; i < FUZZ_NERRNO; i++)
		if (self->hist[i])
			prtest_diag("  %-8s %lu",
				    i ? strerrorname_np(i) : "success",
				    self->hist[i]);
	prtest_diag("mismatches %lu, wrong effects %lu, undocumented errnos %lu",
		    self->mismatches, self->data_errors, self->undocumented);
}

TEST_F_TIMEOUT(fuzz, every_call_returns_the_documented_result_and_nothing_leaks, 280)
{
	__u32 s = self->seed | 1;
	long per_round = self->calls / FUZZ_ROUNDS + 1;
	long n;

	prtest_diag("PAGERANGE_SEED=%#x PAGERANGE_FUZZ_CALLS=%ld",
		    self->seed, self->calls);
	for (n = 0; n < self->calls; n++) {
		if (n % per_round == 0) {
			fuzz_retire(_metadata, self);
			fuzz_new_mapping(_metadata, self,
					 1 + fuzz_below(&s, FUZZ_MAX_PAGES));
		}
		if (n % FUZZ_DROP_EVERY == FUZZ_DROP_EVERY - 1) {
			ASSERT_EQ(0, prlib_drop_caches());
			fuzz_reclaimed(self);
		}
		fuzz_one(self, &s, n);
	}
	fuzz_print_figures(self, n);
	EXPECT_EQ(0, self->mismatches);
	EXPECT_EQ(0, self->data_errors);
	EXPECT_EQ(0, self->undocumented);
	/* The fuzzer reached every class of result it is meant to. */
	if (self->calls >= 10000) {
		EXPECT_LT(0, self->hist[0]);
		EXPECT_LT(0, self->hist[EFAULT]);
		EXPECT_LT(0, self->hist[EINVAL]);
		EXPECT_LT(0, self->hist[ENXIO]);
		EXPECT_LT(0, self->hist[ESRCH]);
		EXPECT_LT(0, self->hist[ENOENT]);
		EXPECT_LT(0, self->hist[ENOTTY]);
		for (n = 0; n < PRT_NR_IOC_CMDS; n++)
			EXPECT_LT(0, self->ok_by_cmd[n]) TH_LOG("command %ld never succeeded", n);
	}
}

PAGERANGE_TEST_MAIN
