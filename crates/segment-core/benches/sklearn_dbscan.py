"""scikit-learn's DBSCAN on a file the Rust benchmark wrote (already min-max scaled), timed in the same
run as ours: `python3 sklearn_dbscan.py X.csv EPS MIN_SAMPLES LABELS_OUT`. Prints the fit time in ms;
writes the labels (one per line, -1 = noise) for the benchmark to compare partitions."""
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN

path, eps, min_samples, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
x = np.loadtxt(path, delimiter=",")
t = time.perf_counter()
labels = DBSCAN(eps=eps, min_samples=min_samples).fit(x).labels_
ms = (time.perf_counter() - t) * 1e3
np.savetxt(out, labels, fmt="%d")
print(f"{ms:.1f}")
