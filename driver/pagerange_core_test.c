// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the shrinkable page range, one suite per topic, all in
 * pagerange_kunit (a module, or built in):
 *
 *   pagerange_core_states    state transitions and the counters
 *   pagerange_core_reclaim   reclaim through the shrinker's own callbacks
 *   pagerange_core_io        copies to and from the pages
 *   pagerange_core_use       a use is all or nothing
 *   pagerange_core_isolate   the isolate callback's trylocks
 *   pagerange_core_nodes     per-node bookkeeping
 *   pagerange_core_purge     the purge map
 *   pagerange_core_teardown  attach, detach and teardown
 *
 * This file includes pagerange_core.c instead of linking against it. The
 * core's statics are the unit under test: the shrinker's count and scan
 * callbacks, the list_lru isolate callback, the list_lru, the global
 * counters and the fault-injection attribute. An in-tree test would reach
 * them through EXPORT_SYMBOL_IF_KUNIT(), which 6.1 lacks and which an
 * out-of-tree module cannot rely on. So pagerange_kunit.ko carries its own
 * instance of the core, with its own list_lru, shrinker ("pagerange_kunit")
 * and counters: it needs no pagerange.ko and never touches its state.
 *
 * The module is one translation unit: this file includes the core, then
 * the fixture (pagerange_core_test.h), then one file per suite
 * (pagerange_core_test_TOPIC.c), and registers the suites. The kernel
 * builds the scheduler so (kernel/sched/build_policy.c includes its .c
 * files) for the same reason: every part must reach the same statics. The
 * core is compiled into the module exactly once, here, and Kbuild builds
 * this file only; a topic file compiled on its own would lack the core.
 *
 * Every suite_init of a module runs in the task that loads it, where the
 * fixture borrows the mm: on 6.1 KUnit runs a module's suites from its
 * module notifier at MODULE_STATE_COMING, within finit_module() and before
 * the module's init; on 7.2 at MODULE_STATE_LIVE, still within
 * finit_module(), after it (kunit_module_notify() in lib/kunit/test.c).
 * Built in, the suites run at boot from the init task, after every
 * initcall and before user space, and the fixture makes an mm of its own.
 * Either way one suite runs after the other, each between its suite_init
 * and suite_exit. The core, which the first suite_init sets up, is torn
 * down at module exit, after the last suite; built in, it stays, with its
 * shrinker registered and nothing on its list_lru.
 */

/*
 * The copy's external symbols are renamed (pagerange_core_test_names.h),
 * and it has no trace events (pagerange_trace.h): in a kernel that builds
 * both the driver and this suite in, the two copies are linked together.
 */
#define PAGERANGE_KUNIT
#include "pagerange_core_test_names.h"
#include "pagerange_core.c"

#include "pagerange_core_test.h"

#include "pagerange_core_test_states.c"
#include "pagerange_core_test_reclaim.c"
#include "pagerange_core_test_io.c"
#include "pagerange_core_test_use.c"
#include "pagerange_core_test_isolate.c"
#include "pagerange_core_test_nodes.c"
#include "pagerange_core_test_purge.c"
#include "pagerange_core_test_teardown.c"

kunit_test_suites(&pagerange_test_states_suite,
		  &pagerange_test_reclaim_suite,
		  &pagerange_test_io_suite,
		  &pagerange_test_use_suite,
		  &pagerange_test_isolate_suite,
		  &pagerange_test_nodes_suite,
		  &pagerange_test_purge_suite,
		  &pagerange_test_teardown_suite);

static void __exit pagerange_test_exit(void)
{
	pagerange_test_core_exit();
}
module_exit(pagerange_test_exit);

MODULE_DESCRIPTION("KUnit tests for the pagerange core");
MODULE_AUTHOR("The pagerange authors");
MODULE_LICENSE("GPL");
