#!/bin/sh
# timeout: 180
# Delete SQ with 1000 reads in flight: delete completes, no completion for the SQ afterwards, device keeps working.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case delete_inflight
