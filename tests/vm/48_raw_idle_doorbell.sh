#!/bin/sh
# timeout: 120
# Invalid doorbell writes after 2.5 s without commands (the dispatcher may
# be in deep idle, watched by a timer): a write to the doorbell of a queue
# that does not exist still completes the outstanding AER; an invalid CQ
# head or SQ tail without an AER still sets CSTS.CFS.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case idle_doorbell
