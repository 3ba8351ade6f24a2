#!/bin/sh
# Unit tests of tools/trace/nvmev_trace.py (python unittest), reported as
# the PASS:/FAIL: lines make check counts.
cd "$(dirname "$0")/../.." || exit 2
exec python3 - <<'PY'
import sys
import unittest

suite = unittest.defaultTestLoader.discover("tools/trace/tests")


class Result(unittest.TextTestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        print("PASS: trace_reader.%s" % test.id().split(".")[-1], flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print("FAIL: trace_reader.%s: failure" % test.id().split(".")[-1], flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print("FAIL: trace_reader.%s: error" % test.id().split(".")[-1], flush=True)


res = unittest.TextTestRunner(stream=open("/dev/null", "w"), resultclass=Result).run(suite)
for test, tb in res.failures + res.errors:
    print(tb, file=sys.stderr)
if res.testsRun == 0:
    print("FAIL: trace_reader: no test ran")
sys.exit(0 if res.wasSuccessful() and res.testsRun else 1)
PY
