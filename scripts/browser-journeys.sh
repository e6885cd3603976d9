#!/usr/bin/env bash
# The portal's journeys in real Chromium against `cargo lambda watch` on the embedded default, as
# `make dev` serves them: tests/tests/portal_browser.rs with TESSERA_PAGES_URL and
# TESSERA_PAGES_STATE set (the flow tests run the same journeys in process). Screenshots land in
# .test-output/pages/.
set -euo pipefail
source "$(dirname "$0")/local-api.sh"
port=${BROWSER_PORT:-9031}
out=.test-output/browser-journeys
rm -rf "$out" && mkdir -p "$out"
# The journeys' own build first, so nothing compiles while a page is awaited. They run one at a
# time: with three at once the emulator now and then answered a form its own 500 after the
# function had answered it (seen on the authenticator's first step, in CI and here).
cargo test -q -p tessera-tests --test portal_browser --no-run
# The operator's command, which grants the console journey's administrator its roles.
cargo build -q -p tessera-operator
state=$(mktemp -d)
# The links the functions make (emails, the sandbox checkout and its return) lead to this port.
export TESSERA_PUBLIC_URL="http://127.0.0.1:$port"
start_local_api "$port" "$state" "$out/watch.log"
TESSERA_PAGES_URL="http://127.0.0.1:$port" TESSERA_PAGES_STATE="$state" \
  cargo test -q -p tessera-tests --test portal_browser -- --test-threads=1 2>&1 | tee "$out/test.log"
