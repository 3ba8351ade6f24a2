#!/bin/sh
# timeout: 180
# PRPs into nvmev's reserved region, BAR0, the LAPIC and beyond RAM: Data Transfer Error, the region unchanged.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case prp_forbidden
