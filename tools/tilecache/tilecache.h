/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tilecache: a discardable cache of fixed-size tiles kept in one pagerange
 * range. A tile the caller is not using is left to the shrinker; locking it
 * again rebuilds the pages the shrinker took, and only those. The worked
 * example of Documentation/discardable-cache.md.
 *
 * One thread at a time: the cache takes no lock of its own.
 */
#ifndef TILECACHE_H
#define TILECACHE_H

#include <stdint.h>

/* What a lost page costs the cache. */
enum tilecache_protocol {
	/* USE_RANGE_REPORT: rebuild the pages the shrinker took */
	TILECACHE_PER_PAGE,
	/*
	 * Any page lost loses the tile, which is rebuilt whole: what ashmem,
	 * Apple's and Windows' purgeable memory and Chromium's MADV_FREE
	 * cookies can tell their users.
	 */
	TILECACHE_PER_REGION,
};

/**
 * struct tilecache_config - the shape of a cache
 * @nr_tiles: tiles the cache holds at most
 * @tile_pages: pages of a tile
 * @protocol: what a lost page costs
 * @build: fill page @page of the tile of @key into @buf, prlib_page_size bytes,
 *	which the cache copies into the range: called once for each page a
 *	lock builds
 * @arg: passed to @build
 */
struct tilecache_config {
	unsigned int nr_tiles;
	unsigned int tile_pages;
	enum tilecache_protocol protocol;
	void (*build)(void *arg, uint64_t key, unsigned int page, void *buf);
	void *arg;
};

struct tilecache;

/* A cache in a new range: NULL, with errno set, on failure. */
struct tilecache *tilecache_create(const struct tilecache_config *cfg);

void tilecache_destroy(struct tilecache *tc);

/* The range's fd: poll() it for POLLPRI, then call tilecache_purged(). */
int tilecache_fd(const struct tilecache *tc);

/*
 * Lock the tile of @key, building what it lacks, and point *@tile at it in
 * the read-only mapping: the pages built (0 for a hit that lost nothing),
 * or -errno: -EBUSY if it is locked, -ENOSPC if every tile is.
 */
long tilecache_lock(struct tilecache *tc, uint64_t key, const void **tile);

/* Let the shrinker have a tile tilecache_lock() returned: 0 or -errno. */
int tilecache_unlock(struct tilecache *tc, const void *tile);

/*
 * Acknowledge the shrinker's notification and forget the idle tiles it
 * made worthless: the tiles dropped, or -errno.
 */
int tilecache_purged(struct tilecache *tc);

#endif /* TILECACHE_H */
