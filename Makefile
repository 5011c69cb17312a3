# SPDX-License-Identifier: GPL-2.0
#
# "make help" prints the lines below that begin with "##": the one list of
# the targets, which the README, .ci/run and Documentation/testing.md point
# to.
#
## Building and installing: kbuild and install(1), nothing else. They need
## a compiler and the build tree of the kernel the module is for, and run
## on any distribution; no package is installed and nothing is downloaded.
##   make [modules]     build driver/pagerange.ko against KDIR (default: the
##                      running kernel's /lib/modules/$(uname -r)/build)
##   make install       the module (against KDIR), the UAPI header,
##                      pagerangectl, the udev rule and the man pages;
##                      DESTDIR and PREFIX (default /usr/local) are honoured
##   make uninstall     remove what make install installed
##   make dkms-install  the same, with the module built and rebuilt by DKMS
##                      for every kernel (as root, with dkms installed);
##                      make dkms-uninstall
##   make clean
##
## Testing: each target installs the Debian packages it needs first (as
## root; make deps does only that), fetches or builds its kernels into
## ~/.cache/pagerange (or $PAGERANGE_CACHE), never installs them, and
## loads the module only in a QEMU guest.
##   make check         every selftest in a guest booting Debian's $(KERNEL);
##                      on 6.1 a second time built with -m32, as 32-bit
##                      callers
##   make check KERNEL=6.12  the same on Debian's 6.12 (bookworm-backports)
##   make compile-test  the module and the KUnit module built with W=1
##                      against the 7.2 debug kernel's tree
##   make check-debug   every selftest and the core's KUnit suites on kernels
##                      with checkers (KASAN, lockdep, DEBUG_VM, fault
##                      injection, two fake NUMA nodes) built from the 6.1
##                      and 7.2 sources; 7.2's with the driver built in
##   make check-kcsan   the concurrency tests on a KCSAN kernel built from 7.2
##   make check-mutants mutants of the driver, each broken in one way, which
##                      the selftests must all catch on 6.1
##   make lint          checkpatch, sparse and W=1, the UAPI header alone,
##                      shellcheck, the man pages, the specification's
##                      coverage and the cross-references (tools/dev/lint)
##   make check-tools   pagerangectl, the udev rule under Debian's udevadm,
##                      and the tile cache, in the guest
##   make run           "pagerangectl demo" in the guest
##   make bench         the benchmark in the guest (tools/bench/README.md);
##                      BENCH_OPTS passes options to tools/bench/run
##   make deps          install the Debian packages the tests need, only
##
## Upstream (tools/dev/upstream; the series' texts are in upstream/):
##   make upstream      the tree as a git format-patch series with a cover
##                      letter against Debian's linux-source-7.2, into
##                      build/upstream (UPSTREAM_DIR)
##   make upstream-check  the series applied with git am to the pristine
##                      7.2 source, checkpatch --strict and kernel-doc on
##                      it, and each patch in turn built with W=1 and C=1,
##                      the driver as a module and built in
##
## Packaging (Debian):
##   make deb           pagerange-dkms and pagerange-tools into debs/
##                      (DEB_DIR), checked by lintian
##   make deb-check     piuparts, an install and DKMS's autopkgtest in a
##                      bookworm chroot with the 6.1 and 6.12 headers, then
##                      selftests on the module DKMS built there for 6.1
##
## Variables:
##   KDIR=DIR           the kernel build tree for modules and install
##   KERNEL=SERIES      the guest's kernel for check, run, check-tools and
##                      bench: 6.1 (the default), 6.12, or one built from
##                      source with checkers: 6.1-debug (also "debug"),
##                      7.2-debug, 7.2-kcsan
##   T=name[,name...]   check and check-debug: only those selftest binaries
##                      ("kunit" names check-debug's KUnit suites)
##   TEST_TIMEOUT=SECS  each binary's time limit instead of the collection's
##                      (300 s), for a slower machine
##
## CI (.ci/run) runs, in this order: check, check KERNEL=6.12, compile-test,
## check-debug, check-kcsan, check-mutants, lint, upstream-check,
## check-tools, deb, deb-check.
##
## The testing and packaging targets run tools/dev/prdev, the one entry
## point of the tooling: "tools/dev/prdev help" lists its subcommands
## (kernel, run, check, ...) for use by hand.

KERNEL ?= 6.1
DEV := tools/dev/prdev
LIB := lib/libpagerange
# Static builds of the programs for the guest, which has no shared libraries.
GUEST := build/guest

# The running kernel's build tree: driver/Makefile says what to install
# when it is missing.
KDIR ?= /lib/modules/$(shell uname -r)/build

CFLAGS ?= -O2 -Wall -Wextra
UAPI := include/uapi/linux/pagerange.h

# make -j runs these targets one at a time, each with its own parallelism
# (kbuild, the kernel builds): deps installs packages that every other target
# needs, and the targets below write the same driver/ objects for different
# kernels (modules, vm-modules, check, run, check-tools, bench, install;
# check-debug and check-kcsan for each of their kernels in turn). The VM
# targets would also share the machine's CPUs with each other's QEMU, whose
# guests time their tests.
.NOTPARALLEL:
.PHONY: all help modules check check-debug check-kcsan check-mutants compile-test run clean deps \
	upstream upstream-check

all: modules

help:
	@sed -n 's/^## \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

deps:
	@$(DEV) deps

modules:
	$(MAKE) -C driver KDIR="$(KDIR)"

# The guest boots Debian's $(KERNEL), so check and run build the module
# against that kernel's headers whatever KDIR says.
vm-modules: deps
	kdir=$$($(DEV) kernel --kdir $(KERNEL)) && $(MAKE) -C driver KDIR="$$kdir"

comma := ,
CHECK_OPTS = $(foreach t,$(subst $(comma), ,$(T)),--test $(t)) \
	$(if $(TEST_TIMEOUT),--test-timeout $(TEST_TIMEOUT))

# The 32-bit run is Debian 6.1's: the one kernel every user of the
# compat path is sure to have.
check: vm-modules
	$(DEV) check --kernel $(KERNEL) $(if $(filter 6.1,$(KERNEL)),--m32) $(CHECK_OPTS)

# Each builds the module for each of its kernels in turn (tools/dev/check-kernels).
check-debug: deps
	$(DEV) check-kernels --kunit $(CHECK_OPTS) 6.1-debug 7.2-debug

# The tests whose threads race each other: stress, transactions, the
# regressions, the hostile receiver and reclaim.
KCSAN_TESTS := stress_test transaction_test regression_test hostile_test reclaim_test

check-kcsan: deps
	$(DEV) check-kernels $(CHECK_OPTS) $(if $(T),,$(foreach t,$(KCSAN_TESTS),--test $(t))) 7.2-kcsan

# Mutants of the driver, each of which the tests must kill (tools/dev/mutants).
check-mutants: deps
	$(DEV) mutants

compile-test: deps
	$(DEV) compile-test

run: vm-modules $(GUEST)/pagerangectl
	$(DEV) run --kernel $(KERNEL) --add $(GUEST)/pagerangectl -- /pagerangectl demo

# ---- tools, lint, install, DKMS -----------------------------------------

check-tools: vm-modules $(GUEST)/pagerangectl tools/tilecache/tilecache-test
	$(MAKE) -C pagerangectl pagerangectl-test-ranges
	udev=$$($(DEV) udev) && $(DEV) run --kernel $(KERNEL) \
		--add $(GUEST)/pagerangectl --add pagerangectl/pagerangectl-test \
		--add pagerangectl/pagerangectl-test-ranges --add tools/tilecache/tilecache-test \
		--add "$$udev" --add udev/60-pagerange.rules -- /pagerangectl-test

lint:
	$(DEV) lint

UPSTREAM_DIR ?= build/upstream

upstream: deps
	$(DEV) deps upstream
	$(DEV) upstream series $(UPSTREAM_DIR)

upstream-check: upstream
	$(DEV) deps lint upstream
	$(DEV) upstream check $(UPSTREAM_DIR)

# The version DKMS and /usr/src know the sources by: MODULE_VERSION.
PAGERANGE_VERSION := $(shell $(DEV) version)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
# udev reads rules from /usr/lib/udev/rules.d (what software installs) and
# /etc/udev/rules.d (the administrator's overrides), never from under
# /usr/local: the rule goes where udev looks, whatever PREFIX says.
UDEVRULESDIR ?= /usr/lib/udev/rules.d
# Under /lib/modules/<release>/: kbuild's default for external modules.
# DKMS installs into updates/dkms instead.
MODULE_DIR ?= extra

INSTALL_FILES := \
	$(SBINDIR)/pagerangectl \
	$(INCLUDEDIR)/linux/pagerange.h \
	$(UDEVRULESDIR)/60-pagerange.rules \
	$(MANDIR)/man4/pagerange.4 \
	$(MANDIR)/man8/pagerangectl.8

install: install-module install-files

# Signing and depmod: see packaging/install-module.
install-module: modules
	packaging/install-module install "$(KDIR)" "$(DESTDIR)" "$(MODULE_DIR)"

# On the system itself (no DESTDIR), the group the udev rule names is created.
install-files:
	$(MAKE) -C pagerangectl
	install -D -m 755 pagerangectl/pagerangectl $(DESTDIR)$(SBINDIR)/pagerangectl
	install -D -m 644 $(UAPI) $(DESTDIR)$(INCLUDEDIR)/linux/pagerange.h
	install -D -m 644 udev/60-pagerange.rules $(DESTDIR)$(UDEVRULESDIR)/60-pagerange.rules
	install -D -m 644 man/pagerange.4 $(DESTDIR)$(MANDIR)/man4/pagerange.4
	install -D -m 644 man/pagerangectl.8 $(DESTDIR)$(MANDIR)/man8/pagerangectl.8
	@if [ -z "$(DESTDIR)" ] && ! getent group pagerange >/dev/null; then \
		echo "groupadd --system pagerange"; groupadd --system pagerange; \
	fi

uninstall: uninstall-files
	packaging/install-module uninstall "$(KDIR)" "$(DESTDIR)" "$(MODULE_DIR)"

# The group is left alone: files may still belong to it.
uninstall-files:
	rm -f $(addprefix $(DESTDIR),$(INSTALL_FILES))

DKMS_SRCDIR := /usr/src/pagerange-$(PAGERANGE_VERSION)
# DKMS_KERNEL=<release> builds for that kernel instead of the running one.
DKMS_K := $(if $(DKMS_KERNEL),-k $(DKMS_KERNEL))

dkms-install: dkms-root install-files
	-dkms remove pagerange/$(PAGERANGE_VERSION) --all >/dev/null 2>&1
	rm -rf $(DKMS_SRCDIR)
	packaging/dkms-source $(DKMS_SRCDIR)
	dkms add pagerange/$(PAGERANGE_VERSION)
	dkms build pagerange/$(PAGERANGE_VERSION) $(DKMS_K)
	dkms install pagerange/$(PAGERANGE_VERSION) $(DKMS_K)

dkms-uninstall: dkms-root uninstall-files
	-dkms remove pagerange/$(PAGERANGE_VERSION) --all
	rm -rf $(DKMS_SRCDIR)

# DKMS works on the running system: it has no DESTDIR.
dkms-root:
	@[ -z "$(DESTDIR)" ] || { echo "DKMS installs into this system: unset DESTDIR" >&2; exit 1; }
	@command -v dkms >/dev/null || { echo "dkms is not installed (Debian, Ubuntu: apt install dkms;" \
		"Fedora: dnf install dkms; Arch: pacman -S dkms)" >&2; exit 1; }

# make deb: pagerange-dkms and pagerange-tools, built by dpkg-buildpackage
# and checked by lintian, into DEB_DIR; make deb-check runs piuparts and
# the autopkgtest on them in a bookworm chroot and boots the module DKMS
# built there.
DEB_DIR ?= debs
deb:
	$(DEV) deb $(DEB_DIR)

deb-check: deb
	$(DEV) deb-check $(DEB_DIR)

.PHONY: deb deb-check check-tools lint install install-module install-files uninstall \
	uninstall-files dkms-install dkms-uninstall dkms-root

# ---- benchmark -----------------------------------------------------------

# make bench: the driver against kernel and libc references, in the guest;
# see tools/bench/README.md. BENCH_OPTS passes options to tools/bench/run.
bench: vm-modules
	tools/bench/run --kernel $(KERNEL) $(BENCH_OPTS)

.PHONY: bench

# The guest's copy of pagerangectl (pagerangectl/Makefile): static, as the
# guest has no shared libraries, and apart from the one make install
# installs.
$(GUEST)/pagerangectl: $(wildcard pagerangectl/*.[ch]) $(LIB).c $(LIB).h $(UAPI)
	mkdir -p $(GUEST)
	$(MAKE) -C pagerangectl clean
	$(MAKE) -C pagerangectl STATIC=-static
	mv pagerangectl/pagerangectl $@

# The tile cache of Documentation/discardable-cache.md, and its test.
TILECACHE := tools/tilecache/tilecache
tools/tilecache/tilecache-test: tools/tilecache/tilecache-test.c $(TILECACHE).c \
		$(TILECACHE).h $(LIB).c $(LIB).h $(UAPI)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -static \
		-Iinclude/uapi -Ilib -Itools/tilecache -o $@ $< \
		$(TILECACHE).c $(LIB).c

clean:
	$(MAKE) -C pagerangectl clean
	rm -f tools/tilecache/tilecache-test
	rm -rf build
	rm -rf driver/*.o driver/*.ko driver/*.mod driver/*.mod.c driver/.*.cmd \
		driver/modules.order driver/Module.symvers driver/.tmp_versions
	if [ -f selftests/pagerange/Makefile ] && src=$$($(DEV) kernel harness 2>/dev/null); then \
		$(MAKE) -C selftests/pagerange KSFT_DIR=$$src/tools/testing/selftests clean; \
	fi

.PHONY: vm-modules help
