"""Runs an exported query over a CSV file as table `customers` and writes the result as CSV: the SQL
benchmark's engine side (scripts/bench_sql.sh). usage: bench_query.py duckdb|spark DATA QUERY OUT"""
import os
import sys

from engines import Engine

engine, data, query, out = sys.argv[1:5]
data, query, out = (os.path.abspath(p) for p in (data, query, out))
os.chdir(os.path.dirname(query))  # the side table is read by a path relative to the query
Engine(engine, spark_memory="4g").write(data, open(query).read(), out)
