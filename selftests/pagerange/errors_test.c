// SPDX-License-Identifier: GPL-2.0
/*
 * Every error of mmap and of the ioctls, in the order pagerange(4), ERRORS,
 * gives them, and that a call which fails changes nothing.
 */
#include "pagerange_test.h"

#define NPAGES	8

/* ---- mmap ---- */

FIXTURE(unmapped) {
	int fd;
	long long saved_max_size;
	struct prlib_stats before;
};

FIXTURE_SETUP(unmapped)
{
	self->saved_max_size = -1;
	prtest_setup_open(_metadata, &self->before, &self->fd);
}

FIXTURE_TEARDOWN(unmapped)
{
	if (self->saved_max_size > 0)
		EXPECT_EQ(0, prt_set_max_size(self->saved_max_size));
	prtest_teardown_close(_metadata, &self->before, self->fd);
}

struct child_map {
	int fd;
	int prot;
};

/* Returns the errno of mmap in this (non-owner) process, or 0. */
static int child_map(void *arg)
{
	struct child_map *m = arg;

	return -prt_try_map(m->fd, NPAGES * prlib_page_size, m->prot,
			      MAP_SHARED, 0);
}

/* A mapping of the fd can still be made, so a failed mmap left no trace. */
static void expect_mappable(struct __test_metadata *_metadata, int fd)
{
	unsigned char *map = prlib_map(fd, NPAGES * prlib_page_size);

	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(1, prlib_use_range(fd, 0, 1));
	EXPECT_EQ(0, map[0]);
	EXPECT_EQ(0, munmap(map, NPAGES * prlib_page_size));
}

TEST_F(unmapped, mmap_from_another_process_fails_einval)
{
	struct child_map m = { .fd = self->fd, .prot = PROT_READ };

	EXPECT_EQ(EINVAL, prt_in_child(child_map, &m));
	expect_mappable(_metadata, self->fd);
}

TEST_F(unmapped, mmap_checks_the_process_before_write_permission)
{
	struct child_map m = {
		.fd = self->fd,
		.prot = PROT_READ | PROT_WRITE,
	};

	EXPECT_EQ(EINVAL, prt_in_child(child_map, &m));
}

TEST_F(unmapped, mmap_shared_writable_fails_eperm)
{
	EXPECT_EQ(-EPERM, prt_try_map(self->fd, NPAGES * prlib_page_size,
				      PROT_READ | PROT_WRITE,
					MAP_SHARED, 0));
	EXPECT_EQ(-EPERM, prt_try_map(self->fd, NPAGES * prlib_page_size,
				      PROT_WRITE, MAP_SHARED, 0));
	expect_mappable(_metadata, self->fd);
}

TEST_F(unmapped, mmap_private_writable_fails_eperm)
{
	EXPECT_EQ(-EPERM, prt_try_map(self->fd, NPAGES * prlib_page_size,
				      PROT_READ | PROT_WRITE,
					MAP_PRIVATE, 0));
	expect_mappable(_metadata, self->fd);
}

TEST_F(unmapped, mmap_at_nonzero_offset_fails_einval)
{
	EXPECT_EQ(-EINVAL, prt_try_map(self->fd, NPAGES * prlib_page_size,
				       PROT_READ, MAP_SHARED, prlib_page_size));
	expect_mappable(_metadata, self->fd);
}

TEST_F(unmapped, mmap_checks_write_permission_before_the_offset)
{
	EXPECT_EQ(-EPERM, prt_try_map(self->fd, NPAGES * prlib_page_size,
				      PROT_READ | PROT_WRITE,
					MAP_SHARED, prlib_page_size));
}

TEST_F(unmapped, mmap_above_max_size_fails_einval)
{
	long long max = prt_max_size();
	unsigned char *map;

	ASSERT_LT(0, max);
	EXPECT_EQ(-EINVAL, prt_try_map(self->fd, max + prlib_page_size,
				       PROT_READ, MAP_SHARED, 0));
	/* Exactly max_size is allowed. */
	map = prlib_map(self->fd, max);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, munmap(map, max));
}

/*
 * max_size takes a page multiple from one page to 256 MiB; anything else is
 * refused with EINVAL and leaves it as it was.
 */
TEST_F(unmapped, max_size_refuses_what_is_not_a_page_multiple_up_to_256_mib)
{
	const long long top = 256LL << 20;

	self->saved_max_size = prt_max_size();
	ASSERT_LT(0, self->saved_max_size);
	EXPECT_EQ(-EINVAL, prt_set_max_size(0));
	EXPECT_EQ(-EINVAL, prt_set_max_size(prlib_page_size + 1));
	EXPECT_EQ(-EINVAL, prt_set_max_size(top + prlib_page_size));
	EXPECT_EQ(-EINVAL, prt_set_max_size(-1));
	EXPECT_EQ(-EINVAL, prlib_write_file(PRT_MAX_SIZE, "4M"));
	EXPECT_EQ(self->saved_max_size, prt_max_size());
	EXPECT_EQ(0, prt_set_max_size(top));
	EXPECT_EQ(top, prt_max_size());
	EXPECT_EQ(0, prt_set_max_size(prlib_page_size));
	EXPECT_EQ(prlib_page_size, prt_max_size());
}

TEST_F(unmapped, max_size_change_applies_to_later_mmaps)
{
	unsigned char *map, *old_map;
	int old_fd;

	self->saved_max_size = prt_max_size();
	ASSERT_LT(0, self->saved_max_size);
	old_fd = prlib_open();
	ASSERT_LE(0, old_fd);
	old_map = prlib_map(old_fd, NPAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, old_map);

	ASSERT_EQ(0, prt_set_max_size(2 * prlib_page_size));
	EXPECT_EQ(2 * prlib_page_size, prt_max_size());
	EXPECT_EQ(-EINVAL, prt_try_map(self->fd, 3 * prlib_page_size,
				       PROT_READ, MAP_SHARED, 0));
	map = prlib_map(self->fd, 2 * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	/* A mapping made before the change keeps its size. */
	EXPECT_EQ(NPAGES, prlib_use_range(old_fd, 0, NPAGES));

	EXPECT_EQ(0, munmap(map, 2 * prlib_page_size));
	EXPECT_EQ(0, munmap(old_map, NPAGES * prlib_page_size));
	EXPECT_EQ(0, close(old_fd));
}

TEST_F(unmapped, mmap_twice_fails_ebusy)
{
	unsigned char *map = prlib_map(self->fd, NPAGES * prlib_page_size);

	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-EBUSY, prt_try_map(self->fd, NPAGES * prlib_page_size,
				      PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(-EBUSY, prt_try_map(self->fd, prlib_page_size, PROT_READ,
				      MAP_SHARED, 0));
	/* The first mapping is unaffected. */
	EXPECT_EQ(1, prlib_use_range(self->fd, 0, 1));
	EXPECT_EQ(0, prtest_probe(map, NULL));
	EXPECT_EQ(0, munmap(map, NPAGES * prlib_page_size));
}

TEST_F(unmapped, mmap_after_munmap_fails_ebusy)
{
	unsigned char *map = prlib_map(self->fd, NPAGES * prlib_page_size);

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map, NPAGES * prlib_page_size));
	EXPECT_EQ(-EBUSY, prt_try_map(self->fd, NPAGES * prlib_page_size,
				      PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(-ESRCH, prlib_use_range(self->fd, 0, 1));
}

TEST_F(unmapped, mmap_checks_offset_and_size_before_busy)
{
	long long max = prt_max_size();
	unsigned char *map = prlib_map(self->fd, NPAGES * prlib_page_size);

	ASSERT_LT(0, max);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(-EINVAL, prt_try_map(self->fd, prlib_page_size, PROT_READ,
				       MAP_SHARED, prlib_page_size));
	EXPECT_EQ(-EINVAL, prt_try_map(self->fd, max + prlib_page_size,
				       PROT_READ, MAP_SHARED, 0));
	EXPECT_EQ(0, munmap(map, NPAGES * prlib_page_size));
}

/* ---- ioctls on a range that is not mapped yet ---- */

TEST_F(unmapped, ioctls_before_mmap_fail_enxio)
{
	char byte = 0;

	EXPECT_EQ(-ENXIO, prlib_use_range(self->fd, 0, 1));
	EXPECT_EQ(-ENXIO, prlib_stop_using(self->fd, 0, 1));
	EXPECT_EQ(-ENXIO, prlib_write(self->fd, 0, &byte, 1));
	EXPECT_EQ(-ENXIO, prlib_read(self->fd, 0, &byte, 1));
	EXPECT_EQ(-ENXIO, prlib_zero(self->fd, 0, 1));
	/* Neither the bounds nor the empty span are looked at yet. */
	EXPECT_EQ(-ENXIO, prlib_use_range(self->fd, 0, 1ULL << 40));
	EXPECT_EQ(-ENXIO, prlib_use_range(self->fd, 3, 3));
	EXPECT_EQ(-ENXIO, prlib_write(self->fd, 1ULL << 40, &byte, 1));
	EXPECT_EQ(-ENXIO, prlib_read(self->fd, 0, &byte, 0));
	expect_mappable(_metadata, self->fd);
}

TEST_F(unmapped, argument_errors_come_before_enxio)
{
	char byte = 0;

	EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE,
				       prlib_ptr(1)));
	EXPECT_EQ(-EINVAL, prlib_span(self->fd, PAGERANGE_IOC_USE_RANGE,
				      0, 1, 1));
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, 2, 1));
	EXPECT_EQ(-EINVAL, prlib_stop_using(self->fd, 2, 1));
	EXPECT_EQ(-EINVAL, prlib_read(self->fd, ~0ULL, &byte, 2));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_ZERO, 0, 1,
				    prlib_u64(&byte), 0));
}

/* ---- ioctls on a mapped range ---- */

/*
 * Pages 0 and 1 are in use and hold a pattern, page 2 is reclaimable, the
 * rest are free. Unless a test unmaps, teardown checks it still is so: a
 * call that fails changes nothing.
 */
FIXTURE(mapped) {
	int fd;
	unsigned char *map;
	struct prlib_stats before;
};

#define PATTERN_SEED	7

FIXTURE_SETUP(mapped)
{
	unsigned char *buf = malloc(2 * prlib_page_size);

	ASSERT_NE(NULL, buf);
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    NPAGES * prlib_page_size);
	ASSERT_EQ(3, prlib_use_range(self->fd, 0, 3));
	prlib_fill(buf, 2 * prlib_page_size, PATTERN_SEED);
	ASSERT_EQ(0, prlib_write(self->fd, 0, buf, 2 * prlib_page_size));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 2, 3));
	free(buf);
}

FIXTURE_TEARDOWN(mapped)
{
	struct pagerange_info info;

	if (self->map != MAP_FAILED) {
		ASSERT_EQ(0, prlib_get_info(self->fd, &info));
		EXPECT_EQ(NPAGES, info.size_pages);
		prtest_expect_pages(_metadata, self->fd, 3, 2, 1, 0, 3);
		EXPECT_EQ(-1, prlib_check(self->map, 2 * prlib_page_size,
					  PATTERN_SEED));
	}
	prtest_teardown_mapped(_metadata, &self->before, self->fd, self->map,
			       NPAGES * prlib_page_size);
}

TEST_F(mapped, ioctls_after_munmap_fail_esrch)
{
	char byte = 0;

	ASSERT_EQ(0, munmap(self->map, NPAGES * prlib_page_size));
	self->map = MAP_FAILED;
	prtest_expect_esrch(_metadata, self->fd);
	/* ESRCH comes before the bounds and the empty span... */
	EXPECT_EQ(-ESRCH, prlib_use_range(self->fd, 0, NPAGES + 1));
	EXPECT_EQ(-ESRCH, prlib_use_range(self->fd, 1, 1));
	EXPECT_EQ(-ESRCH, prlib_read(self->fd, 0, &byte, 0));
	/* ...and after the checks of the arguments themselves. */
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, 2, 1));
	EXPECT_EQ(-EINVAL, prlib_span(self->fd, PAGERANGE_IOC_STOP_USING_RANGE,
				      0, 1, 2));
	EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, PAGERANGE_IOC_ZERO,
				       prlib_ptr(1)));
}

TEST_F(mapped, ioctls_after_the_owner_exits_fail_esrch)
{
	struct pagerange_info info;
	int fd = prt_orphan_range(NPAGES, 2, 1);

	ASSERT_LE(0, fd);
	prtest_expect_esrch(_metadata, fd);
	/* GET_INFO still works; the owner's exit gave the pages back. */
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(NPAGES, info.size_pages);
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(3, info.pages_allocated);
	/* We are not the opener, so it cannot be mapped here either. */
	EXPECT_EQ(-EINVAL, prt_try_map(fd, NPAGES * prlib_page_size, PROT_READ,
				       MAP_SHARED, 0));
	EXPECT_EQ(0, close(fd));
}

TEST_F(mapped, start_after_end_fails_einval)
{
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, 4, 3));
	EXPECT_EQ(-EINVAL, prlib_stop_using(self->fd, 1, 0));
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, ~0ULL, 0));
}

TEST_F(mapped, end_past_the_last_page_fails_einval)
{
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, 3, NPAGES + 1));
	EXPECT_EQ(-EINVAL, prlib_stop_using(self->fd, 0, NPAGES + 1));
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, 0, ~0ULL));
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, NPAGES, ~0ULL));
	/* A span that ends at the last page is fine. */
	EXPECT_EQ(0, prlib_stop_using(self->fd, 3, NPAGES));
	EXPECT_EQ(0, prlib_use_range(self->fd, 0, 2));
}

TEST_F(mapped, offset_plus_len_overflow_fails_einval)
{
	unsigned char buf[2];

	EXPECT_EQ(-EINVAL, prlib_write(self->fd, ~0ULL, buf, 2));
	EXPECT_EQ(-EINVAL, prlib_read(self->fd, ~0ULL, buf, 2));
	EXPECT_EQ(-EINVAL, prlib_zero(self->fd, ~0ULL, 2));
	EXPECT_EQ(-EINVAL, prlib_read(self->fd, 1, buf, ~0ULL));
}

TEST_F(mapped, io_past_the_end_fails_einval)
{
	size_t size = NPAGES * prlib_page_size;
	unsigned char buf[2];

	EXPECT_EQ(-EINVAL, prlib_read(self->fd, size - 1, buf, 2));
	EXPECT_EQ(-EINVAL, prlib_write(self->fd, size, buf, 1));
	EXPECT_EQ(-EINVAL, prlib_zero(self->fd, size - 1, 2));
	/* Even where the pages in range are in use. */
	EXPECT_EQ(-EINVAL, prlib_read(self->fd, 0, buf, size + 1));
}

TEST_F(mapped, nonzero_flags_fail_einval)
{
	unsigned char buf[1];

	EXPECT_EQ(-EINVAL, prlib_span(self->fd, PAGERANGE_IOC_USE_RANGE,
				      3, 4, 1));
	EXPECT_EQ(-EINVAL, prlib_span(self->fd,
				      PAGERANGE_IOC_STOP_USING_RANGE,
				      0, 1, 1ULL << 63));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_WRITE, 0, 1,
				    prlib_u64(buf), 2));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_READ, 0, 1,
				    prlib_u64(buf), 2));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_ZERO, 0, 1,
				    0, 1ULL << 32));
}

TEST_F(mapped, zero_with_a_buffer_fails_einval)
{
	unsigned char buf[1];

	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_ZERO, 0, 1,
				    prlib_u64(buf), 0));
	EXPECT_EQ(-EINVAL, prlib_io(self->fd, PAGERANGE_IOC_ZERO, 0, 0,
				    prlib_u64(buf), 0));
}

TEST_F(mapped, empty_spans_succeed_and_change_nothing)
{
	EXPECT_EQ(0, prlib_use_range(self->fd, 5, 5));
	EXPECT_EQ(0, prlib_use_range(self->fd, NPAGES, NPAGES));
	EXPECT_EQ(0, prlib_stop_using(self->fd, 0, 0));
	EXPECT_EQ(0, prlib_stop_using(self->fd, 2, 2));
	/* len == 0 is done before the pages or the buffer are looked at. */
	EXPECT_EQ(0, prlib_write(self->fd, 0, prlib_ptr(1), 0));
	EXPECT_EQ(0, prlib_read(self->fd, 5 * prlib_page_size,
				prlib_ptr(1), 0));
	EXPECT_EQ(0, prlib_zero(self->fd, 0, 0));
	EXPECT_EQ(0, prlib_zero(self->fd, NPAGES * prlib_page_size, 0));
	/* Page 5 is still free. */
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + 5 * prlib_page_size, NULL));
}

TEST_F(mapped, empty_span_past_the_end_still_fails_einval)
{
	EXPECT_EQ(-EINVAL, prlib_use_range(self->fd, NPAGES + 1,
					   NPAGES + 1));
	EXPECT_EQ(-EINVAL, prlib_stop_using(self->fd, ~0ULL, ~0ULL));
	EXPECT_EQ(-EINVAL, prlib_zero(self->fd, NPAGES * prlib_page_size + 1, 0));
}

TEST_F(mapped, unknown_command_fails_enotty)
{
	struct pagerange_info info = { 0 };

	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IO(PAGERANGE_IOC_MAGIC, 0x7f),
				       &info));
	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IO(PAGERANGE_IOC_MAGIC, 0), &info));
	/* A known number with the wrong size or direction is unknown too. */
	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IOWR(PAGERANGE_IOC_MAGIC, 0x01,
					     __u32), &info));
	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IOW(PAGERANGE_IOC_MAGIC, 0x06,
					    struct pagerange_info),
				       &info));
	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IOR(PAGERANGE_IOC_MAGIC + 1, 0x06,
					    struct pagerange_info),
				       &info));
}

/* The command is checked first: an unknown one never reads its argument. */
TEST_F(mapped, unknown_command_with_a_bad_pointer_fails_enotty_not_efault)
{
	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IOWR(PAGERANGE_IOC_MAGIC, 0x7f,
					     struct pagerange_range),
				       prlib_ptr(8)));
	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IO(PAGERANGE_IOC_MAGIC, 0x7f), NULL));
}

TEST_F(unmapped, unknown_command_fails_enotty_before_mmap)
{
	struct pagerange_info info = { 0 };

	EXPECT_EQ(-ENOTTY, prlib_ioctl(self->fd,
				       _IO(PAGERANGE_IOC_MAGIC, 0x7f),
				       &info));
}

TEST_F(mapped, bad_argument_pointer_fails_efault)
{
	void *gone = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ro = mmap(NULL, prlib_page_size, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, munmap(gone, prlib_page_size));
	for (i = 0; i < ARRAY_SIZE(prt_ioc_cmds); i++) {
		TH_LOG("command %#lx", prt_ioc_cmds[i]);
		EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, prt_ioc_cmds[i],
					       prlib_ptr(1)));
		EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, prt_ioc_cmds[i], gone));
		EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, prt_ioc_cmds[i], NULL));
	}
	/* GET_INFO writes its argument: read-only memory will not do. */
	EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, PAGERANGE_IOC_GET_INFO, ro));
	EXPECT_EQ(0, munmap(ro, prlib_page_size));
}

TEST_F(mapped, read_only_span_argument_fails_efault_and_changes_nothing)
{
	struct pagerange_range *ro = mmap(NULL, prlib_page_size,
					  PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	/* Free pages to allocate and in-use pages to stop: both would change. */
	ro[0] = (struct pagerange_range){ .start = 0, .end = NPAGES };
	ASSERT_EQ(0, mprotect(ro, prlib_page_size, PROT_READ));
	/* result cannot be written back: the call must fail before acting. */
	EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd, PAGERANGE_IOC_USE_RANGE,
				       ro));
	EXPECT_EQ(-EFAULT, prlib_ioctl(self->fd,
				       PAGERANGE_IOC_STOP_USING_RANGE, ro));
	EXPECT_EQ(0, munmap(ro, prlib_page_size));
	/* The fixture's teardown checks that the range is as set up. */
}

TEST_F(mapped, bad_buffer_fails_efault)
{
	unsigned char buf[16];
	void *gone = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *ro = mmap(NULL, prlib_page_size, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, munmap(gone, prlib_page_size));
	EXPECT_EQ(-EFAULT, prlib_read(self->fd, 0, prlib_ptr(1), 16));
	EXPECT_EQ(-EFAULT, prlib_read(self->fd, 0, gone, 16));
	EXPECT_EQ(-EFAULT, prlib_read(self->fd, 0, ro, 16));
	EXPECT_EQ(-EFAULT, prlib_write(self->fd, 0, gone, 16));
	EXPECT_EQ(-EFAULT, prlib_write(self->fd, 0, prlib_ptr(1), 16));
	EXPECT_EQ(0, munmap(ro, prlib_page_size));
	/* Some bytes may have been copied; put the pattern back for teardown. */
	prlib_fill(buf, sizeof(buf), PATTERN_SEED);
	ASSERT_EQ(0, prlib_write(self->fd, 0, buf, sizeof(buf)));
}

TEST_F(mapped, io_on_a_free_page_fails_enoent)
{
	unsigned char buf[8] = { 1 };

	EXPECT_EQ(-ENOENT, prlib_write(self->fd, 5 * prlib_page_size, buf, 8));
	EXPECT_EQ(-ENOENT, prlib_read(self->fd, 5 * prlib_page_size, buf, 8));
	EXPECT_EQ(-ENOENT, prlib_zero(self->fd, 5 * prlib_page_size, 8));
	EXPECT_EQ(-ENOENT, prlib_write(self->fd, NPAGES * prlib_page_size - 1,
				       buf, 1));
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + 5 * prlib_page_size, NULL));
}

TEST_F(mapped, io_on_a_reclaimable_page_fails_enoent)
{
	unsigned char buf[8] = { 1 };

	EXPECT_EQ(-ENOENT, prlib_write(self->fd, 2 * prlib_page_size, buf, 8));
	EXPECT_EQ(-ENOENT, prlib_read(self->fd, 2 * prlib_page_size, buf, 8));
	EXPECT_EQ(-ENOENT, prlib_zero(self->fd, 2 * prlib_page_size, 8));
	/* The page kept its (zero) contents and is still mapped. */
	EXPECT_EQ(-1, prlib_find_not(self->map + 2 * prlib_page_size,
				     prlib_page_size, 0));
}

TEST_F(mapped, io_spanning_a_page_not_in_use_copies_nothing)
{
	size_t len = 4 * prlib_page_size;
	unsigned char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	memset(buf, 0xee, len);
	/* From the middle of page 1 (in use) into page 2 (reclaimable). */
	EXPECT_EQ(-ENOENT, prlib_write(self->fd, prlib_page_size + 8, buf,
				       prlib_page_size));
	EXPECT_EQ(-ENOENT, prlib_zero(self->fd, prlib_page_size + 8, prlib_page_size));
	/* From page 0 over pages 1 and 2 to page 3 (free). */
	EXPECT_EQ(-ENOENT, prlib_write(self->fd, 0, buf, len));
	EXPECT_EQ(-ENOENT, prlib_zero(self->fd, 0, len));
	EXPECT_EQ(-ENOENT, prlib_read(self->fd, 0, buf, len));
	/* Teardown checks that pages 0 and 1 kept their pattern. */
	free(buf);
}

TEST_F(mapped, enoent_comes_before_a_bad_buffer)
{
	EXPECT_EQ(-ENOENT, prlib_write(self->fd, 5 * prlib_page_size,
				       prlib_ptr(1), 8));
	EXPECT_EQ(-ENOENT, prlib_read(self->fd, 2 * prlib_page_size,
				      prlib_ptr(1), 8));
}

PAGERANGE_TEST_MAIN
