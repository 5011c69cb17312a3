// SPDX-License-Identifier: GPL-2.0
/*
 * libpagerange: the user-space side of /dev/pagerange that the selftests,
 * pagerangectl and the benchmark share. See libpagerange.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/userfaultfd.h>

#include "libpagerange.h"

size_t prlib_page_size;

static void __attribute__((constructor)) prlib_init(void)
{
	prlib_page_size = sysconf(_SC_PAGESIZE);
}

/* Every command of the UAPI. */
const unsigned long prlib_ioc_cmds[PRLIB_NR_IOC_CMDS] = {
	PAGERANGE_IOC_USE_RANGE,
	PAGERANGE_IOC_STOP_USING_RANGE,
	PAGERANGE_IOC_WRITE,
	PAGERANGE_IOC_READ,
	PAGERANGE_IOC_ZERO,
	PAGERANGE_IOC_GET_INFO,
	PAGERANGE_IOC_USE_RANGE_REPORT,
	PAGERANGE_IOC_QUERY,
	PAGERANGE_IOC_PURGED,
};

void *prlib_ptr(__u64 addr)
{
	return (void *)(uintptr_t)addr;
}

__u64 prlib_u64(const void *ptr)
{
	return (__u64)(uintptr_t)ptr;
}

int prlib_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int prlib_open(void)
{
	return open(PRLIB_DEV, O_RDWR | O_CLOEXEC);
}

void *prlib_map(int fd, size_t len)
{
	return mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
}

int prlib_try_map(int fd, size_t len, int prot, int flags,
		  off_t offset)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

long prlib_span(int fd, unsigned long cmd, __u64 start,
		__u64 end, __u64 flags)
{
	struct pagerange_range r = {
		.start = start,
		.end = end,
		.flags = flags,
		.result = ~0ULL,
	};
	int ret = prlib_ioctl(fd, cmd, &r);

	return ret ? ret : (long)r.result;
}

long prlib_use_range(int fd, __u64 start, __u64 end)
{
	return prlib_span(fd, PAGERANGE_IOC_USE_RANGE, start, end, 0);
}

long prlib_stop_using(int fd, __u64 start, __u64 end)
{
	return prlib_span(fd, PAGERANGE_IOC_STOP_USING_RANGE, start, end, 0);
}

long prlib_purge(int fd, __u64 start, __u64 end)
{
	return prlib_span(fd, PAGERANGE_IOC_STOP_USING_RANGE, start, end,
			  PAGERANGE_STOP_PURGE);
}

long prlib_use_range_report(int fd, __u64 start, __u64 end, __u64 *bitmap)
{
	struct pagerange_use_report r = {
		.start = start,
		.end = end,
		.bitmap = prlib_u64(bitmap),
		.bitmap_size = end >= start ? PRLIB_REPORT_WORDS(end - start) * 8 : 0,
	};
	int ret = prlib_ioctl(fd, PAGERANGE_IOC_USE_RANGE_REPORT, &r);

	return ret ? ret : (long)r.result;
}

bool prlib_report_bit(const __u64 *bitmap, __u64 i)
{
	return bitmap[i / 64] >> (i % 64) & 1;
}

int prlib_query(int fd, __u64 start, __u64 end, unsigned char *vec)
{
	struct pagerange_query q = {
		.start = start,
		.end = end,
		.vec = prlib_u64(vec),
	};

	return prlib_ioctl(fd, PAGERANGE_IOC_QUERY, &q);
}

int prlib_purged(int fd, struct pagerange_purged *p)
{
	memset(p, 0, sizeof(*p));
	return prlib_ioctl(fd, PAGERANGE_IOC_PURGED, p);
}

int prlib_io(int fd, unsigned long cmd, __u64 offset,
	     __u64 len, __u64 buf, __u64 flags)
{
	struct pagerange_io io = {
		.offset = offset,
		.len = len,
		.buf = buf,
		.flags = flags,
	};

	return prlib_ioctl(fd, cmd, &io);
}

int prlib_write(int fd, __u64 offset, const void *buf,
		__u64 len)
{
	return prlib_io(fd, PAGERANGE_IOC_WRITE, offset, len,
			prlib_u64(buf), 0);
}

int prlib_write_use(int fd, __u64 offset, const void *buf, __u64 len)
{
	return prlib_io(fd, PAGERANGE_IOC_WRITE, offset, len,
			prlib_u64(buf), PAGERANGE_WRITE_USE);
}

int prlib_read(int fd, __u64 offset, void *buf, __u64 len)
{
	return prlib_io(fd, PAGERANGE_IOC_READ, offset, len,
			prlib_u64(buf), 0);
}

int prlib_zero(int fd, __u64 offset, __u64 len)
{
	return prlib_io(fd, PAGERANGE_IOC_ZERO, offset, len, 0, 0);
}

int prlib_get_info(int fd, struct pagerange_info *info)
{
	/* Poison it, so fields the kernel leaves alone are noticed. */
	memset(info, 0xa5, sizeof(*info));
	return prlib_ioctl(fd, PAGERANGE_IOC_GET_INFO, info);
}

__u32 prlib_rand(__u32 *state)
{
	__u32 x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

void prlib_fill(void *buf, size_t len, __u32 seed)
{
	unsigned char *p = buf;
	__u32 x = seed | 1;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = prlib_rand(&x) >> 24;
}

ssize_t prlib_check(const void *buf, size_t len, __u32 seed)
{
	const unsigned char *p = buf;
	__u32 x = seed | 1;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)(prlib_rand(&x) >> 24))
			return i;
	return -1;
}

ssize_t prlib_find_not(const void *buf, size_t len, int c)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (unsigned char)c)
			return i;
	return -1;
}

__u32 prlib_seed(void)
{
	const char *s = getenv("PAGERANGE_SEED");

	return s ? (__u32)strtoul(s, NULL, 0) : PRLIB_DEFAULT_SEED;
}

int prlib_write_file(const char *path, const char *s)
{
	ssize_t len = strlen(s), n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n == len ? 0 : n < 0 ? n : -EIO;
}

int prlib_drop_caches(void)
{
	return prlib_write_file(PRLIB_DROP_CACHES, "2");
}

long long prlib_max_size(void)
{
	long long val = -1;
	FILE *f = fopen(PRLIB_MAX_SIZE, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

int prlib_set_max_size(long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	return prlib_write_file(PRLIB_MAX_SIZE, buf);
}

FILE *prlib_debugfs_open(const char *path)
{
	FILE *f = fopen(path, "re");

	if (!f && errno == ENOENT &&
	    !mount("debugfs", PRLIB_DEBUGFS, "debugfs", 0, NULL))
		f = fopen(path, "re");
	return f;
}

bool prlib_debugfs_mounted(void)
{
	struct statfs sfs;

	return !statfs(PRLIB_DEBUGFS, &sfs) && sfs.f_type == DEBUGFS_MAGIC;
}

int prlib_debugfs_mount(void)
{
	if (prlib_debugfs_mounted())
		return 0;
	return mount("debugfs", PRLIB_DEBUGFS, "debugfs", 0, NULL) ?
	       -errno : 0;
}

bool prlib_debugfs_exists(const char *path)
{
	return !prlib_debugfs_mount() && !access(path, F_OK);
}

ssize_t prlib_read_file(const char *path, char *buf,
			size_t size)
{
	size_t len = 0;
	ssize_t n;
	char more;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, len < size - 1 ? buf + len : &more,
			 len < size - 1 ? size - 1 - len : 1);
		if (n > 0 && len == size - 1)
			n = -EFBIG;
		else if (n > 0)
			len += n;
		else if (n < 0)
			n = errno == EINTR ? 1 : -errno;
	} while (n > 0);
	close(fd);
	buf[len] = '\0';
	return n < 0 ? n : (ssize_t)len;
}

long long prlib_file_value(FILE *f, const char *name)
{
	long long val = -1, v;
	char key[64];

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld%*[^\n]", key, &v) == 2) {
		if (!strcmp(key, name)) {
			val = v;
			break;
		}
	}
	fclose(f);
	return val;
}

long long prlib_stat(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", PRLIB_SYSFS, name);
	return prlib_read_ll(path);
}

long long prlib_read_ll(const char *path)
{
	char buf[64];

	if (prlib_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!strncmp(buf, "max", 3))
		return LLONG_MAX;
	return strtoll(buf, NULL, 0);
}

int prlib_write_ll(const char *path, long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	return prlib_write_file(path, buf);
}

long long prlib_status_kb(pid_t pid, const char *name)
{
	char path[64], line[256], key[64];
	long long val = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid ? pid : getpid());
	f = fopen(path, "re");
	if (!f)
		return -1;
	snprintf(key, sizeof(key), "%s: %%lld", name);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, key, &v) == 1) {
			val = v;
			break;
		}
	fclose(f);
	return val;
}

bool prlib_file_has_word(const char *path, const char *word)
{
	size_t len = strlen(word);
	char buf[512], *p;

	if (prlib_read_file(path, buf, sizeof(buf)) < 0)
		return false;
	for (p = strstr(buf, word); p; p = strstr(p + 1, word))
		if ((p == buf || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
	return false;
}

const char *
prlib_cgroup_init(struct prlib_cgroup_root *root)
{
	struct statfs sfs;

	memset(root, 0, sizeof(*root));
	if (statfs(PRLIB_CGROUP_ROOT, &sfs) ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC) {
		if (mkdir(PRLIB_CGROUP_ROOT, 0755) && errno != EEXIST)
			return "cannot create " PRLIB_CGROUP_ROOT;
		if (mount("none", PRLIB_CGROUP_ROOT, "cgroup2", 0, NULL))
			return "cgroup2 cannot be mounted";
		root->mounted = true;
	}
	if (!prlib_file_has_word(PRLIB_CGROUP_ROOT "/cgroup.controllers",
				 "memory"))
		return "no memory controller";
	if (!prlib_file_has_word(PRLIB_CGROUP_ROOT "/cgroup.subtree_control",
				 "memory")) {
		if (prlib_write_file(PRLIB_CGROUP_ROOT "/cgroup.subtree_control",
				     "+memory"))
			return "cannot enable the memory controller";
		root->enabled = true;
	}
	return NULL;
}

void prlib_cgroup_fini(struct prlib_cgroup_root *root)
{
	if (root->enabled)
		prlib_write_file(PRLIB_CGROUP_ROOT "/cgroup.subtree_control",
				 "-memory");
	if (root->mounted)
		umount(PRLIB_CGROUP_ROOT);
}

long long prlib_cgroup_read(const char *cg, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return prlib_read_ll(path);
}

int prlib_cgroup_write(const char *cg, const char *file,
		       long long val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return prlib_write_ll(path, val);
}

long long prlib_cgroup_key(const char *cg, const char *file,
			   const char *key)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return prlib_file_value(fopen(path, "re"), key);
}

int prlib_cgroup_enter(const char *cg, pid_t pid)
{
	return prlib_cgroup_write(cg, "cgroup.procs", pid);
}

int prlib_stall_init(struct prlib_stall *st)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};

	st->uffd = -1;
	st->page = mmap(NULL, prlib_page_size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (st->page == MAP_FAILED)
		return -errno;
	/* O_NONBLOCK: a blocking userfaultfd always polls as POLLERR. */
	st->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (st->uffd < 0)
		return -errno;
	reg.range.start = prlib_u64(st->page);
	reg.range.len = prlib_page_size;
	if (ioctl(st->uffd, UFFDIO_API, &api) ||
	    ioctl(st->uffd, UFFDIO_REGISTER, &reg)) {
		close(st->uffd);
		st->uffd = -1;
		return -errno;
	}
	return 0;
}

int prlib_stall_wait(struct prlib_stall *st,
		     int seconds)
{
	struct pollfd pfd = { .fd = st->uffd, .events = POLLIN };
	struct uffd_msg msg;
	int n;

	n = poll(&pfd, 1, seconds * 1000);
	if (n <= 0)
		return n ? -errno : -ETIMEDOUT;
	if (read(st->uffd, &msg, sizeof(msg)) != sizeof(msg))
		return -EIO;
	if (msg.event != UFFD_EVENT_PAGEFAULT ||
	    msg.arg.pagefault.address != prlib_u64(st->page))
		return -EBADMSG;
	return 0;
}

int prlib_stall_release(struct prlib_stall *st, int fill)
{
	struct uffdio_copy copy = {
		.dst = prlib_u64(st->page),
		.len = prlib_page_size,
	};
	unsigned char *src = malloc(prlib_page_size);
	int ret;

	if (!src)
		return -ENOMEM;
	memset(src, fill, prlib_page_size);
	copy.src = prlib_u64(src);
	ret = ioctl(st->uffd, UFFDIO_COPY, &copy) ? -errno : 0;
	free(src);
	return ret;
}

void prlib_stall_fini(struct prlib_stall *st)
{
	if (st->uffd >= 0)
		close(st->uffd);
	if (st->page != MAP_FAILED)
		munmap(st->page, prlib_page_size);
}

int prlib_ranges_line(pid_t pid,
		      struct prlib_ranges_line *line)
{
	FILE *f = prlib_debugfs_open(PRLIB_RANGES);
	struct prlib_ranges_line l;
	char buf[256];
	int found = 0;

	if (!f)
		return -1;
	/* Skip the header line. */
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%lld %lld %lld %lld %lld", &l.pid,
			   &l.size_pages, &l.pages_present, &l.pages_in_use,
			   &l.pages_reclaimable) != 5)
			continue;
		if (l.pid != pid)
			continue;
		if (!found++)
			*line = l;
	}
	fclose(f);
	return found;
}

void prlib_stats_read(struct prlib_stats *s)
{
	s->pages_present = prlib_stat("pages_present");
	s->pages_reclaimable = prlib_stat("pages_reclaimable");
	s->ranges = prlib_stat("ranges");
}

int prlib_wait_exit(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -255;
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return WEXITSTATUS(status);
}

int prlib_in_child(int (*fn)(void *), void *arg)
{
	pid_t pid;

	pid = prlib_fork();
	if (pid < 0)
		return -255;
	if (!pid)
		_exit(fn(arg) & 0xff);
	return prlib_wait_exit(pid);
}

/*
 * The message prlib_send_fd() and prlib_recv_fd() exchange: one byte
 * of data and room for one fd.
 */
struct prlib_fd_msg {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	char cbuf[CMSG_SPACE(sizeof(int))];
};

static struct msghdr *prlib_fd_msg_init(struct prlib_fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->iov.iov_base = &m->byte;
	m->iov.iov_len = 1;
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->cbuf;
	m->msg.msg_controllen = sizeof(m->cbuf);
	return &m->msg;
}

int prlib_send_fd(int sock, int fd)
{
	struct prlib_fd_msg m;
	struct msghdr *msg = prlib_fd_msg_init(&m);
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, msg, 0) == 1 ? 0 : -errno;
}

int prlib_recv_fd(int sock)
{
	struct prlib_fd_msg m;
	struct msghdr *msg = prlib_fd_msg_init(&m);
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd;

	n = recvmsg(sock, msg, MSG_CMSG_CLOEXEC);
	if (n != 1)
		return n < 0 ? -errno : -EIO;
	cmsg = CMSG_FIRSTHDR(msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

int prlib_xfer(int fd, void *buf, size_t len, bool out)
{
	char *p = buf;

	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

void prlib_kill_child(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

void prlib_die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

pid_t prlib_fork(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid)
		prlib_die_with_parent();
	return pid;
}

void prlib_sender_serve(int fd, int order_fd, int reply_fd)
{
	struct prlib_order o;
	unsigned char *buf = NULL;
	size_t cap = 0;

	prlib_die_with_parent();
	while (!prlib_xfer(order_fd, &o, sizeof(o), false)) {
		struct prlib_reply r = { 0 };

		if (o.op == PRLIB_ORDER_EXIT)
			_exit(0);
		if (o.len > cap) {
			free(buf);
			cap = o.len;
			buf = malloc(cap);
			if (!buf)
				_exit(2);
		}
		if (o.op == PRLIB_ORDER_WRITE) {
			r.used = prlib_use_range(fd, o.offset / prlib_page_size,
						 (o.offset + o.len + prlib_page_size - 1) /
						 prlib_page_size);
			if (r.used < 0) {
				r.err = r.used;
			} else {
				prlib_fill(buf, o.len, o.seed);
				r.err = prlib_write(fd, o.offset, buf, o.len);
			}
		} else {
			r.err = prlib_read(fd, o.offset, buf, o.len);
			if (!r.err && prlib_check(buf, o.len, o.seed) >= 0)
				r.err = -EBADMSG;
		}
		if (prlib_xfer(reply_fd, &r, sizeof(r), true))
			_exit(3);
	}
	_exit(1);
}

int prlib_sender_start(struct prlib_sender *s, int fd)
{
	int order[2], reply[2];

	if (pipe2(order, O_CLOEXEC))
		return -errno;
	if (pipe2(reply, O_CLOEXEC)) {
		close(order[0]);
		close(order[1]);
		return -errno;
	}
	s->pid = prlib_fork();
	if (!s->pid) {
		close(order[1]);
		close(reply[0]);
		prlib_sender_serve(fd, order[0], reply[1]);
	}
	close(order[0]);
	close(reply[1]);
	if (s->pid < 0) {
		close(order[1]);
		close(reply[0]);
		return -EAGAIN;
	}
	s->order_fd = order[1];
	s->reply_fd = reply[0];
	return 0;
}

int prlib_sender_send(struct prlib_sender *s, __u32 op,
		      __u64 offset, __u64 len, __u32 seed)
{
	struct prlib_order o = {
		.op = op,
		.seed = seed,
		.offset = offset,
		.len = len,
	};

	return prlib_xfer(s->order_fd, &o, sizeof(o), true) ? -EPIPE : 0;
}

struct prlib_reply
prlib_sender_reply(struct prlib_sender *s)
{
	struct prlib_reply r;

	if (prlib_xfer(s->reply_fd, &r, sizeof(r), false)) {
		r.used = -EPIPE;
		r.err = -EPIPE;
	}
	return r;
}

struct prlib_reply
prlib_sender_do(struct prlib_sender *s, __u32 op, __u64 offset,
		__u64 len, __u32 seed)
{
	struct prlib_reply r = { .used = -EPIPE, .err = -EPIPE };

	if (!prlib_sender_send(s, op, offset, len, seed))
		r = prlib_sender_reply(s);
	return r;
}

int prlib_sender_stop(struct prlib_sender *s)
{
	struct prlib_order o = { .op = PRLIB_ORDER_EXIT };
	int ret;

	if (s->pid <= 0)
		return 0;
	if (prlib_xfer(s->order_fd, &o, sizeof(o), true))
		kill(s->pid, SIGKILL);
	ret = prlib_wait_exit(s->pid);
	close(s->order_fd);
	close(s->reply_fd);
	s->pid = 0;
	return ret;
}

int prlib_orphan_range(__u64 npages, __u64 in_use,
		       __u64 reclaimable)
{
	__u64 present = in_use + reclaimable;
	int sv[2], fd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = prlib_fork();
	if (!pid) {
		int owned = prlib_open();

		if (owned < 0)
			_exit(1);
		if (prlib_map(owned, npages * prlib_page_size) == MAP_FAILED)
			_exit(2);
		if (prlib_use_range(owned, 0, present) != (long)present)
			_exit(3);
		if (prlib_stop_using(owned, in_use, present) !=
		    (long)reclaimable)
			_exit(4);
		/* The mapping goes away with this process. */
		_exit(prlib_send_fd(sv[1], owned) ? 5 : 0);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -EAGAIN;
	}
	fd = prlib_recv_fd(sv[0]);
	close(sv[0]);
	status = prlib_wait_exit(pid);
	if (status && fd >= 0) {
		close(fd);
		fd = -ECHILD;
	}
	return fd;
}

bool prlib_stats_settle(const struct prlib_stats *before,
			int ms)
{
	struct prlib_stats now;

	for (;;) {
		prlib_stats_read(&now);
		if (now.pages_present == before->pages_present &&
		    now.pages_reclaimable == before->pages_reclaimable &&
		    now.ranges == before->ranges)
			return true;
		if (ms <= 0)
			return false;
		usleep(10 * 1000);
		ms -= 10;
	}
}

double prlib_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
