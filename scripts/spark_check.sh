#!/usr/bin/env bash
# The SQL export in Spark (local mode): the same checks as the test command's DuckDB run, with the Spark
# dialect. Installs pyspark from PyPI into .tools/spark the first time (Java 17 is needed: Debian's
# openjdk-17-jre-headless). Usage: scripts/spark_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYSPARK_VERSION=3.5.3
if ! command -v java >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
fi
if ! .tools/spark/bin/python -c "import pyspark, sys; sys.exit(pyspark.__version__ != '$PYSPARK_VERSION')" 2>/dev/null; then
  python3 -m venv .tools/spark
  .tools/spark/bin/pip install --quiet --disable-pip-version-check "pyspark==$PYSPARK_VERSION"
fi
cargo build -q -p segment-cli
.tools/spark/bin/python tests/sql/sql_check.py spark "$PWD/target/debug/segment" "$PWD/tests/fixtures" "$PWD/public"
