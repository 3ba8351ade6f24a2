#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The VM test suite: tests/vm/run.sh prints PASS:/FAIL:/SKIP: lines.
. /etc/nvmev-vm.conf
. /vm/lib.sh
vm_section "tests/vm ($NVMEV_MODE mode)"
sh /tests/vm/run.sh
