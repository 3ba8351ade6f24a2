#!/bin/sh
# timeout: 120
# Regression D8e: invalid doorbell writes with an AER outstanding complete it with an Error status event.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d8e_doorbell_aer
