#!/usr/bin/env bash
# make soak: the longer runs that do not fit in `make test`. Each cargo-fuzz target for
# FUZZ_SECONDS (60) on the nightly toolchain (installed with cargo-fuzz when missing), then the
# schemathesis run with FUZZ_EXAMPLES (100) examples per operation, then the bounded load run on
# `cargo lambda watch --release` (logins, sign-ups, reads and a mix; SOAK_* set the counts),
# printed with each function's memory, failing if a function grows. A crash stops the run; its input is kept under fuzz/artifacts/<target>/ and
# becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p .test-output
for target in $(cargo +nightly fuzz list); do
  echo "== fuzzing $target for ${seconds}s"
  mkdir -p "fuzz/corpus/$target"
  # No sanitizer: the targets are safe Rust (a panic is the crash libFuzzer reports), and an
  # AddressSanitizer build of the AWS SDK the HTTP crate links would triple the build time.
  cargo +nightly fuzz run --sanitizer none "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -max_len=20000 -timeout=10 -print_final_stats=1 2>&1 |
    tee ".test-output/fuzz-$target.log" | tail -n 12
done
FUZZ_EXAMPLES=${FUZZ_EXAMPLES:-100} FUZZ_PORT=${FUZZ_PORT:-9101} scripts/api-fuzz.sh
# The load run, longer than the bench's: it fails on an error, or when a function's resident
# memory grows over the run (bench/runner/src/load.rs).
BENCH_LOAD_LOGINS=${SOAK_LOGINS:-3000} BENCH_LOAD_SIGNUPS=${SOAK_SIGNUPS:-3000} \
  BENCH_LOAD_READS=${SOAK_READS:-20000} BENCH_LOAD_MIXED=${SOAK_MIXED:-3000} \
  cargo run --release --quiet -p tessera-bench -- load | tee .test-output/load.md
