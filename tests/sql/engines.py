"""The engines the exported SQL is run in, one way for the checks and the benchmark: DuckDB (PyPI, in
.tools/py) and Spark in local mode (pyspark from PyPI, in .tools/spark)."""

import os


class Engine:
    def __init__(self, name, spark_memory="2g", multiline=False):
        """`multiline`: Spark reads quoted line breaks in CSV cells (its default does not, and a file
        read that way cannot be split across tasks: off for the benchmark's plain files)."""
        self.name = name
        self.multiline = multiline
        if name == "duckdb":
            import duckdb

            self.duckdb = duckdb
        else:
            from pyspark.sql import SparkSession

            self.spark = (
                SparkSession.builder.master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.memory", spark_memory)
                .getOrCreate()
            )
            self.spark.sparkContext.setLogLevel("ERROR")

    def _load(self, data):
        """`data` (a CSV or Parquet file) as table `customers`, its types as the engine reads them."""
        parquet = data.endswith(".parquet")
        if self.name == "duckdb":
            con = self.duckdb.connect()
            source = f"read_parquet('{data}')" if parquet else f"read_csv_auto('{data}', header = true)"
            con.execute(f"CREATE VIEW customers AS SELECT * FROM {source}")
            return con
        reader = self.spark.read
        if parquet:
            frame = reader.parquet(data)
        else:
            # Spark does not detect the delimiter: the header line's, as DuckDB would find it.
            with open(data, encoding="utf-8", errors="replace") as f:
                header = f.readline()
            sep = ";" if header.count(";") > header.count(",") else ","
            frame = reader.csv(data, header=True, inferSchema=True, sep=sep, multiLine=self.multiline)
        frame.createOrReplaceTempView("customers")
        return self.spark

    def to_parquet(self, data, out):
        """The CSV file `data` as one Parquet file `out`, typed as the engine reads the CSV."""
        con = self._load(data)
        if self.name == "duckdb":
            con.execute(f"COPY (SELECT * FROM customers) TO '{out}' (FORMAT parquet)")
            return
        import glob
        import shutil

        folder = out + ".parts"
        con.table("customers").coalesce(1).write.mode("overwrite").parquet(folder)
        shutil.move(glob.glob(os.path.join(folder, "part-*.parquet"))[0], out)
        shutil.rmtree(folder)

    def table(self, data, query="SELECT * FROM customers"):
        """A query's rows over `data` (CSV or Parquet) as tuples, and the column types."""
        con = self._load(data)
        if self.name == "duckdb":
            result = con.execute(query)
            return result.fetchall(), [d[1] for d in result.description]
        frame = con.sql(query)
        return [tuple(r) for r in frame.collect()], [f.dataType.simpleString() for f in frame.schema.fields]

    def rows(self, data, sql):
        """The query's rows as tuples."""
        return self.table(data, sql)[0]

    def write(self, data, sql, out):
        """The query's result written to `out` as CSV (a file for DuckDB, a folder for Spark)."""
        con = self._load(data)
        if self.name == "duckdb":
            # The query ends with ORDER BY and no semicolon: it is a subquery as it is.
            con.execute(f"COPY ({sql}) TO '{out}' (HEADER, DELIMITER ',')")
        else:
            con.sql(sql).write.mode("overwrite").csv(out, header=True)
