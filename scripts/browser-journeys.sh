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
state=$(mktemp -d)
start_local_api "$port" "$state" "$out/watch.log"
TESSERA_PAGES_URL="http://127.0.0.1:$port" TESSERA_PAGES_STATE="$state" \
  cargo test -q -p tessera-tests --test portal_browser 2>&1 | tee "$out/test.log"
