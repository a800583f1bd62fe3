"""scikit-learn's HDBSCAN on a file the Rust benchmark wrote (already scaled), timed in the same run as
ours: `python3 sklearn_hdbscan.py X.csv MIN_CLUSTER_SIZE MIN_SAMPLES LABELS_OUT`. Prints the fit time in
ms; writes the labels (one per line, -1 = noise) for the benchmark to compare partitions."""
import sys
import time

import numpy as np
from sklearn.cluster import HDBSCAN

path, mcs, ms, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
x = np.loadtxt(path, delimiter=",")
t = time.perf_counter()
labels = HDBSCAN(min_cluster_size=mcs, min_samples=ms).fit(x).labels_
ms_taken = (time.perf_counter() - t) * 1e3
np.savetxt(out, labels, fmt="%d")
print(f"{ms_taken:.1f}")
