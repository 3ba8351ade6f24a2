#!/bin/sh
# timeout: 120
# Regression D8d: I/O queues in reserved System RAM (kernel code, first MiB) are refused.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d8d_queue_reserved
