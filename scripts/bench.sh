#!/usr/bin/env bash
# make bench: release binaries of every function and of the bench-hello floor (native, for
# timings; arm64 through cargo lambda, for sizes), then bench/runner with moto on loopback.
# Writes bench/RESULTS.md and bench/results.json. BENCH_SKIP_ARM64=1 skips the arm64 build and
# BENCH_SKIP_LOAD=1 the load run; BENCH_COLD_RUNS (10), BENCH_SAMPLES (30), BENCH_LOAD_LOGINS
# (1000), BENCH_LOAD_SIGNUPS (1000), BENCH_LOAD_READS (2000) and BENCH_LOAD_MIXED (500) set the
# counts. Run it through `make bench` (cargo-lambda and zig come from .venv).
#
# The deployed feature set and the bench share target/release (cargo keeps each feature set's
# artifacts apart there); the load run's `cargo lambda watch` builds in target/watch, since in
# target/release it and the others rebuilt each other's dependencies on every run
# (bench/runner/src/load.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=()
for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
packages+=(-p bench-hello)

cargo build --release "${packages[@]}"
if [ -z "${BENCH_SKIP_ARM64:-}" ]; then
  cargo lambda build --release --arm64 "${packages[@]}"
fi
# The reference argon2id the hash is timed beside (a prebuilt npm package, run by Node.js).
scripts/ensure-system-packages.sh node npm
npm ci --prefix bench/reference --no-audit --no-fund --loglevel=error
mkdir -p .test-output
scripts/with-moto.sh "${BENCH_MOTO_PORT:-5078}" cargo run --release --quiet -p tessera-bench
