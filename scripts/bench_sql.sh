#!/usr/bin/env bash
# The SQL export at scale: seed-like customers assigned by DuckDB (and Spark local, when
# scripts/spark_check.sh has installed it) through the exported query, against `segment apply`
# streaming the same file, measured in the same run by farm-bench (wall time and peak memory, median of
# the runs). DBSCAN (the original preset: eps 0.04, min_samples 50) and k-means (k = 3) models, fitted on
# 55,000 seed-like customers. Usage: scripts/bench_sql.sh [ROWS] (default 10000000)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-10000000}
RUNS=${RUNS:-3}
dir=target/sql-bench
mkdir -p "$dir"
cargo build -q --release -p segment-cli
cargo run -q --release -p segment-core --example write_seed_like -- 55000 7 "$dir/train.csv"
[[ -f "$dir/big-$ROWS.csv" ]] || cargo run -q --release -p segment-core --example write_seed_like -- "$ROWS" 11 "$dir/big-$ROWS.csv"
seg=target/release/segment
base=$($seg suggest "$dir/train.csv" 2>/dev/null)
for method in dbscan kmeans; do
  if [[ $method == dbscan ]]; then
    echo "$base" | python3 -c 'import json,sys; s=json.load(sys.stdin); s["method"]="dbscan"; s["dbscan"]={"eps":0.04,"min_samples":50}; s["scaler"]="min_max"; print(json.dumps(s))' > "$dir/$method.json"
  else
    echo "$base" | python3 -c 'import json,sys; s=json.load(sys.stdin); s["method"]="k_means"; s["kmeans"]["k"]=3; print(json.dumps(s))' > "$dir/$method.json"
  fi
  $seg fit "$dir/train.csv" --settings "$dir/$method.json" -o "$dir/$method-model.json" 2>/dev/null
  $seg export-sql "$dir/$method-model.json" --dialect duckdb --columns-from "$dir/train.csv" -o "$dir/$method-duckdb.sql" 2>/dev/null
  $seg export-sql "$dir/$method-model.json" --dialect spark --columns-from "$dir/train.csv" -o "$dir/$method-spark.sql" 2>/dev/null
  echo "## $method, $ROWS rows: DuckDB through the SQL (A) vs segment apply streaming (B)"
  farm-bench -n "$RUNS" --warmup 0 --timeout 3600 \
    --vs "$seg apply $dir/$method-model.json $dir/big-$ROWS.csv -o $dir/out-apply.csv" \
    -- .tools/py/bin/python tests/sql/bench_query.py duckdb "$dir/big-$ROWS.csv" "$dir/$method-duckdb.sql" "$dir/out-duckdb.csv"
  if [[ -x .tools/spark/bin/python ]]; then
    echo "## $method, $ROWS rows: Spark local[2] through the SQL"
    farm-bench -n 1 --warmup 0 --timeout 3600 \
      -- .tools/spark/bin/python tests/sql/bench_query.py spark "$dir/big-$ROWS.csv" "$dir/$method-spark.sql" "$dir/out-spark"
  fi
done
