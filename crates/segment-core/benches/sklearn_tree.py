"""Our segments' rules against scikit-learn's DecisionTreeClassifier(max_leaf_nodes=2k), the usual
explainable stand-in, on the same customers and features: each file is segmented by `segment fit`'s
automatic choice, every customer labeled by `segment apply`, and the tree fitted to those labels on the
features as the file has them (dates as days before the column's latest date, missing values filled as
the model fills them). Fidelity: the share of the customers in a segment that the rules (each customer
to the first rule that holds, the most precise first, at most three conditions a segment) or the tree
put in their segment. Ours is the model's own figure (on the fit's labels, which `apply` gives back
for every method but DBSCAN's border points and HDBSCAN's approximate predict).

usage: sklearn_tree.py SEGMENT_BINARY FILE...   (prints a Markdown table)
"""
import json
import os
import subprocess
import sys
import tempfile

import pandas as pd
from sklearn.tree import DecisionTreeClassifier

SEGMENT, FILES = sys.argv[1], sys.argv[2:]
tmp = tempfile.mkdtemp(prefix="segment-tree-")


def run(*args):
    return subprocess.run([SEGMENT, *args], check=True, capture_output=True, text=True)


def feature(frame, model, name):
    """A feature's values as the model sees them (a date: days before the column's latest date)."""
    values = frame[name]
    formats = model.get("date_formats", {})
    if name in formats:
        order = formats[name]["order"]
        text = values.astype("string").str.strip().str.split(r"[T ]").str[0]
        if order == "compact":
            days = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        else:
            days = pd.to_datetime(text, dayfirst=order == "day_first", errors="coerce", format="mixed")
        return (days.max() - days).dt.days.astype("float64")
    return pd.to_numeric(values, errors="coerce")


print("| file | customers | segments (method) | our rules: fidelity | tree with 2k leaves: fidelity | ours - tree |")
print("|---|---:|---|---:|---:|---:|")
for path in FILES:
    name = os.path.basename(path)
    model_path = os.path.join(tmp, f"{name}.model.json")
    labeled = os.path.join(tmp, f"{name}.labeled.csv")
    try:
        run("fit", path, "-o", model_path)
    except subprocess.CalledProcessError as e:
        print(f"| {name} | | no segments: {e.stderr.strip().splitlines()[-1]} | | | |")
        continue
    model = json.load(open(model_path))
    spec = model["spec"]
    if spec.get("transactions") or model.get("category_features") or model.get("rule_fidelity") is None:
        why = "purchase lines (customers aggregated)" if spec.get("transactions") else "no rules or a category feature"
        print(f"| {name} | | {why}: not compared | | | |")
        continue
    run("apply", model_path, path, "-o", labeled)
    frame = pd.read_csv(labeled, dtype=str, keep_default_na=False, sep=None, engine="python")
    used = frame["segment"].str.strip() != ""
    features = spec["features"]
    fill = model.get("cleaning_fit", {}).get("fill", [])
    columns = {}
    for j, f in enumerate(features):
        values = feature(frame, model, f)
        if j < len(fill) and fill[j] is not None:
            values = values.fillna(fill[j])
        columns[f] = values
    x = pd.DataFrame(columns)[used]
    y = frame.loc[used, "segment"].astype(int)
    keep = x.notna().all(axis=1)
    x, y = x[keep], y[keep]
    k = len(model["segments"])
    tree = DecisionTreeClassifier(max_leaf_nodes=2 * k, random_state=0).fit(x.values, y.values)
    tree_fidelity = float((tree.predict(x.values) == y.values).mean())
    ours = model["rule_fidelity"]
    print(
        f"| {name} | {len(y):,} | {k} ({spec['method']}) | {ours:.2%} | {tree_fidelity:.2%} | {100 * (ours - tree_fidelity):+.2f} points |"
    )
