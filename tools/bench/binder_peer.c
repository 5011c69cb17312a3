// SPDX-License-Identifier: GPL-2.0
/*
 * binder_peer: a Binder receiver and sender on the UAPI header alone. How
 * the two ends talk: binder_peer.h.
 *
 * Everything goes through one ioctl, BINDER_WRITE_READ: a buffer of
 * commands (BC_*, each a 32-bit code followed by its argument) for the
 * driver to carry out, then a buffer for the driver to fill with returns
 * (BR_*, the same layout). Either part may be empty.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "binder_peer.h"
#include "libpagerange.h"

/* Enough for a few returns: BR_NOOP, then one transaction's data. */
#define BINDER_PEER_IN_SIZE	256

int binder_peer_open(struct binder_peer *p, size_t map_size)
{
	struct binder_version version = { 0 };
	__u32 max_threads = 0;
	int ret;

	memset(p, 0, sizeof(*p));
	p->fd = open(BINDER_PEER_DEV, O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		return -errno;
	ret = prlib_ioctl(p->fd, BINDER_VERSION, &version);
	/* A 32-bit kernel's Binder speaks version 7, with 32-bit pointers. */
	if (!ret && version.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION)
		ret = -EPROTO;
	/*
	 * No thread pool: the driver is never to ask this process for more
	 * looper threads (BR_SPAWN_LOOPER). 0 is the default; libbinder sets
	 * its own number here.
	 */
	if (!ret)
		ret = prlib_ioctl(p->fd, BINDER_SET_MAX_THREADS, &max_threads);
	if (!ret && map_size) {
		/*
		 * The receive buffer. Binder refuses a writable mapping: only
		 * the driver writes into it, and it installs the pages itself,
		 * as transactions need them.
		 */
		p->map = mmap(NULL, map_size, PROT_READ, MAP_PRIVATE, p->fd, 0);
		if (p->map == MAP_FAILED) {
			p->map = NULL;
			ret = -errno;
		} else {
			p->map_size = map_size;
		}
	}
	if (ret)
		binder_peer_close(p);
	return ret;
}

void binder_peer_close(struct binder_peer *p)
{
	if (p->map)
		munmap(p->map, p->map_size);
	if (p->fd >= 0)
		close(p->fd);
	p->map = NULL;
	p->fd = -1;
}

/*
 * One BINDER_WRITE_READ: the queued commands go in, then up to @size bytes
 * of returns come back in @in. With @size 0 the call only writes; with a
 * size, it blocks until the driver has something to return. Returns the
 * number of bytes read.
 */
static long binder_peer_talk(struct binder_peer *p, void *in, size_t size)
{
	struct binder_write_read bwr = {
		.write_size = p->out_len,
		.write_buffer = prlib_u64(p->out),
		.read_size = size,
		.read_buffer = prlib_u64(in),
	};
	int ret;

	/*
	 * A signal ends the wait for returns with EINTR. The driver has
	 * recorded how much of each buffer it has used (write_consumed,
	 * read_consumed), and the same call picks up from there.
	 */
	do {
		ret = prlib_ioctl(p->fd, BINDER_WRITE_READ, &bwr);
	} while (ret == -EINTR);
	/* On an error the driver stops at the failing command: drop the rest. */
	p->out_len = 0;
	return ret ? ret : (long)bwr.read_consumed;
}

/* Append a command and its argument to those the next call writes. */
static int binder_peer_queue(struct binder_peer *p, __u32 cmd,
			     const void *arg, size_t len)
{
	int ret;

	if (p->out_len + sizeof(cmd) + len > sizeof(p->out)) {
		ret = binder_peer_flush(p);
		if (ret)
			return ret;
	}
	memcpy(p->out + p->out_len, &cmd, sizeof(cmd));
	if (len)
		memcpy(p->out + p->out_len + sizeof(cmd), arg, len);
	p->out_len += sizeof(cmd) + len;
	return 0;
}

int binder_peer_flush(struct binder_peer *p)
{
	long n = p->out_len ? binder_peer_talk(p, NULL, 0) : 0;

	return n < 0 ? n : 0;
}

int binder_peer_become_manager(struct binder_peer *p)
{
	__s32 unused = 0;
	int ret;

	/*
	 * The context manager is the node behind handle 0 in every process
	 * (Android's servicemanager). There is one per Binder device, and
	 * the next one can be set once its process has closed the device.
	 */
	ret = prlib_ioctl(p->fd, BINDER_SET_CONTEXT_MGR, &unused);
	if (ret)
		return ret;
	/*
	 * Only a looper thread waits for the work of the process as a whole,
	 * which is where transactions to one of its nodes go.
	 */
	return binder_peer_queue(p, BC_ENTER_LOOPER, NULL, 0);
}

/*
 * The return at @pos of the @n bytes in @in, and its argument (copied to
 * @arg, up to @len bytes). Each BR_ code carries its argument's size in its
 * ioctl-style encoding. Returns the position of the next one.
 */
static size_t binder_peer_next(const unsigned char *in, size_t pos, size_t n,
			       __u32 *cmd, void *arg, size_t len)
{
	size_t size;

	memcpy(cmd, in + pos, sizeof(*cmd));
	pos += sizeof(*cmd);
	size = _IOC_SIZE(*cmd);
	if (size > n - pos)
		size = n - pos;
	if (len)
		memcpy(arg, in + pos, size < len ? size : len);
	return pos + size;
}

int binder_peer_send(struct binder_peer *p, const void *data, size_t size)
{
	struct binder_transaction_data tr = {
		.target.handle = 0,		/* the context manager */
		.flags = TF_ONE_WAY,		/* no reply expected */
		.data_size = size,
		.offsets_size = 0,		/* no objects (binders, fds) in it */
		.data.ptr.buffer = prlib_u64(data),
	};
	unsigned char in[BINDER_PEER_IN_SIZE];
	size_t pos;
	__u32 cmd;
	long n;
	int ret;

	ret = binder_peer_queue(p, BC_TRANSACTION, &tr, sizeof(tr));
	if (ret)
		return ret;
	/*
	 * By the time BINDER_WRITE_READ reads, the driver has copied the
	 * payload into the receiver's buffer and queued its answer.
	 */
	for (;;) {
		n = binder_peer_talk(p, in, sizeof(in));
		if (n < 0)
			return n;
		for (pos = 0; pos + sizeof(cmd) <= (size_t)n;) {
			pos = binder_peer_next(in, pos, n, &cmd, NULL, 0);
			switch (cmd) {
			case BR_TRANSACTION_COMPLETE:
			/* Delivered, but the receiver's async space runs low. */
			case BR_ONEWAY_SPAM_SUSPECT:
				return 0;
			/* No context manager, or its process is dying. */
			case BR_DEAD_REPLY:
				return -EHOSTDOWN;
			/* The receiver is frozen (cgroup freezer). */
			case BR_FROZEN_REPLY:
				return -EAGAIN;
			/*
			 * Any other failure; for a one-way transaction, most
			 * likely no room in the receiver's async space. The
			 * kernel log says which (binder_linux's debug_mask).
			 */
			case BR_FAILED_REPLY:
				return -ENOSPC;
			case BR_ERROR:
				return -EIO;
			}
		}
	}
}

int binder_peer_receive(struct binder_peer *p, struct binder_peer_msg *msg)
{
	unsigned char in[BINDER_PEER_IN_SIZE];
	struct binder_transaction_data tr;
	size_t pos;
	__u32 cmd;
	long n;

	/*
	 * Binder puts BR_NOOP first, and ends a read after a transaction.
	 * A read may bring no transaction at all (BR_NOOP alone, when the
	 * process is asked to return to user space): read again.
	 */
	for (;;) {
		n = binder_peer_talk(p, in, sizeof(in));
		if (n < 0)
			return n;
		for (pos = 0; pos + sizeof(cmd) <= (size_t)n;) {
			pos = binder_peer_next(in, pos, n, &cmd, &tr, sizeof(tr));
			if (cmd == BR_TRANSACTION) {
				msg->data = prlib_ptr(tr.data.ptr.buffer);
				msg->size = tr.data_size;
				msg->sender_pid = tr.sender_pid;
				return 0;
			}
		}
	}
}

int binder_peer_free(struct binder_peer *p, const void *data)
{
	binder_uintptr_t ptr = prlib_u64(data);

	return binder_peer_queue(p, BC_FREE_BUFFER, &ptr, sizeof(ptr));
}

int binder_peer_pages(pid_t pid, long long *active, long long *lru)
{
	FILE *f = prlib_debugfs_open(BINDER_PEER_STATS);
	long long a, l, free;
	bool ours = false;
	char line[256];
	int ret = -ENOENT, p;

	if (!f)
		return -errno;
	/*
	 * "proc PID" opens a process's paragraph, and its line
	 * "  pages: ACTIVE:LRU:FREE" counts the pages of its buffer.
	 */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "proc %d", &p) == 1) {
			ours = p == pid;
		} else if (ours && sscanf(line, " pages: %lld:%lld:%lld",
					  &a, &l, &free) == 3) {
			*active = a;
			*lru = l;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}
