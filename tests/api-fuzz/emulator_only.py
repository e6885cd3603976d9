"""Whether a failed schemathesis run (its text report, argv[1]) failed only on the local Lambda
emulator's own 500 answers, and the functions' log (argv[2]) records no error of theirs.

`cargo lambda watch` now and then answers a request 500 with a body of its own
(`https://httpstatuses.com/500`) that no function produced: no function logged the request, an
error or a panic (a panicking handler logs "user handler panicked"). Tessera's own 500s are
`application/problem+json` with `urn:tessera:problem:…` types, so they never match. Exit 0 when
every failure is such an emulator answer (scripts/api-fuzz.sh then runs once more), 1 otherwise.
"""

import json
import re
import sys


def emulator_only(report: str, log_lines) -> bool:
    if "FAILURES" not in report:
        return False
    section = report.split("FAILURES", 1)[1].split("SUMMARY", 1)[0]
    cases = section.split("Test Case ID:")[1:]
    if not cases:
        return False
    for case in cases:
        checks = set(re.findall(r"- (ST\d+)", case))
        if not checks <= {"ST101", "ST103"} or "httpstatuses.com/500" not in case:
            return False
        if "urn:tessera:problem" in case:
            return False
    for line in log_lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("level") == "ERROR":
            return False
    return True


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as report, open(sys.argv[2], encoding="utf-8") as log:
        sys.exit(0 if emulator_only(report.read(), log) else 1)
