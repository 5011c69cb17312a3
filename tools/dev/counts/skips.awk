# SPDX-License-Identifier: GPL-2.0
#
# Hold a run's skips against the skips its lane allows.
#
#   awk -f skips.awk ALLOWED OUTPUT
#
# ALLOWED is the lane's list (tools/dev/skips/KERNEL): one skip a line,
# "COLLECTION BINARY TEST REASON", where COLLECTION and TEST may hold "*"
# (any run of characters) and TEST "-" stands for a binary that skips as a
# whole; "#" begins a comment, and blank lines do not count. OUTPUT is what
# run_kselftest.sh printed (see count-results.awk). A skip no line allows
# is unexpected; a line that allows no skip of a binary that ran is stale,
# since the list would then hide a skip that has gone. Prints one line for
# each, then "N unexpected, N stale".

function glob(s) {
	gsub(/[.+?()|{}^$\[\]\\]/, "\\\\&", s)
	gsub(/\*/, ".*", s)
	return "^" s "$"
}

# Record a skip: mark the line that allows it, or report it.
function skip(coll, bin, test, why,  i) {
	for (i = 1; i <= n; i++) {
		if (coll ~ acoll[i] && bin == abin[i] && test ~ atest[i]) {
			used[i] = 1
			return
		}
	}
	printf "unexpected: %s %s %s: %s\n", coll, bin, test, why
	unexpected++
}

FNR == NR {
	sub(/#.*/, "")
	if (NF < 4) {
		if (NF)
			printf "skips.awk: %s:%d: COLLECTION BINARY TEST REASON\n", FILENAME, FNR > "/dev/stderr"
		next
	}
	n++
	acoll[n] = glob($1)
	abin[n] = $2
	atest[n] = glob($3)
	line[n] = $0
	next
}

{ sub(/\r$/, "") }
/^# selftests: / { coll = $3; sub(/:$/, "", coll); bin = $4; ran[coll " " bin] = 1; test = "?" }
/^# # +RUN +/ { test = $4 }
/^# ok [0-9]+.*# [Ss][Kk][Ii][Pp]/ {
	why = $0
	sub(/.*# [Ss][Kk][Ii][Pp] */, "", why)
	skip(coll, bin, test, why)
}
/^ok [0-9]+ selftests: .*# SKIP/ {
	c = $4
	sub(/:$/, "", c)
	skip(c, $5, "-", "the whole binary")
}

END {
	for (i = 1; i <= n; i++) {
		if (used[i])
			continue
		for (r in ran) {
			split(r, cb, " ")
			if (cb[1] ~ acoll[i] && cb[2] == abin[i]) {
				printf "stale: %s\n", line[i]
				stale++
				break
			}
		}
	}
	printf "%d unexpected, %d stale\n", unexpected, stale
}
