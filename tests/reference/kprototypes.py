"""The kmodes package's KPrototypes on two mixed files: the reference the k-prototypes parity test
reads (crates/segment-core/tests/data/<stem>.kprototypes.json).

Run by hand when the reference changes (scripts/bench.sh installs kmodes into .tools/bench-py):
    .tools/bench-py/bin/python tests/reference/kprototypes.py
It writes mixed_1200.csv (generated: four planted groups in one number and two categories, with a
noise number and a noise category) and reads marketing_campaign.csv (the rows with an income).
Numbers enter as written in mixed_1200.csv and min-max scaled (sklearn's MinMaxScaler) in the
campaign file; categories are encoded as kmodes encodes them (np.unique order). Each k starts from
given prototypes (numbers: the rows at evenly spaced positions; categories: kmodes' Cao
initialisation, recorded so the test checks ours against it), gamma as kmodes estimates it.
"""
import csv
import json
import pathlib

import kmodes
import numpy as np
from kmodes.kprototypes import KPrototypes
from kmodes.util import encode_features
from kmodes.util.dissim import matching_dissim
from kmodes.util.init_methods import init_cao
from sklearn.preprocessing import MinMaxScaler

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "crates" / "segment-core" / "tests" / "data"


def generated():
    rng = np.random.default_rng(20261207)
    n = 1200
    group = rng.integers(0, 4, n)
    plans = ["basic", "family", "premium", "student"]
    channels = ["app", "store", "web"]
    regions = ["east", "north", "south", "west", "centre"]
    rows = []
    for g in group:
        spend = [0.2, 0.5, 0.5, 0.8][g] + rng.normal(0, 0.08)
        noise = rng.normal(0.5, 0.2)
        plan = plans[g] if rng.random() < 0.85 else plans[rng.integers(0, 4)]
        channel = channels[[0, 1, 2, 1][g]] if rng.random() < 0.7 else channels[rng.integers(0, 3)]
        region = regions[rng.integers(0, 5)]
        rows.append([f"{spend:.4f}", f"{noise:.4f}", plan, channel, region])
    with open(DATA / "mixed_1200.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["spend", "tenure_score", "plan", "channel", "region"])
        w.writerows(rows)
    num = np.array([[float(r[0]), float(r[1])] for r in rows])
    cat = np.array([[r[2], r[3], r[4]] for r in rows], dtype=object)
    return num, cat, ["spend", "tenure_score"], ["plan", "channel", "region"], "as written"


def campaign():
    with open(ROOT / "tests" / "fixtures" / "marketing_campaign.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Income"].strip()]
    numeric = ["Income", "Recency", "MntWines", "NumWebPurchases"]
    categorical = ["Education", "Marital_Status"]
    num = MinMaxScaler().fit_transform(np.array([[float(r[c]) for c in numeric] for r in rows]))
    cat = np.array([[r[c] for c in categorical] for r in rows], dtype=object)
    return num, cat, numeric, categorical, "min-max (rows with an Income)"


for stem, make in [("mixed_1200", generated), ("marketing_campaign", campaign)]:
    num, cat, numeric, categorical, scaling = make()
    cat_codes, enc_map = encode_features(cat)
    n = num.shape[0]
    fits = []
    for k in range(2, 7):
        cao = init_cao(cat_codes, k, matching_dissim).astype(np.int64)
        start_rows = [int(round(i * (n - 1) / (k - 1))) for i in range(k)]
        init_num = num[start_rows].copy()
        x = np.empty((n, num.shape[1] + cat.shape[1]), dtype=object)
        x[:, : num.shape[1]] = num
        x[:, num.shape[1] :] = cat
        cat_idx = list(range(num.shape[1], x.shape[1]))
        model = KPrototypes(n_clusters=k, init=[init_num, cao.copy()], n_init=1, max_iter=100)
        model.fit(x, categorical=cat_idx)
        fits.append(
            {
                "k": k,
                "start_rows": start_rows,
                "cao": cao.tolist(),
                "labels": [int(l) for l in model.labels_],
                "cost": float(model.cost_),
                "n_iter": int(model.n_iter_),
                "gamma": float(model.gamma),
                "modes": np.asarray(model._enc_cluster_centroids[1]).astype(np.int64).tolist(),
                "means": np.asarray(model._enc_cluster_centroids[0]).tolist(),
            }
        )
    out = {
        "dataset": f"{stem}.csv",
        "numeric": numeric,
        "categorical": categorical,
        "scaling": scaling,
        "levels": [sorted(m, key=m.get) for m in enc_map],
        "estimator": "KPrototypes(n_clusters=k, init=[numbers at start_rows, cao], n_init=1, max_iter=100)",
        "note": "categories coded in np.unique order (levels); cost = squared Euclidean on numbers + gamma x mismatches",
        "produced_with": f"kmodes {kmodes.__version__}, numpy {np.__version__}",
        "fits": fits,
    }
    (DATA / f"{stem}.kprototypes.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(stem, [(f["k"], round(f["cost"], 4), f["n_iter"]) for f in fits])
