// SPDX-License-Identifier: GPL-2.0
/*
 * What a process that is not the owner can and cannot do: one that never
 * inherited the fd receives it over SCM_RIGHTS and may drive the range
 * with every ioctl, but never map it; a remote writer in the middle of its
 * transactions when the owner exits gets ESRCH, without hanging; and an
 * unprivileged user cannot open the device at all.
 */
#include "pagerange_test.h"

#include <grp.h>

#define NPAGES		16
#define SEED		0x40571e
#define NOBODY		65534
#define EXIT_ROUNDS	12
#define WRITER_ALARM	30	/* seconds a writer may take to see ESRCH */

/* ---- the device node ---- */

TEST(device_node_is_mode_0600_and_owned_by_root)
{
	struct stat st;

	ASSERT_EQ(0, stat(PRLIB_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

/* As nobody: the errno of open(), or 0 if it succeeded. */
static int open_as_nobody(void *arg)
{
	int fd;

	(void)arg;
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 200;
	fd = prlib_open();
	if (fd >= 0)
		return 0;
	return errno;
}

TEST(unprivileged_user_cannot_open_the_device)
{
	struct prlib_stats before;

	prtest_stats_begin(_metadata, &before);
	EXPECT_EQ(EACCES, prt_in_child(open_as_nobody, NULL));
	prtest_expect_stats(_metadata, &before);
}

/* ---- a receiver that never inherited the fd ---- */

/*
 * A child forked before the range exists, so it holds no fd of it; it gets
 * one over the socket and does what the test's function says.
 */
struct receiver {
	pid_t pid;
	int sock;
};

static void receiver_start(struct __test_metadata *_metadata,
			   struct receiver *r, int (*fn)(int fd))
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	r->pid = prlib_fork();
	ASSERT_LE(0, r->pid);
	if (!r->pid) {
		int fd;

		close(sv[0]);
		fd = prt_recv_fd(sv[1]);
		if (fd < 0)
			_exit(201);
		_exit(fn(fd));
	}
	close(sv[1]);
	r->sock = sv[0];
}

/* Hand @fd over and wait for the receiver: its exit code. */
static int receiver_finish(struct receiver *r, int fd)
{
	int ret = prt_send_fd(r->sock, fd);

	close(r->sock);
	if (ret)
		kill(r->pid, SIGKILL);
	return prlib_wait_exit(r->pid);
}

FIXTURE(passed) {
	int fd;
	unsigned char *map;
	struct receiver rcv;
	struct prlib_stats before;
};

FIXTURE_SETUP(passed)
{
	prtest_stats_begin(_metadata, &self->before);
	self->fd = -1;
	self->map = MAP_FAILED;
}

FIXTURE_TEARDOWN(passed)
{
	if (self->map != MAP_FAILED)
		EXPECT_EQ(0, munmap(self->map, NPAGES * prlib_page_size));
	if (self->fd >= 0)
		EXPECT_EQ(0, close(self->fd));
	/* An owner's mm dropped last by a writer is torn down by a worker. */
	prlib_stats_settle(&self->before, 5000);
	prtest_expect_stats(_metadata, &self->before);
}

static void passed_open_and_map(struct __test_metadata *_metadata,
				FIXTURE_DATA(passed) *self)
{
	self->fd = prlib_open();
	ASSERT_LE(0, self->fd);
	self->map = prlib_map(self->fd, NPAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, self->map);
}

/*
 * Each step of the receiver has its own exit code, so a failure says which:
 * 0 is success.
 */
static int receiver_drives_the_range(int fd)
{
	unsigned char buf[3 * 4096], back[sizeof(buf)];
	size_t len = 3 * prlib_page_size;
	struct pagerange_info info;

	if (len > sizeof(buf))
		return 2;
	if (prlib_use_range(fd, 0, 4) != 4)
		return 10;
	prlib_fill(buf, len, SEED);
	if (prlib_write(fd, 100, buf, len))
		return 11;
	if (prlib_read(fd, 100, back, len) || memcmp(buf, back, len))
		return 12;
	if (prlib_zero(fd, 100, 50))
		return 13;
	if (prlib_stop_using(fd, 3, 4) != 1)
		return 14;
	if (prlib_get_info(fd, &info) || info.size_pages != NPAGES ||
	    info.pages_in_use != 3 || info.pages_present != 4)
		return 15;
	/* Not the opener's mm: no mapping, whatever the mapping asked for. */
	if (prt_try_map(fd, NPAGES * prlib_page_size, PROT_READ,
			MAP_SHARED, 0) != -EINVAL)
		return 16;
	if (prt_try_map(fd, prlib_page_size, PROT_READ, MAP_PRIVATE, 0) !=
	    -EINVAL)
		return 17;
	return 0;
}

TEST_F(passed, receiver_may_use_write_read_zero_stop_and_get_info)
{
	unsigned char buf[3 * 4096];

	ASSERT_GE(sizeof(buf), 3 * prlib_page_size);
	receiver_start(_metadata, &self->rcv, receiver_drives_the_range);
	passed_open_and_map(_metadata, self);
	ASSERT_EQ(0, receiver_finish(&self->rcv, self->fd));

	/* The owner sees what the receiver wrote, and what it zeroed. */
	prlib_fill(buf, sizeof(buf), SEED);
	EXPECT_EQ(-1, prlib_find_not(self->map, 150, 0));
	EXPECT_EQ(0, memcmp(self->map + 150, buf + 50, 3 * prlib_page_size - 50));
	EXPECT_EQ(-1, prlib_find_not(self->map + 100 + 3 * prlib_page_size,
				     prlib_page_size - 100, 0));
	/* Page 3 is reclaimable: the receiver stopped using it. */
	EXPECT_EQ(3, prlib_stop_using(self->fd, 0, 4));
}

static int receiver_maps(int fd)
{
	return -prt_try_map(fd, NPAGES * prlib_page_size, PROT_READ,
			      MAP_SHARED, 0);
}

TEST_F(passed, receiver_mmap_fails_einval_and_the_owner_still_maps)
{
	receiver_start(_metadata, &self->rcv, receiver_maps);
	self->fd = prlib_open();
	ASSERT_LE(0, self->fd);
	/* Not mapped by anyone yet: the mm is checked first. */
	EXPECT_EQ(EINVAL, receiver_finish(&self->rcv, self->fd));
	self->map = prlib_map(self->fd, NPAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, self->map);
	EXPECT_EQ(1, prlib_use_range(self->fd, 0, 1));
	EXPECT_EQ(0, self->map[0]);
}

TEST_F(passed, receiver_mmap_after_the_owner_unmapped_fails_einval_not_ebusy)
{
	receiver_start(_metadata, &self->rcv, receiver_maps);
	passed_open_and_map(_metadata, self);
	ASSERT_EQ(0, munmap(self->map, NPAGES * prlib_page_size));
	self->map = MAP_FAILED;
	EXPECT_EQ(EINVAL, receiver_finish(&self->rcv, self->fd));
}

/* Before the owner maps, the receiver's ioctls fail ENXIO like the owner's. */
static int receiver_before_mmap(int fd)
{
	struct pagerange_info info;
	char byte = 0;

	if (prlib_use_range(fd, 0, 1) != -ENXIO ||
	    prlib_write(fd, 0, &byte, 1) != -ENXIO)
		return 10;
	if (prlib_get_info(fd, &info) || info.size_pages)
		return 11;
	return 0;
}

TEST_F(passed, receiver_ioctls_before_the_owner_maps_fail_enxio)
{
	receiver_start(_metadata, &self->rcv, receiver_before_mmap);
	self->fd = prlib_open();
	ASSERT_LE(0, self->fd);
	EXPECT_EQ(0, receiver_finish(&self->rcv, self->fd));
}

/* The receiver keeps its fd, the owner closes its own and later unmaps. */
static int receiver_outlives_the_owner_fd(int fd)
{
	unsigned char byte = 0x77;
	char go;

	if (prlib_use_range(fd, 0, 1) != 1 ||
	    prlib_write(fd, 0, &byte, 1))
		return 10;
	/* Tell the owner the byte is there (fd 4), then wait to go on. */
	if (write(4, "w", 1) != 1)
		return 13;
	/* Told to go on once the owner has closed its fd and unmapped. */
	if (read(3, &go, 1) != 1)
		return 11;
	if (prlib_use_range(fd, 0, 1) != -ESRCH ||
	    prlib_write(fd, 0, &byte, 1) != -ESRCH)
		return 12;
	return 0;
}

TEST_F(passed, receiver_fd_keeps_the_range_after_the_owner_closes_its_own)
{
	int go[2], done[2], sv[2], fd;
	pid_t pid;
	char c;

	passed_open_and_map(_metadata, self);
	/* The receiver reads its go-ahead from fd 3, says "written" on fd 4. */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(self->fd);
		close(go[1]);
		close(done[0]);
		if (dup2(go[0], 3) != 3 || dup2(done[1], 4) != 4)
			_exit(202);
		fd = prt_recv_fd(sv[1]);
		_exit(fd < 0 ? 201 : receiver_outlives_the_owner_fd(fd));
	}
	close(go[0]);
	close(done[1]);
	ASSERT_EQ(0, prt_send_fd(sv[0], self->fd));
	close(sv[0]);
	close(sv[1]);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	/*
	 * Wait until the receiver's WRITE has returned, not merely until the
	 * page is present (its USE_RANGE maps it zeroed first); then the owner
	 * reads the byte through the mapping.
	 */
	ASSERT_EQ(1, read(done[0], &c, 1));
	close(done[0]);
	EXPECT_EQ(0, prtest_probe(self->map, NULL));
	EXPECT_EQ(0x77, self->map[0]);
	ASSERT_EQ(0, munmap(self->map, NPAGES * prlib_page_size));
	self->map = MAP_FAILED;
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	/* The receiver's fd was the last: teardown sees the range gone with it. */
	EXPECT_EQ(0, prlib_wait_exit(pid));
}

/* ---- the owner exits in the middle of remote transactions ---- */

/*
 * The writer: USE_RANGE then WRITE over the whole range, again and again,
 * until ESRCH. Exit codes: 0 it saw ESRCH after at least one success,
 * 10 an errno other than ESRCH, 11 it never succeeded; SIGALRM if it hung.
 */
static int writer_until_esrch(int fd, volatile int *progress)
{
	size_t len = NPAGES * prlib_page_size;
	unsigned char *buf = malloc(len);
	long ok = 0, ret;
	__u32 x = SEED;

	if (!buf)
		return 2;
	alarm(WRITER_ALARM);
	prlib_fill(buf, len, SEED);
	for (;;) {
		__u64 first = prlib_rand(&x) % NPAGES;

		ret = prlib_use_range(fd, first, NPAGES);
		if (ret >= 0)
			ret = prlib_write(fd, first * prlib_page_size, buf,
					  len - first * prlib_page_size);
		/* Make some pages reclaimable, for the next USE_RANGE. */
		if (!ret)
			ret = prlib_stop_using(fd, first, NPAGES);
		if (ret == -ESRCH)
			break;
		if (ret < 0)
			return 10;
		*progress = ++ok;
	}
	return ok ? 0 : 11;
}

/* The owner: open, map, hand the fd over, wait, exit without cleaning up. */
static void owner_serve(int sock, int go)
{
	char c;
	int fd;

	prlib_die_with_parent();
	fd = prlib_open();
	if (fd < 0)
		_exit(1);
	if (prlib_map(fd, NPAGES * prlib_page_size) == MAP_FAILED)
		_exit(2);
	if (prt_send_fd(sock, fd))
		_exit(3);
	if (read(go, &c, 1) != 1)
		_exit(4);
	/* The mm goes away with the process, the writer's fd keeps the range. */
	_exit(0);
}

TEST_F_TIMEOUT(passed, owner_exit_during_remote_writes_gives_esrch_without_hang, 120)
{
	volatile int *progress = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int round, wait, sv[2], go[2], fd;
	pid_t owner, writer;

	ASSERT_NE(MAP_FAILED, progress);
	for (round = 0; round < EXIT_ROUNDS; round++) {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					0, sv));
		ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
		owner = prlib_fork();
		ASSERT_LE(0, owner);
		if (!owner) {
			close(go[1]);
			owner_serve(sv[1], go[0]);
		}
		close(go[0]);
		close(sv[1]);
		fd = prt_recv_fd(sv[0]);
		close(sv[0]);
		ASSERT_LE(0, fd);

		*progress = 0;
		writer = prlib_fork();
		ASSERT_LE(0, writer);
		if (!writer)
			_exit(writer_until_esrch(fd, progress));
		/* Let the writer get going, then pull the owner from under it. */
		for (wait = 0; *progress < 1 + round * 3 && wait < 20000; wait++)
			usleep(500);
		ASSERT_EQ(1, write(go[1], "x", 1));
		close(go[1]);
		EXPECT_EQ(0, prlib_wait_exit(owner));
		EXPECT_EQ(0, prlib_wait_exit(writer)) {
			TH_LOG("round %d: the writer did not end with ESRCH", round);
		}
		/* The range is over for everyone, and still reports its pages. */
		prtest_close_orphan(_metadata, fd, NPAGES);
	}
	munmap((void *)progress, prlib_page_size);
}

PAGERANGE_TEST_MAIN
