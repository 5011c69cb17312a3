/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pagerangectl's commands share: its exit statuses, its messages and
 * its argument parsing. pagerangectl.c holds main(), stats and watch;
 * map.c and demo.c the commands of their names.
 */
#ifndef PAGERANGECTL_H
#define PAGERANGECTL_H

#include <stdbool.h>

#define CTL_EXIT_OK	0
#define CTL_EXIT_ERROR	1
#define CTL_EXIT_USAGE	2

/* "pagerange: CALL(WHAT): strerror(errno)" on stderr. */
void ctl_syserr(const char *call, const char *what);

/*
 * Explain why @call on @path failed with @err, naming the fix for a setup
 * problem (a missing module, privilege) rather than the errno.
 */
void ctl_explain(const char *call, const char *path, int err);

/* Print the usage, on stdout for status 0, else stderr: returns @status. */
int ctl_usage(int status);

/* Parse @arg as a number from @min to @max, or say why not: 0 or -1. */
int ctl_parse_count(const char *arg, unsigned long min,
		    unsigned long max, unsigned long *val);

/*
 * Parse the options of a command that takes one flag, --@name or -@c, and
 * --help: returns -1 to go on, with *@set, or the exit status the command
 * is to return.
 */
int ctl_flag_opt(int argc, char **argv, const char *name, int c, bool *set);

int ctl_cmd_map(int argc, char **argv);
int ctl_cmd_demo(int argc);

#endif /* PAGERANGECTL_H */
