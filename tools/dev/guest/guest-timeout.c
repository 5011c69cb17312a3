// SPDX-License-Identifier: GPL-2.0
/*
 * timeout(1) for the test guest.
 *
 * The kselftest runner calls "timeout --foreground T timeout T ./test" to
 * enforce the "timeout" of a collection's settings file. Busybox's timeout
 * rejects --foreground (so every test would fail), kills only the direct
 * child and does not exit 124 when time runs out, which the runner needs
 * to report "# TIMEOUT". This implements the part of the coreutils
 * interface the runner uses:
 *
 *   timeout [--foreground] [-s SIGNAL] [-k DURATION] DURATION COMMAND [ARG]...
 *
 * Without --foreground the command runs in its own process group and the
 * whole group is signalled, so a test's forked children cannot keep the
 * runner's output pipe open after a timeout. Exit status: 124 if the time
 * ran out, else the command's status (128 + signal if it was killed).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Set by signal handlers: volatile sig_atomic_t is what C allows there. */
static volatile sig_atomic_t pagerange_expired;	/* SIGALRMs seen */
static volatile sig_atomic_t pagerange_forward;	/* a signal to pass on */

static void pagerange_on_alarm(int sig)
{
	(void)sig;
	pagerange_expired++;	/* 1: time is up; 2: -k grace is over too */
}

static void pagerange_on_signal(int sig)
{
	pagerange_forward = sig;
}

/* Seconds with an optional s/m/h/d suffix, as coreutils takes them. */
static double pagerange_duration(const char *s)
{
	char *end;
	double d = strtod(s, &end);

	if (end == s || d < 0)
		goto bad;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		d *= 60;
		break;
	case 'h':
		d *= 3600;
		break;
	case 'd':
		d *= 86400;
		break;
	default:
		goto bad;
	}
	if (*end && end[1])
		goto bad;
	return d;
bad:
	fprintf(stderr, "timeout: invalid duration '%s'\n", s);
	exit(125);
}

static int pagerange_signal(const char *s)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "TERM", SIGTERM }, { "KILL", SIGKILL }, { "INT", SIGINT },
		{ "HUP", SIGHUP }, { "QUIT", SIGQUIT }, { "ALRM", SIGALRM },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	};
	unsigned int i;

	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i].name))
			return names[i].sig;
	if (atoi(s) > 0)
		return atoi(s);
	fprintf(stderr, "timeout: invalid signal '%s'\n", s);
	exit(125);
}

static void pagerange_arm(double secs)
{
	struct itimerval it = { 0 };

	it.it_value.tv_sec = (time_t)secs;
	it.it_value.tv_usec = (suseconds_t)((secs - (time_t)secs) * 1e6);
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv)
{
	int foreground = 0, sig = SIGTERM, status, i = 1;
	sig_atomic_t handled = 0;
	double limit, kill_after = 0;
	struct sigaction sa = { 0 };
	pid_t pid, target;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--foreground"))
			foreground = 1;
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sig = pagerange_signal(argv[++i]);
		else if (!strcmp(argv[i], "-k") && i + 1 < argc)
			kill_after = pagerange_duration(argv[++i]);
		else
			break;
	}
	if (argc - i < 2) {
		fprintf(stderr,
			"usage: timeout [--foreground] [-s SIG] [-k DURATION] DURATION COMMAND [ARG]...\n");
		return 125;
	}
	limit = pagerange_duration(argv[i++]);

	sa.sa_handler = pagerange_on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = pagerange_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	pid = fork();
	if (pid < 0) {
		perror("timeout: fork");
		return 125;
	}
	if (pid == 0) {
		if (!foreground)
			setpgid(0, 0);
		signal(SIGALRM, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[i], &argv[i]);
		fprintf(stderr, "timeout: %s: %s\n", argv[i], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (!foreground)
		setpgid(pid, pid);	/* also here: no race with the first kill */
	target = foreground ? pid : -pid;
	if (limit > 0)
		pagerange_arm(limit);

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("timeout: waitpid");
			return 125;
		}
		if (pagerange_forward) {
			kill(target, pagerange_forward);
			pagerange_forward = 0;
		}
		if (pagerange_expired > handled) {
			handled = pagerange_expired;
			if (handled > 1) {
				kill(target, SIGKILL);
				continue;
			}
			kill(target, sig);
			if (!foreground)
				kill(target, SIGCONT);
			if (kill_after > 0)
				pagerange_arm(kill_after);
		}
	}
	if (pagerange_expired)
		return 124;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
