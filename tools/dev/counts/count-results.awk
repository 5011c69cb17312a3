# SPDX-License-Identifier: GPL-2.0
#
# Count test cases from a run's output, in one of two formats:
#
#   awk -v format=tap -f count-results.awk OUTPUT
#     What run_kselftest.sh prints: its plan ("1..N", one per binary),
#     each binary's own TAP nested behind "# " with its own plan, and one
#     "ok|not ok N selftests: COLLECTION: BINARY" line per binary. Every
#     nested "ok|not ok" line is a case ("# SKIP" a skipped one). Plans are
#     checked: a case a binary planned and did not report is missing, and
#     so is a binary the runner planned and did not report, or a binary
#     that reported no case at all without skipping as a whole ("ok ...
#     # SKIP"); output without a plan is one missing. A binary that failed
#     without a failing case of its own (a crash, a timeout, an exit code)
#     is one failure; a binary the run stopped inside is one failure.
#     Prints "passed failed skipped missing".
#
#   awk -v format=ktap -f count-results.awk CONSOLE
#     KUnit's KTAP in a kernel console log (timestamps stripped), between
#     "pagerange-kunit: begin" and "pagerange-kunit: end" markers. Suites
#     print "    1..N", one "    ok|not ok N case" line per case
#     (parameters are nested deeper) and end with an unindented
#     "ok|not ok N suite". A case without its line (the kernel died, or the
#     module hung) is missing; so is a suite that failed as a whole (its
#     init failed), no suite at all, or no end marker (the module did not
#     unload). A module's suites may be preceded by an unindented plan,
#     "1..N" (7.2 prints it, 6.1 does not): each suite it promised and
#     that never began is missing too. A kernel with suites built in runs
#     them at boot and prints them without markers: an unindented "KTAP
#     version N" before any marker begins that run, the suites its plan
#     announces make it, and it has ended once the last of them has; a
#     plan of none ("1..0": a kernel with KUnit and no suite built in, as
#     6.1 prints at every boot) ends it at once. Prints "passed failed
#     skipped missing".
#
# tools/dev/counts/test checks both against the outputs next to it.

function tap_close(failed_top, skipped_top,  short) {
	short = bplan > bcases ? bplan - bcases : 0
	missing += short
	if (failed_top && !bfail && !short && (bcases || bplan > 0))
		failed++
	else if (!bcases && bplan <= 0) {
		if (skipped_top)
			skipped++
		else
			missing++
	}
	bcases = bfail = open = 0
	bplan = -1
	top_results++
}

function ktap_end_suite(failed_top) {
	if (plan > cases)
		missing += plan - cases
	else if (failed_top && !sfail)
		missing++
	plan = cases = sfail = insuite = 0
}

{ sub(/\r$/, "") }

format == "tap" && /^1\.\.[0-9]+$/ { top_plan = substr($1, 4) + 0; have_plan = 1 }
format == "tap" && /^# selftests: / { open = 1; bplan = -1 }
format == "tap" && open && /^# 1\.\.[0-9]+/ { bplan = substr($2, 4) + 0 }
format == "tap" && /^# (not )?ok [0-9]+/ {
	bcases++
	if (/^# not ok/) {
		failed++
		bfail++
	} else if (/# [Ss][Kk][Ii][Pp]/)
		skipped++
	else
		passed++
}
format == "tap" && /^(not )?ok [0-9]+ selftests: / { tap_close(/^not ok/, /# SKIP/) }

format == "ktap" { sub(/^\[ *[0-9]+\.[0-9]+\] /, "") }
format == "ktap" && /^pagerange-kunit: begin / { inside = seen = 1; boot = 0; next }
format == "ktap" && /^pagerange-kunit: end / {
	if (insuite)
		ktap_end_suite(1)
	inside = 0
	ended = 1
	next
}
format == "ktap" && !inside && !seen && /^KTAP version [0-9]+$/ { inside = boot = seen = 1; next }
format == "ktap" && !inside { next }
format == "ktap" && /^    # Subtest: / {
	if (insuite)
		ktap_end_suite(1)
	insuite = 1
	suites++
	next
}
format == "ktap" && boot && /^1\.\.0$/ { inside = boot = 0; next }
format == "ktap" && /^1\.\.[0-9]+$/ { top_plan += substr($1, 4) + 0; next }
format == "ktap" && /^    1\.\.[0-9]+$/ { plan = substr($1, 4) + 0; next }
format == "ktap" && /^    (not )?ok [0-9]+ / {
	cases++
	if (/^    not ok/) {
		failed++
		sfail++
	} else if (/ # SKIP/)
		skipped++
	else
		passed++
	next
}
format == "ktap" && /^(not )?ok [0-9]+ / {
	if (!insuite)
		suites++
	insuite = 1
	ktap_end_suite(/^not ok/)
	if (boot && top_plan && suites >= top_plan) {
		inside = boot = 0
		ended = 1
	}
}

END {
	if (format == "tap") {
		if (open)
			tap_close(1, 0)
		if (!have_plan)
			missing++
		else if (top_plan > top_results)
			missing += top_plan - top_results
		print passed + 0, failed + 0, skipped + 0, missing + 0
	} else if (format == "ktap") {
		if (insuite)
			ktap_end_suite(1)
		if (top_plan > suites)
			missing += top_plan - suites
		if (!suites || (!ended && !missing))
			missing++
		print passed + 0, failed + 0, skipped + 0, missing + 0
	} else {
		print "count-results.awk: format=tap or format=ktap" > "/dev/stderr"
		exit 2
	}
}
