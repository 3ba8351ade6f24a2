#!/bin/sh
# timeout: 120
# Regression D8b: a Set Features that raises an AER with one admin CQ slot free: both completions arrive.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case d8b_aer_cq_full
