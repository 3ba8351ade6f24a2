#!/bin/sh
# timeout: 180
# SQ tail / CQ head doorbells beyond the queue (I/O and admin): CSTS.CFS, and CC.EN 0->1 recovers.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case doorbell_oob
