# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by the scripts in tools/dev/ and packaging/: where the cache lives,
# how to talk to Debian's archive without touching the system's apt state,
# and messages.

PAGERANGE_CACHE=${PAGERANGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pagerange}
export PAGERANGE_CACHE

# Source tree root, and this directory: this file is tools/dev/lib.sh.
PAGERANGE_DEV=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PAGERANGE_TOP=$(cd "$PAGERANGE_DEV/../.." && pwd)
export PAGERANGE_TOP PAGERANGE_DEV

# The entry point, for one script to run another: prdev kernel 6.12, ...
prdev() { "$PAGERANGE_DEV/prdev" "$@"; }

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }

# The counts of the last "N passed, N failed, N skipped" line of FILE, as
# "N N N" ("0 0 0" without one): how every runner here reports.
pagerange_counts() {
	local line p=0 f=0 s=0

	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$1" |
		tail -n1 || true)
	[ -z "$line" ] || read -r p _ f _ s _ <<< "${line//,/}"
	echo "$p $f $s"
}
die() { msg "error: $*"; exit 1; }

# pagerange_kernel NAME: set KERNEL_ABI, VMLINUZ, KDIR, BINDER_KO and
# PAGERANGE_BUILTIN for the kernel NAME (prdev kernel, which fetches or
# builds it first); stops the script if that fails, which an eval of a
# command substitution would not.
pagerange_kernel() {
	local vars

	vars=$(prdev kernel "$1") || die "no $1 kernel (prdev kernel $1 failed)"
	eval "$vars"
}

# Print one-line apt sources for every "deb" stanza of the system's deb822
# sources, plus bookworm-backports and any SUITE given on the first mirror
# (newer kernels live there). Reading the mirror from the system keeps host
# names out of the tree and follows whatever mirror the machine is set up for.
pagerange_apt_sources() {
	local f=/etc/apt/sources.list.d/debian.sources uri suite

	[ -r "$f" ] || die "$f not found: cannot tell which Debian mirror to use"
	awk 'BEGIN { RS = ""; FS = "\n" }
	{
		t = u = s = c = k = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^#/ || $i !~ /:/)
				continue
			f = substr($i, 1, index($i, ":") - 1)
			v = substr($i, index($i, ":") + 1)
			sub(/^[ \t]+/, "", v)
			if (f == "Types") t = v
			if (f == "URIs") u = v
			if (f == "Suites") s = v
			if (f == "Components") c = v
			if (f == "Signed-By") k = " [signed-by=" v "]"
		}
		if (t !~ /(^| )deb( |$)/)
			next
		n = split(u, U, " "); m = split(s, S, " ")
		for (x = 1; x <= n; x++)
			for (y = 1; y <= m; y++)
				print "deb" k " " U[x] " " S[y] " " c
	}' "$f"
	uri=$(awk '/^URIs:/ { print $2; exit }' "$f")
	for suite in bookworm-backports "$@"; do
		echo "deb $uri $suite main"
	done
}

# apt options that point every piece of state into $PAGERANGE_CACHE/apt, so
# the system's sources, lists and archives are neither read nor changed.
# Sets the array APT_OPTS; the caller runs "apt-get "${APT_OPTS[@]}" ...".
# Usage: pagerange_apt_init [NAME SUITE...]: extra suites get a state
# directory of their own (apt-NAME), so that sid, say, never shows up in the
# lists that pick the kernels the VM boots.
pagerange_apt_init() {
	local d=$PAGERANGE_CACHE/apt${1:+-$1}

	[ $# -eq 0 ] || shift

	# empty.d stands in for the system's sources.list.d and preferences.d
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/empty.d"
	pagerange_apt_sources "$@" > "$d/sources.list.new"
	mv "$d/sources.list.new" "$d/sources.list"
	# shellcheck disable=SC2034 # read by the scripts that source this
	APT_OPTS=(
		-o "Dir::Etc::SourceList=$d/sources.list"
		-o "Dir::Etc::SourceParts=$d/empty.d"
		-o "Dir::State::Lists=$d/lists"
		-o "Dir::Cache=$d/cache"
		-o "Dir::Etc::Preferences=$d/empty.d/none"
		-o "Dir::Etc::PreferencesParts=$d/empty.d"
		-o APT::Sandbox::User="$(id -un)"
		-q
	)
}
