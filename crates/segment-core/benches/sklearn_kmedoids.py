"""scikit-learn-extra's KMedoids on a file the Rust benchmark wrote (already scaled), timed in the same
run as ours: `python sklearn_kmedoids.py X.csv K MEDOIDS_OUT`. Prints the fit time in ms (the n x n
distance matrix included, as the estimator computes it); writes the medoid rows, one per line.
Needs scikit-learn-extra (0.3.0, numpy < 2): scripts/bench.sh installs it in .tools/kmedoids-py."""
import sys
import time

import numpy as np
from sklearn_extra.cluster import KMedoids

path, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
x = np.loadtxt(path, delimiter=",")
t = time.perf_counter()
fit = KMedoids(n_clusters=k, metric="euclidean", method="alternate", init="build", max_iter=300).fit(x)
ms_taken = (time.perf_counter() - t) * 1e3
np.savetxt(out, np.sort(fit.medoid_indices_), fmt="%d")
print(f"{ms_taken:.1f}")
