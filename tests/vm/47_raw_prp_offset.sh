#!/bin/sh
# timeout: 120
# PRP1 not dword aligned, PRP2 / list entries / chain pointer not page aligned: PRP Offset Invalid, no crash.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case prp_offset
