"""The SQL a saved model exports, run in a real engine: for every method the SQL covers and files with
missing values, negatives, duplicate rows and ids, outliers and yes/no words, the query's `segment` and
`segment_name` equal `segment apply`'s, row for row.

usage: sql_check.py duckdb|spark SEGMENT_BINARY FIXTURES SAMPLE_DIR
  duckdb: run by scripts/test.sh (DuckDB from PyPI in .tools/py);
  spark:  scripts/spark_check.sh (pyspark from PyPI in .tools/spark, Spark in local mode, Java 17).
"""
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from engines import Engine

ENGINE, SEGMENT, FIXTURES, DIST = sys.argv[1:5]
tmp = tempfile.mkdtemp(prefix="segment-sql-")
# The side tables are read by paths relative to the engine's working directory (Spark's is fixed when
# its JVM starts): work from the folder the queries are written to.
os.chdir(tmp)
engine = Engine(ENGINE, multiline=True)


def run(*args):
    return subprocess.run([SEGMENT, *args], check=True, capture_output=True, text=True)


def messy_customers(path):
    """Customers with what cleaning rules are for: missing cells (empty and NA), negatives, zeros,
    repeated rows and ids, far outliers, yes/no words."""
    rng = random.Random(7)
    rows = []
    for i in range(1500):
        group = i % 3
        visits = round(rng.gauss([5, 20, 40][group], 3), 2)
        spend = round(rng.lognormvariate([4, 6, 7][group], 0.4), 2)
        returns = round(abs(rng.gauss(2, 1)), 2)
        member = rng.choice(["yes", "no"])
        rows.append([f"C{i:05d}", visits, spend, returns, member, rng.choice(["north", "south"])])
    for i in range(0, 1500, 97):
        rows[i][1] = ""  # missing visits
    for i in range(5, 1500, 131):
        rows[i][2] = "NA"  # missing spend, as text
    for i in range(11, 1500, 173):
        rows[i][3] = -1.5  # a negative
    for i in range(13, 1500, 199):
        rows[i][1] = 0  # a zero
    for i in range(17, 1500, 211):
        rows[i][2] = 250000.0  # an outlier
    rows += [list(rows[40]), list(rows[41])]  # repeated rows
    rows += [[rows[50][0], 9.0, 100.0, 1.0, "no", "north"]]  # a repeated id
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "visits", "spend", "returns", "member", "region"])
        w.writerows(rows)


def formatted_customers(path, decimal_comma):
    """Numbers as exports write them: currency signs and codes before or after, thousands grouped by
    commas, points, spaces, no-break spaces or apostrophes, negatives in parentheses or after the
    currency, percent signs, exponents; with a decimal point (comma-separated) or a decimal comma
    (semicolon-separated); and cells that only look like numbers ("12,34" grouped wrongly)."""
    rng = random.Random(11 if decimal_comma else 13)
    groups = [".", " ", "\u00a0", "'"] if decimal_comma else [",", " ", "\u202f", "'"]
    point = "," if decimal_comma else "."

    def money(v):
        whole, cents = f"{abs(v):.2f}".split(".")
        sep = rng.choice(groups)
        parts = []
        while len(whole) > 3:
            parts.insert(0, whole[-3:])
            whole = whole[:-3]
        text = sep.join([whole] + parts) + point + cents
        style = rng.randrange(6)
        if v < 0:
            return [f"({text})", f"-{text} €", f"$-{text}", f"-USD {text}", f"({text} EUR)", f"\u2212{text}"][style]
        return [f"${text}", f"{text} €", f"USD {text}", f"£{text}", f"{text}", f"R$ {text}"][style]

    rows = []
    for i in range(900):
        group = i % 3
        spend = rng.lognormvariate([5, 7, 9][group], 0.3) * (-1 if i % 37 == 0 else 1)
        margin = round(rng.gauss([10, 20, 30][group], 2), 1)
        visits = round(rng.gauss([4, 15, 40][group], 2), 1)
        rows.append([f"C{i:04d}", money(spend), f"{margin}%".replace(".", point), str(visits).replace(".", point)])
    rows[5][1] = "12" + ("." if decimal_comma else ",") + "34"  # grouped wrongly: not a number
    rows[6][2] = "1e3%" if not decimal_comma else "1,5e1 %"
    rows[7][3] = "NA"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";" if decimal_comma else ",")
        w.writerow(["customer_id", "spend", "margin", "visits"])
        w.writerows(rows)


def hostile_names(path):
    """Columns named as the query's own internal names (`__row`, `__x0`, `__txt0`, `__u0`, `__v0`,
    `__d1`) and as its first stage (`numbered`), with `${env:HOME}` in a text column's values."""
    rng = random.Random(5)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["__row", "__x0", "__u0", "__txt0", "__v0", "__d1", "numbered"])
        for i in range(600):
            g = i % 3
            w.writerow([
                round(rng.gauss([1, 8, 20][g], 1), 3),
                round(rng.gauss([50, 10, 30][g], 2), 3),
                round(rng.gauss([3, 9, 1][g], 0.5), 3),
                "${env:HOME}" if i % 2 else "x",
                rng.randrange(5),
                i,
                rng.choice(["a", "b"]),
            ])


def dated_customers(path, style):
    """Customers with a last order date (recency) and a spend, some dates missing: `style` writes the
    dates as ISO, day-first (dd/mm/yyyy), month-first with a two-digit year (mm/dd/yy) or with the
    month's name (11-Feb-2017)."""
    rng = random.Random(11)
    latest = datetime.date(2026, 11, 30)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "last_order", "orders", "spend"])
        for i in range(900):
            group = i % 3
            days = int(abs(rng.gauss([10, 90, 300][group], [5, 20, 40][group])))
            day = latest - datetime.timedelta(days=days if i else 0)
            text = {
                "iso": day.isoformat(),
                "day_first": day.strftime("%d/%m/%Y"),
                "month_first": day.strftime("%m/%d/%y"),
                "named": day.strftime("%d-%b-%Y"),
            }[style]
            if i % 97 == 5:
                text = ""
            w.writerow([f"C{i:04d}", text, max(1, int(rng.gauss([12, 5, 1][group], 1))), round(rng.lognormvariate([6, 5, 4][group], 0.3), 2)])


def date_edges(path):
    """Two date columns at the edges of the reader's grammar: `seen` day-first with two-digit years
    around the %y pivot (68 is 2068, 69 is 1969), 29 February in and out of leap years, 31 April,
    single digits, dots, edge spaces and a time after the date; `joined` compact yyyymmdd at the ends of 1900-2100 and on 29 February."""
    rng = random.Random(13)
    seen = ["29/02/24", "29/02/23", "31/04/24", "1.2.24", " 05/06/24 ", "31/12/68", "01/01/69", "15/08/24 10:30",
            "30/06/24", "01-07-24", "", "NA"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "seen", "joined", "spend"])
        for i in range(600):
            group = i % 2
            s = seen[i % len(seen)] if i % 5 == 0 else f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{[24, 21][group]}"
            joined = ["19991231", "20240229", "21001231", "19000101"][i % 4] if i % 7 == 0 else f"20{[23, 10][group]}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
            w.writerow([f"E{i}", s, joined, round(rng.lognormvariate([6, 4][group], 0.3), 2)])


def diagonal(path):
    """Two segments split by a diagonal line (k-means across two long blobs): rules need a second set
    of conditions (", or ..."), written as OR in the query."""
    rng = random.Random(1)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "x", "y"])
        for i in range(1000):
            t = rng.uniform(0, 100)
            d = 8 if i % 2 else -8
            w.writerow([f"C{i}", round(t + rng.gauss(0, 2), 2), round(t + d + rng.gauss(0, 2), 2)])


def settings_for(data, method, **changes):
    spec = json.loads(run("suggest", data).stdout)
    spec["method"] = method
    for key, value in changes.items():
        if isinstance(value, dict):
            spec[key].update(value)
        else:
            spec[key] = value
    path = os.path.join(tmp, f"settings-{method}-{len(os.listdir(tmp))}.json")
    with open(path, "w") as f:
        json.dump(spec, f)
    return path


def check(name, data, settings, dialect=None, names=None, table="customers", query_file=None, as_of=None, rules=False):
    """`rules`: the fitted model's rule model (`segment rules`) is applied and exported instead."""
    dialect = dialect or ENGINE
    model = os.path.join(tmp, f"{name}-model.json")
    fit = [data, "-o", model] + (["--settings", settings] if settings else []) + (["--names", names] if names else [])
    run("fit", *fit)
    if rules:
        rule_model = os.path.join(tmp, f"{name}-rules-model.json")
        run("rules", model, "-o", rule_model)
        model = rule_model
    applied = os.path.join(tmp, f"{name}-applied.csv")
    reference = ["--as-of", as_of] if as_of else []
    run("apply", model, data, "-o", applied, *reference)
    query = os.path.join(tmp, query_file or f"{name}.sql")
    run("export-sql", model, "--dialect", dialect, "--table", table, "--columns-from", data, "-o", query, *reference)
    os.chdir(tmp)  # the side table is read by a path relative to the query
    start = time.time()
    got = engine.rows(data, open(query).read())
    seconds = time.time() - start
    with open(applied, newline="") as f:
        want = list(csv.reader(f))[1:]
    assert len(got) == len(want), f"{name}: {len(got)} rows from SQL, {len(want)} from apply"
    differ = [
        (i, g[-2:], w[-2:])
        for i, (g, w) in enumerate(zip(got, want))
        if ("" if g[-2] is None else str(g[-2]), g[-1]) != (w[-2], w[-1])
    ]
    assert not differ, f"{name}: {len(differ)} rows differ, first {differ[:5]}"
    kinds = {}
    for w in want:
        kinds[w[-1]] = kinds.get(w[-1], 0) + 1
    print(f"{name}: {len(want)} rows equal to `segment apply` ({dialect}, {seconds:.2f} s in {ENGINE}): {kinds}")


sample = os.path.join(DIST, "dataset_ecommerce.csv")
two_k = os.path.join(FIXTURES, "customers_2k.csv")
messy = os.path.join(tmp, "messy_customers.csv")
messy_customers(messy)
rules = {
    "drop_missing": "all_columns",
    "drop_negative": "all_columns",
    "drop_zero": "features",
    "drop_duplicate_rows": True,
    "drop_duplicate_ids": True,
    "outliers": "iqr",
    "impute": "drop",
}

check("sample-dbscan-preset", sample, None)
check("sample-kmeans", sample, settings_for(sample, "k_means", kmeans={"k": 4}))
check("2k-gmm", two_k, settings_for(two_k, "gaussian_mixture", gmm={"k": 3}))
# Segment names with a quote and a backslash: each engine's string literals.
check("2k-ward", two_k, settings_for(two_k, "ward", ward={"k": 4}), names="Owner's club,Back\\slash \\d,Plain,Fourth")
check("2k-dbscan", two_k, settings_for(two_k, "dbscan"))
check("2k-kmedoids", two_k, settings_for(two_k, "k_medoids", kmedoids={"k": 4}))
messy_rules = dict(rules)
check("messy-kmeans", messy, settings_for(messy, "k_means", cleaning=messy_rules, kmeans={"k": 3}, transforms={"spend": "log1p"}))
filled = dict(rules, impute="median", drop_missing="features")
check("messy-gmm-filled", messy, settings_for(messy, "gaussian_mixture", cleaning=filled, gmm={"k": 3}))
check("messy-dbscan", messy, settings_for(messy, "dbscan", cleaning=messy_rules))
if ENGINE == "duckdb":
    check("2k-dbscan-ansi", two_k, settings_for(two_k, "dbscan"), dialect="ansi")
    check("messy-kmeans-ansi", messy, settings_for(messy, "k_means", cleaning=messy_rules, kmeans={"k": 3}), dialect="ansi")


# Columns named as the query's internal names: every row as `segment apply` gives it (before, 400 of
# 600 rows took another segment, and DBSCAN returned 360,000 rows); a schema-qualified table; output
# and side-table names with a quote and a backtick.
hostile = os.path.join(tmp, "hostile_names.csv")
hostile_names(hostile)
features = {"features": ["__row", "__x0", "__u0"]}
check("names-kmeans", hostile, settings_for(hostile, "k_means", kmeans={"k": 3}, **features))
check("names-dbscan", hostile, settings_for(hostile, "dbscan", **features), query_file="q'x`y.sql",
      names="${env:HOME},${system:user.name},Third",
      table="main.customers" if ENGINE == "duckdb" else "customers")
check("names-gmm", hostile, settings_for(hostile, "gaussian_mixture", gmm={"k": 3}, **features))


# Models with a date feature (a recency: days before the table's latest date, computed by the query,
# or before an as-of date), the dates in four formats; imputed and outlier-checked in days.
for style in ("iso", "day_first", "month_first", "named"):
    dated = os.path.join(tmp, f"dated_{style}.csv")
    dated_customers(dated, style)
    features = {"features": ["last_order", "orders", "spend"]}
    dated_rules = dict(rules, impute="median", drop_missing="features")
    check(f"dated-{style}-kmeans", dated, settings_for(dated, "k_means", kmeans={"k": 3}, cleaning=dated_rules, **features))
    check(f"dated-{style}-as-of", dated, settings_for(dated, "gaussian_mixture", gmm={"k": 3}, **features), as_of="2027-01-15")
# Rule models (each segment's rule as the segment): CASE WHEN on the filled values in the file's units,
# for a method whose own assignment is not SQL (HDBSCAN) and with a date feature.
check("2k-hdbscan-rules", two_k, settings_for(two_k, "hdbscan"), rules=True)
check("messy-kmeans-rules", messy, settings_for(messy, "k_means", cleaning=filled, kmeans={"k": 3}, transforms={"spend": "log1p"}), rules=True)
diagonal_file = os.path.join(tmp, "diagonal.csv")
diagonal(diagonal_file)
check("diagonal-rules", diagonal_file, settings_for(diagonal_file, "k_means", kmeans={"k": 2}, features=["x", "y"]), rules=True)
assert ") OR (" in open(os.path.join(tmp, "diagonal-rules.sql")).read(), "a rule with two sets of conditions"
# A threshold tree's rules: a segment of three leaves (three sets, model version 2).
check("2k-kmeans-tree-rules", two_k, settings_for(two_k, "k_means", kmeans={"k": 4}), rules=True)
assert any(line.count(") OR (") >= 2 for line in open(os.path.join(tmp, "2k-kmeans-tree-rules.sql"))), \
    "a rule with three sets of conditions"
dated_iso = os.path.join(tmp, "dated_iso.csv")
check("dated-iso-rules", dated_iso, settings_for(dated_iso, "k_means", kmeans={"k": 3}, features=["last_order", "orders", "spend"]), rules=True)
check("dated-named-rules-as-of", os.path.join(tmp, "dated_named.csv"),
      settings_for(os.path.join(tmp, "dated_named.csv"), "hdbscan", features=["last_order", "spend"]), rules=True, as_of="2027-03-01")
edges = os.path.join(tmp, "date_edges.csv")
date_edges(edges)
check("dated-edges-kmeans", edges, settings_for(edges, "k_means", kmeans={"k": 2}, features=["seen", "joined", "spend"],
                                                cleaning=dict(rules, impute="median", drop_missing="features")))
check("dated-iso-dbscan", dated_iso, settings_for(dated_iso, "dbscan", features=["last_order", "spend"]))



def mixed_customers(path):
    """400 customers in four groups told apart by a plan and spend: plans with a quote, spaces around
    some cells, missing markers in the channel, a number-like region code."""
    rng = random.Random(31)
    plans = ["basic", "famille d'or", "premium", "student"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer_id", "spend", "visits", "plan", "channel", "region"])
        for i in range(400):
            g = rng.randrange(4)
            plan = plans[g] if rng.random() < 0.9 else rng.choice(plans)
            channel = rng.choice(["app", "web", " store ", "NA", ""]) if rng.random() < 0.3 else ["app", "app", "web", "web"][g]
            w.writerow([f"M{i}", round([30, 30, 120, 120][g] * rng.uniform(0.8, 1.25), 2), rng.randrange(1, 40),
                        f" {plan}" if i % 7 == 0 else plan, channel, rng.choice(["R1", "R2", "R3"])])


mixed = os.path.join(tmp, "mixed_customers.csv")
mixed_customers(mixed)
mixed_features = {"features": ["spend", "visits", "plan", "channel"]}
check("mixed-kprototypes", mixed, settings_for(mixed, "k_prototypes", kprototypes={"k": 4}, **mixed_features))
check("mixed-kprototypes-filled", mixed, settings_for(mixed, "k_prototypes", kprototypes={"k": 4, "gamma": 0.8},
      cleaning=dict(rules, impute="most_frequent", drop_missing="features", outliers=None), **mixed_features))
# Its rule model: conditions on the categories' values ("plan is basic") as = and <> on the codes.
check("mixed-kprototypes-rules", mixed, settings_for(mixed, "k_prototypes", kprototypes={"k": 4}, **mixed_features), rules=True)
assert "__f2 = " in open(os.path.join(tmp, "mixed-kprototypes-rules.sql")).read(), "a condition on a category's value"
if ENGINE == "duckdb":
    check("mixed-kprototypes-ansi", mixed, settings_for(mixed, "k_prototypes", kprototypes={"k": 3}, **mixed_features), dialect="ansi")


def purchase_log(path, invoices):
    """A purchase log of 240 customers in three kinds (frequent big, regular, lapsed), dates as
    11-Feb-24, with lines a query must leave out as the app does: no customer, a missing marker for one,
    a cancelled invoice (C and digits) or a negative quantity, an unreadable date or amount; and, with
    `invoices`, an order id (several lines an order) or, without, one line a purchase (amount only)."""
    rng = random.Random(11)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    start = datetime.date(2024, 1, 1)
    header = ["invoice", "customer", "date", "qty", "price"] if invoices else ["customer_id", "trans_date", "tran_amount"]
    rows = []
    order = 70000
    for c in range(240):
        kind = c % 3
        orders, spend, last = [(14, 90.0, 5), (6, 40.0, 60), (2, 15.0, 250)][kind]
        for _ in range(orders + rng.randint(0, 2)):
            day = start + datetime.timedelta(days=365 - last - rng.randint(0, 100 if kind < 2 else 20))
            when = f"{day.day:02d}-{months[day.month - 1]}-{day.year % 100:02d}"
            order += 1
            for _ in range(rng.randint(1, 3) if invoices else 1):
                amount = max(1.0, rng.gauss(spend, spend / 5))
                if invoices:
                    rows.append([str(order), f"K{c:04d}", when, str(rng.randint(1, 3)), f"{amount / 2:.2f}"])
                else:
                    rows.append([f"CS{c:04d}", when, f"{amount:.2f}"])
    hostile = [
        ["", "K0001", "03-Mar-24", "2", "5.00"] if invoices else ["", "03-Mar-24", "5.00"],
        ["70001", "NA", "03-Mar-24", "2", "5.00"] if invoices else ["NA", "03-Mar-24", "5.00"],
        ["C70002", "K0002", "04-Mar-24", "1", "9.99"] if invoices else ["CS0002", "not a date", "9.99"],
        ["70003", "K0003", "05-Mar-24", "-1", "9.99"] if invoices else ["CS0003", "05-Mar-24", "n/a"],
        ["70004", "K0004", "31-Feb-24", "1", "9.99"] if invoices else ["CS0004", "31-Feb-24", "12.00"],
        ["70005", "K0005", "06-Mar-24", "1", "x"] if invoices else ["CS0005", "06-Mar-24", "-4.00"],
    ]
    if invoices:
        hostile[0] = ["70000", "", "03-Mar-24", "2", "5.00"]
    rows += hostile
    rng.shuffle(rows)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


# Purchase lines: the query aggregates them per customer as the app does (lines without a customer,
# cancellations, unreadable dates or amounts left out; recency from the table's latest date, frequency
# by invoice or by purchase day, monetary), one row per customer by id, then segments the customers,
# with k-means or RFM scores at the quintile edges fixed at training. DuckDB and Spark (which reads the
# lines behind a fence, `Query::aggregate`); the ANSI export refuses them, which the CLI tests check.
lines = os.path.join(FIXTURES, "transactions.csv")
check("lines-kmeans", lines, None)
check("lines-rfm", lines, settings_for(lines, "rfm"))
check("purchases-kmeans", os.path.join(FIXTURES, "purchases.csv"), None)
check("company-lines", os.path.join(FIXTURES, "corpus", "log_company.csv"), None)
for invoices in (True, False):
    log = os.path.join(tmp, f"purchase_log_{'orders' if invoices else 'amounts'}.csv")
    purchase_log(log, invoices)
    check(f"log-{'orders' if invoices else 'amounts'}-kmeans", log, None)
    check(f"log-{'orders' if invoices else 'amounts'}-rfm", log, settings_for(log, "rfm"))

def check_parquet_twin(name, data, settings):
    """A Parquet file (the engine's copy of the CSV `data`) fitted and applied gives the same segments
    as its CSV twin; the labeled Parquet keeps the input's columns, types and values; and the SQL over
    the Parquet table equals the apply."""
    twin = os.path.join(tmp, f"{name}.parquet")
    engine.to_parquet(data, twin)
    check(f"{name}-parquet", twin, settings)
    by_csv, by_parquet = (os.path.join(tmp, f"{name}-{kind}-model.json") for kind in ("csv", "parquet"))
    extra = ["--settings", settings] if settings else []
    run("fit", data, "-o", by_csv, *extra)
    run("fit", twin, "-o", by_parquet, *extra)
    models = [json.load(open(m)) for m in (by_csv, by_parquet)]
    for m in models:
        m["training"].pop("file_name")
    assert models[0] == models[1], f"{name}: the Parquet twin fits another model"
    applied_csv = os.path.join(tmp, f"{name}-twin.csv")
    applied_parquet = os.path.join(tmp, f"{name}-twin-applied.parquet")
    run("apply", by_csv, data, "-o", applied_csv)
    run("apply", by_parquet, twin, "-o", applied_parquet)
    with open(applied_csv, newline="") as f:
        want = [tuple(r[-2:]) for r in list(csv.reader(f))[1:]]
    got, types = engine.table(applied_parquet)
    got_segments = [("" if r[-2] is None else str(r[-2]), r[-1]) for r in got]
    assert got_segments == want, f"{name}: the Parquet output's segments differ from the CSV twin's"
    original, original_types = engine.table(twin)
    assert [r[:-2] for r in got] == original, f"{name}: the Parquet output changed the input's values"
    assert types[:-2] == original_types, f"{name}: column types {types[:-2]} != {original_types}"
    print(f"{name}: Parquet twin fits the same model, {len(got)} rows with the same segments, columns {types}")


for comma in (False, True):
    formatted = os.path.join(tmp, f"formatted_{'eu' if comma else 'us'}.csv")
    formatted_customers(formatted, comma)
    name = f"formatted-{'decimal-comma' if comma else 'decimal-point'}"
    check(f"{name}-kmeans", formatted, settings_for(formatted, "k_means", kmeans={"k": 3}))
    check(f"{name}-dbscan", formatted, settings_for(formatted, "dbscan"))
# The nasty US export (currency, grouped thousands, negatives in parentheses, percents, a quoted line
# break, US dates), without its trailing column with no name, which each engine names its own way.
us_export = os.path.join(tmp, "us_export.csv")
with open(os.path.join(FIXTURES, "nasty", "us_export.csv"), newline="") as f, open(us_export, "w", newline="") as out:
    csv.writer(out).writerows(row[:8] for row in csv.reader(f))
check("nasty-us-export", us_export, None)
check_parquet_twin("messy-kmeans", messy, settings_for(messy, "k_means", cleaning=messy_rules, kmeans={"k": 3}))
check_parquet_twin("2k-dbscan", two_k, settings_for(two_k, "dbscan"))
# Dates the engine types as DATE in the Parquet file: the query reads them back as ISO text.
check_parquet_twin("dated-iso", dated_iso, settings_for(dated_iso, "k_means", kmeans={"k": 3}, features=["last_order", "orders", "spend"]))
print("SQL export: every query equals `segment apply` row for row")
