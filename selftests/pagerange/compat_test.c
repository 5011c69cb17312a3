// SPDX-License-Identifier: GPL-2.0
/*
 * 32-bit callers reach the driver through compat_ptr_ioctl(), which turns
 * their argument into a 64-bit user pointer for the same handlers. Built
 * with -m32 (the collection's 32-bit run), this program calls every command
 * of the UAPI with a kprobe on compat_ptr_ioctl() recording the commands it
 * sees, and checks that each of them went through it and worked. The
 * 64-bit build has nothing to check and skips.
 *
 * The kprobe needs tracefs with kprobe events (CONFIG_KPROBE_EVENTS), as
 * Debian's kernels have.
 */
#include "pagerange_test.h"

#define TRACEFS		"/sys/kernel/tracing"
#define KPROBE_GROUP	"pagerange_compat"
#define KPROBE		KPROBE_GROUP "/ioctl"
/* x86-64: the second argument, the command, is in %si. */
#define KPROBE_DEF	"p:" KPROBE " compat_ptr_ioctl cmd=%si:x32"

FIXTURE(compat) {
	struct prlib_stats before;
	int fd;
	unsigned char *map;
	bool probed;
	char why[128];
};

/* Set the probe up: NULL, or why not. */
static const char *compat_probe(FIXTURE_DATA(compat) *self)
{
	struct statfs sfs;

	/* A 64-bit caller never takes the compat path. */
	if (sizeof(void *) == sizeof(__u64))
		return "a 64-bit build: the -m32 build of the collection runs this";
	if ((statfs(TRACEFS, &sfs) || sfs.f_type != TRACEFS_MAGIC) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		return "no tracefs";
	if (access(TRACEFS "/kprobe_events", W_OK))
		return "no kprobe events (CONFIG_KPROBE_EVENTS)";
	if (prlib_write_file(TRACEFS "/kprobe_events", KPROBE_DEF))
		return "cannot probe compat_ptr_ioctl()";
	self->probed = true;
	if (prlib_write_file(TRACEFS "/trace", "") ||
	    prlib_write_file(TRACEFS "/events/" KPROBE "/enable", "1"))
		return "cannot enable the probe";
	return NULL;
}

FIXTURE_SETUP(compat)
{
	const char *why = compat_probe(self);

	self->fd = -1;
	self->map = MAP_FAILED;
	if (why) {
		snprintf(self->why, sizeof(self->why), "%s", why);
		SKIP(return, "%s", self->why);
	}
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    4 * prlib_page_size);
}

FIXTURE_TEARDOWN(compat)
{
	if (self->probed) {
		prlib_write_file(TRACEFS "/events/" KPROBE "/enable", "0");
		prlib_write_file(TRACEFS "/kprobe_events", "-:" KPROBE);
	}
	if (self->fd >= 0)
		prtest_teardown_mapped(_metadata, &self->before, self->fd,
				       self->map, 4 * prlib_page_size);
}

TEST_F(compat, every_command_of_a_32bit_caller_goes_through_compat_ptr_ioctl)
{
	static const size_t size = 1 << 20;
	unsigned char buf[16] = "compat";
	struct pagerange_purged purged;
	struct pagerange_info info;
	char *trace, want[32];
	unsigned char vec[3];
	__u64 bitmap[1];
	unsigned int i;

	if (self->why[0])
		SKIP(return, "%s", self->why);
	EXPECT_EQ(2, prlib_use_range(self->fd, 0, 2));
	EXPECT_EQ(0, prlib_write(self->fd, 10, buf, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(0, prlib_read(self->fd, 10, buf, sizeof(buf)));
	EXPECT_STREQ("compat", (char *)buf);
	EXPECT_EQ(0, memcmp(self->map + 10, "compat", 7));
	EXPECT_EQ(0, prlib_zero(self->fd, 10, 6));
	EXPECT_EQ(0, self->map[10]);
	EXPECT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(2, info.pages_in_use);
	EXPECT_EQ(2, prlib_stop_using(self->fd, 0, 2));
	/* The commands with pointers in their argument: a 32-bit bitmap and vector. */
	EXPECT_EQ(1, prlib_purge(self->fd, 1, 2));
	EXPECT_EQ(1, prlib_use_range_report(self->fd, 0, 2, bitmap));
	EXPECT_EQ(2, bitmap[0]);
	EXPECT_EQ(0, prlib_query(self->fd, 0, 3, vec));
	EXPECT_EQ(PAGERANGE_PAGE_IN_USE, vec[0]);
	EXPECT_EQ(PAGERANGE_PAGE_IN_USE, vec[1]);
	EXPECT_EQ(PAGERANGE_PAGE_FREE, vec[2]);
	EXPECT_EQ(0, prlib_purged(self->fd, &purged));
	EXPECT_EQ(0, purged.pages);
	EXPECT_EQ(2, prlib_stop_using(self->fd, 0, 2));
	ASSERT_EQ(0, prlib_write_file(TRACEFS "/events/" KPROBE "/enable",
				      "0"));

	trace = malloc(size);
	ASSERT_NE(NULL, trace);
	ASSERT_LE(0, prlib_read_file(TRACEFS "/trace", trace, size));
	for (i = 0; i < ARRAY_SIZE(prt_ioc_cmds); i++) {
		snprintf(want, sizeof(want), "cmd=0x%x",
			 (unsigned int)prt_ioc_cmds[i]);
		EXPECT_NE(NULL, strstr(trace, want)) {
			TH_LOG("no %s (command %u) through compat_ptr_ioctl()",
			       want, i);
		}
	}
	free(trace);
}

PAGERANGE_TEST_MAIN
