#!/bin/sh
# timeout: 180
# 256 KiB (MDTS) writes and reads through PRP lists that start mid-page and chain: data round-trips exactly.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case prp_chain
