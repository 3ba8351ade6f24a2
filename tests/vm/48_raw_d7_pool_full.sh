#!/bin/sh
# timeout: 400
# Regression D7: deleting an SQ while the worker's pool is full must not drop live commands of other SQs.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d7_pool_full
