#!/usr/bin/env bash
# Every benchmark, each against its reference measured in the same run, written to BENCHMARKS.md (never
# edited by hand): the automatic choice (vs a scikit-learn k-means sweep) and the behaviour corpus (vs
# scikit-learn's k-means on the planted behaviour columns), segments as rules (vs a scikit-learn
# decision tree with 2k leaves), the work side by side on 1 and 2 threads, reading (vs pandas), DBSCAN (vs
# linfa-clustering and scikit-learn), HDBSCAN (vs scikit-learn), k-medoids (vs scikit-learn-extra),
# DBSCAN and HDBSCAN in wasm (Node), applying a saved
# model (vs a plain CSV copy), memory against the file's size (vs pandas + scikit-learn); with the
# browser, loading a 100,000- and a 1,000,000-row export, DBSCAN on 1M rows, a re-run and applying a
# model in headless Chromium; with --sql ROWS, the model as SQL in DuckDB (and Spark when installed)
# against `segment apply`.
# Usage: scripts/bench.sh [--no-browser] [--sql ROWS] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

browser=1
sql_rows=
out=BENCHMARKS.md
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-browser) browser= ;;
    --sql) sql_rows="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: scripts/bench.sh [--no-browser] [--sql ROWS] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done

# The references: pandas and scikit-learn from PyPI in a virtual environment of their own
# (.tools/bench-py), first on PATH so the benchmarks' `python3` is it. Installed once.
PANDAS_VERSION=2.3.3
SKLEARN_VERSION=1.7.2
if ! .tools/bench-py/bin/python -c "import pandas, sklearn, sys; sys.exit(pandas.__version__ != '$PANDAS_VERSION' or sklearn.__version__ != '$SKLEARN_VERSION')" 2>/dev/null; then
  echo "[bench] python venv with pandas $PANDAS_VERSION and scikit-learn $SKLEARN_VERSION (.tools/bench-py)"
  python3 -m venv .tools/bench-py
  .tools/bench-py/bin/pip install --quiet --disable-pip-version-check \
    "pandas==$PANDAS_VERSION" "scikit-learn==$SKLEARN_VERSION"
fi
# k-prototypes' reference, the kmodes package, in the same environment.
KMODES_VERSION=0.12.2
if ! .tools/bench-py/bin/python -c "import kmodes, sys; sys.exit(kmodes.__version__ != '$KMODES_VERSION')" 2>/dev/null; then
  echo "[bench] kmodes $KMODES_VERSION into .tools/bench-py"
  .tools/bench-py/bin/pip install --quiet --disable-pip-version-check "kmodes==$KMODES_VERSION"
fi
export PATH="$ROOT/.tools/bench-py/bin:$PATH"
export KMODES_PYTHON="$ROOT/.tools/bench-py/bin/python"
# k-medoids' reference, scikit-learn-extra, is built against numpy 1: a virtual environment of its own.
SKLEARN_EXTRA_VERSION=0.3.0
if ! .tools/kmedoids-py/bin/python -c "import sklearn_extra, sys; sys.exit(sklearn_extra.__version__ != '$SKLEARN_EXTRA_VERSION')" 2>/dev/null; then
  echo "[bench] python venv with scikit-learn-extra $SKLEARN_EXTRA_VERSION (.tools/kmedoids-py)"
  python3 -m venv .tools/kmedoids-py
  .tools/kmedoids-py/bin/pip install --quiet --disable-pip-version-check "numpy<2" "scikit-learn-extra==$SKLEARN_EXTRA_VERSION"
fi
export KMEDOIDS_PYTHON="$ROOT/.tools/kmedoids-py/bin/python"

doc=$(mktemp)
trap 'rm -f "$doc"' EXIT
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
mem=$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo)
cat > "$doc" <<EOF
# Benchmarks

Today's figures, written by \`scripts/bench.sh\` (do not edit by hand: run it again). Each table puts
ours beside its reference measured in the same run, on the same rows. Ratios say how many times
faster (or, for silhouettes, how close) we are; timings vary by a tenth or more from run to run.

- Machine: $(nproc) cores ($cpu), $mem of memory, $(. /etc/os-release && echo "$PRETTY_NAME")
- Built with $(rustc --version | cut -d' ' -f1-2); pandas $PANDAS_VERSION, scikit-learn $SKLEARN_VERSION
- Commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'), $(date -u +%Y-%m-%d)
EOF

# section TITLE WHAT FORMAT COMMAND...: runs COMMAND, shows its output and appends it to the document
# under TITLE with the command line; FORMAT is `table` (the command prints Markdown) or `text`. A
# benchmark that fails is marked so in the document and the others still run; the script then fails.
failed=0
section() {
  local title="$1" what="$2" format="$3"
  shift 3
  echo "## $title" >&2
  local output status=0
  output=$("$@" | tee -a /dev/stderr; exit "${PIPESTATUS[0]}") || status=$?
  {
    printf '\n## %s\n\n%s\n\n`%s`\n\n' "$title" "$what" "$*"
    if [[ $format == text ]]; then printf '```\n%s\n```\n' "$output"; else printf '%s\n' "$output"; fi
    if [[ $status != 0 ]]; then printf '\n**This benchmark failed (exit %s) in this run.**\n' "$status"; fi
  } >> "$doc"
  if [[ $status != 0 ]]; then failed=1; fi
}

cargo build -q --release --benches -p segment-core
section "The automatic choice" \
  "End to end (read, advise, try every candidate, fit the pick on every row) against a plain scikit-learn k-means sweep (k = 2..10, z-scores and min-max, 18 fits) of the same file, run by \`benches/sklearn_sweep.py\`; the ratio is our silhouette over the sweep's best. Then the behaviour corpus: files with planted customer groups among nuisance columns (ids, codes, flags, a country; purchase logs in five shapes), the adjusted Rand index of the default against the planted groups beside scikit-learn's k-means on the true behaviour columns at its best k (\`benches/sklearn_truth.py\`)." \
  table cargo bench -q -p segment-core --bench auto
section "Reading" \
  "A 10-column customer export read and typed (numbers, dates, booleans, categories) against pandas.read_csv." \
  table cargo bench -q -p segment-core --bench read
section "DBSCAN" \
  "Seed-like customers, min_samples 50, against linfa-clustering's Dbscan and scikit-learn's DBSCAN (\`benches/sklearn_dbscan.py\`) on the same scaled rows; the partitions are the same (tested)." \
  table cargo bench -q -p segment-core --bench dbscan
section "HDBSCAN" \
  "min_cluster_size 500, min_samples 50, against scikit-learn's HDBSCAN (\`benches/sklearn_hdbscan.py\`) on the same scaled rows." \
  table cargo bench -q -p segment-core --bench hdbscan
section "k-medoids" \
  "k = 4 from the BUILD start, against scikit-learn-extra's KMedoids(method=\"alternate\", init=\"build\") (\`benches/sklearn_kmedoids.py\`) on the same scaled rows; theirs computes the n x n distance matrix, ours computes distances as needed (linear memory)." \
  table cargo bench -q -p segment-core --bench kmedoids
section "k-prototypes" \
  "k = 4 on customers with 10 numbers and 10 categories (four planted groups), against the kmodes package's KPrototypes (\`benches/kmodes_kprototypes.py\`): one run from the same start on each side (kmodes up to 10,000 rows: it takes minutes beyond), then ours as the page runs it (Cao's start, 10 starts side by side on every core natively, gamma estimated)." \
  table cargo bench -q -p segment-core --bench kprototypes
section "Side by side on the machine's cores" \
  "The automatic choice (candidates and the shortlist's stability) and a result's stability (five refits) on 1 and on 2 threads of rayon's pool natively (\`segment_core::par\`); the answers are identical or the benchmark fails. Five refits on 2 threads take 3 rounds: at most 1.67x." \
  table cargo bench -q -p segment-core --bench parallel
section "DBSCAN and HDBSCAN in wasm" \
  "The same code compiled to wasm32 and run in Node, against linfa-clustering compiled the same way." \
  text wasm_env env WASM_BINDGEN_TEST_TIMEOUT=900 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --release --target wasm32-unknown-unknown -p segment-core --test wasm_bench -- --nocapture
cargo build -q --release -p segment-cli
mkdir -p target/bench-files
[[ -f target/bench-files/export-100000.csv ]] ||
  cargo run -q --release -p segment-core --example write_export -- 100000 target/bench-files/export-100000.csv
section "Segments as rules" \
  "Our segments' rules (sets of at most three conditions, at most 2k sets for k segments, the most precise first) against scikit-learn's DecisionTreeClassifier(max_leaf_nodes=2k) fitted to the same labels on the same features (\`benches/sklearn_tree.py\`): the share of customers each puts in their segment." \
  table python3 crates/segment-core/benches/sklearn_tree.py target/release/segment public/dataset_ecommerce.csv \
  tests/fixtures/customers_2k.csv tests/fixtures/marketing_campaign.csv tests/fixtures/messy_export.csv tests/fixtures/corpus/crm.csv \
  target/bench-files/export-100000.csv
section "Computing the rules" \
  "A k-means result of 4 segments on the generated export: its rules (greedy sets and the threshold tree, measured on every customer), natively; the same in wasm is \`explaining_rules_in_wasm\` in the wasm section above." \
  table cargo bench -q -p segment-core --bench rules
section "Applying a saved model" \
  "\`segment apply\`'s streaming path (DBSCAN and k-means models) against a plain CSV copy of the same file." \
  table cargo bench -q -p segment-core --bench apply
if [[ -x .tools/py/bin/python ]]; then
  section "Applying a saved model to Parquet" \
    "A 1,000,000-row export as Parquet (DuckDB, snappy) labeled as CSV and as Parquet (the input's columns copied as they were), against the same rows as CSV (farm-bench, same run)." \
    text scripts/bench_parquet.sh
fi
section "Memory" \
  "Peak resident size of a fresh process against the file's size, and the same work in pandas + scikit-learn (\`benches/pandas_memory.py\`: read, z-scores, one k-means, the scores)." \
  table cargo bench -q -p segment-core --bench memory -- 1000000

if [[ -n "$browser" ]]; then
  wasm_release_bins
  wasm_env trunk build --release
  mkdir -p target/bench-files
  export_100k=$ROOT/target/bench-files/export-100000.csv
  export_1m=$ROOT/target/bench-files/export-1000000.csv
  [[ -f $export_100k ]] || cargo run -q --release -p segment-core --example write_export -- 100000 "$export_100k"
  [[ -f $export_1m ]] || cargo run -q --release -p segment-core --example write_export -- 1000000 "$export_1m"
  cd tests/e2e
  section "Loading in the browser: 100,000 rows" \
    "Headless Chromium, from choosing a 10-column export to the automatic choice on screen, with the memory it took." \
    text node bench-load.mjs "$export_100k"
  section "Loading in the browser: 1,000,000 rows" "The same with the 1M-row export." \
    text node bench-load.mjs "$export_1m"
  section "A change of setting in the browser" \
    "On the sample: from the click on Run to the answer screen's map drawn again." \
    text node bench-rerun.mjs
  section "DBSCAN in the browser" "1,000,000 seed-like rows, from Run to the result on screen." \
    text node bench-dbscan.mjs
  section "Applying a model in the browser" "A saved model applied to a 1,000,000-row file, from choosing the file to the dashboard." \
    text node bench-apply.mjs
  cd ../..
fi

if [[ -n "$sql_rows" ]]; then
  section "The model as SQL" \
    "DuckDB (and Spark local, when \`scripts/spark_check.sh\` has installed it) through the exported query against \`segment apply\` streaming the same $sql_rows-row file (farm-bench: wall time and peak memory)." \
    text scripts/bench_sql.sh "$sql_rows"
fi

cat "$doc" > "$out"
echo "[bench] written to $out" >&2
exit "$failed"
