#!/bin/sh
# timeout: 120
# Regression D4: Create I/O CQ x must not clear SQ x's tail doorbell (stale re-fetch floods CQ 1).
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d4_create_cq_db
