# Sourced by the scripts that drive a local API on the embedded default (the README session, the
# API fuzzing): starting `cargo lambda watch`, and one account made through the API.

# build_local_functions: each function as `cargo lambda watch` runs it (`cargo run --bin NAME` with
# the embedded backend), so none compiles while a test waits on it: a first request would wait
# minutes for its compile, on two cores shared with the test's browser.
build_local_functions() {
  local function
  for function in functions/*/; do
    cargo build -q --features tessera-http/embedded --bin "$(basename "$function")"
  done
}

# start_local_api PORT STATE LOG: `cargo lambda watch` on PORT with its embedded state in STATE
# and its output in LOG, stopped (and STATE removed) when the calling script exits; returns once
# it answers. Variables set before the call (TESSERA_...) reach the functions.
start_local_api() {
  local port=$1 state=$2 log=$3
  build_local_functions
  TESSERA_LOCAL_DIR="$state" cargo lambda watch --features tessera-http/embedded --invoke-address 127.0.0.1 --invoke-port "$port" \
    >"$log" 2>&1 &
  watch_pid=$!
  trap 'kill $watch_pid 2>/dev/null; wait $watch_pid 2>/dev/null || true; rm -rf "'"$state"'"' EXIT
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0
    kill -0 "$watch_pid" 2>/dev/null || { echo "cargo lambda watch exited; see $log" >&2; exit 1; }
    sleep 0.5
  done
  echo "cargo lambda watch did not answer within 150 s; see $log" >&2
  exit 1
}

# new_session API STATE EMAIL PASSWORD FIRST LAST: signs EMAIL up, activates it and logs in;
# prints the session token (nothing if any step failed).
new_session() {
  local api=$1 state=$2 email=$3 password=$4 first=$5 last=$6 code
  curl -s -o /dev/null -X POST "$api/v1/accounts" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"first_name\":\"$first\",\"last_name\":\"$last\",\"country\":\"US\"}"
  # The first 6-digit run after the address (which may hold digits of its own, a PID's).
  code=$(grep "\"to\":\"$email\"" "$state/outbox.jsonl" | tail -n 1 | sed 's/"to":"[^"]*"//' |
    grep -oE '\b[0-9]{6}\b' | head -n 1)
  curl -s -o /dev/null -X POST "$api/v1/accounts/activate" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"code\":\"$code\",\"password\":\"$password\"}"
  curl -s -X POST "$api/v1/sessions" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" | grep -o '"token":"[^"]*"' | cut -d'"' -f4
}
