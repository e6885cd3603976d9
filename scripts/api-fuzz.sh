#!/usr/bin/env bash
# API fuzzing in `make test`: schemathesis generates requests from infra/openapi.yaml (every
# operation, valid and invalid data) against `cargo lambda watch` on a fresh embedded state, and
# fails on any 5xx, on an answer the document does not declare, on a body that does not match its
# schema, and on invalid data that is accepted. Bounded by tests/api-fuzz/schemathesis.toml
# (a fixed seed and a few examples per operation); FUZZ_EXAMPLES raises the count (`make soak`).
set -euo pipefail
# A run that failed only on the local emulator's own 500s (tests/api-fuzz/emulator_only.py says
# how they are told from the functions' answers) exits 3; it is then run again from the start, on
# a fresh state (a rerun on the same state would find its rate limits spent), up to three runs in
# all. Any failure of the functions, or a third failed run, fails.
FUZZ_RUNS=3
if [ -z "${FUZZ_ATTEMPT:-}" ]; then
  for attempt in $(seq 1 "$FUZZ_RUNS"); do
    status=0
    FUZZ_ATTEMPT=$attempt "$0" "$@" || status=$?
    [ "$status" -eq 3 ] || exit "$status"
    echo "API fuzzing: the emulator answered 500 itself (.test-output/api-fuzz-emulator-500.txt); again on a fresh state" >&2
  done
  exit 1
fi
source "$(dirname "$0")/local-api.sh"
port=${FUZZ_PORT:-9100}
out=.test-output/api-fuzz
rm -rf "$out" && mkdir -p "$out"
state=$(mktemp -d)
api="http://127.0.0.1:$port"

# No uniform-answer floor: the run checks answers, not timing, and sign-ups would take 400 ms each.
# Every generated request comes from loopback: per-client limits off, so each operation is reached
# (their 429 is declared, and tested in tests/tests/client_limits.rs). No minimum password age, so
# a password change completed by tests/api-fuzz/hooks.py on a new account can succeed (the rule is
# tested in tests/tests/password_change.rs).
# The operator command, built before the functions are watched (a build inside the workspace
# during the run would restart them).
cargo build -q -p tessera-operator
TESSERA_UNIFORM_ANSWER_MS=0 TESSERA_CLIENT_REGISTRATIONS=0 TESSERA_CLIENT_LOGINS=0 \
  TESSERA_CLIENT_RECOVERIES=0 TESSERA_CLIENT_VERIFICATIONS=0 TESSERA_PASSWORD_MIN_AGE_SECONDS=0 start_local_api "$port" "$state" "$out/watch.log"

# One account with a session, and the sample records imported, so the session operations reach
# their real handlers rather than stopping at 401.
email="fuzz.$$@example.com"
password="Quartz-Harbor-42x"
for kind in exam-results ce-credits; do
  curl -s -o /dev/null -X POST "$api/v1/admin/imports/$kind?source=$kind.csv" \
    -H 'authorization: Bearer tessera-local-admin-token' -H 'content-type: text/csv' \
    --data-binary @"docs/samples/$kind.csv"
done
token=$(new_session "$api" "$state" "$email" "$password" Grace Hopper)
[ -n "$token" ] || { echo "the fuzzing account could not log in" >&2; exit 1; }
curl -s -o /dev/null -X POST "$api/v1/candidate/mapping" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' \
  -d "{\"method\":\"score_report\",\"last_name\":\"Hopper\",\"registration_number\":\"REG-2024-0611\",\"new_email\":\"$email\"}"

# Real ids for the operations that name a resource, so they reach their handlers rather than
# answering 404 to every generated id: a certification the account holds (sample records). The
# transcripts and orders they name are made during the run (tests/api-fuzz/hooks.py).
bearer=(-H "authorization: Bearer $token" -H 'content-type: application/json')
curl -s -o /dev/null -X PUT "$api/v1/candidate/settings" "${bearer[@]}" \
  -d '{"employee":false,"partner":false,"email_notifications":true,"academy_student":false,"verification_consent":true}'
export TESSERA_FUZZ_CERTIFICATION=security-associate

# A staff member holding every role, granted by the operator command on the same embedded state
# (as an operator bootstraps the first program administrator), signed in with the authenticator:
# the staff operations need that session. They act on an account of their own (hooks.py).
staff_email="fuzz.staff.$$@example.com"
[ -n "$(new_session "$api" "$state" "$staff_email" "$password" Ada Lovelace)" ] ||
  { echo "the fuzzing staff account could not log in" >&2; exit 1; }
for role in support fulfillment program_admin auditor; do
  TESSERA_LOCAL_DIR="$state" target/debug/tessera-operator grant-role --email "$staff_email" \
    --role "$role" --reason "API fuzzing" --operator api-fuzz >/dev/null
done
hooks_dir="$(pwd)/tests/api-fuzz"
staff=$(cd "$state" && PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$hooks_dir" \
  TESSERA_FUZZ_API="$api" TESSERA_FUZZ_STATE="$state" \
  python3 -c 'import sys, hooks; print(hooks.staff_session(sys.argv[1]))' "$staff_email")
[ -n "$staff" ] || { echo "the fuzzing staff member could not sign in" >&2; exit 1; }
examples=()
[ -n "${FUZZ_EXAMPLES:-}" ] && examples=(--max-examples "$FUZZ_EXAMPLES")
# Nothing may be written inside the workspace during the run: `cargo lambda watch` restarts every
# function on a change it does not ignore, and requests in flight time out. So schemathesis runs
# from a folder outside it (its caches and Hypothesis's go there), with absolute paths.
root=$(pwd)
mkdir -p "$state/schemathesis"
fuzz() {
  (cd "$state/schemathesis" &&
    PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$root/tests/api-fuzz" \
    TESSERA_FUZZ_SESSION="$token" TESSERA_FUZZ_ADMIN=tessera-local-admin-token \
    TESSERA_FUZZ_STAFF="$staff" \
    TESSERA_FUZZ_API="$api" TESSERA_FUZZ_STATE="$state" TESSERA_FUZZ_ROOT="$root" \
    TESSERA_FUZZ_WEBHOOK_SECRET=whsec_tessera_local_sandbox \
    schemathesis --no-color --config-file "$root/tests/api-fuzz/schemathesis.toml" \
    run "$root/infra/openapi.yaml" --url "$api" "${examples[@]}" \
    --report junit --report-dir "$root/$out") >"$out/schemathesis.txt" 2>&1
}
# What the functions and the emulator said that is not a request's ordinary log line: a panic, a
# stack overflow, an emulator error. Shown with a failure, so CI's log says what happened.
function_trouble() {
  grep -v '^{' "$out/watch.log" | grep -E 'panicked|overflow|fatal|ERROR|Error' |
    grep -v 'the default function route is disabled' | tail -n 30 || true
}
kept_resends() {
  [ -f "$state/emulator-resends.txt" ] || return 0
  cp "$state/emulator-resends.txt" "$out/"
  echo "API fuzzing: $(wc -l <"$out/emulator-resends.txt") requests sent again after the emulator's own 500 ($out/emulator-resends.txt)"
}
# Each request hooks.py completed (so it should succeed), with the status it got: kept, and those
# that did not succeed shown with a failure (a warning that a success path was never reached).
kept_completions() {
  [ -f "$state/completed.txt" ] || return 0
  cp "$state/completed.txt" "$out/"
  grep -vE ': 2[0-9][0-9]$' "$out/completed.txt" | sed 's/^/API fuzzing: completed, yet answered /' || true
}
failed() {
  tail -n 200 "$out/schemathesis.txt" >&2
  kept_resends >&2
  [ ! -f "$out/emulator-resends.txt" ] || cat "$out/emulator-resends.txt" >&2
  kept_completions >&2
  function_trouble >&2
  echo "API fuzzing found failures; the whole run is in $out/schemathesis.txt" >&2
  exit 1
}
if ! fuzz; then
  if [ "$FUZZ_ATTEMPT" -lt "$FUZZ_RUNS" ] &&
    python3 tests/api-fuzz/emulator_only.py "$out/schemathesis.txt" "$out/watch.log"; then
    cp "$out/schemathesis.txt" .test-output/api-fuzz-emulator-500.txt
    exit 3
  fi
  failed
fi
tail -n 12 "$out/schemathesis.txt"
kept_resends
kept_completions
# A function that panicked or overflowed its stack on a request the emulator then answered for it
# must not pass unseen (the runtime logs "user handler panicked"; Rust prints the rest).
if grep -qE 'panicked at|has overflowed its stack|fatal runtime error|user handler panicked' "$out/watch.log"; then
  echo "API fuzzing: a function panicked or crashed during the run:" >&2
  function_trouble >&2
  exit 1
fi
echo "API fuzzing: OK"
