#!/bin/sh
# timeout: 120
# Regression D8a: Set Features Number of Queues after I/O queues exist: Command Sequence Error.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d8a_nr_queues
