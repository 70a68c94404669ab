# SPDX-License-Identifier: GPL-2.0
#
# myheap: entry points. The kernel module's object lists are in Kbuild;
# each part below has its own Makefile or script, this file only ties them
# together.
#
#   make run          the narrated demo in a VM on Debian's stock kernel
#   make shell        an interactive VM shell with the module and tools
#   make check        every test of every layer; last line "N passed, N failed"
#   make check-core   native tests, fuzzers and trace replay of module/core
#   make kunit        KUnit suites in the debug-kernel VM
#   make selftests    kselftest-harness tests in the VM (KERNELS=debug stock)
#   make bench        utilization and throughput of every policy on the traces
#   make all          build everything that builds on the host
#   make install      install libmyheap, the CLI, man pages, uapi header
#   make vm-modules   (called by tests/vm/run) build what a VM boots with

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD := $(TOP)/build
RESULTS := $(BUILD)/results
KERNEL ?= debug
KERNELS ?= debug stock
PREFIX ?= /usr/local
DESTDIR ?=

# Parts that exist so far: each is optional here so the tree builds while
# it grows; `make check` counts a missing result file as a failure.
HAVE_USERSPACE := $(wildcard $(TOP)/userspace/Makefile)
HAVE_SELFTESTS := $(wildcard $(TOP)/tests/selftests/Makefile)
HAVE_DEBUGFS := $(wildcard $(TOP)/tests/debugfs/Makefile)

.PHONY: all deps run shell check check-core kunit selftests bench install \
	vm-modules clean userspace

all: deps
	$(MAKE) -C tests/core all
	$(if $(HAVE_USERSPACE),$(MAKE) -C userspace all)

deps:
	@tests/vm/install-deps
	@tests/core/install-deps
	$(if $(HAVE_USERSPACE),@userspace/install-deps)

userspace:
	$(if $(HAVE_USERSPACE),$(MAKE) -C userspace all)

# What tests/vm/run boots with: the modules for $(KERNEL) and the static
# programs the guest runs (selftests, tools) in build/vm/bin.
vm-modules:
	@module/build-kmod $(KERNEL)
	$(if $(HAVE_SELFTESTS),@$(MAKE) -s -C tests/selftests vm)
	$(if $(HAVE_DEBUGFS),@$(MAKE) -s -C tests/debugfs vm)
	$(if $(HAVE_USERSPACE),@$(MAKE) -s -C userspace vm)

check-core: deps
	-@$(MAKE) -s -C tests/core check
	@tests/tally $(RESULTS) test fuzz replay-check

kunit: deps
	-@module/tests/run-kunit
	@tests/tally $(RESULTS) kunit

selftests: deps
	-@for k in $(KERNELS); do tests/selftests/run-in-vm $$k; done
	@tests/tally $(RESULTS) $(KERNELS:%=selftests-%)

# Every layer runs even when an earlier one fails; tests/tally adds up the
# counts each layer wrote and fails if any failed or wrote none.
CHECK_LAYERS := test fuzz replay-check kunit $(KERNELS:%=selftests-%) \
	$(if $(HAVE_DEBUGFS),$(KERNELS:%=debugfs-%)) \
	$(if $(HAVE_USERSPACE),userspace-stock demo)
check: deps
	@rm -rf $(RESULTS) && mkdir -p $(RESULTS)
	-@$(MAKE) -s -C tests/core check
	-@module/tests/run-kunit
	-@for k in $(KERNELS); do tests/selftests/run-in-vm $$k; done
	$(if $(HAVE_DEBUGFS),-@for k in $(KERNELS); do tests/debugfs/run-in-vm $$k; done)
	$(if $(HAVE_USERSPACE),-@userspace/tests/run-in-vm stock)
	$(if $(HAVE_USERSPACE),-@MYHEAP_DEMO_QUICK=1 userspace/demo/run)
	@tests/tally $(RESULTS) $(CHECK_LAYERS)

run: deps
	@userspace/demo/run

shell: deps
	@tests/vm/run --kernel stock -i

bench: deps
	@$(MAKE) -s -C tests/core utilization

# libmyheap, the CLI, the man pages and the uapi header.
install:
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

clean:
	rm -rf $(BUILD)
