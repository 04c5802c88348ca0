# SPDX-License-Identifier: GPL-2.0
#
# mlog: one-command build, demo and tests on Debian 12.
#
#   make            build mlog.ko, the userspace tools and the selftests
#   make check      run every test suite (installs what is missing first)
#   make demo       a two-node QEMU cluster exchanging AF_MLOG datagrams
#   make fuzz       fuzz the frame parser for 10 minutes
#   make bench      benchmarks (mlog against its baselines, same run)
#   make install    install the tools (and mlog.ko for the running kernel)
#
# KDIR=<kernel build dir> builds mlog.ko against another kernel tree.

REPO   := $(CURDIR)
BUILD  := $(REPO)/build
KVER   ?= $(shell ls -1 /lib/modules 2>/dev/null | grep -E '^6\.1\.' | sort -V | tail -n1)
KDIR   ?= /lib/modules/$(KVER)/build
CMAKE_BUILD_TYPE ?= RelWithDebInfo
JOBS   ?= $(shell nproc)

all: kmod user selftests

# Installs missing Debian packages; a no-op (about a second) when all are there.
deps:
	@scripts/deps

kmod: deps
	$(MAKE) -C kmod KDIR=$(KDIR) W=1

user: deps
	cmake -S daemons -B $(BUILD)/user -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) >/dev/null
	cmake --build $(BUILD)/user -j$(JOBS)

selftests: deps
	$(MAKE) -C selftests/mlog O=$(BUILD)/selftests

check: all
	scripts/check

demo: all
	scripts/demo

fuzz: deps
	$(MAKE) -C fuzz long

bench: all
	bench/net/run
	bench/slog/run
	cmake --build $(BUILD)/user --target mlog-crs-bench
	bench/crs/run $(BUILD)/user/bench/crs/mlog-crs-bench

install: all
	cmake --install $(BUILD)/user
	$(MAKE) -C $(KDIR) M=$(REPO)/kmod CONFIG_MLOG=m modules_install

clean:
	$(MAKE) -C kmod KDIR=$(KDIR) clean
	rm -rf $(BUILD)

.PHONY: all deps kmod user selftests check demo fuzz bench install clean
