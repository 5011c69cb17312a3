// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own view of the driver's shrinker (CONFIG_SHRINKER_DEBUG,
 * mm/shrinker_debug.c). In /sys/kernel/debug/shrinker/pagerange-<id>/,
 * count prints "<memcg inode> <count on node 0> <count on node 1> ..." when
 * the shrinker has something to give (and nothing otherwise): it must show
 * the reclaimable pages the driver reports, on the node of each range.
 * Writing "<memcg inode> <node> <n>" to scan runs the shrinker on that
 * node as memory pressure would: it takes up to n reclaimable pages of
 * that node, and only of that node.
 *
 * The shrinker is memcg-aware, and every range here belongs to the root
 * cgroup: count has one line, for the root cgroup, and scan is given its
 * inode.
 */
#include "pagerange_test.h"

#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <sys/syscall.h>

#include <linux/mempolicy.h>

#define SHRINKER_DEBUGFS	PRLIB_DEBUGFS "/shrinker"
#define SHRINKER_PREFIX		"pagerange-"
#define NODE_POSSIBLE		"/sys/devices/system/node/possible"

#define MAX_NODES	64
#define NPAGES		16
/* Slots of a range this large come from the page allocator, on the local node. */
#define NODE_PAGES	512
/* The largest node the test fills with anonymous memory. */
#define FILL_MAX_BYTES	(4LL << 30)
/*
 * What filling a node changes, and puts back: the gap between a zone's min
 * and low watermarks (in 1/10000 of the zone) widened from a few hundred
 * pages to a tenth of the zone, so that the fill can stop in the middle of
 * it; and no watermark boost, which would raise min into that gap when an
 * allocation falls back to another migrate type.
 */
static const struct {
	const char *path;
	long long value;
} fill_sysctls[] = {
	{ "/proc/sys/vm/watermark_scale_factor", 1000 },
	{ "/proc/sys/vm/watermark_boost_factor", 0 },
};

#define NR_FILL_SYSCTLS	ARRAY_SIZE(fill_sysctls)
/* The most pages the filler touches between two looks at the zone. */
#define FILL_STEP	4096

/* The count file, summed over its lines, by node position. */
struct shrinker_count {
	int lines;
	long long total;
	long long node[MAX_NODES];
};

/* Find shrinker/pagerange-<digits>: 0, -ENOENT, or -EEXIST for several. */
static int shrinker_dir(char *path, size_t size)
{
	const size_t prefix = strlen(SHRINKER_PREFIX);
	struct dirent *e;
	int found = 0;
	DIR *d;

	if (prlib_debugfs_mount())
		return -ENOENT;
	d = opendir(SHRINKER_DEBUGFS);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		const char *id = e->d_name + prefix;

		if (strncmp(e->d_name, SHRINKER_PREFIX, prefix) || !*id ||
		    strspn(id, "0123456789") != strlen(id))
			continue;
		if (!found++)
			snprintf(path, size, "%s/%s", SHRINKER_DEBUGFS,
				 e->d_name);
	}
	closedir(d);
	return found == 1 ? 0 : found ? -EEXIST : -ENOENT;
}

/*
 * The possible nodes, in the order count lists them: their number, or 1
 * (node 0) on a kernel without NUMA.
 */
static int possible_nodes(int *nodes)
{
	char buf[256], *p = buf, *end;
	int nr = 0;
	long a, b;

	if (prlib_read_file(NODE_POSSIBLE, buf, sizeof(buf)) <= 0) {
		nodes[0] = 0;
		return 1;
	}
	while (*p && *p != '\n') {
		a = strtol(p, &end, 10);
		if (end == p)
			break;
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b && nr < MAX_NODES; a++)
			nodes[nr++] = a;
		p = *end == ',' ? end + 1 : end;
	}
	if (!nr)
		nodes[nr++] = 0;
	return nr;
}

/* Parse the count file: 0, or -errno (-EBADMSG for a line that is not "ino c0 c1 ..."). */
static int shrinker_count(const char *dir, int nr_nodes,
			  struct shrinker_count *c)
{
	char path[PATH_MAX], buf[8192], *line, *save, *p, *end;
	ssize_t n;
	int i;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/count", dir);
	n = prlib_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		c->lines++;
		strtoull(line, &end, 10);	/* the memcg's inode */
		if (end == line)
			return -EBADMSG;
		for (i = 0; i < nr_nodes; i++) {
			p = end;
			c->node[i] += strtoll(p, &end, 10);
			if (end == p)
				return -EBADMSG;
		}
		c->total = 0;
		for (i = 0; i < nr_nodes; i++)
			c->total += c->node[i];
		if (end[strspn(end, " ")])
			return -EBADMSG;
	}
	return 0;
}

/*
 * Ask the shrinker to scan @nr objects of node @nid in the root cgroup: 0
 * or -errno. The root cgroup's inode is the one count shows, or 1 (the
 * root of every kernfs) when it shows nothing.
 */
static int shrinker_scan(const char *dir, int nid, unsigned long nr)
{
	char path[PATH_MAX], cmd[64], buf[64] = "";
	unsigned long long ino;

	snprintf(path, sizeof(path), "%s/count", dir);
	prlib_read_file(path, buf, sizeof(buf));
	ino = buf[0] ? strtoull(buf, NULL, 10) : 1;
	snprintf(path, sizeof(path), "%s/scan", dir);
	snprintf(cmd, sizeof(cmd), "%llu %d %lu", ino, nid, nr);
	return prlib_write_file(path, cmd);
}

/* The getcpu(2) node of CPU @cpu (running there for a moment), or -1. */
static int cpu_node(int cpu)
{
	unsigned int c, node;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    syscall(SYS_getcpu, &c, &node, NULL))
		return -1;
	return (int)c == cpu ? (int)node : -1;
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/*
 * One CPU of each node that has one in @cpu_of (-1 for the others), and
 * the first two such nodes in @want (node 0 if there are none): returns
 * how many nodes have CPUs. The affinity is left as it was.
 */
static int nodes_with_cpus(int *cpu_of, int want[2])
{
	int cpu, node, nodes = 0;
	cpu_set_t saved;

	want[0] = 0;
	want[1] = 0;
	for (node = 0; node < MAX_NODES; node++)
		cpu_of[node] = -1;
	if (sched_getaffinity(0, sizeof(saved), &saved))
		return 0;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &saved))
			continue;
		node = cpu_node(cpu);
		if (node >= 0 && node < MAX_NODES && cpu_of[node] < 0) {
			cpu_of[node] = cpu;
			if (nodes < 2)
				want[nodes] = node;
			nodes++;
		}
	}
	sched_setaffinity(0, sizeof(saved), &saved);
	return nodes;
}

FIXTURE(shrinker) {
	bool absent;
	char why[256];
	char dir[PATH_MAX];
	int nr_nodes;
	int nodes[MAX_NODES];
	int fd;
	unsigned char *map;
	size_t size;
	int node_fd[2];		/* the ranges placed on two nodes */
	long long saved[NR_FILL_SYSCTLS];	/* fill_sysctls to put back, or -1 */
	unsigned char *node_map[2];
	struct prlib_stats before;
};

FIXTURE_SETUP(shrinker)
{
	int i, ret;

	for (i = 0; i < 2; i++) {
		self->node_fd[i] = -1;
		self->node_map[i] = MAP_FAILED;
	}
	for (i = 0; i < (int)NR_FILL_SYSCTLS; i++)
		self->saved[i] = -1;
	ret = shrinker_dir(self->dir, sizeof(self->dir));
	if (ret) {
		self->absent = true;
		snprintf(self->why, sizeof(self->why),
			 "%s/%s<id>: %s (no SHRINKER_DEBUG)", SHRINKER_DEBUGFS,
			 SHRINKER_PREFIX, strerror(-ret));
		/*
		 * A kernel with SHRINKER_DEBUG lists the driver's shrinker. A
		 * failure ends the test here; the 6.1 harness runs the test
		 * body after a SKIP().
		 */
		PRTEST_NEED(!prlib_debugfs_exists(SHRINKER_DEBUGFS), return,
			    "%s, while the kernel lists shrinkers", self->why);
		SKIP(return, "%s", self->why);
	}
	self->nr_nodes = possible_nodes(self->nodes);
	self->size = NPAGES * prlib_page_size;
	prtest_setup_mapped(_metadata, &self->before, &self->fd, &self->map,
			    self->size);
}

/* Put back the sysctls a fill changed. */
static void fill_sysctls_restore(struct __test_metadata *_metadata,
				 FIXTURE_DATA(shrinker) *self)
{
	unsigned int i;

	for (i = 0; i < NR_FILL_SYSCTLS; i++) {
		if (self->saved[i] >= 0)
			EXPECT_EQ(0, prt_write_ll(fill_sysctls[i].path,
						  self->saved[i]));
		self->saved[i] = -1;
	}
}

FIXTURE_TEARDOWN(shrinker)
{
	int i;

	if (self->absent)
		return;
	fill_sysctls_restore(_metadata, self);
	for (i = 0; i < 2; i++) {
		if (self->node_map[i] != MAP_FAILED)
			EXPECT_EQ(0, munmap(self->node_map[i],
					    NODE_PAGES * prlib_page_size));
		if (self->node_fd[i] >= 0)
			EXPECT_EQ(0, close(self->node_fd[i]));
	}
	prtest_teardown_mapped(_metadata, &self->before, self->fd, self->map,
			       self->size);
}

static void read_count(struct __test_metadata *_metadata,
		       FIXTURE_DATA(shrinker) *self, struct shrinker_count *c)
{
	ASSERT_EQ(0, shrinker_count(self->dir, self->nr_nodes, c));
}

/* The one node position whose count went up by @delta from @a to @b. */
static int grown_node(const FIXTURE_DATA(shrinker) *self,
		      const struct shrinker_count *a,
		      const struct shrinker_count *b, long long delta)
{
	int i, found = -1;

	for (i = 0; i < self->nr_nodes; i++) {
		if (b->node[i] == a->node[i])
			continue;
		if (b->node[i] - a->node[i] != delta || found >= 0)
			return -1;
		found = i;
	}
	return found;
}

/* Pages [first, end) in use, page i holding prlib_fill(seed + i). */
static void fill_pages(struct __test_metadata *_metadata, int fd,
		       __u64 first, __u64 end, __u32 seed)
{
	__u64 i;

	for (i = first; i < end; i++)
		prtest_use_and_fill(_metadata, fd, i, i + 1, seed + i);
}

TEST_F(shrinker, shrinker_count_matches_the_driver_stats)
{
	struct shrinker_count c;
	struct pagerange_info info;

	if (self->absent)
		SKIP(return, "%s", self->why);
	read_count(_metadata, self, &c);
	EXPECT_EQ(self->before.pages_reclaimable, c.total);

	prtest_use_and_fill(_metadata, self->fd, 0, 8, 1);
	ASSERT_EQ(5, prlib_stop_using(self->fd, 3, 8));
	read_count(_metadata, self, &c);
	EXPECT_EQ(prlib_stat("pages_reclaimable"), c.total);
	EXPECT_EQ(self->before.pages_reclaimable + 5, c.total);
	EXPECT_EQ(1, c.lines);	/* one line: the root cgroup's */
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(5, info.pages_reclaimable);

	ASSERT_EQ(3, prlib_stop_using(self->fd, 0, 3));
	read_count(_metadata, self, &c);
	EXPECT_EQ(prlib_stat("pages_reclaimable"), c.total);
	EXPECT_EQ(self->before.pages_reclaimable + 8, c.total);

	/* In use again: off the shrinker's lists. */
	ASSERT_EQ(0, prlib_use_range(self->fd, 0, 8));
	read_count(_metadata, self, &c);
	EXPECT_EQ(prlib_stat("pages_reclaimable"), c.total);
	EXPECT_EQ(self->before.pages_reclaimable, c.total);

	ASSERT_EQ(8, prlib_stop_using(self->fd, 0, 8));
	ASSERT_EQ(0, prlib_drop_caches());
	read_count(_metadata, self, &c);
	EXPECT_EQ(0, prlib_stat("pages_reclaimable"));
	EXPECT_EQ(0, c.total);
	EXPECT_EQ(0, c.lines);	/* nothing to give: no line at all */
}

TEST_F(shrinker, writing_scan_reclaims_pages)
{
	long long reclaimed = prlib_stat("pages_reclaimed");
	struct shrinker_count c0, c1;
	struct pagerange_info info;
	int pos, readable = 0, zeroed = 0;
	unsigned char *p;
	__u64 i;

	if (self->absent)
		SKIP(return, "%s", self->why);
	if (self->before.pages_reclaimable)
		SKIP(return, "%lld pages of other ranges are reclaimable",
		     self->before.pages_reclaimable);
	ASSERT_LE(0, reclaimed);
	read_count(_metadata, self, &c0);
	fill_pages(_metadata, self->fd, 0, 8, 10);
	ASSERT_EQ(6, prlib_stop_using(self->fd, 2, 8));
	read_count(_metadata, self, &c1);
	/* Every page of a range is on the node of its slots. */
	pos = grown_node(self, &c0, &c1, 6);
	ASSERT_LE(0, pos);

	ASSERT_EQ(0, shrinker_scan(self->dir, self->nodes[pos], 2));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(2, info.pages_reclaimed);
	EXPECT_EQ(4, info.pages_reclaimable);
	EXPECT_EQ(6, info.pages_present);
	EXPECT_EQ(2, info.pages_in_use);
	EXPECT_EQ(reclaimed + 2, prlib_stat("pages_reclaimed"));
	read_count(_metadata, self, &c1);
	EXPECT_EQ(c0.node[pos] + 4, c1.node[pos]);

	/* Two of the reclaimable pages are gone; the rest kept their data. */
	for (i = 0; i < 8; i++) {
		p = self->map + i * prlib_page_size;
		if (prtest_probe(p, NULL)) {
			EXPECT_LE(2, i);
			continue;
		}
		readable++;
		EXPECT_EQ(-1, prlib_check(p, prlib_page_size, 10 + i));
	}
	EXPECT_EQ(6, readable);
	/* USE_RANGE counts the two; they come back zeroed, the rest intact. */
	EXPECT_EQ(2, prlib_use_range(self->fd, 0, 8));
	for (i = 0; i < 8; i++) {
		p = self->map + i * prlib_page_size;
		if (prlib_check(p, prlib_page_size, 10 + i) < 0)
			continue;
		zeroed++;
		EXPECT_EQ(-1, prlib_find_not(p, prlib_page_size, 0));
	}
	EXPECT_EQ(2, zeroed);

	/* Asking for more than there is takes everything there is. */
	ASSERT_EQ(8, prlib_stop_using(self->fd, 0, 8));
	ASSERT_EQ(0, shrinker_scan(self->dir, self->nodes[pos], 1000));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(10, info.pages_reclaimed);
	EXPECT_EQ(0, prtest_count_readable(self->map, NPAGES));
	read_count(_metadata, self, &c1);
	EXPECT_EQ(c0.node[pos], c1.node[pos]);
	EXPECT_EQ(8, prlib_use_range(self->fd, 0, 8));
}

/* Works with fake NUMA too, where every range lands on the same node. */
TEST_F(shrinker, scan_on_a_node_without_the_range_takes_nothing)
{
	struct shrinker_count c0, c1;
	struct pagerange_info info;
	int pos, i;

	if (self->absent)
		SKIP(return, "%s", self->why);
	if (self->nr_nodes < 2)
		SKIP(return, "one NUMA node only");
	read_count(_metadata, self, &c0);
	prtest_use_and_fill(_metadata, self->fd, 0, 4, 20);
	ASSERT_EQ(4, prlib_stop_using(self->fd, 0, 4));
	read_count(_metadata, self, &c1);
	pos = grown_node(self, &c0, &c1, 4);
	ASSERT_LE(0, pos);

	for (i = 0; i < self->nr_nodes; i++)
		if (i != pos)
			ASSERT_EQ(0, shrinker_scan(self->dir, self->nodes[i],
						   1000));
	ASSERT_EQ(0, prlib_get_info(self->fd, &info));
	EXPECT_EQ(4, info.pages_reclaimable);
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_EQ(-1, prlib_check(self->map, 4 * prlib_page_size, 20));
	read_count(_metadata, self, &c0);
	EXPECT_EQ(c1.node[pos], c0.node[pos]);
}

/*
 * Place a range's slots, and so its pages and its list_lru entries, on a
 * node: map it from a CPU of that node. Needs CPUs on two nodes.
 */
TEST_F(shrinker, scan_on_a_node_takes_only_that_nodes_pages)
{
	size_t size = NODE_PAGES * prlib_page_size;
	int cpu_of[MAX_NODES], want[2], pos[2], i;
	const __u64 used[2] = { 3, 5 };
	struct shrinker_count c0, c1, c2;
	struct pagerange_info info;
	cpu_set_t saved;

	if (self->absent)
		SKIP(return, "%s", self->why);
	if (self->nr_nodes < 2)
		SKIP(return, "one NUMA node only");
	if (prt_max_size() < (long long)size)
		SKIP(return, "max_size is below %zu", size);

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	if (nodes_with_cpus(cpu_of, want) < 2)
		SKIP(return, "every CPU is on node %d: no range can be put on another node",
		     want[0]);

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pin_to_cpu(cpu_of[want[i]]));
		self->node_fd[i] = prlib_open();
		ASSERT_LE(0, self->node_fd[i]);
		self->node_map[i] = prlib_map(self->node_fd[i], size);
		ASSERT_NE(MAP_FAILED, self->node_map[i]);
	}
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(saved), &saved));

	/* Find which node position each range's pages are counted on. */
	read_count(_metadata, self, &c0);
	c2 = c0;
	for (i = 0; i < 2; i++) {
		prtest_use_and_fill(_metadata, self->node_fd[i], 0, used[i],
				    30 + i);
		ASSERT_EQ(used[i], prlib_stop_using(self->node_fd[i], 0,
						    used[i]));
		c1 = c2;
		read_count(_metadata, self, &c2);
		pos[i] = grown_node(self, &c1, &c2, used[i]);
		ASSERT_LE(0, pos[i]);
	}
	/* Each range's pages are on the node of the CPU that mapped it. */
	ASSERT_NE(pos[0], pos[1]) TH_LOG("both ranges' pages are on node %d",
					 self->nodes[pos[0]]);

	ASSERT_EQ(0, shrinker_scan(self->dir, self->nodes[pos[0]], 1000));
	ASSERT_EQ(0, prlib_get_info(self->node_fd[0], &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(used[0], info.pages_reclaimed);
	ASSERT_EQ(0, prlib_get_info(self->node_fd[1], &info));
	EXPECT_EQ(used[1], info.pages_reclaimable);
	EXPECT_EQ(0, info.pages_reclaimed);
	EXPECT_EQ(-1, prlib_check(self->node_map[1], used[1] * prlib_page_size,
				  31));
	read_count(_metadata, self, &c1);
	EXPECT_EQ(c0.node[pos[0]], c1.node[pos[0]]);
	EXPECT_EQ(c0.node[pos[1]] + (long long)used[1], c1.node[pos[1]]);

	ASSERT_EQ(0, shrinker_scan(self->dir, self->nodes[pos[1]], 1000));
	ASSERT_EQ(0, prlib_get_info(self->node_fd[1], &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(used[1], info.pages_reclaimed);
}

/* ---- a page the allocator put on another node ---- */

/* Free pages and watermarks of a zone, from /proc/zoneinfo. */
struct zone_marks {
	long long free;
	long long min;
	long long low;
	long long managed;
};

/* The zone of node @nid with the most pages: 0, or -errno. */
static int node_zone(int nid, struct zone_marks *best)
{
	struct zone_marks cur = { 0 };
	char line[256], name[32];
	bool in = false;
	FILE *f;
	int node;

	memset(best, 0, sizeof(*best));
	f = fopen("/proc/zoneinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Node %d, zone %31s", &node, name) == 2) {
			if (in && cur.managed > best->managed)
				*best = cur;
			memset(&cur, 0, sizeof(cur));
			in = node == nid;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, " pages free %lld", &cur.free) != 1 &&
		    sscanf(line, " min %lld", &cur.min) != 1 &&
		    sscanf(line, " low %lld", &cur.low) != 1)
			sscanf(line, " managed %lld", &cur.managed);
	}
	fclose(f);
	if (in && cur.managed > best->managed)
		*best = cur;
	return best->managed ? 0 : -ENOENT;
}

/*
 * The filler: bound to node @nid, touch anonymous memory until the node's
 * largest zone is below its low watermark (but above min, where the
 * kernel would reclaim or OOM-kill): from then on an allocation that
 * prefers @nid is served by another node. Tells @filled and waits to be
 * killed, holding the memory. The test has widened the gap between the
 * two watermarks (fill_sysctls).
 */
static void __attribute__((noreturn))
fill_node(int nid, volatile int *filled)
{
	unsigned long mask = 1UL << nid;
	struct zone_marks z;
	long long target, n;
	unsigned char *p;
	int i;

	prlib_write_file("/proc/self/oom_score_adj", "1000");
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 8 * sizeof(mask)))
		_exit(1);
	for (i = 0; i < 1000; i++) {
		if (node_zone(nid, &z))
			_exit(2);
		target = z.min + (z.low - z.min) / 2;
		if (z.free <= target) {
			*filled = 1;
			for (;;)
				pause();
		}
		n = z.free - target < FILL_STEP ? z.free - target : FILL_STEP;
		p = mmap(NULL, n * prlib_page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			_exit(3);
		while (n--)
			p[n * prlib_page_size] = 1;
	}
	_exit(4);
}

/*
 * A range's pages go on its node by preference, but on another node when
 * that one is short: fill node A (the range's) so that they land on node
 * B. They must be filed under node B, where they live, so that pressure on
 * node B frees them and a scan of node B takes them; a scan of node A does
 * not.
 */
TEST_F_TIMEOUT(shrinker, page_on_another_node_is_filed_and_scanned_there, 120)
{
	const __u64 used = 16;
	int cpu_of[MAX_NODES], want[2], pos[2], i;
	volatile int *filled;
	struct shrinker_count c0, c1;
	struct pagerange_info info;
	struct zone_marks z;
	pid_t filler;

	if (self->absent)
		SKIP(return, "%s", self->why);
	if (self->nr_nodes < 2 || nodes_with_cpus(cpu_of, want) < 2)
		SKIP(return, "needs CPUs on two NUMA nodes");
	ASSERT_EQ(0, node_zone(want[0], &z));
	if (z.managed * (long long)prlib_page_size > FILL_MAX_BYTES)
		SKIP(return, "node %d is too large to fill (%lld MiB)", want[0],
		     z.managed * (long long)prlib_page_size >> 20);
	for (i = 0; i < 2; i++) {
		for (pos[i] = 0; pos[i] < self->nr_nodes; pos[i]++)
			if (self->nodes[pos[i]] == want[i])
				break;
		ASSERT_GT(self->nr_nodes, pos[i]);
	}

	for (i = 0; i < (int)NR_FILL_SYSCTLS; i++) {
		self->saved[i] = prt_read_ll(fill_sysctls[i].path);
		ASSERT_LE(0, self->saved[i]);
		ASSERT_EQ(0, prt_write_ll(fill_sysctls[i].path,
					  fill_sysctls[i].value));
	}

	/* The range's node is node A: it is mapped from one of A's CPUs. */
	ASSERT_EQ(0, pin_to_cpu(cpu_of[want[0]]));
	self->node_fd[0] = prlib_open();
	ASSERT_LE(0, self->node_fd[0]);
	self->node_map[0] = prlib_map(self->node_fd[0],
				      NODE_PAGES * prlib_page_size);
	ASSERT_NE(MAP_FAILED, self->node_map[0]);

	filled = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, filled);
	filler = prlib_fork();
	ASSERT_LE(0, filler);
	if (!filler)
		fill_node(want[0], filled);
	/* Filling takes seconds under emulation; the filler dies with us. */
	for (i = 0; !*filled && i < 60 * 100; i++)
		if (waitpid(filler, NULL, WNOHANG) || usleep(10 * 1000))
			break;
	ASSERT_TRUE(*filled);

	read_count(_metadata, self, &c0);
	prtest_use_and_fill(_metadata, self->node_fd[0], 0, used, 40);
	ASSERT_EQ(used, prlib_stop_using(self->node_fd[0], 0, used));
	read_count(_metadata, self, &c1);
	kill(filler, SIGKILL);
	EXPECT_EQ(-SIGKILL, prlib_wait_exit(filler));
	munmap((void *)filled, prlib_page_size);
	fill_sysctls_restore(_metadata, self);

	EXPECT_EQ(c0.node[pos[0]], c1.node[pos[0]]);
	EXPECT_EQ(c0.node[pos[1]] + (long long)used, c1.node[pos[1]]);

	ASSERT_EQ(0, shrinker_scan(self->dir, want[0], 1000));
	ASSERT_EQ(0, prlib_get_info(self->node_fd[0], &info));
	EXPECT_EQ(used, info.pages_reclaimable);
	ASSERT_EQ(0, shrinker_scan(self->dir, want[1], 1000));
	ASSERT_EQ(0, prlib_get_info(self->node_fd[0], &info));
	EXPECT_EQ(0, info.pages_present);
	EXPECT_EQ(used, info.pages_reclaimed);
}

PAGERANGE_TEST_MAIN
