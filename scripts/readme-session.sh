#!/usr/bin/env bash
# Runs the curl sessions from README.md, as written, against `cargo lambda watch` on the
# embedded default, and checks what each step answered: the first session (between the
# `<!-- session:start -->` and `<!-- session:end -->` markers), then the staff walk
# (`<!-- staff-session:… -->`) in the same shell.
set -euo pipefail
source "$(dirname "$0")/local-api.sh"
port=${DEV_PORT:-9000}
out=.test-output/readme-session
rm -rf "$out" && mkdir -p "$out"
# A clean embedded state for the run, so the session's address is new.
state=$(mktemp -d)
block() { awk "/<!-- $1:start -->/{on=1; next} /<!-- $1:end -->/{on=0} on && !/^\`\`\`/" README.md; }
session=$(block session)
staff_session=$(block staff-session)
[ -n "$session" ] || { echo "no session found in README.md" >&2; exit 1; }
[ -n "$staff_session" ] || { echo "no staff session found in README.md" >&2; exit 1; }
# The staff walk continues the first session in the same shell. It runs where `.local` is the
# state folder, so `cargo run -p …` is told where the workspace is.
repo=$(pwd)
workspace_cargo="cargo() { local sub=\$1; shift; command cargo \"\$sub\" --manifest-path '$repo/Cargo.toml' \"\$@\"; }"

start_local_api "$port" "$state" "$out/watch.log"

# The session reads the code from .local/outbox.jsonl: run it where that is the state folder.
mkdir -p "$state/run" && ln -s "$state" "$state/run/.local"
(cd "$state/run" && bash -euo pipefail -c "$workspace_cargo
$session
$staff_session") >"$out/session.txt" 2>&1 || {
  echo "the README session failed:" >&2; cat "$out/session.txt" >&2; exit 1; }
cat "$out/session.txt"
grep -q '"status":"active"' "$out/session.txt" || { echo "the session did not end with an active account" >&2; exit 1; }
grep -q '"username":"TS[0-9]\{8\}"' "$out/session.txt" || { echo "no username in the activation answer" >&2; exit 1; }
grep -q '"email":"ada@example.com"' "$out/session.txt" || { echo "the profile was not read with the session token" >&2; exit 1; }
grep -q '^logout: 204$' "$out/session.txt" || { echo "logout did not answer 204" >&2; exit 1; }
grep -q '^reset: 204$' "$out/session.txt" || { echo "the password reset did not complete" >&2; exit 1; }
grep -q '^login with the new password: 201$' "$out/session.txt" || { echo "the new password does not log in" >&2; exit 1; }
grep -q '"recovery_codes":\[' "$out/session.txt" || { echo "the authenticator was not confirmed" >&2; exit 1; }
grep -q '"mfa_required":true' "$out/session.txt" || { echo "logging in did not ask for the second factor" >&2; exit 1; }
grep -q '"imported":1' "$out/session.txt" || { echo "the exam-results import did not import its row" >&2; exit 1; }
grep -q '"candidate_id":"TSC1000001"' "$out/session.txt" || { echo "mapping by score report did not answer the record" >&2; exit 1; }
grep -q '"progress_toward"' "$out/session.txt" || { echo "the certification screen was not read through the router" >&2; exit 1; }
grep -q 'Manually granted: results lost at a test event' "$out/session.txt" || { echo "the manual grant is not in the history" >&2; exit 1; }
grep -q '"candidate_id":"TSC1000009"' "$out/session.txt" || { echo "the search by last name did not find the duplicate" >&2; exit 1; }
grep -q '"registration_number":"REG-2021-0707"' "$out/session.txt" || { echo "the merge did not move the duplicate's exam" >&2; exit 1; }
grep -q '"status":"refunded"' "$out/session.txt" || { echo "the refund did not go through" >&2; exit 1; }
grep -q '"action":"record.merge"' "$out/session.txt" || { echo "the auditor did not read the merge in the log" >&2; exit 1; }
echo "README session: OK"

# The certification guide end to end on the same `cargo lambda watch`: the sample files imported,
# a new account signed up and activated, mapped by score report, and every screen read.
api="http://127.0.0.1:$port"
walk="$out/walkthrough.txt"
screen() { # path, then what the answer must contain
  local answer status attempt
  # The emulator's own 500 (tests/api-fuzz/hooks.py says why) is asked again: a read is safe.
  for attempt in 1 2 3; do
    answer=$(curl -s -w '\n%{http_code}' "$api$1" -H "authorization: Bearer $token")
    status=${answer##*$'\n'}
    [ "$status" = 500 ] && grep -q 'httpstatuses.com/500' <<<"$answer" || break
  done
  printf '%s → %s\n' "$1" "$status" >>"$walk"
  [ "$status" = 200 ] || { echo "$1 answered $status: $answer" >&2; exit 1; }
  grep -q -- "$2" <<<"$answer" || { echo "$1 lacks $2: $answer" >&2; exit 1; }
}
: >"$walk"
for kind in exam-results ce-credits; do
  report=$(curl -s -X POST "$api/v1/admin/imports/$kind?source=$kind.csv" \
    -H 'authorization: Bearer tessera-local-admin-token' -H 'content-type: text/csv' \
    --data-binary @"docs/samples/$kind.csv")
  echo "import $kind: $report" >>"$walk"
  grep -q '"errors":\[\]' <<<"$report" || { echo "importing $kind: $report" >&2; exit 1; }
done
email="walkthrough.$$@example.com"
token=$(new_session "$api" "$state" "$email" Quartz-Harbor-42x Grace Hopper)
[ -n "$token" ] || { echo "the walkthrough account could not log in" >&2; exit 1; }
mapped=$(curl -s -X POST "$api/v1/candidate/mapping" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' \
  -d "{\"method\":\"score_report\",\"last_name\":\"Hopper\",\"registration_number\":\"REG-2024-0611\",\"new_email\":\"$email\"}")
echo "mapping: $mapped" >>"$walk"
grep -q '"candidate_id":"TSC1000002"' <<<"$mapped" || { echo "mapping: $mapped" >&2; exit 1; }
# The record's new address is proven by the emailed code, or by the email's link: opened without
# the pages' session, it goes by the log-in page, which returns to it.
if grep -q '"email_confirmation_sent":true' <<<"$mapped"; then
  confirm_link=$(grep "\"to\":\"$email\"" "$state/outbox.jsonl" | grep -o "$api/mapping/confirm?code=[0-9]*" | tail -n 1)
  [ -n "$confirm_link" ] || { echo "no confirmation link in the record-address email" >&2; exit 1; }
  to_log_in=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$confirm_link")
  echo "mapping link → $confirm_link: $to_log_in" >>"$walk"
  [[ "$to_log_in" == "303 $api/?next=%2Fmapping%2Fconfirm%3Fcode%3D"* ]] || { echo "the mapping link: $to_log_in" >&2; exit 1; }
fi
screen /v1/candidate '"candidate_id":"TSC1000002"'
screen /v1/candidate/certifications '"security-associate"'
screen /v1/candidate/certifications/security-associate '"progress"'
screen /v1/candidate/certifications/security-associate/certificate.pdf '%PDF-'
# The certificate's verification link (the one its QR code carries), opened as a recruiter would.
curl -s -o "$out/certificate.pdf" "$api/v1/candidate/certifications/security-associate/certificate.pdf" \
  -H "authorization: Bearer $token"
verify_link=$(grep -a -o "$api/v1/verify/[0-9A-Z]\{12\}" "$out/certificate.pdf" | head -n 1)
[ -n "$verify_link" ] || { echo "no verification link in the PDF certificate" >&2; exit 1; }
verified=$(curl -s -H 'accept: application/json' "$verify_link")
echo "verification → $verify_link: $verified" >>"$walk"
grep -q '"holder":"Grace Hopper"' <<<"$verified" && grep -q '"status":"active"' <<<"$verified" \
  || { echo "verifying the certificate: $verified" >&2; exit 1; }
verify_page=$(curl -s "$verify_link" -H 'accept: text/html')
grep -q '<dd>Grace Hopper</dd>' <<<"$verify_page" || { echo "the verification page: $verify_page" >&2; exit 1; }
# The certification's badge, verified as README.md shows: the published keys and status list only.
badge=$(curl -s -H "authorization: Bearer $token" "$api/v1/candidate/certifications/security-associate" |
  grep -o '"credential_url":"[^"]*"' | cut -d'"' -f4)
[ -n "$badge" ] || { echo "no badge on the certification's screen" >&2; exit 1; }
curl -s -H 'accept: application/vc+jwt' "$badge" >"$out/badge.jwt"
badge_check=$(node scripts/verify-badge.mjs "$out/badge.jwt") || { echo "verifying the badge: $badge_check" >&2; exit 1; }
echo "badge → $badge: $badge_check" >>"$walk"
grep -q '"signature":"valid"' <<<"$badge_check" && grep -q '"status":"active"' <<<"$badge_check" &&
  grep -q '"achievement":"Security Operations Associate"' <<<"$badge_check" ||
  { echo "verifying the badge: $badge_check" >&2; exit 1; }
# One character of the payload changed: the signature no longer verifies.
sed 's/\.e/.f/' "$out/badge.jwt" >"$out/tampered.jwt"
if tampered=$(node scripts/verify-badge.mjs "$out/tampered.jwt"); then
  echo "a changed badge verified: $tampered" >&2; exit 1
fi
screen '/v1/candidate/exams?sort=code&order=asc' '"SC-301"'
screen /v1/candidate/ce-activities '"1462700"'
screen /v1/candidate/agreements '"active_date":"2024-06-11"'
screen /v1/candidate/logos '"security-associate"'
screen /v1/candidate/logos/security-associate '<svg'
# Transcripts: consent, create, email it, then open the link from the email as a recruiter would.
curl -s -o /dev/null -X PUT "$api/v1/candidate/settings" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' \
  -d '{"employee":false,"partner":false,"email_notifications":true,"academy_student":false,"verification_consent":true}'
created=$(curl -s -X POST "$api/v1/candidate/transcripts" -H "authorization: Bearer $token" \
  -H 'content-type: application/json' \
  -d '{"description":"For the hiring team","expires_in_days":30,"certifications":"active","show_candidate_id":true,"address_lines":["1 Analytical Way","London"]}')
echo "transcript: $created" >>"$walk"
transcript=$(grep -o '"id":"[0-9a-f]\{32\}"' <<<"$created" | cut -d'"' -f4)
[ -n "$transcript" ] || { echo "no transcript created: $created" >&2; exit 1; }
screen "/v1/candidate/transcripts/$transcript/email-preview" '"subject":"Tessera - Transcript for Grace Hopper"'
recruiter="recruiter.$$@example.com"
sent=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$api/v1/candidate/transcripts/$transcript/emails" \
  -H "authorization: Bearer $token" -H 'content-type: application/json' -d "{\"to\":\"$recruiter\"}")
[ "$sent" = 202 ] || { echo "emailing the transcript answered $sent" >&2; exit 1; }
link=$(grep "\"to\":\"$recruiter\"" "$state/outbox.jsonl" | grep -o "$api/v1/transcripts/[0-9a-f]\{32\}" | head -n 1)
[ -n "$link" ] || { echo "no transcript link in the email" >&2; exit 1; }
page=$(curl -s -D "$out/transcript-headers.txt" "$link" -H 'accept: text/html')
grep -q 'Security Operations Associate' <<<"$page" || { echo "the transcript page: $page" >&2; exit 1; }
grep -q 'Candidate ID: TSC1000002' <<<"$page" && grep -q '1 Analytical Way' <<<"$page" \
  || { echo "the transcript page lacks the details chosen: $page" >&2; exit 1; }
grep -qi '^referrer-policy: no-referrer' "$out/transcript-headers.txt" || { echo "no Referrer-Policy" >&2; exit 1; }
echo "transcript page → $link" >>"$walk"
screen /v1/candidate/transcripts '"views":1'
# Fulfillment: the free initial kit, then a paid kit and a plaque with tracking through the
# sandbox provider.
screen /v1/candidate/fulfillment/catalog '"price_cents":0'
order() { # key, body
  curl -s -X POST "$api/v1/candidate/fulfillment/orders" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -H "idempotency-key: $1" -d "$2"
}
kit=$(curl -s "$api/v1/candidate/fulfillment/catalog" -H "authorization: Bearer $token" \
  | grep -o '"certification_id":"[a-z-]*"' | head -n 1 | cut -d'"' -f4)
ship='"shipping":{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","phone":"+44 20 7946 0000","address":"1 Analytical Way","city":"London","country":"GB"},"payment_method":"card"'
free=$(order "readme-free-$$" "{\"items\":[{\"certification_id\":\"$kit\",\"quantity\":1}],$ship}")
grep -q '"status":"queued"' <<<"$free" || { echo "the free kit: $free" >&2; exit 1; }
paid=$(order "readme-paid-$$" "{\"items\":[{\"certification_id\":\"$kit\",\"quantity\":1},{\"certification_id\":\"$kit\",\"kind\":\"plaque\",\"quantity\":1}],\"tracking\":true,$ship}")
checkout=$(grep -o '"checkout_url":"[^"]*"' <<<"$paid" | cut -d'"' -f4)
[ -n "$checkout" ] || { echo "no checkout for the paid kit: $paid" >&2; exit 1; }
approved=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$checkout" \
  -H 'content-type: application/x-www-form-urlencoded' -d 'decision=approve')
[ "$approved" = 303 ] || { echo "the sandbox checkout answered $approved" >&2; exit 1; }
echo "kit orders: free and paid (sandbox checkout $checkout)" >>"$walk"
screen /v1/candidate/fulfillment/orders '"total_cents":7000'
orders=$(curl -s "$api/v1/candidate/fulfillment/orders" -H "authorization: Bearer $token")
# Both orders queued (an order's own status, not one of its stages').
[ "$(grep -o '"status":"queued","total_cents"' <<<"$orders" | wc -l)" = 2 ] || { echo "orders: $orders" >&2; exit 1; }
cat "$walk"
echo "certification walkthrough: OK"

# Every events/ fixture through `cargo lambda invoke`, as the events README shows.
for event in events/*/*.json; do
  function=$(basename "$(dirname "$event")")
  answer=$(cargo lambda invoke "$function" --invoke-address 127.0.0.1 --invoke-port "$port" --data-file "$event")
  if grep -q '"Scheduled Event"\|"job":' "$event"; then
    # A schedule's input names its job; a plain scheduled event runs its function's one job.
    job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("job", sys.argv[2]))' "$event" "$function")
    printf '%s' "$answer" | grep -q "\"job\":\"$job\"" || { echo "$event: $answer" >&2; exit 1; }
    echo "$event → ran"
    continue
  fi
  if [ "$function" = mail-events ]; then
    # An SNS delivery of an SES bounce or complaint: its address goes on the suppression list.
    printf '%s' "$answer" | grep -q '"suppressed":1' || { echo "$event: $answer" >&2; exit 1; }
    echo "$event → suppressed"
    continue
  fi
  status=$(printf '%s' "$answer" | python3 -c 'import json,sys; print(json.load(sys.stdin)["statusCode"])')
  echo "$event → $status"
  [ "$status" -lt 500 ] || { echo "$event answered $status: $answer" >&2; exit 1; }
done
echo "events invoke: OK"
