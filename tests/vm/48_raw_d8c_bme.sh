#!/bin/sh
# timeout: 120
# Regression D8c: with Bus Master Enable clear the device neither fetches nor completes.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d8c_bme
