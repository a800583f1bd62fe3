"""scikit-learn-extra's KMedoids on the parity datasets: the reference the k-medoids parity test reads
(crates/segment-core/tests/data/<stem>.kmedoids.json).

Run by hand when the reference changes (scikit-learn-extra 0.3.0 needs numpy < 2):
    python3 -m venv /tmp/kx && /tmp/kx/bin/pip install "numpy<2" scikit-learn-extra==0.3.0
    /tmp/kx/bin/python tests/reference/kmedoids.py
Features and scaling are the ones of <stem>.expected.json (min-max), as the other parity tests use.
"""
import csv
import json
import pathlib

import numpy as np
import sklearn_extra
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn_extra.cluster import KMedoids

DATA = pathlib.Path(__file__).resolve().parents[2] / "crates" / "segment-core" / "tests" / "data"

for stem in ["customers_2k", "blobs6d_1500"]:
    expected = json.loads((DATA / f"{stem}.expected.json").read_text())
    with open(DATA / f"{stem}.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    raw = np.array([[float(r[c]) for c in expected["features"]] for r in rows])
    scaler = MinMaxScaler() if expected["scaler"] == "minmax" else StandardScaler()
    x = scaler.fit_transform(raw)
    fits = []
    for k in range(2, 7):
        fit = KMedoids(n_clusters=k, metric="euclidean", method="alternate", init="build", max_iter=300).fit(x)
        fits.append(
            {
                "k": k,
                "medoid_rows": [int(m) for m in fit.medoid_indices_],
                "labels": [int(l) for l in fit.labels_],
                "inertia": float(fit.inertia_),
            }
        )
    out = {
        "dataset": f"{stem}.csv",
        "features": expected["features"],
        "scaler": expected["scaler"],
        "estimator": 'KMedoids(metric="euclidean", method="alternate", init="build", max_iter=300)',
        "note": "labels index medoid_rows; inertia is the sum of each row's distance to its medoid",
        "produced_with": f"scikit-learn-extra {sklearn_extra.__version__}, numpy {np.__version__}",
        "fits": fits,
    }
    (DATA / f"{stem}.kmedoids.json").write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print(stem, [(f["k"], round(f["inertia"], 4)) for f in fits])
