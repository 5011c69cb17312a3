# SPDX-License-Identifier: GPL-2.0
#
# Count test cases from a run's output, in one of two formats:
#
#   awk -v format=tap -f count-results.awk OUTPUT
#     What run_kselftest.sh prints: each binary's own TAP nested behind
#     "# ", and one "ok|not ok N selftests: COLLECTION: BINARY" line per
#     binary. Every nested "ok|not ok" line is a case ("# SKIP" a skipped
#     one). A binary that failed without a failing case of its own (a
#     crash, a timeout, an exit code) is one failure; one that printed no
#     case is one case. A binary the run stopped inside is a failure.
#     Prints "passed failed skipped".
#
#   awk -v format=ktap -f count-results.awk CONSOLE
#     KUnit's KTAP in a kernel console log (timestamps stripped), between
#     "pagerange-kunit: begin" and "pagerange-kunit: end" markers. Suites
#     print "    1..N", one "    ok|not ok N case" line per case
#     (parameters are nested deeper) and end with an unindented
#     "ok|not ok N suite". A case without its line (the kernel died, or the
#     module hung) is missing; so is a suite that failed as a whole (its
#     init failed), no suite at all, or no end marker (the module did not
#     unload). Prints "passed failed skipped missing".
#
# tools/vm/counts/test checks both against the outputs next to it.

function tap_close(failed_top, skipped_top) {
	if (failed_top && !bfail)
		failed++
	else if (!failed_top && !bcases) {
		if (skipped_top)
			skipped++
		else
			passed++
	}
	bcases = bfail = open = 0
}

function ktap_end_suite(failed_top) {
	if (plan > cases)
		missing += plan - cases
	else if (failed_top && !sfail)
		missing++
	plan = cases = sfail = insuite = 0
}

{ sub(/\r$/, "") }

format == "tap" && /^# selftests: / { open = 1 }
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
format == "ktap" && /^pagerange-kunit: begin / { inside = 1; next }
format == "ktap" && /^pagerange-kunit: end / {
	if (insuite)
		ktap_end_suite(1)
	inside = 0
	ended = 1
	next
}
format == "ktap" && !inside { next }
format == "ktap" && /^    # Subtest: / {
	if (insuite)
		ktap_end_suite(1)
	insuite = 1
	suites++
	next
}
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
}

END {
	if (format == "tap") {
		if (open)
			tap_close(1, 0)
		print passed + 0, failed + 0, skipped + 0
	} else if (format == "ktap") {
		if (insuite)
			ktap_end_suite(1)
		if (!suites || (!ended && !missing))
			missing++
		print passed + 0, failed + 0, skipped + 0, missing + 0
	} else {
		print "count-results.awk: format=tap or format=ktap" > "/dev/stderr"
		exit 2
	}
}
