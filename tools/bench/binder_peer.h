/* SPDX-License-Identifier: GPL-2.0 */
/*
 * binder_peer: both ends of a Binder connection driven by hand, on the UAPI
 * header <linux/android/binder.h> alone (no libbinder, no servicemanager).
 * The receiver becomes the context manager, the one node every process
 * reaches as handle 0; the sender makes one-way transactions to it. The
 * benchmark measures pagerange against Binder's buffer allocator with it
 * (tools/bench/README.md).
 *
 *   receiver                               sender
 *   open /dev/binder, mmap it read-only    open /dev/binder
 *   BINDER_SET_CONTEXT_MGR
 *   BC_ENTER_LOOPER, and a BINDER_WRITE_READ
 *   that blocks until there is work
 *                                          BC_TRANSACTION to handle 0, TF_ONE_WAY:
 *                                          the driver takes a buffer in the
 *                                          receiver's mapping, installs the pages
 *                                          it lacks, copies the payload in and
 *                                          answers BR_TRANSACTION_COMPLETE
 *   BR_TRANSACTION: where the payload is
 *   in the mapping; read it there
 *   BC_FREE_BUFFER: the buffer is free, and
 *   its pages go to Binder's list_lru,
 *   still mapped, until its shrinker
 *   takes them
 *
 * A one-way transaction does not wait for the receiver: the sender may run
 * ahead until the receiver's async space (half its buffer) is used up, after
 * which its transactions fail. Binder delivers a node's one-way transactions
 * one at a time: the next comes once the last one's buffer is freed.
 *
 * Every function returns 0 (or a count) or -errno.
 */
#ifndef BINDER_PEER_H
#define BINDER_PEER_H

#include <stddef.h>
#include <sys/types.h>

#include <linux/android/binder.h>

#define BINDER_PEER_DEV		"/dev/binder"

/* Binder uses at most this much of a receiver's mapping. */
#define BINDER_PEER_MAP_MAX	(4UL << 20)

/* Binder's counters, with a "proc PID" paragraph per open /dev/binder. */
#define BINDER_PEER_STATS	"/sys/kernel/debug/binder/stats"

/* Room for the commands that wait for the next BINDER_WRITE_READ. */
#define BINDER_PEER_OUT_SIZE	256

struct binder_peer {
	int fd;
	void *map;		/* the receive buffer, read-only; NULL: none */
	size_t map_size;
	size_t out_len;		/* bytes of commands queued in out[] */
	unsigned char out[BINDER_PEER_OUT_SIZE];
};

/* A transaction, as the receiver finds it. */
struct binder_peer_msg {
	const void *data;	/* the payload, inside the receiver's mapping */
	size_t size;
	pid_t sender_pid;
};

/*
 * Open /dev/binder and check that the driver speaks this header's protocol;
 * map @map_size bytes to receive into, unless @map_size is 0 (a process that
 * only sends one-way transactions receives no buffers).
 */
int binder_peer_open(struct binder_peer *p, size_t map_size);

void binder_peer_close(struct binder_peer *p);

/* Become the context manager (handle 0) and enter the looper: a receiver. */
int binder_peer_become_manager(struct binder_peer *p);

/* Send @size bytes at @data to handle 0, one way, and wait for the driver's ack. */
int binder_peer_send(struct binder_peer *p, const void *data, size_t size);

/*
 * Wait for the next transaction. BC_FREE_BUFFERs queued by binder_peer_free()
 * go in first, in the same call, as libbinder does.
 */
int binder_peer_receive(struct binder_peer *p, struct binder_peer_msg *msg);

/* Queue BC_FREE_BUFFER for a received payload, for the next call. */
int binder_peer_free(struct binder_peer *p, const void *data);

/* Write the queued commands now, without waiting for a transaction. */
int binder_peer_flush(struct binder_peer *p);

/*
 * Pages of process @pid's Binder buffer (its first /dev/binder): *@active
 * held by buffers, *@lru free but still installed, on Binder's list_lru.
 * From debugfs; 0 or -errno (-ENOENT: no such process in Binder).
 */
int binder_peer_pages(pid_t pid, long long *active, long long *lru);

#endif /* BINDER_PEER_H */
