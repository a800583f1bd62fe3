"""Runs an exported query over a CSV file as table `customers` and writes the result as CSV: the SQL
benchmark's engine side (scripts/bench_sql.sh). usage: bench_query.py duckdb|spark DATA QUERY OUT"""
import os
import sys

from engines import Engine

engine, data, query, out = sys.argv[1:5]
data, query, out = (os.path.abspath(p) for p in (data, query, out))
os.chdir(os.path.dirname(query))  # the side table is read by a path relative to the query
runner = Engine(engine, spark_memory="4g")
runner.write(data, open(query).read(), out)
if engine == "spark":
    # Spark's work is in its JVM, a process the benchmark's own accounting does not see: its peak
    # resident memory, from the kernel.
    pid = runner.spark.sparkContext._gateway.proc.pid
    with open(f"/proc/{pid}/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"Spark JVM peak resident memory: {int(peak) // 1024} MiB", file=sys.stderr)
