// SPDX-License-Identifier: GPL-2.0
/*
 * tilecache: a discardable cache of fixed-size tiles in one pagerange
 * range (tilecache.h); Documentation/discardable-cache.md walks through it.
 *
 * Tile i is pages [i * tile_pages, (i + 1) * tile_pages) of the range. A
 * locked tile's pages are in use; an unlocked tile's are reclaimable, and
 * it waits on the idle list for its key to be locked again or for its
 * place to go to another key, least recently unlocked first.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <unistd.h>

#include "libpagerange.h"
#include "tilecache.h"

/**
 * struct tilecache_tile - one place for a tile in the range
 * @hash: its chain in the index
 * @idle: its place on the idle list, unless @locked
 * @key: the key whose tile it holds, if @valid
 * @valid: it holds the tile of @key, and the index finds it
 * @locked: its pages are in use, and it is off the idle list
 */
struct tilecache_tile {
	LIST_ENTRY(tilecache_tile) hash;
	TAILQ_ENTRY(tilecache_tile) idle;
	uint64_t key;
	bool valid;
	bool locked;
};

LIST_HEAD(tilecache_chain, tilecache_tile);
TAILQ_HEAD(tilecache_list, tilecache_tile);

/**
 * struct tilecache - the cache
 * @cfg: its shape
 * @fd: the range
 * @map: the owner's read-only mapping of it
 * @tile_size: bytes of a tile
 * @tiles: @cfg.nr_tiles places
 * @index: the valid tiles, @cfg.nr_tiles hash chains of them by key
 * @idle: unlocked tiles, invalid ones and then least recently unlocked first
 * @report: USE_RANGE_REPORT's bitmap of one tile
 * @state: QUERY's states of the whole range
 * @buf: one tile, built before it is written into the range
 */
struct tilecache {
	struct tilecache_config cfg;
	int fd;
	char *map;
	size_t tile_size;
	struct tilecache_tile *tiles;
	struct tilecache_chain *index;
	struct tilecache_list idle;
	__u64 *report;
	unsigned char *state;
	char *buf;
};

static __u64 tilecache_first(const struct tilecache *tc,
			     const struct tilecache_tile *t)
{
	return (__u64)(t - tc->tiles) * tc->cfg.tile_pages;
}

static struct tilecache_tile *tilecache_find(struct tilecache *tc,
					     uint64_t key)
{
	struct tilecache_tile *t;

	LIST_FOREACH(t, &tc->index[key % tc->cfg.nr_tiles], hash)
		if (t->key == key)
			return t;
	return NULL;
}

/* Take a tile out of the index: its pages hold nothing worth keeping. */
static void tilecache_forget(struct tilecache_tile *t)
{
	if (t->valid)
		LIST_REMOVE(t, hash);
	t->valid = false;
}

/*
 * Build the pages of @t that @lost marks, or all of them if @lost is NULL,
 * and copy each run of them into the range with one WRITE: the pages built,
 * or -errno.
 */
static long tilecache_build(struct tilecache *tc, struct tilecache_tile *t,
			    const __u64 *lost)
{
	__u64 first = tilecache_first(tc, t);
	unsigned int i, run, n = tc->cfg.tile_pages;
	long built = 0;
	int ret;

	for (i = 0; i < n; i++) {
		for (run = i; i < n && (!lost || prlib_report_bit(lost, i)); i++)
			tc->cfg.build(tc->cfg.arg, t->key, i,
				      tc->buf + (i - run) * prlib_page_size);
		if (i == run)
			continue;
		ret = prlib_write(tc->fd, (first + run) * prlib_page_size, tc->buf,
				  (i - run) * prlib_page_size);
		if (ret)
			return ret;
		built += i - run;
	}
	return built;
}

/*
 * Make @t's pages in use, and rebuild what it lacks: every page if @fresh
 * (a new key), else the pages lost to the shrinker, or, per region, all of
 * them if any was lost. The pages built, or -errno.
 */
static long tilecache_use(struct tilecache *tc, struct tilecache_tile *t,
			  bool fresh)
{
	__u64 first = tilecache_first(tc, t), end = first + tc->cfg.tile_pages;
	long lost;

	if (tc->cfg.protocol == TILECACHE_PER_PAGE && !fresh) {
		lost = prlib_use_range_report(tc->fd, first, end, tc->report);
		return lost > 0 ? tilecache_build(tc, t, tc->report) : lost;
	}
	lost = prlib_use_range(tc->fd, first, end);
	if (lost < 0 || (!lost && !fresh))
		return lost;
	return tilecache_build(tc, t, NULL);
}

/*
 * Let the shrinker have @t's pages, and put @t on the idle list: last if it
 * holds a tile, first if it holds nothing. 0 or -errno.
 */
static int tilecache_stop(struct tilecache *tc, struct tilecache_tile *t)
{
	__u64 first = tilecache_first(tc, t);
	long ret = prlib_stop_using(tc->fd, first, first + tc->cfg.tile_pages);

	if (ret < 0)
		return ret;
	t->locked = false;
	if (t->valid)
		TAILQ_INSERT_TAIL(&tc->idle, t, idle);
	else
		TAILQ_INSERT_HEAD(&tc->idle, t, idle);
	return 0;
}

long tilecache_lock(struct tilecache *tc, uint64_t key, const void **tile)
{
	struct tilecache_tile *t = tilecache_find(tc, key);
	bool fresh = !t;
	long built;

	if (t && t->locked)
		return -EBUSY;
	if (!t) {
		/* An invalid tile, else the least recently used. */
		t = TAILQ_FIRST(&tc->idle);
		if (!t)
			return -ENOSPC;
		tilecache_forget(t);
		t->key = key;
		t->valid = true;
		LIST_INSERT_HEAD(&tc->index[key % tc->cfg.nr_tiles], t, hash);
	}
	TAILQ_REMOVE(&tc->idle, t, idle);
	t->locked = true;
	built = tilecache_use(tc, t, fresh);
	if (built < 0) {
		/* Whatever its pages hold now, the key has no tile. */
		tilecache_forget(t);
		tilecache_stop(tc, t);
		return built;
	}
	*tile = tc->map + (t - tc->tiles) * tc->tile_size;
	return built;
}

int tilecache_unlock(struct tilecache *tc, const void *tile)
{
	size_t n = ((const char *)tile - tc->map) / tc->tile_size;

	if (n >= tc->cfg.nr_tiles || !tc->tiles[n].locked)
		return -EINVAL;
	return tilecache_stop(tc, &tc->tiles[n]);
}

/*
 * Per page, a tile that lost some pages keeps its key: its next lock
 * rebuilds only those. One that lost all of them is forgotten, and its
 * place, first on the idle list, goes to the next new key instead of a
 * tile that still holds data. Per region, any loss forgets the tile, and
 * its surviving pages go back to the system now.
 */
int tilecache_purged(struct tilecache *tc)
{
	unsigned int i, k, lost, n = tc->cfg.tile_pages;
	struct pagerange_purged p;
	struct tilecache_tile *t;
	int ret, dropped = 0;
	__u64 first;

	ret = prlib_purged(tc->fd, &p);
	if (ret || !p.pages)
		return ret;
	ret = prlib_query(tc->fd, 0, (__u64)tc->cfg.nr_tiles * n, tc->state);
	if (ret)
		return ret;
	for (i = 0; i < tc->cfg.nr_tiles; i++) {
		t = &tc->tiles[i];
		first = tilecache_first(tc, t);
		for (k = 0, lost = 0; k < n; k++)
			lost += tc->state[first + k] == PAGERANGE_PAGE_FREE;
		if (!t->valid || t->locked || !lost ||
		    (tc->cfg.protocol == TILECACHE_PER_PAGE && lost < n))
			continue;
		if (lost < n)
			prlib_purge(tc->fd, first, first + n);
		tilecache_forget(t);
		TAILQ_REMOVE(&tc->idle, t, idle);
		TAILQ_INSERT_HEAD(&tc->idle, t, idle);
		dropped++;
	}
	return dropped;
}

struct tilecache *tilecache_create(const struct tilecache_config *cfg)
{
	size_t pages = (size_t)cfg->nr_tiles * cfg->tile_pages;
	struct tilecache *tc = calloc(1, sizeof(*tc));
	unsigned int i;

	if (!tc)
		return NULL;
	tc->cfg = *cfg;
	tc->tile_size = cfg->tile_pages * prlib_page_size;
	tc->map = MAP_FAILED;
	TAILQ_INIT(&tc->idle);
	tc->tiles = calloc(cfg->nr_tiles, sizeof(*tc->tiles));
	tc->index = calloc(cfg->nr_tiles, sizeof(*tc->index));
	tc->report = calloc(PRLIB_REPORT_WORDS(cfg->tile_pages), sizeof(__u64));
	tc->state = malloc(pages);
	tc->buf = malloc(tc->tile_size);
	tc->fd = prlib_open();
	if (tc->fd >= 0)
		tc->map = prlib_map(tc->fd, pages * prlib_page_size);
	if (!tc->tiles || !tc->index || !tc->report || !tc->state ||
	    !tc->buf || !pages || tc->map == MAP_FAILED) {
		tilecache_destroy(tc);
		errno = pages ? errno : EINVAL;
		return NULL;
	}
	for (i = 0; i < cfg->nr_tiles; i++)
		TAILQ_INSERT_TAIL(&tc->idle, &tc->tiles[i], idle);
	return tc;
}

void tilecache_destroy(struct tilecache *tc)
{
	int err = errno;

	if (tc->map != MAP_FAILED)
		munmap(tc->map, tc->cfg.nr_tiles * tc->tile_size);
	if (tc->fd >= 0)
		close(tc->fd);
	free(tc->buf);
	free(tc->state);
	free(tc->report);
	free(tc->index);
	free(tc->tiles);
	free(tc);
	errno = err;
}

int tilecache_fd(const struct tilecache *tc)
{
	return tc->fd;
}
