"""The engines the exported SQL is run in, one way for the checks and the benchmark: DuckDB (PyPI, in
.tools/py) and Spark in local mode (pyspark from PyPI, in .tools/spark)."""


class Engine:
    def __init__(self, name, spark_memory="2g"):
        self.name = name
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
        """`data` (a CSV file) as table `customers`, its types as the engine reads them."""
        if self.name == "duckdb":
            con = self.duckdb.connect()
            con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv_auto('{data}', header = true)")
            return con
        self.spark.read.csv(data, header=True, inferSchema=True).createOrReplaceTempView("customers")
        return self.spark

    def rows(self, data, sql):
        """The query's rows as tuples."""
        con = self._load(data)
        if self.name == "duckdb":
            return con.execute(sql).fetchall()
        return [tuple(r) for r in con.sql(sql).collect()]

    def write(self, data, sql, out):
        """The query's result written to `out` as CSV (a file for DuckDB, a folder for Spark)."""
        con = self._load(data)
        if self.name == "duckdb":
            # The query ends with ORDER BY and no semicolon: it is a subquery as it is.
            con.execute(f"COPY ({sql}) TO '{out}' (HEADER, DELIMITER ',')")
        else:
            con.sql(sql).write.mode("overwrite").csv(out, header=True)
