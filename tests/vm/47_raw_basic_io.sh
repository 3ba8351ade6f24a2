#!/bin/sh
# timeout: 120
# The raw driver on sane input: Read, Write, Compare (equal and not), Flush,
# DSM deallocate and Write Zeroes (read back as zeroes), Get Features, Get
# Log Page (SMART counts the writes) on two queue pairs, then deletion.
# (raw user-space driver, tests/raw; see tests/vm/raw_lib.sh)
. "$T_DIR/lib.sh"
. "$T_DIR/raw_lib.sh"
raw_case basic_io
