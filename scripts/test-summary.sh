#!/usr/bin/env bash
# Usage: scripts/test-summary.sh CARGO_TEST_LOG
# Adds up cargo's per-target "test result:" lines into one closing line, and fails when any test
# failed or none ran (a run that tests nothing must not pass).
set -euo pipefail
read -r passed failed < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } } END { print p+0, f+0 }' "$1")
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
