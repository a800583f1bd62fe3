"""Runs an exported query over a CSV file as table `customers` and writes the result as CSV: the SQL
benchmark's engine side (scripts/bench_sql.sh). usage: bench_query.py duckdb|spark DATA QUERY OUT"""
import os
import sys

engine, data, query, out = sys.argv[1:5]
data, query, out = (os.path.abspath(p) for p in (data, query, out))
os.chdir(os.path.dirname(query))  # the side table is read by a path relative to the query
sql = open(query).read()
if engine == "duckdb":
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv_auto('{data}', header = true)")
    # The query ends with ORDER BY and no semicolon: it is a subquery as it is.
    con.execute(f"COPY ({sql}) TO '{out}' (HEADER, DELIMITER ',')")
else:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.read.csv(data, header=True, inferSchema=True).createOrReplaceTempView("customers")
    spark.sql(sql).write.mode("overwrite").csv(out, header=True)
