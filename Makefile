# SPDX-License-Identifier: GPL-2.0
#
#   make [modules]  build driver/pagerange.ko against KDIR
#   make vm-modules build it against the guest's kernel ($(KERNEL) below)
#   make check      build the module and the selftests, run every selftest
#                   in a QEMU guest booting Debian's kernel (the test command)
#   make run        boot the same guest and run "pagerangectl demo"
#   make clean
#
# KERNEL picks the Debian kernel series the guest boots and the module is
# built against for check and run: 6.1 (bookworm, the default) or 6.12
# (bookworm-backports). Kernels are unpacked into ~/.cache/pagerange (or
# $PAGERANGE_CACHE), never installed, and the module is never loaded into
# the host. Missing Debian packages are installed first (as root).

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
.PHONY: all modules check run clean deps

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

check: vm-modules
	$(VM)/check --kernel $(KERNEL)

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
