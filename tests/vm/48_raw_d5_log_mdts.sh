#!/bin/sh
# timeout: 240
# Regression D5: Get Log Page longer than MDTS is Invalid Field; self-referencing PRP lists do not stall.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d5_log_mdts
