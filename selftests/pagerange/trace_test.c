// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's trace events, read back through tracefs: a known sequence
 * of ioctls and one drop_caches must produce exactly the events it implies,
 * in order, with the right pages, nodes and counts, and the reason for a
 * page the shrinker had to leave. Skips where the kernel has no trace
 * events.
 */
#include "pagerange_test.h"

#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>

#define NPAGES		4
#define TRACEFS		"/sys/kernel/tracing"
#define EVENTS_ENABLE	TRACEFS "/events/pagerange/enable"
#define TRACE_BUF_SIZE	(256 * 1024)

FIXTURE(trace) {
	int fd;
	unsigned char *map;
	size_t size;
	struct prlib_stats before;
	bool absent;
	char *buf;
};

/*
 * Whether the kernel has trace events: tracefs is usually mounted; in a
 * bare initramfs it may not be yet.
 */
static bool trace_events_available(void)
{
	if (!prlib_debugfs_exists(TRACEFS "/events"))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	return prlib_debugfs_exists(TRACEFS "/events");
}

/* tracefs empties the buffer when "trace" is opened with O_TRUNC. */
static int clear_trace(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

FIXTURE_SETUP(trace)
{
	/*
	 * A kernel with trace events has the driver's. A failure ends the
	 * test here; the 6.1 harness runs the test body after a SKIP().
	 */
	self->absent = !trace_events_available();
	if (self->absent)
		SKIP(return, "no %s: kernel without trace events", EVENTS_ENABLE);
	self->absent = !prlib_debugfs_exists(EVENTS_ENABLE);
	PRTEST_NEED(!self->absent, return,
		    "no %s, while the kernel has trace events", EVENTS_ENABLE);
	self->buf = malloc(TRACE_BUF_SIZE);
	ASSERT_NE(NULL, self->buf);
	self->size = NPAGES * prlib_page_size;
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    self->size);
	ASSERT_EQ(0, clear_trace());
	ASSERT_EQ(0, prlib_write_file(EVENTS_ENABLE, "1"));
	ASSERT_EQ(0, prlib_write_file(TRACEFS "/tracing_on", "1"));
}

FIXTURE_TEARDOWN(trace)
{
	if (self->absent)
		return;
	EXPECT_EQ(0, prlib_write_file(EVENTS_ENABLE, "0"));
	prtest_teardown_mapped(_metadata, &self->before, self->fd, self->map,
			       self->size);
	free(self->buf);
}

/* Remove the first "@key<digits>" (a space and a number) from @s. */
static void drop_field(char *s, const char *key)
{
	char *p = strstr(s, key), *end;

	if (!p)
		return;
	end = p + strlen(key);
	while (*end >= '0' && *end <= '9')
		end++;
	memmove(p, end, strlen(end) + 1);
}

/*
 * The events of this process's range, one per line, reduced to
 * "name: fields" without the pid and, unless @nid, the NUMA node (which
 * depends on the CPU that mapped the range): for example "pagerange_use:
 * pages=[0,2) count=2 ret=0". Stops the events first.
 */
static void our_events_nid(char *buf, size_t size, bool nid)
{
	char line[512], pid[32], *ev;
	size_t len = 0;
	FILE *f;

	prlib_write_file(EVENTS_ENABLE, "0");
	snprintf(pid, sizeof(pid), "pid=%d ", getpid());
	buf[0] = '\0';
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return;
	while (len < size && fgets(line, sizeof(line), f)) {
		ev = strstr(line, "pagerange_");
		if (!ev || !strstr(ev, pid))
			continue;
		drop_field(ev, pid);
		if (!nid)
			drop_field(ev, " nid=");
		len += snprintf(buf + len, size - len, "%s", ev);
	}
	fclose(f);
}

static void our_events(char *buf, size_t size)
{
	our_events_nid(buf, size, false);
}

static void expect_events(struct __test_metadata *_metadata,
			  FIXTURE_DATA(trace) *self, const char *want)
{
	our_events(self->buf, TRACE_BUF_SIZE);
	EXPECT_STREQ(want, self->buf);
}

TEST_F(trace, use_and_stop_emit_one_event_per_page_and_per_call)
{
	if (self->absent)
		SKIP(return, "no trace events");
	ASSERT_EQ(2, prlib_use_range(self->fd, 0, 2));
	ASSERT_EQ(0, prlib_use_range(self->fd, 0, 2));
	ASSERT_EQ(2, prlib_stop_using(self->fd, 0, 2));
	ASSERT_EQ(0, prlib_stop_using(self->fd, 0, 2));
	expect_events(_metadata, self,
		      "pagerange_insert: index=0\n"
		      "pagerange_insert: index=1\n"
		      "pagerange_use: pages=[0,2) count=2 ret=0\n"
		      "pagerange_use: pages=[0,2) count=0 ret=0\n"
		      "pagerange_stop: pages=[0,2) count=2 ret=0\n"
		      "pagerange_stop: pages=[0,2) count=0 ret=0\n");
}

TEST_F(trace, reclaim_isolates_a_run_highest_page_first_then_zaps_and_frees_it)
{
	if (self->absent)
		SKIP(return, "no trace events");
	ASSERT_EQ(3, prlib_use_range(self->fd, 0, 3));
	ASSERT_EQ(2, prlib_stop_using(self->fd, 1, 3));
	ASSERT_EQ(0, clear_trace());
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(1, prlib_use_range(self->fd, 2, 3));
	expect_events(_metadata, self,
		      "pagerange_isolate: index=2\n"
		      "pagerange_isolate: index=1\n"
		      "pagerange_notify: pages=2\n"
		      "pagerange_free: pages=[1,3)\n"
		      "pagerange_insert: index=2\n"
		      "pagerange_use: pages=[2,3) count=1 ret=0\n");
}

/*
 * A run is what the LRU holds in a row, not what is adjacent in the range:
 * pages 2, 0 and 1 are stopped in that order, so page 2 goes alone, though
 * page 1 is next to it, and pages 0 and 1 go together, with one zap. The
 * owner is notified once, at the first run: it has not looked since.
 */
TEST_F(trace, reclaim_runs_follow_the_lru_order)
{
	if (self->absent)
		SKIP(return, "no trace events");
	ASSERT_EQ(4, prlib_use_range(self->fd, 0, 4));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 2, 3));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 0, 1));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 1, 2));
	ASSERT_EQ(0, clear_trace());
	ASSERT_EQ(0, prlib_drop_caches());
	expect_events(_metadata, self,
		      "pagerange_isolate: index=2\n"
		      "pagerange_notify: pages=1\n"
		      "pagerange_free: pages=[2,3)\n"
		      "pagerange_isolate: index=1\n"
		      "pagerange_isolate: index=0\n"
		      "pagerange_free: pages=[0,2)\n");
}

TEST_F(trace, failed_use_range_is_traced_with_its_errno)
{
	if (self->absent)
		SKIP(return, "no trace events");
	ASSERT_EQ(-EINVAL, prlib_use_range(self->fd, 3, NPAGES + 1));
	expect_events(_metadata, self,
		      "pagerange_use: pages=[3,5) count=0 ret=-22\n");
}

/*
 * The node each event names is the node of its page: the range's pages are
 * allocated on the node of the CPU that mapped it, which this test maps
 * from (with fake NUMA on the debug kernels, not always node 0).
 */
TEST_F(trace, events_name_the_node_of_each_page)
{
	unsigned int cpu, node;
	cpu_set_t saved, one;
	char want[256], *line;
	unsigned char *map;
	int fd, n = 0;

	if (self->absent)
		SKIP(return, "no trace events");
	ASSERT_EQ(0, syscall(__NR_getcpu, &cpu, &node, NULL));
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	fd = prlib_open();
	ASSERT_LE(0, fd);
	map = prlib_map(fd, NPAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(saved), &saved));

	ASSERT_EQ(2, prlib_use_range(fd, 0, 2));
	ASSERT_EQ(2, prlib_stop_using(fd, 0, 2));
	ASSERT_EQ(0, prlib_drop_caches());
	our_events_nid(self->buf, TRACE_BUF_SIZE, true);
	snprintf(want, sizeof(want), " nid=%u", node);
	for (line = strtok(self->buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "pagerange_insert:", 17) &&
		    strncmp(line, "pagerange_isolate:", 18))
			continue;
		n++;
		/* The node is the last field. */
		EXPECT_TRUE(strlen(line) > strlen(want) &&
			    !strcmp(line + strlen(line) - strlen(want), want)) {
			TH_LOG("%s: not on node %u", line, node);
		}
	}
	/* Two inserts and two isolations. */
	EXPECT_EQ(4, n);
	EXPECT_EQ(0, munmap(map, NPAGES * prlib_page_size));
	EXPECT_EQ(0, close(fd));
}

/*
 * A reclaimable page of a range with a copy in flight is rotated, and the
 * event says so and why; once the copy is over, the page goes.
 */
TEST_F(trace, a_copy_in_flight_rotates_pages_and_says_why)
{
	struct prtest_stalled_write w = { .fd = self->fd };
	pthread_t writer;

	if (self->absent)
		SKIP(return, "no trace events");
	if (!prtest_stall_init(_metadata, &w.st))
		return;
	ASSERT_EQ(2, prlib_use_range(self->fd, 0, 2));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 1, 2));
	ASSERT_EQ(0, pthread_create(&writer, NULL, prtest_stalled_write_run, &w));
	ASSERT_EQ(0, prt_stall_wait(&w.st, 30));
	ASSERT_EQ(0, clear_trace());
	ASSERT_EQ(0, prlib_drop_caches());
	our_events(self->buf, TRACE_BUF_SIZE);
	ASSERT_EQ(0, prt_stall_release(&w.st, 0x11));
	ASSERT_EQ(0, pthread_join(writer, NULL));
	EXPECT_EQ(0, w.ret);
	prt_stall_fini(&w.st);

	EXPECT_NE(NULL, strstr(self->buf,
			       "pagerange_skip: index=1 reason=copying\n")) {
		TH_LOG("events: %s", self->buf);
	}
	EXPECT_EQ(NULL, strstr(self->buf, "pagerange_isolate:"));
	ASSERT_EQ(0, prlib_write_file(EVENTS_ENABLE, "1"));
	ASSERT_EQ(0, clear_trace());
	ASSERT_EQ(0, prlib_drop_caches());
	expect_events(_metadata, self,
		      "pagerange_isolate: index=1\n"
		      "pagerange_notify: pages=1\n"
		      "pagerange_free: pages=[1,2)\n");
}

/*
 * A purge is traced as a call, with the pages it freed, and wakes nobody:
 * the owner asked for it. After PURGED acknowledged a reclaim, the next
 * one notifies again; before, it does not.
 */
TEST_F(trace, purge_is_traced_and_a_reclaim_notifies_once_per_acknowledgment)
{
	struct pagerange_purged p;

	if (self->absent)
		SKIP(return, "no trace events");
	ASSERT_EQ(4, prlib_use_range(self->fd, 0, 4));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 3, 4));
	ASSERT_EQ(2, prlib_purge(self->fd, 2, 4));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 1, 2));
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(1, prlib_use_range(self->fd, 1, 2));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 1, 2));
	ASSERT_EQ(0, prlib_drop_caches());
	ASSERT_EQ(0, prlib_purged(self->fd, &p));
	ASSERT_EQ(2, p.pages);
	ASSERT_EQ(1, prlib_use_range(self->fd, 1, 2));
	ASSERT_EQ(1, prlib_stop_using(self->fd, 1, 2));
	ASSERT_EQ(0, prlib_drop_caches());
	expect_events(_metadata, self,
		      "pagerange_insert: index=0\n"
		      "pagerange_insert: index=1\n"
		      "pagerange_insert: index=2\n"
		      "pagerange_insert: index=3\n"
		      "pagerange_use: pages=[0,4) count=4 ret=0\n"
		      "pagerange_stop: pages=[3,4) count=1 ret=0\n"
		      "pagerange_purge: pages=[2,4) count=2 ret=0\n"
		      "pagerange_stop: pages=[1,2) count=1 ret=0\n"
		      "pagerange_isolate: index=1\n"
		      "pagerange_notify: pages=1\n"
		      "pagerange_free: pages=[1,2)\n"
		      "pagerange_insert: index=1\n"
		      "pagerange_use: pages=[1,2) count=1 ret=0\n"
		      "pagerange_stop: pages=[1,2) count=1 ret=0\n"
		      "pagerange_isolate: index=1\n"
		      "pagerange_free: pages=[1,2)\n"
		      "pagerange_insert: index=1\n"
		      "pagerange_use: pages=[1,2) count=1 ret=0\n"
		      "pagerange_stop: pages=[1,2) count=1 ret=0\n"
		      "pagerange_isolate: index=1\n"
		      "pagerange_notify: pages=1\n"
		      "pagerange_free: pages=[1,2)\n");
}

PAGERANGE_TEST_MAIN
