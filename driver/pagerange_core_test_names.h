/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of the external symbols of the KUnit module's copy of the core
 * (pagerange_core_test.c includes pagerange_core.c). In a kernel that
 * builds both the driver and the suites in, the driver's core and this copy
 * are linked into one image, where two definitions of one global symbol
 * would fail the link: each function of the core that is not static gets
 * another name in the copy, its declaration and every call with it.
 *
 * One line for every global symbol pagerange_core.o defines, and no other:
 * "prdev lint kunit-names" compares the list with the symbols of the
 * built objects. (The core's trace events, the other global symbols, are
 * left out of the copy: see pagerange_trace.h.)
 */
#ifndef _PAGERANGE_CORE_TEST_NAMES_H
#define _PAGERANGE_CORE_TEST_NAMES_H

#define pagerange_attach pagerange_kunit_attach
#define pagerange_core_exit pagerange_kunit_core_exit
#define pagerange_core_init pagerange_kunit_core_init
#define pagerange_create pagerange_kunit_create
#define pagerange_debugfs_init_faults pagerange_kunit_debugfs_init_faults
#define pagerange_destroy pagerange_kunit_destroy
#define pagerange_get_global_stats pagerange_kunit_get_global_stats
#define pagerange_get_stats pagerange_kunit_get_stats
#define pagerange_io pagerange_kunit_io
#define pagerange_poll pagerange_kunit_poll
#define pagerange_print_ranges pagerange_kunit_print_ranges
#define pagerange_purge pagerange_kunit_purge
#define pagerange_query pagerange_kunit_query
#define pagerange_stop_using pagerange_kunit_stop_using
#define pagerange_take_purged pagerange_kunit_take_purged
#define pagerange_use pagerange_kunit_use

#endif /* _PAGERANGE_CORE_TEST_NAMES_H */
