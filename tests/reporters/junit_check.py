#!/usr/bin/python3
"""Reads a junit reporter document with junitparser, as CI tools read it, and prints a summary.

Usage: /usr/bin/python3 junit_check.py FILE

Run with Debian's interpreter, which has python3-junitparser. Exits 1 with a message when the
document is not self-consistent for a consumer: a suite's tests/failures/errors/skipped attributes
differ from what junitparser counts in its cases, the <testsuites> totals differ from the sum of
the suites, a time is not a plain decimal, or a system-out line is not key=value. Otherwise prints
one line for the document, one per suite and one per test case, which junit_reporter_test.cc
compares with what it expects:

  testsuites tests=N failures=N errors=N
  suite NAME tests=N failures=N errors=N skipped=N
  case CLASSNAME|NAME|RESULT|type=TYPE|message=MESSAGE|verdict=VERDICT|status=STATUS
"""

import re
import sys

from junitparser import Error, Failure, JUnitXml, Skipped

PLAIN_DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def fail(text):
    print("junit_check: " + text, file=sys.stderr)
    sys.exit(1)


def check_time(owner, value):
    if value is None or not PLAIN_DECIMAL.match(value):
        fail("%s: time %r is not a plain decimal" % (owner, value))


def result_kind(case):
    results = case.result
    if len(results) > 1:
        fail("%s: %d result elements" % (case.name, len(results)))
    if not results:
        return "pass", None
    result = results[0]
    for kind, cls in (("failure", Failure), ("error", Error), ("skipped", Skipped)):
        if isinstance(result, cls):
            return kind, result
    fail("%s: unknown result element" % case.name)
    return None, None


def main():
    if len(sys.argv) != 2:
        fail("usage: junit_check.py FILE")
    xml = JUnitXml.fromfile(sys.argv[1])
    if xml._elem.tag != "testsuites":
        fail("the root element is %s, not testsuites" % xml._elem.tag)
    check_time("testsuites", xml._elem.get("time"))
    declared_total = (xml.tests, xml.failures, xml.errors)
    lines = []
    total = [0, 0, 0]
    for suite in xml:
        check_time(suite.name, suite._elem.get("time"))
        declared = (suite.tests, suite.failures, suite.errors, suite.skipped)
        counted = [0, 0, 0, 0]
        case_lines = []
        for case in suite:
            check_time(case.name, case._elem.get("time"))
            kind, result = result_kind(case)
            counted[0] += 1
            if kind == "failure":
                counted[1] += 1
            elif kind == "error":
                counted[2] += 1
            elif kind == "skipped":
                counted[3] += 1
            out = {}
            for line in (case.system_out or "").splitlines():
                key, sep, value = line.partition("=")
                if not sep or not key:
                    fail("%s: system-out line %r is not key=value" % (case.name, line))
                out[key] = value
            fields = [case.classname, case.name, kind]
            if result is not None:
                if result.type is not None:
                    fields.append("type=" + result.type)
                fields.append("message=" + (result.message or ""))
                if not (result.text or "").startswith(result.message or ""):
                    fail("%s: the body does not repeat the message" % case.name)
            for key in ("verdict", "status"):
                if key in out:
                    fields.append("%s=%s" % (key, out[key]))
            case_lines.append("case " + "|".join(fields))
        if tuple(counted) != declared:
            fail("suite %s declares %r but holds %r" % (suite.name, declared, tuple(counted)))
        for i in range(3):
            total[i] += counted[i]
        lines.append("suite %s tests=%d failures=%d errors=%d skipped=%d" %
                     ((suite.name,) + tuple(counted)))
        lines.extend(case_lines)
    if tuple(total) != declared_total:
        fail("testsuites declares %r but its suites hold %r" % (declared_total, tuple(total)))
    print("testsuites tests=%d failures=%d errors=%d" % tuple(total))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
