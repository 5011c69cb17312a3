# SPDX-License-Identifier: GPL-2.0
#
#   make [modules]  build driver/pagerange.ko against KDIR
#   make vm-modules build it against the guest's kernel ($(KERNEL) below)
#   make check      build the module and the selftests, run every selftest
#                   in a QEMU guest booting Debian's kernel (the test command)
#   make check-debug
#                   the same on a debug kernel built from source (KASAN,
#                   lockdep, DEBUG_VM, fault injection, two fake NUMA
#                   nodes), plus the core's KUnit suite
#   make run        boot the same guest and run "pagerangectl demo"
#   make compile-test  build against Debian sid's linux-source-7.2 with W=1
#                   (a kernel that is compile-tested, not booted)
#   make clean
#
# KERNEL picks the Debian kernel series the guest boots and the module is
# built against for check and run: 6.1 (bookworm, the default) or 6.12
# (bookworm-backports), or debug (what check-debug uses). Kernels are
# unpacked or built into ~/.cache/pagerange (or $PAGERANGE_CACHE), never
# installed, and the module is never loaded into the host. Missing Debian
# packages are installed first (as root).
#
# For check and check-debug:
#   T=name[,name...]  run only those selftest binaries ("kunit" names the
#                     KUnit suite of check-debug), e.g. T=reclaim_test
#   TEST_TIMEOUT=SECS each binary's time limit instead of the collection's
#                     settings (300 s) for a slower machine

KERNEL ?= 6.1
VM := tools/vm

# The running kernel's build directory if it has one, else Debian's headers
# for $(KERNEL) from the cache (fetched on first use).
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(shell $(VM)/fetch-kernel --kdir $(KERNEL)))

CFLAGS ?= -O2 -Wall -Wextra
UAPI := include/uapi/linux/pagerange.h

# deps must finish before anything else starts.
.NOTPARALLEL:
.PHONY: all modules check check-debug compile-test run clean deps

all: modules

deps:
	@$(VM)/deps

modules: deps
	@kdir="$(KDIR)"; [ -n "$$kdir" ] || { echo "no KDIR: set KDIR=<kernel build dir>" >&2; exit 1; }; \
	echo "$(MAKE) -C driver KDIR=$$kdir"; $(MAKE) -C driver KDIR="$$kdir"

# The guest boots Debian's $(KERNEL), so check and run build the module
# against that kernel's headers whatever KDIR says.
vm-modules: deps
	kdir=$$($(VM)/fetch-kernel --kdir $(KERNEL)) && $(MAKE) -C driver KDIR="$$kdir"

comma := ,
CHECK_OPTS = $(foreach t,$(subst $(comma), ,$(T)),--test $(t)) \
	$(if $(TEST_TIMEOUT),--test-timeout $(TEST_TIMEOUT))

check: vm-modules
	$(VM)/check --kernel $(KERNEL) $(CHECK_OPTS)

# A sub-make, so that "make check check-debug" builds the module once for
# each kernel. The KUnit module is removed first: a copy left from an older
# build must not stand in for one the driver no longer produces.
check-debug: deps
	rm -f driver/pagerange_kunit.ko
	$(MAKE) --no-print-directory vm-modules KERNEL=debug
	$(VM)/check --kernel debug --kunit driver/pagerange_kunit.ko $(CHECK_OPTS)

compile-test: deps
	$(VM)/compile-test

run: vm-modules tools/pagerangectl
	$(VM)/run --kernel $(KERNEL) --add tools/pagerangectl -- /pagerangectl demo

# Static: the guest has no shared libraries.
tools/pagerangectl: tools/pagerangectl.c $(UAPI) | deps
	$(CC) $(CFLAGS) -static -Iinclude/uapi -o $@ $<

clean:
	rm -f tools/pagerangectl
	rm -rf driver/*.o driver/*.ko driver/*.mod driver/*.mod.c driver/.*.cmd \
		driver/modules.order driver/Module.symvers driver/.tmp_versions
	if [ -f selftests/pagerange/Makefile ] && src=$$($(VM)/linux-source 2>/dev/null); then \
		$(MAKE) -C selftests/pagerange KSFT_DIR=$$src/tools/testing/selftests clean; \
	fi

.PHONY: vm-modules
