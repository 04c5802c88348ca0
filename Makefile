# SPDX-License-Identifier: GPL-2.0
#
# mlog: one-command build, demo and tests on Debian 12.
#
#   make            build mlog.ko, the userspace tools and the selftests
#   make install    install the tools (and mlog.ko for the running kernel)
#   make deps       install the Debian packages that are missing
#   make check      run every test suite (installs what is missing first)
#   make check-long the long suites (scripts/check-long; installs first)
#   make demo       a two-node QEMU cluster exchanging AF_MLOG datagrams
#   make fuzz       fuzz the frame parser for 10 minutes
#   make bench      benchmarks (mlog against its baselines, same run)
#
# "make" and "make install" build and install mlog only: they never
# install packages (QEMU, a kernel image...).  Without the build
# dependencies they stop at once and say to run "make deps".  The goals
# that test or demonstrate mlog (deps, check, check-long, demo, bench,
# fuzz) install whatever is missing first.
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

# The build's own check of its dependencies (scripts/build-prereqs) comes
# after scripts/deps when a goal that installs them was asked for.
DEPS_GOALS := deps check check-long demo bench fuzz
ifneq ($(filter $(DEPS_GOALS),$(MAKECMDGOALS)),)
PREREQS_AFTER := deps
endif

prereqs-kmod prereqs-user prereqs-selftests: $(PREREQS_AFTER)
	@KDIR=$(KDIR) scripts/build-prereqs $(@:prereqs-%=%)

kmod: prereqs-kmod
	$(MAKE) -C kmod KDIR=$(KDIR) W=1

user: prereqs-user
	cmake -S daemons -B $(BUILD)/user -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) >/dev/null
	cmake --build $(BUILD)/user -j$(JOBS)

selftests: prereqs-selftests
	$(MAKE) -C selftests/mlog O=$(BUILD)/selftests

check: all
	scripts/check

check-long: all
	scripts/check-long

demo: all
	scripts/demo

fuzz: deps
	$(MAKE) -C fuzz long

bench: all
	bench/net/run
	bench/slog/run
	bench/apps/run --insns
	cmake --build $(BUILD)/user --target mlog-crs-bench
	bench/crs/run $(BUILD)/user/bench/crs/mlog-crs-bench

install: kmod user
	cmake --install $(BUILD)/user
	$(MAKE) -C $(KDIR) M=$(REPO)/kmod CONFIG_MLOG=m modules_install

clean:
	$(MAKE) -C kmod KDIR=$(KDIR) clean
	rm -rf $(BUILD)

.PHONY: all deps prereqs-kmod prereqs-user prereqs-selftests kmod user selftests \
	check check-long demo fuzz bench install clean
