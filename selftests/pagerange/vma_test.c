// SPDX-License-Identifier: GPL-2.0
/*
 * What the mapping refuses: it never becomes writable, is never split, moved
 * or grown, is not inherited by fork(), and its pages cannot be pinned. Each
 * refusal must leave the mapping exactly as it was.
 */
#include "pagerange_test.h"

#define NPAGES		8
#define USED_PAGES	4
#define SEED		0x7e57

/* Pages [0, USED_PAGES) are in use and hold a pattern; the rest are free. */
FIXTURE(vma) {
	int fd;
	unsigned char *map;
	size_t size;
	struct prlib_stats before;
};

FIXTURE_SETUP(vma)
{
	size_t len = USED_PAGES * prlib_page_size;
	unsigned char *buf = malloc(len);

	ASSERT_NE(NULL, buf);
	self->size = NPAGES * prlib_page_size;
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    self->size);
	ASSERT_EQ(USED_PAGES, prlib_use_range(self->fd, 0, USED_PAGES));
	prlib_fill(buf, len, SEED);
	ASSERT_EQ(0, prlib_write(self->fd, 0, buf, len));
	free(buf);
}

/* Whatever the test tried, the mapping is whole and unchanged. */
FIXTURE_TEARDOWN(vma)
{
	struct pagerange_info info;

	if (self->map != MAP_FAILED) {
		EXPECT_EQ(-1, prlib_check(self->map,
					  USED_PAGES * prlib_page_size, SEED));
		/* The free pages are still covered by our vma: SIGBUS, not SIGSEGV. */
		EXPECT_EQ(SIGBUS, prtest_probe(self->map + self->size - 1,
					       NULL));
		ASSERT_EQ(0, prlib_get_info(self->fd, &info));
		EXPECT_EQ(NPAGES, info.size_pages);
		EXPECT_EQ(USED_PAGES, info.pages_present);
		EXPECT_EQ(USED_PAGES, info.pages_in_use);
	}
	prtest_teardown_mapped(_metadata, &self->before, self->fd, self->map,
			       self->size);
}

/* A call that must fail with @err; the errno is checked too. */
#define EXPECT_FAILS(err, call) do {		\
	errno = 0;				\
	EXPECT_EQ(-1, (long)(call));		\
	EXPECT_EQ(err, errno);			\
} while (0)

TEST_F(vma, mprotect_writable_is_refused_eacces)
{
	EXPECT_FAILS(EACCES, mprotect(self->map, self->size,
				      PROT_READ | PROT_WRITE));
	EXPECT_FAILS(EACCES, mprotect(self->map, self->size, PROT_WRITE));
	EXPECT_FAILS(EACCES, mprotect(self->map + prlib_page_size, prlib_page_size,
				      PROT_READ | PROT_WRITE));
}

TEST_F(vma, partial_munmap_is_refused_einval)
{
	EXPECT_FAILS(EINVAL, munmap(self->map, prlib_page_size));
	EXPECT_FAILS(EINVAL, munmap(self->map + prlib_page_size, prlib_page_size));
	EXPECT_FAILS(EINVAL, munmap(self->map + self->size - prlib_page_size,
				    prlib_page_size));
}

TEST_F(vma, partial_mprotect_is_refused_einval)
{
	EXPECT_FAILS(EINVAL, mprotect(self->map, prlib_page_size, PROT_NONE));
	EXPECT_FAILS(EINVAL, mprotect(self->map + 2 * prlib_page_size, prlib_page_size,
				      PROT_NONE));
}

TEST_F(vma, map_fixed_over_part_of_the_mapping_is_refused)
{
	void *p = mmap(self->map + prlib_page_size, prlib_page_size, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	EXPECT_EQ(MAP_FAILED, p);
}

TEST_F(vma, mremap_move_is_refused)
{
	void *dest = mmap(NULL, self->size, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, dest);
	EXPECT_EQ(MAP_FAILED, mremap(self->map, self->size, self->size,
				     MREMAP_MAYMOVE | MREMAP_FIXED, dest));
	/* Nothing of ours was left at the destination. */
	EXPECT_EQ(SIGSEGV, prtest_probe(dest, NULL));
	EXPECT_EQ(0, munmap(dest, self->size));
}

TEST_F(vma, mremap_grow_is_refused)
{
	EXPECT_EQ(MAP_FAILED, mremap(self->map, self->size,
				     self->size + prlib_page_size, 0));
	EXPECT_EQ(MAP_FAILED, mremap(self->map, self->size,
				     self->size + prlib_page_size, MREMAP_MAYMOVE));
}

TEST_F(vma, mremap_shrink_is_refused)
{
	EXPECT_EQ(MAP_FAILED, mremap(self->map, self->size,
				     self->size - prlib_page_size, 0));
	EXPECT_EQ(MAP_FAILED, mremap(self->map, self->size, prlib_page_size,
				     MREMAP_MAYMOVE));
}

TEST_F(vma, madvise_dofork_is_refused_einval)
{
	EXPECT_FAILS(EINVAL, madvise(self->map, self->size, MADV_DOFORK));
}

TEST_F(vma, madvise_dontneed_is_refused_einval)
{
	EXPECT_FAILS(EINVAL, madvise(self->map, self->size, MADV_DONTNEED));
}

TEST_F(vma, vmsplice_of_the_mapping_fails_efault)
{
	struct iovec iov = { .iov_base = self->map, .iov_len = prlib_page_size };
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	EXPECT_FAILS(EFAULT, vmsplice(pipefd[1], &iov, 1, 0));
	EXPECT_EQ(0, close(pipefd[0]));
	EXPECT_EQ(0, close(pipefd[1]));
}

TEST_F(vma, process_vm_readv_of_the_mapping_fails_efault)
{
	unsigned char buf[64];
	struct iovec local = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct iovec remote = { .iov_base = self->map, .iov_len = sizeof(buf) };

	memset(buf, 0, sizeof(buf));
	EXPECT_FAILS(EFAULT, process_vm_readv(getpid(), &local, 1,
					      &remote, 1, 0));
	EXPECT_EQ(-1, prlib_find_not(buf, sizeof(buf), 0));
}

static int child_probe(void *arg)
{
	return prtest_probe(arg, NULL);
}

TEST_F(vma, fork_child_has_no_mapping)
{
	EXPECT_EQ(SIGSEGV, prt_in_child(child_probe, self->map));
	EXPECT_EQ(SIGSEGV, prt_in_child(child_probe,
					self->map + self->size - 1));
	/* The parent's mapping survived the child's exit. */
	EXPECT_EQ(0, prtest_probe(self->map, NULL));
}

static int child_writes(void *arg)
{
	int fd = *(int *)arg;
	unsigned char byte = 0x99;

	/* Fill free page 5 with a byte and release it again. */
	if (prlib_use_range(fd, 5, 6) != 1)
		return 1;
	if (prlib_write(fd, 5 * prlib_page_size, &byte, 1))
		return 2;
	return prlib_stop_using(fd, 5, 6) == 1 ? 0 : 3;
}

TEST_F(vma, fork_child_can_still_use_the_fd)
{
	EXPECT_EQ(0, prt_in_child(child_writes, &self->fd));
	EXPECT_EQ(0x99, self->map[5 * prlib_page_size]);
	/* Return page 5 to the shrinker, for teardown's count. */
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_EQ(SIGBUS, prtest_probe(self->map + 5 * prlib_page_size, NULL));
}

TEST_F(vma, syscalls_can_read_in_use_pages_through_the_mapping)
{
	unsigned char buf[256];
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	/* Copy across the boundary of pages 0 and 1. */
	ASSERT_EQ(sizeof(buf), write(pipefd[1], self->map + prlib_page_size - 128,
				     sizeof(buf)));
	ASSERT_EQ(sizeof(buf), read(pipefd[0], buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, self->map + prlib_page_size - 128, sizeof(buf)));
	EXPECT_EQ(0, close(pipefd[0]));
	EXPECT_EQ(0, close(pipefd[1]));
}

TEST_F(vma, syscall_reading_a_page_not_present_fails_efault)
{
	int pipefd[2];

	ASSERT_EQ(0, pipe(pipefd));
	/* Never used. */
	EXPECT_FAILS(EFAULT, write(pipefd[1], self->map + 6 * prlib_page_size, 16));
	/* Reclaimed. */
	ASSERT_EQ(1, prlib_use_range(self->fd, 4, 5));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 4, 5));
	ASSERT_EQ(16, write(pipefd[1], self->map + 4 * prlib_page_size, 16));
	ASSERT_EQ(0, prlib_drop_caches());
	EXPECT_FAILS(EFAULT, write(pipefd[1], self->map + 4 * prlib_page_size, 16));
	EXPECT_EQ(0, close(pipefd[0]));
	EXPECT_EQ(0, close(pipefd[1]));
}

TEST_F(vma, full_munmap_removes_the_mapping)
{
	struct pagerange_info info;

	ASSERT_EQ(0, munmap(self->map, self->size));
	EXPECT_EQ(SIGSEGV, prtest_probe(self->map, NULL));
	EXPECT_EQ(-ESRCH, prlib_use_range(self->fd, 0, 1));
	/* Nothing can map the pages again: they went with the vma. */
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(USED_PAGES, info.pages_allocated);
	self->map = MAP_FAILED;
}

PAGERANGE_TEST_MAIN
