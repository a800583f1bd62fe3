"""The SQL export fuzzed: random column names (quotes, backticks, `${...}`, spaces, the query's own
`__` names, keywords, non-ASCII), random cells (numbers, formatted numbers, missing markers, words,
negatives, zeros, repeats, a line of only delimiters), category columns of hostile values (quotes, `${...}`, case twins, padding,
missing markers) that k-prototypes compares by value, and random settings (method, cleaning rules,
transforms, k-prototypes' gamma and start). Each case is fitted,
applied and exported, and the query run in DuckDB must give every row's `segment` and `segment_name` as
`segment apply` does; a case the export refuses must be one it says it refuses (names equal but for
case). Usage: sql_fuzz.py SEGMENT_BINARY CASES [SEED]"""
import csv
import json
import os
import random
import subprocess
import sys
import tempfile

import duckdb

SEGMENT, CASES = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
tmp = tempfile.mkdtemp(prefix="segment-sql-fuzz-")
os.chdir(tmp)

PIECES = ["__row", "__x0", "__u1", "__txt0", "__v0", "__d1", "numbered", "select", "a\"b", "a`b", "it's",
          "${env:HOME}", "x y", "Spend", "spend", "café", "\u00e9t\u00e9", "n", "__f0", "segment_id", "1st"]
CELLS = ["", "NA", "-", "yes", "no", "0", "-3", "1e3", "$1,234.50", "(12.00)", "12 %"]
LEVELS = ["basic", "Basic", "it's", "a\"b", "${env:HOME}", "café", " padded ", "x,y", "select", "1st", "n/a"]


def name():
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 2)))


def write_case(path):
    cols = []
    while len(cols) < rng.randint(2, 5):
        n = name()
        if n not in cols:
            cols.append(n)
    numbers = len(cols)
    categories = []
    while len(categories) < rng.randint(0, 2):
        n = name()
        if n not in cols:
            cols.append(n)
            categories.append(n)
    groups = rng.randint(2, 4)
    centres = [[rng.uniform(0, 100) for _ in range(numbers)] for _ in range(groups)]
    levels = [rng.sample(LEVELS, rng.randint(2, 5)) for _ in categories]
    rows = []
    for i in range(rng.randint(60, 300)):
        g = i % groups
        row = []
        for j in range(numbers):
            if rng.random() < 0.05:
                row.append(rng.choice(CELLS))
            else:
                row.append(f"{rng.gauss(centres[g][j], 3):.3f}")
        for values in levels:
            r = rng.random()
            row.append("" if r < 0.04 else values[g % len(values)] if r < 0.8 else rng.choice(values))
        rows.append(row)
    rows += [list(rows[0])] * rng.randint(0, 2)
    if rng.random() < 0.3:  # a line of only delimiters: a blank row to every reader
        rows.insert(rng.randrange(len(rows)), [""] * len(cols))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(cols)
        w.writerows(rows)
    return cols, categories


def run(*args):
    return subprocess.run([SEGMENT, *args], capture_output=True, text=True)


checked = refused = skipped = 0
mixed = 0
for case in range(CASES):
    data = os.path.join(tmp, f"case{case}.csv")
    cols, categories = write_case(data)
    suggested = run("suggest", data)
    if suggested.returncode != 0:
        skipped += 1  # nothing to segment (the reader or the choice said why)
        continue
    spec = json.loads(suggested.stdout)
    methods = ["k_means", "dbscan", "gaussian_mixture", "ward", "k_medoids"]
    spec["method"] = rng.choice(methods + ["k_prototypes"] * (2 if categories else 0))
    spec["kmeans"]["k"] = spec["gmm"]["k"] = spec["ward"]["k"] = rng.randint(2, 4)
    if spec["method"] == "k_prototypes":
        spec["features"] = [f for f in spec["features"] if f not in categories] + categories
        spec["kprototypes"] = {"k": rng.randint(2, 4), "gamma": rng.choice([None, 0.0, 0.3, 2.5]),
                               "start": rng.choice(["cao", "huang"])}
    c = spec["cleaning"]
    c["drop_missing"] = rng.choice(["features", "all_columns"])
    c["drop_negative"] = rng.choice([None, "features", "all_columns"])
    c["drop_zero"] = rng.choice([None, "features", "all_columns"])
    c["drop_duplicate_rows"] = rng.random() < 0.5
    c["impute"] = rng.choice(["drop", "median", "most_frequent"])
    c["outliers"] = rng.choice([None, "iqr", "z_score"])
    if rng.random() < 0.3 and spec["features"]:
        spec["transforms"] = {spec["features"][0]: "log1p"}
    settings = os.path.join(tmp, f"case{case}.json")
    json.dump(spec, open(settings, "w"))
    model = os.path.join(tmp, f"case{case}-model.json")
    if run("fit", data, "--settings", settings, "-o", model).returncode != 0:
        skipped += 1  # settings the fit refuses with a message (e.g. too few rows left)
        continue
    applied = os.path.join(tmp, f"case{case}-applied.csv")
    out = run("apply", model, data, "-o", applied)
    assert out.returncode == 0, f"case {case}: apply failed: {out.stderr}"
    query = os.path.join(tmp, f"case{case}.sql")
    out = run("export-sql", model, "--table", "customers", "--columns-from", data, "-o", query)
    lower = [n.lower() for n in cols]
    if out.returncode != 0:
        assert len(set(lower)) < len(lower) and "differ only in case" in out.stderr, f"case {case}: {out.stderr}"
        refused += 1
        continue
    con = duckdb.connect()
    con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv('{data}', header = true, all_varchar = true)")
    got = con.execute(open(query).read()).fetchall()
    with open(applied, newline="", encoding="utf-8") as f:
        want = list(csv.reader(f))[1:]
    assert len(got) == len(want), f"case {case} ({cols}): {len(got)} rows from SQL, {len(want)} from apply"
    differ = [i for i, (g, w) in enumerate(zip(got, want)) if ("" if g[-2] is None else str(g[-2]), g[-1]) != (w[-2], w[-1])]
    assert not differ, f"case {case} ({cols}, {spec['method']}): {len(differ)} rows differ, first {differ[:3]} in {data}"
    checked += 1
    mixed += spec["method"] == "k_prototypes"
print(f"SQL fuzz: {checked} cases equal to `segment apply` in DuckDB ({mixed} k-prototypes), {refused} refused for names equal but for case, {skipped} not segmentable")
assert checked >= CASES // 3, "too few cases reached the comparison"
