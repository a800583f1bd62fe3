#!/usr/bin/env bash
# Parquet through `segment apply`: a 1,000,000-row customer export as Parquet (written by DuckDB,
# snappy) labeled as CSV and as Parquet (every input column copied as it was), against the same rows
# as CSV labeled as CSV, measured in the same run by farm-bench (wall time and peak memory, median of
# the runs). Usage: scripts/bench_parquet.sh [ROWS] (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
RUNS=${RUNS:-5}
dir=target/bench-files
mkdir -p "$dir"
cargo build -q --release -p segment-cli
csv=$dir/export-$ROWS.csv
parquet=$dir/export-$ROWS.parquet
[[ -f $csv ]] || cargo run -q --release -p segment-core --example write_export -- "$ROWS" "$csv"
[[ -f $parquet ]] || .tools/py/bin/python -c "import duckdb, sys; duckdb.sql(f\"COPY (SELECT * FROM read_csv_auto('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)\")" "$csv" "$parquet"
seg=target/release/segment
$seg fit "$csv" -o "$dir/parquet-model.json" 2>/dev/null
echo "## Parquet in, CSV out (A) vs CSV in, CSV out (B): $ROWS rows"
farm-bench -n "$RUNS" --timeout 600 --vs "$seg apply $dir/parquet-model.json $csv -o $dir/out-csv.csv" \
  -- $seg apply "$dir/parquet-model.json" "$parquet" -o "$dir/out-parquet.csv"
echo "## Parquet in, Parquet out (A) vs CSV in, CSV out (B): $ROWS rows"
farm-bench -n "$RUNS" --timeout 600 --vs "$seg apply $dir/parquet-model.json $csv -o $dir/out-csv.csv" \
  -- $seg apply "$dir/parquet-model.json" "$parquet" -o "$dir/out.parquet"
