// SPDX-License-Identifier: GPL-2.0
/*
 * pagerangectl demo: Binder's buffer model told in two processes, an owner
 * and a sender, step by step, each step checked.
 */
#include <sys/mman.h>
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/pagerange.h>

#include "libpagerange.h"
#include "pagerangectl.h"

#define CTL_DEMO_PAGES	16

/* Say what just happened, then what GET_INFO says of the range. */
static int ctl_demo_step(int fd, const char *what)
{
	struct pagerange_info info;
	int ret = prlib_get_info(fd, &info);

	printf("%s\n", what);
	if (ret) {
		fprintf(stderr, "pagerange: GET_INFO: %s\n", strerror(-ret));
		return -1;
	}
	printf("   -> present %llu, in use %llu, reclaimable %llu, reclaimed %llu\n\n",
	       (unsigned long long)info.pages_present,
	       (unsigned long long)info.pages_in_use,
	       (unsigned long long)info.pages_reclaimable,
	       (unsigned long long)info.pages_reclaimed);
	return 0;
}

/* Report a check: it passed, or it failed and the demo will say FAIL. */
static void ctl_demo_check(bool ok, const char *what, unsigned int *failed)
{
	printf("   %s: %s\n", ok ? "ok" : "FAILED", what);
	*failed += !ok;
}

/*
 * Binder's buffer model in two processes, told step by step: the owner
 * maps a range, a sender holding the same fd fills pages of it, the owner
 * reads them through its mapping and lets some go, and memory pressure
 * takes those back while the others keep their data.
 */
int ctl_cmd_demo(int argc)
{
	const size_t len = CTL_DEMO_PAGES * prlib_page_size, span = 4 * prlib_page_size;
	struct prlib_sender sender = { 0 };
	struct prlib_stats before;
	unsigned int failed = 0;
	struct prlib_reply r;
	unsigned char *map;
	int fd, ret;

	if (argc > 1)
		return ctl_usage(CTL_EXIT_USAGE);
	prlib_stats_read(&before);
	fd = prlib_open();
	if (fd < 0) {
		ctl_explain("open", PRLIB_DEV, errno);
		return CTL_EXIT_ERROR;
	}
	map = prlib_map(fd, len);
	if (map == MAP_FAILED || prlib_sender_start(&sender, fd)) {
		ctl_syserr(map == MAP_FAILED ? "mmap" : "fork", PRLIB_DEV);
		close(fd);
		return CTL_EXIT_ERROR;
	}

	printf("pagerange demo: one range of %d pages, an owner and a sender\n\n",
	       CTL_DEMO_PAGES);
	ctl_demo_step(fd, "1. The owner (this process) opened /dev/pagerange and mapped it\n"
		      "   read-only. No page exists yet: touching one would raise SIGBUS.");

	r = prlib_sender_do(&sender, PRLIB_ORDER_WRITE, 0, span, 1);
	ctl_demo_step(fd, "2. A sender, a second process holding the same fd, made pages 0-3\n"
		      "   in use (USE_RANGE, which allocates them zeroed) and wrote a\n"
		      "   message of 4 pages into them (WRITE).");
	ctl_demo_check(!r.err && r.used == 4, "the sender's calls succeeded", &failed);
	ctl_demo_check(prlib_check(map, span, 1) < 0,
		       "the owner reads the message through its mapping", &failed);

	prlib_stop_using(fd, 2, 4);
	ctl_demo_step(fd, "\n3. The owner is done with pages 2-3 (STOP_USING_RANGE). They stay\n"
		      "   mapped, with their data, until memory is short.");

	ret = prlib_drop_caches();
	ctl_demo_step(fd, "4. Memory is short: drop_caches runs every shrinker, pagerange's\n"
		      "   too. It zaps the idle pages' PTEs and frees them.");
	ctl_demo_check(!ret, "drop_caches could be written (it needs root)", &failed);
	ctl_demo_check(prlib_check(map, 2 * prlib_page_size, 1) < 0,
		       "pages 0-1, in use, kept the message's first half", &failed);

	r = prlib_sender_do(&sender, PRLIB_ORDER_WRITE, 2 * prlib_page_size, span, 2);
	ctl_demo_step(fd, "\n5. The sender's next message goes to pages 2-5: USE_RANGE gives back\n"
		      "   the 2 pages that were reclaimed and 2 more, all zeroed, before WRITE.");
	ctl_demo_check(!r.err && r.used == 4, "4 pages had to be allocated", &failed);
	ctl_demo_check(prlib_check(map + 2 * prlib_page_size, span, 2) < 0,
		       "the owner reads the new message", &failed);

	prlib_sender_stop(&sender);
	munmap(map, len);
	close(fd);
	printf("\n6. The owner unmapped and closed the range: every page is freed.\n");
	ctl_demo_check(prlib_stats_settle(&before, 2000),
		       "the driver holds as many pages as before the demo", &failed);
	printf("\npagerange demo: %s\n", failed ? "FAIL" : "PASS");
	return failed ? CTL_EXIT_ERROR : CTL_EXIT_OK;
}

