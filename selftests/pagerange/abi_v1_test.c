// SPDX-License-Identifier: GPL-2.0
/*
 * A program built against the first release's <linux/pagerange.h>
 * (pagerange_abi_v1.h, included here in its place) runs unchanged against
 * today's driver: the same ioctl numbers and structures, every command
 * with its old result, every error with its old errno, and the fields that
 * header calls reserved still zero for such a program, which has no way to
 * make the driver fill them.
 *
 * Each call is made here, with the old structures: the library is built
 * against the current header.
 */
#include "pagerange_abi_v1.h"
#include "pagerange_test.h"

#include <assert.h>

#define NPAGES		8

/* The v1 layout, which the ioctl numbers encode. */
static_assert(sizeof(struct pagerange_range) == 32, "v1 pagerange_range");
static_assert(sizeof(struct pagerange_io) == 32, "v1 pagerange_io");
static_assert(sizeof(struct pagerange_info) == 64, "v1 pagerange_info");

FIXTURE(abi_v1) {
	struct prlib_stats before;
	int fd;
	unsigned char *map;
};

FIXTURE_SETUP(abi_v1)
{
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    NPAGES * prlib_page_size);
}

FIXTURE_TEARDOWN(abi_v1)
{
	prtest_teardown_mapped(_metadata, &self->before, self->fd, self->map,
			       NPAGES * prlib_page_size);
}

/* USE_RANGE or STOP_USING_RANGE as v1 calls them: result, or -errno. */
static long v1_span(int fd, unsigned long cmd, __u64 start, __u64 end,
		    __u64 flags)
{
	struct pagerange_range r = {
		.start = start, .end = end, .flags = flags, .result = ~0ULL,
	};

	return ioctl(fd, cmd, &r) ? -errno : (long)r.result;
}

static int v1_io(int fd, unsigned long cmd, __u64 offset, __u64 len,
		 const void *buf, __u64 flags)
{
	struct pagerange_io io = {
		.offset = offset, .len = len,
		.buf = (__u64)(uintptr_t)buf, .flags = flags,
	};

	return ioctl(fd, cmd, &io) ? -errno : 0;
}

static void v1_info(struct __test_metadata *_metadata, int fd,
		    struct pagerange_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	ASSERT_EQ(0, ioctl(fd, PAGERANGE_IOC_GET_INFO, info));
	EXPECT_EQ(0, info->reserved[0]);
	EXPECT_EQ(0, info->reserved[1]);
}

/* The life of a range, as the first release documented it. */
TEST_F(abi_v1, every_command_keeps_its_meaning)
{
	static const char msg[] = "written by a v1 program";
	struct pagerange_info info;
	char buf[sizeof(msg)];

	EXPECT_EQ(4, v1_span(self->fd, PAGERANGE_IOC_USE_RANGE, 0, 4, 0));
	EXPECT_EQ(0, v1_span(self->fd, PAGERANGE_IOC_USE_RANGE, 1, 3, 0));
	EXPECT_EQ(0, v1_io(self->fd, PAGERANGE_IOC_WRITE, prlib_page_size - 4,
			   sizeof(msg), msg, 0));
	EXPECT_EQ(0, memcmp(self->map + prlib_page_size - 4, msg, sizeof(msg)));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(0, v1_io(self->fd, PAGERANGE_IOC_READ, prlib_page_size - 4,
			   sizeof(buf), buf, 0));
	EXPECT_STREQ(msg, buf);
	EXPECT_EQ(0, v1_io(self->fd, PAGERANGE_IOC_ZERO, prlib_page_size - 4, 4,
			   NULL, 0));
	EXPECT_EQ(0, self->map[prlib_page_size - 1]);

	EXPECT_EQ(2, v1_span(self->fd, PAGERANGE_IOC_STOP_USING_RANGE, 2, 6, 0));
	v1_info(_metadata, self->fd, &info);
	EXPECT_EQ(NPAGES, info.size_pages);
	EXPECT_EQ(4, info.pages_present);
	EXPECT_EQ(2, info.pages_in_use);
	EXPECT_EQ(2, info.pages_reclaimable);
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_EQ(4, info.pages_allocated);

	/* Reclaimed pages come back zeroed, and the result counts them. */
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + 2 * prlib_page_size, NULL));
	EXPECT_EQ(2, v1_span(self->fd, PAGERANGE_IOC_USE_RANGE, 0, 4, 0));
	EXPECT_EQ(-1, prlib_find_not(self->map + 2 * prlib_page_size,
				     2 * prlib_page_size, 0));
	v1_info(_metadata, self->fd, &info);
	EXPECT_EQ(2, info.pages_reclaimed);
	EXPECT_EQ(6, info.pages_allocated);
	EXPECT_EQ(4, v1_span(self->fd, PAGERANGE_IOC_STOP_USING_RANGE, 0, 4, 0));
}

/* Every error a v1 program could meet, with its old errno. */
TEST_F(abi_v1, every_error_keeps_its_errno)
{
	struct pagerange_range r = { .start = 0, .end = 1 };
	char byte = 0;

	EXPECT_EQ(-EINVAL, v1_span(self->fd, PAGERANGE_IOC_USE_RANGE, 2, 1, 0));
	EXPECT_EQ(-EINVAL, v1_span(self->fd, PAGERANGE_IOC_USE_RANGE, 0,
				   NPAGES + 1, 0));
	EXPECT_EQ(-ENOENT, v1_io(self->fd, PAGERANGE_IOC_WRITE, 0, 1, &byte, 0));
	EXPECT_EQ(-EINVAL, v1_io(self->fd, PAGERANGE_IOC_ZERO, 0, 1, &byte, 0));
	EXPECT_EQ(-EFAULT, ioctl(self->fd, PAGERANGE_IOC_USE_RANGE, NULL) ?
			   -errno : 0);
	EXPECT_EQ(-ENOTTY, ioctl(self->fd, _IOWR(PAGERANGE_IOC_MAGIC, 0x01,
						 struct pagerange_info), &r) ?
			   -errno : 0);
	/* Flags it never set are still refused where the driver has none. */
	EXPECT_EQ(-EINVAL, v1_span(self->fd, PAGERANGE_IOC_USE_RANGE, 0, 1, 1));
	EXPECT_EQ(-EINVAL, v1_io(self->fd, PAGERANGE_IOC_READ, 0, 1, &byte, 1));

	ASSERT_EQ(0, munmap(self->map, NPAGES * prlib_page_size));
	self->map = MAP_FAILED;
	EXPECT_EQ(-ESRCH, v1_span(self->fd, PAGERANGE_IOC_USE_RANGE, 0, 1, 0));
	EXPECT_EQ(-ESRCH, v1_io(self->fd, PAGERANGE_IOC_READ, 0, 1, &byte, 0));
}

/* Before mmap, as in v1: ENXIO for every command but GET_INFO. */
TEST(v1_calls_before_mmap_fail_enxio)
{
	struct pagerange_info info;
	char byte;
	int fd = prlib_open();

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENXIO, v1_span(fd, PAGERANGE_IOC_USE_RANGE, 0, 1, 0));
	EXPECT_EQ(-ENXIO, v1_span(fd, PAGERANGE_IOC_STOP_USING_RANGE, 0, 1, 0));
	EXPECT_EQ(-ENXIO, v1_io(fd, PAGERANGE_IOC_READ, 0, 1, &byte, 0));
	v1_info(_metadata, fd, &info);
	EXPECT_EQ(0, info.size_pages);
	EXPECT_EQ(0, close(fd));
}

PAGERANGE_TEST_MAIN
