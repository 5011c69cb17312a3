// SPDX-License-Identifier: GPL-2.0
/*
 * tilecache-test: the tile cache of tilecache.c against the module, in the
 * test guest (as root: it drops caches). Each check prints "ok N - what"
 * or "not ok N - what"; the last line is "N passed, N failed, 0 skipped",
 * and the exit status is 1 if any check failed. pagerangectl/pagerangectl-test
 * runs it ("make check-tools").
 *
 * A cache of TC_TILES tiles of TC_PAGES pages; a fresh cache gives key k
 * the k-th place, pages [k * TC_PAGES, (k + 1) * TC_PAGES) of its range,
 * which lets the test take pages of a known tile with STOP_PURGE.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "libpagerange.h"
#include "tilecache.h"

#define TC_TILES	8U
#define TC_PAGES	4U

static int tc_n, tc_failed;
/* Pages build() filled since the last tc_reset(), per page of a tile. */
static unsigned int tc_built[TC_PAGES];

static void tc_result(int ok, const char *what)
{
	tc_n++;
	tc_failed += !ok;
	printf("%sok %d - %s\n", ok ? "" : "not ", tc_n, what);
}

/* Page @page of @key's tile: its first word says whose it is. */
static void tc_build(void *arg, uint64_t key, unsigned int page, void *buf)
{
	uint64_t stamp = key << 8 | page;

	memset(buf, 0x5a, prlib_page_size);
	memcpy(buf, &stamp, sizeof(stamp));
	tc_built[page]++;
	(void)arg;
}

static void tc_reset(void)
{
	memset(tc_built, 0, sizeof(tc_built));
}

/* Every page of @tile holds @key's contents. */
static int tc_holds(const char *tile, uint64_t key)
{
	uint64_t stamp;
	unsigned int i;

	for (i = 0; i < TC_PAGES; i++) {
		memcpy(&stamp, tile + i * prlib_page_size, sizeof(stamp));
		if (stamp != (key << 8 | i) ||
		    prlib_find_not(tile + i * prlib_page_size + sizeof(stamp),
				   prlib_page_size - sizeof(stamp), 0x5a) >= 0)
			return 0;
	}
	return 1;
}

/* Lock @key, check its contents, unlock it: the pages built, or -errno. */
static long tc_access(struct tilecache *tc, uint64_t key, const char **tile)
{
	long built = tilecache_lock(tc, key, (const void **)tile);

	if (built < 0)
		return built;
	if (!tc_holds(*tile, key))
		built = -EILSEQ;
	if (tilecache_unlock(tc, *tile))
		return -EIO;
	return built;
}

static int tc_pollpri(struct tilecache *tc)
{
	struct pollfd pfd = { .fd = tilecache_fd(tc), .events = POLLPRI };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLPRI);
}

/*
 * Fill a new cache with keys 0 to TC_TILES - 1, lose pages 1 and 2 of key
 * 5's tile, and lock key 5 again: the pages built then, or -1.
 */
static long tc_partial_loss(enum tilecache_protocol protocol)
{
	struct tilecache_config cfg = {
		.nr_tiles = TC_TILES, .tile_pages = TC_PAGES,
		.protocol = protocol, .build = tc_build,
	};
	struct tilecache *tc = tilecache_create(&cfg);
	const char *tile, *base = NULL;
	long built = -1;
	__u64 first;
	uint64_t k;

	if (!tc)
		return -1;
	for (k = 0; k < TC_TILES; k++)
		if (tc_access(tc, k, &tile) != TC_PAGES)
			goto out;
		else if (!k)
			base = tile;
	first = 5 * TC_PAGES;
	if (prlib_purge(tilecache_fd(tc), first + 1, first + 3) < 0)
		goto out;
	tc_reset();
	built = tc_access(tc, 5, &tile);
	if (tile != base + first * prlib_page_size)
		built = -1;
out:
	tilecache_destroy(tc);
	return built;
}

int main(void)
{
	struct tilecache_config cfg = {
		.nr_tiles = TC_TILES, .tile_pages = TC_PAGES,
		.protocol = TILECACHE_PER_PAGE, .build = tc_build,
	};
	const char *tile, *locked[TC_TILES];
	struct tilecache *tc;
	int ok, dropped;
	uint64_t k;

	tc = tilecache_create(&cfg);
	if (!tc) {
		perror("tilecache_create");
		return 1;
	}
	for (k = 0, ok = 1; k < TC_TILES; k++)
		ok &= tc_access(tc, k, &tile) == TC_PAGES;
	tc_result(ok, "a new key's lock builds every page of its tile");

	tc_reset();
	ok = tc_access(tc, 3, &tile) == 0 && !tc_built[0];
	tc_result(ok, "a lock of an idle tile that lost nothing builds nothing");

	ok = tc_partial_loss(TILECACHE_PER_PAGE) == 2 && !tc_built[0] &&
	     tc_built[1] == 1 && tc_built[2] == 1 && !tc_built[3];
	tc_result(ok, "per page, a lock rebuilds exactly the pages lost");
	ok = tc_partial_loss(TILECACHE_PER_REGION) == TC_PAGES;
	tc_result(ok, "per region, a lock rebuilds the whole tile");

	tc_result(!tc_pollpri(tc), "no POLLPRI before the shrinker runs");
	ok = prlib_drop_caches() == 0 && tc_pollpri(tc);
	tc_result(ok, "POLLPRI once the shrinker took the idle tiles");
	dropped = tilecache_purged(tc);
	tc_result(dropped == TC_TILES,
		  "tilecache_purged() forgets every tile that lost every page");
	tc_result(!tc_pollpri(tc), "tilecache_purged() acknowledges POLLPRI");
	tc_reset();
	ok = tc_access(tc, 3, &tile) == TC_PAGES && tc_built[3] == 1;
	tc_result(ok, "a forgotten key's lock builds its tile afresh");

	for (k = 0, ok = 1; k < TC_TILES; k++)
		ok &= tilecache_lock(tc, 100 + k, (const void **)&locked[k]) ==
		      TC_PAGES;
	tc_result(ok, "new keys take the places of the old ones");
	ok = tilecache_lock(tc, 100, (const void **)&tile) == -EBUSY &&
	     tilecache_lock(tc, 200, (const void **)&tile) == -ENOSPC;
	tc_result(ok, "EBUSY for a locked key, ENOSPC when every tile is");
	for (k = 0, ok = 1; k < TC_TILES; k++)
		ok &= !tilecache_unlock(tc, locked[k]);
	ok &= tilecache_unlock(tc, locked[0]) == -EINVAL;
	tc_result(ok, "each tile unlocks once, then EINVAL");
	tilecache_destroy(tc);

	printf("%d passed, %d failed, 0 skipped\n", tc_n - tc_failed,
	       tc_failed);
	return tc_failed ? 1 : 0;
}
