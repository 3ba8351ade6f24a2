#!/bin/sh
# timeout: 120
# Two SQs on one CQ (SQ 2 -> CQ 1): completions carry the right sqid; CQ delete refused while bound.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case sq_cq_bind
