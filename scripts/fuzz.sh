#!/usr/bin/env bash
# Fuzzing (not in CI): 250,000 generated and mutated inputs for each of the reader, the workbook reader,
# the model loader and the share link's settings (10^6 in all), through proptest, and 25,000 random and
# damaged Parquet files of each kind; every input must end in a value or a clear error, never a panic. Usage: scripts/fuzz.sh [CASES_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
CASES=${1:-250000}
start=$(date +%s)
FUZZ_CASES=$CASES cargo test --release -p segment-core --test fuzz -- --ignored --test-threads 2
echo "fuzz: $CASES cases per target, 4 targets, $(( $(date +%s) - start )) s"
# Parquet: random schemas and writer settings, then damaged files (a tenth as many: each is a file).
FUZZ_CASES=$(( CASES / 10 )) cargo test --release -p segment-core --features parquet --test parquet_fuzz -- --nocapture
# The SQL export: random column names, cells and settings, each query run in DuckDB against `segment apply`.
cargo build -q -p segment-cli
.tools/py/bin/python tests/sql/sql_fuzz.py "$PWD/target/debug/segment" "${SQL_CASES:-500}"
