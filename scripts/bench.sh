#!/usr/bin/env bash
# make bench: release binaries of every function and of the bench-hello floor (native, for
# timings; arm64 through cargo lambda, for sizes), then bench/runner with moto on loopback.
# Writes bench/RESULTS.md and bench/results.json. BENCH_SKIP_ARM64=1 skips the arm64 build;
# BENCH_COLD_RUNS (10) and BENCH_SAMPLES (30) set the run counts.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=()
for dir in functions/*/; do packages+=(-p "$(basename "$dir")"); done
packages+=(-p bench-hello)

cargo build --release "${packages[@]}"
if [ -z "${BENCH_SKIP_ARM64:-}" ]; then
  cargo lambda build --release --arm64 "${packages[@]}"
fi
mkdir -p .test-output
scripts/with-moto.sh "${BENCH_MOTO_PORT:-5078}" cargo run --release --quiet -p tessera-bench
