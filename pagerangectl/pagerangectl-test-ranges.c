// SPDX-License-Identifier: GPL-2.0
/*
 * Hold ranges in known states for pagerangectl-test to map. Each
 * argument is one range this process opens and maps, one character a page
 * in the letters of "pagerangectl map": '.' free, 'U' in use, 'R'
 * reclaimable. "-" is a range opened and never mapped; "gone:" before the
 * letters, a range unmapped once its pages are set.
 *
 * Prints the ranges' fds on one line, closes stdout and sleeps until a
 * signal ends it, so that a script reads the fds and then looks at the
 * ranges while this process holds them:
 *
 *   pagerangectl-test-ranges UU.R - >fifo & read -r fds <fifo
 *
 * Exits 1, saying why on stderr, if a range cannot be set up.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libpagerange.h"

#define RANGES_GONE	"gone:"

/* Set the pages of the range @fd, mapped at @map, as @spec says. */
static long ranges_set(int fd, void *map, const char *spec, bool gone)
{
	size_t i, n = strlen(spec);
	long ret = 0;

	for (i = 0; i < n && ret >= 0; i++)
		if (spec[i] != '.')
			ret = prlib_use_range(fd, i, i + 1);
	for (i = 0; i < n && ret >= 0; i++)
		if (spec[i] == 'R')
			ret = prlib_stop_using(fd, i, i + 1);
	if (ret >= 0 && gone && munmap(map, n * prlib_page_size))
		ret = -errno;
	return ret;
}

/* Open a range and set it up as @arg says: its fd, or -1 once said why not. */
static int ranges_make(const char *arg)
{
	bool gone = !strncmp(arg, RANGES_GONE, strlen(RANGES_GONE));
	const char *spec = arg + (gone ? strlen(RANGES_GONE) : 0);
	size_t n = strlen(spec);
	void *map;
	long ret;
	int fd;

	if (strcmp(arg, "-") && (!n || strspn(spec, ".UR") != n)) {
		fprintf(stderr, "ranges: '%s' is not '-' nor [gone:] pages of '.', 'U' and 'R'\n",
			arg);
		return -1;
	}
	fd = prlib_open();
	if (fd < 0) {
		fprintf(stderr, "ranges: open(%s): %s\n", PRLIB_DEV,
			strerror(errno));
		return -1;
	}
	if (!strcmp(arg, "-"))
		return fd;
	map = prlib_map(fd, n * prlib_page_size);
	ret = map == MAP_FAILED ? -errno : ranges_set(fd, map, spec, gone);
	if (ret < 0) {
		fprintf(stderr, "ranges: '%s': %s\n", arg, strerror(-ret));
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	int i, fd;

	if (argc < 2) {
		fprintf(stderr, "usage: pagerangectl-test-ranges RANGE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		fd = ranges_make(argv[i]);
		if (fd < 0)
			return 1;
		printf(i > 1 ? " %d" : "%d", fd);
	}
	putchar('\n');
	/* The reader sees end of file: every range is ready. */
	if (fclose(stdout))
		return 1;
	for (;;)
		pause();
}
