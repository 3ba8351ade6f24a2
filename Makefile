# SPDX-License-Identifier: GPL-2.0
# nvmev: out-of-tree build.  `make` builds ./nvmev.ko for the running kernel,
# `make KVER=<release>` against /lib/modules/<release>/build.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf .build

# Static checks: W=1 and sparse (C=1) against the given kernel.
lint:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=1 modules

# User-space unit tests: the device model (ftl/) and the trace reader.
unit:
	$(MAKE) -C tests/unit run
	tests/unit/trace-reader.sh

# The main job: build, boot a throwaway QEMU VM, insmod, nvme-cli, fio, traces.
demo:
	tools/vm/nvmev-vm --install-deps
	tools/vm/nvmev-vm demo

# Everything: unit tests, then the VM tests on kernels 6.1 and 6.12.
check:
	tests/check.sh

# The VM suite on the debug kernel (KASAN, UBSAN, lockdep, kmemleak, lockup
# detectors), built once by tools/vm/debug-kernel and cached in
# /var/cache/nvmev/debug-kernel.  Not part of check (too slow for CI; see
# Documentation/testing.rst).  Prints "N passed, N failed" like check.
check-debug:
	NVMEV_CHECK_KERNELS=debug NVMEV_SKIP_UNIT=1 tests/check.sh

# The two-VM NVMe-oF scenario (target VM: nvmev exported by nvmet over TCP;
# host VM: nvme connect, fio verify, resets, smart-log, joined traces) on
# kernels 6.1 and 6.12.  Prints "N passed, N failed".  Documentation/fabric.rst.
check-fabric:
	tools/fabric/check-fabric

# Benchmarks (not part of check): nvmev and QEMU's NVMe (control) in one
# TCG mode, table against the model, CSV, plot.  Options go through
# BENCH_ARGS, e.g. make bench BENCH_ARGS="--tcg-thread multi".
BENCH_ARGS ?=
bench:
	tools/bench/run $(BENCH_ARGS)

# Seeded fuzzer of the raw user-space driver (tests/raw), longer than the
# run in check: NVMEV_FUZZ_SEED=S replays a seed (default: a new one, printed),
# NVMEV_FUZZ_COUNT=N steps (default 100000) and NVMEV_FUZZ_SECONDS=T time limit
# (default 300) for each of the strict and the chaos run,
# NVMEV_FUZZ_KERNEL=6.1|6.12.
fuzz:
	NVMEV_FUZZ_COUNT=$${NVMEV_FUZZ_COUNT:-100000} \
	NVMEV_FUZZ_SECONDS=$${NVMEV_FUZZ_SECONDS:-300} \
	NVMEV_FUZZ_SEED=$${NVMEV_FUZZ_SEED:-random} \
	tools/vm/nvmev-vm --kernel $${NVMEV_FUZZ_KERNEL:-6.1} \
		--tests '^(00_canary|20_load|49_raw_fuzz|90_canary|99_dmesg)' check

# Interactive shell in the VM with nvmev loaded.
shell:
	tools/vm/nvmev-vm shell

# DKMS: build and install nvmev.ko for every installed kernel that has its
# headers (and, through DKMS, for kernels installed later).  Builds only:
# nothing is loaded.  Needs root (sudo is used otherwise) and the dkms
# package.  Both targets are idempotent.  Documentation/host.rst.
DKMS_NAME := nvmev
DKMS_VER := $(shell sed -n 's/^\#define NVMEV_VERSION[[:space:]]*"\(.*\)"/\1/p' core/nvmev.h)
DKMS_SRC := /usr/src/$(DKMS_NAME)-$(DKMS_VER)
DKMS_FILES := Kbuild Makefile dkms.conf core admin io ftl trace
# kernels with headers, or DKMS_KERNELS="<release> ..."
DKMS_KERNELS ?= $(notdir $(patsubst %/build/Makefile,%,$(wildcard /lib/modules/*/build/Makefile)))
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

dkms-check:
	@command -v dkms >/dev/null 2>&1 || { \
		echo "dkms is not installed: apt-get install dkms (Debian/Ubuntu), dnf install dkms (Fedora)"; exit 1; }
	@grep -q '^PACKAGE_VERSION="$(DKMS_VER)"$$' dkms.conf || { \
		echo "dkms.conf: PACKAGE_VERSION differs from NVMEV_VERSION $(DKMS_VER) in core/nvmev.h"; exit 1; }
	@[ -n "$(DKMS_KERNELS)" ] || { echo "no kernel with headers in /lib/modules/*/build"; exit 1; }

dkms-install: dkms-check
	@$(MAKE) --no-print-directory dkms-remove
	$(SUDO) mkdir -p $(DKMS_SRC)
	tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
		--exclude='*.symvers' --exclude='*.order' $(DKMS_FILES) | $(SUDO) tar -xf - -C $(DKMS_SRC)
	$(SUDO) dkms add -m $(DKMS_NAME) -v $(DKMS_VER)
	@set -e; for k in $(DKMS_KERNELS); do \
		echo "== dkms install $(DKMS_NAME)/$(DKMS_VER) for $$k"; \
		$(SUDO) dkms install -m $(DKMS_NAME) -v $(DKMS_VER) -k $$k; \
	done
	dkms status $(DKMS_NAME)
	@for k in $(DKMS_KERNELS); do modinfo -k $$k -F filename $(DKMS_NAME); done

dkms-remove:
	@command -v dkms >/dev/null 2>&1 || { \
		echo "dkms is not installed: nothing to remove (apt-get install dkms to use DKMS)"; exit 0; }
	@set -e; for v in $$(dkms status $(DKMS_NAME) 2>/dev/null | sed -n 's|^$(DKMS_NAME)[/,] *\([^,:]*\).*|\1|p' | sort -u); do \
		echo "== dkms remove $(DKMS_NAME)/$$v --all"; \
		$(SUDO) dkms remove -m $(DKMS_NAME) -v $$v --all; \
	done
	$(SUDO) rm -rf $(DKMS_SRC)

.PHONY: all modules clean lint unit demo check check-debug check-fabric bench fuzz shell dkms-check dkms-install dkms-remove
