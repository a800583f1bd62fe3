"""Runs an exported query in DuckDB over a CSV file as table `customers` and prints each row's segment
and segment_name as CSV (for the browser tests). Usage: run_query.py DATA QUERY (the query's directory
holds its side table)."""
import csv
import os
import sys

from engines import Engine

data, query = (os.path.abspath(p) for p in sys.argv[1:3])
os.chdir(os.path.dirname(query))
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["segment", "segment_name"])
for row in Engine("duckdb").rows(data, open(query).read()):
    out.writerow(["" if row[-2] is None else row[-2], row[-1]])
