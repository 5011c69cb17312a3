// SPDX-License-Identifier: GPL-2.0
/*
 * Ranges going away with pages in every state: by close, munmap, the exit of
 * the owner or of the last process holding the fd. Whatever the order, every
 * page is freed once the range is gone, and the module can then be unloaded.
 *
 * The last tests unload and reload the module; this program is the last
 * one the Makefile lists. They skip where the driver is built into the
 * kernel, and where no module file is found to load again: $PAGERANGE_KO,
 * else the first that exists of the test VM's /lib/modules/pagerange.ko
 * and, under /lib/modules/$(uname -r)/, where DKMS, make install and the
 * kernel's modules_install put it, in the order depmod prefers them.
 * finit_module() is given no flags, so the file must not be compressed.
 */
#include "pagerange_test.h"

#include <limits.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#define NPAGES		16
#define PAGERANGE_VM_KO	"/lib/modules/pagerange.ko"
#define PAGERANGE_MODULE_DIR	"/sys/module/pagerange"

FIXTURE(teardown) {
	struct prlib_stats before;
};

FIXTURE_SETUP(teardown)
{
	prtest_stats_begin(_metadata, &self->before);
}

FIXTURE_TEARDOWN(teardown)
{
	prtest_expect_stats(_metadata, &self->before);
}

/*
 * Map @fd and put its pages in every state: 0-3 free (never used), 4-7 in
 * use, 8-11 reclaimable, 12-15 reclaimed (free again). No ASSERT here, so
 * that children can use it: returns the map, or NULL.
 */
static unsigned char *map_every_state(int fd)
{
	unsigned char *map = prlib_map(fd, NPAGES * prlib_page_size);
	unsigned char byte = 0x3c;

	if (map == MAP_FAILED)
		return NULL;
	if (prlib_use_range(fd, 12, 16) != 4 ||
	    prlib_stop_using(fd, 12, 16) != 4 ||
	    prlib_drop_caches() ||
	    prlib_use_range(fd, 4, 12) != 8 ||
	    prlib_write(fd, 4 * prlib_page_size, &byte, 1) ||
	    prlib_stop_using(fd, 8, 12) != 4) {
		munmap(map, NPAGES * prlib_page_size);
		return NULL;
	}
	return map;
}

/* The range on @fd is in the state map_every_state() left it in. */
static void expect_every_state(struct __test_metadata *_metadata, int fd)
{
	prtest_expect_pages(_metadata, fd, 8, 4, 4, 4, 12);
}

/* Open a range and map_every_state() it: returns the map, the fd in @fd. */
static unsigned char *open_every_state(struct __test_metadata *_metadata,
				       int *fd)
{
	unsigned char *map;

	*fd = prlib_open();
	ASSERT_LE(0, *fd);
	map = map_every_state(*fd);
	ASSERT_NE(NULL, map);
	return map;
}

/* Since @before, one range was added and @pages more pages are allocated. */
static void expect_one_range_holding(struct __test_metadata *_metadata,
				     const struct prlib_stats *before,
				     long long pages)
{
	EXPECT_EQ(before->ranges + 1, prlib_stat("ranges"));
	EXPECT_EQ(before->pages_present + pages,
		  prlib_stat("pages_present"));
}

TEST_F(teardown, closing_the_fd_while_mapped_keeps_the_range_until_munmap)
{
	int fd;
	unsigned char *map = open_every_state(_metadata, &fd);

	expect_every_state(_metadata, fd);
	ASSERT_EQ(0, close(fd));

	/* The mapping holds the file: the range and its pages live on. */
	expect_one_range_holding(_metadata, &self->before, 8);
	EXPECT_EQ(0x3c, map[4 * prlib_page_size]);
	EXPECT_EQ(0, prtest_probe(map + 11 * prlib_page_size, NULL));
	EXPECT_EQ(SIGBUS, prtest_probe(map + 12 * prlib_page_size, NULL));
	EXPECT_EQ(0, munmap(map, NPAGES * prlib_page_size));
}

TEST_F(teardown, munmap_frees_pages_in_every_state_at_once)
{
	struct pagerange_info info;
	int fd;
	unsigned char *map = open_every_state(_metadata, &fd);

	expect_one_range_holding(_metadata, &self->before, 8);
	ASSERT_EQ(0, munmap(map, NPAGES * prlib_page_size));
	/* The range lives on, for GET_INFO, but nothing can map its pages. */
	expect_one_range_holding(_metadata, &self->before, 0);
	EXPECT_EQ(self->before.pages_reclaimable,
		  prlib_stat("pages_reclaimable"));
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(4, info.pages_reclaimed);
	EXPECT_EQ(12, info.pages_allocated);
	EXPECT_EQ(0, close(fd));
}

TEST_F(teardown, munmap_then_close_without_reclaim_frees_everything)
{
	int fd;
	unsigned char *map = open_every_state(_metadata, &fd);

	ASSERT_EQ(0, munmap(map, NPAGES * prlib_page_size));
	EXPECT_EQ(0, close(fd));
	/* Teardown checks that no page, reclaimable or not, is left. */
}

static int exit_with_every_state(void *arg)
{
	bool unmap = arg;
	unsigned char *map;
	int fd = prlib_open();

	if (fd < 0)
		return 1;
	map = map_every_state(fd);
	if (!map)
		return 2;
	if (unmap && munmap(map, NPAGES * prlib_page_size))
		return 3;
	/* Exit with the fd open, and the mapping too unless @unmap. */
	return 0;
}

TEST_F(teardown, owner_exit_frees_pages_in_every_state)
{
	EXPECT_EQ(0, prt_in_child(exit_with_every_state, NULL));
}

TEST_F(teardown, owner_exit_after_munmap_frees_pages_in_every_state)
{
	EXPECT_EQ(0, prt_in_child(exit_with_every_state, (void *)1));
}

static int wait_for_eof(void *arg)
{
	char c;

	prlib_die_with_parent();
	return read(*(int *)arg, &c, 1) == 0 ? 0 : 1;
}

TEST_F(teardown, last_close_in_another_process_frees_the_range)
{
	unsigned char *map;
	int pipefd[2];
	pid_t pid;
	int fd;

	ASSERT_EQ(0, pipe(pipefd));
	map = open_every_state(_metadata, &fd);
	pid = prlib_fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pipefd[1]);
		_exit(wait_for_eof(&pipefd[0]));
	}
	close(pipefd[0]);

	ASSERT_EQ(0, munmap(map, NPAGES * prlib_page_size));
	ASSERT_EQ(0, close(fd));
	/* The child still holds the fd: the range lives, its pages do not. */
	expect_one_range_holding(_metadata, &self->before, 0);

	ASSERT_EQ(0, close(pipefd[1]));
	EXPECT_EQ(0, prlib_wait_exit(pid));
}

/*
 * Binder's model: the owner hands its fd to another process and exits. Its
 * mapping went with its mm, and nothing can read those pages again: they
 * are freed at once, not when the other process closes the fd.
 */
TEST_F(teardown, owner_exit_frees_the_pages_while_another_process_holds_the_fd)
{
	struct pagerange_info info;
	int fd = prt_orphan_range(NPAGES, 2, 2);

	ASSERT_LE(0, fd);
	expect_one_range_holding(_metadata, &self->before, 0);
	ASSERT_EQ(0, prlib_get_info(fd, &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(4, info.pages_allocated);
	prtest_expect_esrch(_metadata, fd);
	EXPECT_EQ(0, close(fd));
}

#define REOPEN_CYCLES	10000

/*
 * The smallest whole life of a range, many times over: open, map a page, use
 * it, munmap, close. Every other cycle lets the page go reclaimable first,
 * and every third one closes before it unmaps; nothing may pile up.
 */
TEST_F_TIMEOUT(teardown, ten_thousand_open_map_use_close_cycles_leave_nothing_behind,
	       240)
{
	double seconds = prt_seconds();
	unsigned char *map;
	int i, fd;

	for (i = 0; i < REOPEN_CYCLES; i++) {
		fd = prlib_open();
		ASSERT_LE(0, fd) TH_LOG("cycle %d", i);
		map = prlib_map(fd, prlib_page_size);
		ASSERT_NE(MAP_FAILED, map) TH_LOG("cycle %d", i);
		ASSERT_EQ(1, prlib_use_range(fd, 0, 1)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, map[prlib_page_size - 1]);
		if (i % 2)
			ASSERT_EQ(1, prlib_stop_using(fd, 0, 1));
		if (i % 3 == 0) {
			ASSERT_EQ(0, close(fd));
			fd = -1;
		}
		ASSERT_EQ(0, munmap(map, prlib_page_size));
		if (fd >= 0)
			ASSERT_EQ(0, close(fd));
	}
	seconds = prt_seconds() - seconds;
	prtest_diag("teardown: %d open/mmap/use/close cycles in %.2f s (%.0f us each)",
		    i, seconds, seconds * 1e6 / i);
}

static int module_delete(void)
{
	return syscall(__NR_delete_module, "pagerange", 0) ? -errno : 0;
}

/* The module file to load again; see the head comment. */
static const char *module_file(void)
{
	static const char * const dirs[] = {
		"updates/dkms", "extra", "kernel/drivers/misc/pagerange",
	};
	static char path[PATH_MAX];
	const char *env = getenv("PAGERANGE_KO");
	struct utsname u;
	size_t i;

	if (env && *env)
		return env;
	if (!access(PAGERANGE_VM_KO, R_OK) || uname(&u))
		return PAGERANGE_VM_KO;
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "/lib/modules/%s/%s/pagerange.ko",
			 u.release, dirs[i]);
		if (!access(path, R_OK))
			return path;
	}
	return PAGERANGE_VM_KO;
}

static int module_load(const char *params)
{
	int fd = open(module_file(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static bool module_busy(int err)
{
	return err == -EBUSY || err == -EAGAIN;
}

/*
 * Declared last, so it runs last: everything above must have let go of the
 * module.
 */
FIXTURE(module) {
	struct prlib_stats before;
};

FIXTURE_SETUP(module)
{
	prtest_stats_begin(_metadata, &self->before);
}

FIXTURE_TEARDOWN(module)
{
	prtest_expect_stats(_metadata, &self->before);
}

/*
 * Why this kernel does not let the test unload and load the module again,
 * or NULL if it does. A built-in driver has a directory in /sys/module (its
 * parameters) without the refcnt of a loaded module.
 */
static const char *module_not_reloadable(void)
{
	if (access(PAGERANGE_MODULE_DIR, F_OK))
		return "no pagerange in /sys/module";
	if (access(PAGERANGE_MODULE_DIR "/refcnt", F_OK))
		return "pagerange is built into the kernel: it cannot be unloaded";
	if (access(module_file(), R_OK))
		return "no module file to load again (PAGERANGE_KO names one)";
	return NULL;
}

/*
 * Unload the module, which a range pins as long as its fd is open and then
 * as long as its mapping lives; once both are gone, it unloads.
 */
static void unload_once_the_last_range_is_gone(struct __test_metadata *_metadata)
{
	unsigned char *map;
	int fd;

	/* An open fd pins the module. */
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, 4 * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(2, prlib_use_range(fd, 0, 2));
	ASSERT_EQ(1, prlib_stop_using(fd, 1, 2));
	EXPECT_TRUE(module_busy(module_delete()));
	/* So does a mapping whose fd is closed. */
	ASSERT_EQ(0, close(fd));
	EXPECT_TRUE(module_busy(module_delete()));
	ASSERT_EQ(0, munmap(map, 4 * prlib_page_size));

	ASSERT_EQ(0, module_delete());
	EXPECT_NE(0, access(PAGERANGE_MODULE_DIR, F_OK));
	EXPECT_NE(0, access(PRLIB_SYSFS, F_OK));
	EXPECT_NE(0, access(PRLIB_RANGES, F_OK));
}

/*
 * Load the module again, as it was (@max_size), and check that the new
 * instance starts from nothing and works.
 */
static void reload_module(struct __test_metadata *_metadata,
			  long long max_size)
{
	unsigned char *map;
	char params[64];
	int fd, i;

	snprintf(params, sizeof(params), "max_size=%lld", max_size);
	ASSERT_EQ(0, module_load(params));
	for (i = 0; i < 50 && access(PRLIB_DEV, F_OK); i++)
		usleep(100 * 1000);
	ASSERT_EQ(0, access(PRLIB_DEV, F_OK));
	EXPECT_EQ(max_size, prt_max_size());
	EXPECT_EQ(0, prlib_stat("pages_present"));
	EXPECT_EQ(0, prlib_stat("pages_reclaimed"));
	EXPECT_EQ(0, prlib_stat("ranges"));

	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, 4 * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(4, prlib_use_range(fd, 0, 4));
	EXPECT_EQ(-1, prlib_find_not(map, 4 * prlib_page_size, 0));
	EXPECT_EQ(0, munmap(map, 4 * prlib_page_size));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, prlib_stat("pages_present"));
}

TEST_F_TIMEOUT(module, unloads_once_every_range_is_gone_and_reloads, 60)
{
	long long max_size = prt_max_size();

	if (module_not_reloadable())
		SKIP(return, "%s", module_not_reloadable());
	ASSERT_LT(0, max_size);

	unload_once_the_last_range_is_gone(_metadata);
	/* Reload it, as it was, for whatever runs next. */
	reload_module(_metadata, max_size);
}

/*
 * A fresh load without parameters has the documented defaults: max_size
 * 4 MiB, max_pages 0 (no cap). A max_size that is not a page multiple
 * fails the load.
 */
TEST_F_TIMEOUT(module, loads_with_its_documented_defaults, 60)
{
	long long max_size = prt_max_size();

	if (module_not_reloadable())
		SKIP(return, "%s", module_not_reloadable());
	ASSERT_LT(0, max_size);
	ASSERT_EQ(0, module_delete());

	EXPECT_EQ(-EINVAL, module_load("max_size=12345"));
	ASSERT_EQ(0, module_load(""));
	EXPECT_EQ(4 << 20, prt_max_size());
	EXPECT_EQ(0, prt_read_ll(PRT_MAX_PAGES_PARAM));
	ASSERT_EQ(0, module_delete());
	reload_module(_metadata, max_size);
}

#define MODULE_CYCLES	10

TEST_F_TIMEOUT(module, ten_unload_cycles_each_refused_while_an_fd_or_mapping_lives,
	       240)
{
	long long max_size = prt_max_size();
	double seconds;
	int i;

	if (module_not_reloadable())
		SKIP(return, "%s", module_not_reloadable());
	ASSERT_LT(0, max_size);

	seconds = prt_seconds();
	/* An ASSERT in a cycle ends the test; an EXPECT lets the rest run. */
	for (i = 0; i < MODULE_CYCLES; i++) {
		unload_once_the_last_range_is_gone(_metadata);
		reload_module(_metadata, max_size);
	}
	prtest_diag("teardown: %d unload/reload cycles in %.2f s", i,
		    prt_seconds() - seconds);
}

PAGERANGE_TEST_MAIN
