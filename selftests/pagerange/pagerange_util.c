// SPDX-License-Identifier: GPL-2.0
/*
 * pagerange_util: the selftests' and the benchmark's own helpers, on top of
 * libpagerange.c beside it; no shipped program links this file. Both live
 * here so that the collection builds from its own directory alone. See
 * pagerange_util.h and Documentation/testing.md, "The test library".
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

#include "pagerange_util.h"

/* Every command of the UAPI. */
const unsigned long prt_ioc_cmds[PRT_NR_IOC_CMDS] = {
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

int prt_try_map(int fd, size_t len, int prot, int flags,
		off_t offset)
{
	void *p = mmap(NULL, len, prot, flags, fd, offset);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

__u32 prt_seed(void)
{
	const char *s = getenv("PAGERANGE_SEED");

	return s ? (__u32)strtoul(s, NULL, 0) : PRT_DEFAULT_SEED;
}

long long prt_max_size(void)
{
	long long val = -1;
	FILE *f = fopen(PRT_MAX_SIZE, "re");

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

int prt_set_max_size(long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	return prlib_write_file(PRT_MAX_SIZE, buf);
}

long long prt_read_ll(const char *path)
{
	char buf[64];

	if (prlib_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	if (!strncmp(buf, "max", 3))
		return LLONG_MAX;
	return strtoll(buf, NULL, 0);
}

int prt_write_ll(const char *path, long long val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", val);
	return prlib_write_file(path, buf);
}

long long prt_status_kb(pid_t pid, const char *name)
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

bool prt_file_has_word(const char *path, const char *word)
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
prt_cgroup_init(struct prt_cgroup_root *root)
{
	struct statfs sfs;

	memset(root, 0, sizeof(*root));
	if (statfs(PRT_CGROUP_ROOT, &sfs) ||
	    sfs.f_type != CGROUP2_SUPER_MAGIC) {
		if (mkdir(PRT_CGROUP_ROOT, 0755) && errno != EEXIST)
			return "cannot create " PRT_CGROUP_ROOT;
		if (mount("none", PRT_CGROUP_ROOT, "cgroup2", 0, NULL))
			return "cgroup2 cannot be mounted";
		root->mounted = true;
	}
	if (!prt_file_has_word(PRT_CGROUP_ROOT "/cgroup.controllers",
			       "memory"))
		return "no memory controller";
	if (!prt_file_has_word(PRT_CGROUP_ROOT "/cgroup.subtree_control",
			       "memory")) {
		if (prlib_write_file(PRT_CGROUP_ROOT "/cgroup.subtree_control",
				     "+memory"))
			return "cannot enable the memory controller";
		root->enabled = true;
	}
	return NULL;
}

void prt_cgroup_fini(struct prt_cgroup_root *root)
{
	if (root->enabled)
		prlib_write_file(PRT_CGROUP_ROOT "/cgroup.subtree_control",
				 "-memory");
	if (root->mounted)
		umount(PRT_CGROUP_ROOT);
}

long long prt_cgroup_read(const char *cg, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return prt_read_ll(path);
}

int prt_cgroup_write(const char *cg, const char *file,
		     long long val)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return prt_write_ll(path, val);
}

long long prt_cgroup_key(const char *cg, const char *file,
			 const char *key)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return prlib_file_value(fopen(path, "re"), key);
}

int prt_cgroup_enter(const char *cg, pid_t pid)
{
	return prt_cgroup_write(cg, "cgroup.procs", pid);
}

int prt_stall_init(struct prt_stall *st)
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

int prt_stall_wait(struct prt_stall *st,
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

int prt_stall_release(struct prt_stall *st, int fill)
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

void prt_stall_fini(struct prt_stall *st)
{
	if (st->uffd >= 0)
		close(st->uffd);
	if (st->page != MAP_FAILED)
		munmap(st->page, prlib_page_size);
}

int prt_in_child(int (*fn)(void *), void *arg)
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
 * The message prt_send_fd() and prt_recv_fd() exchange: one byte
 * of data and room for one fd.
 */
struct prt_fd_msg {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	char cbuf[CMSG_SPACE(sizeof(int))];
};

static struct msghdr *prt_fd_msg_init(struct prt_fd_msg *m)
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

int prt_send_fd(int sock, int fd)
{
	struct prt_fd_msg m;
	struct msghdr *msg = prt_fd_msg_init(&m);
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, msg, 0) == 1 ? 0 : -errno;
}

int prt_recv_fd(int sock)
{
	struct prt_fd_msg m;
	struct msghdr *msg = prt_fd_msg_init(&m);
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

void prt_kill_child(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

int prt_orphan_range(__u64 npages, __u64 in_use,
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
		_exit(prt_send_fd(sv[1], owned) ? 5 : 0);
	}
	close(sv[1]);
	if (pid < 0) {
		close(sv[0]);
		return -EAGAIN;
	}
	fd = prt_recv_fd(sv[0]);
	close(sv[0]);
	status = prlib_wait_exit(pid);
	if (status && fd >= 0) {
		close(fd);
		fd = -ECHILD;
	}
	return fd;
}

double prt_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
