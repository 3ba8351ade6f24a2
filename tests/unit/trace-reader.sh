#!/bin/sh
# Unit tests of tools/trace/nvmev_trace.py (python unittest), reported as
# the PASS:/FAIL: lines make check counts.
cd "$(dirname "$0")/../.." || exit 2
out=$(python3 -m unittest discover -s tools/trace/tests -v 2>&1)
rc=$?
echo "$out" | awk '
	/ \.\.\. ok$/ { n = $1; print "PASS: trace_reader." n; p++ }
	/ \.\.\. (FAIL|ERROR)$/ { n = $1; print "FAIL: trace_reader." n ": " $NF; f++ }
	END { if (p + f == 0) print "FAIL: trace_reader: no test ran" }'
[ "$rc" = 0 ] || { echo "$out" | tail -30; exit 1; }
