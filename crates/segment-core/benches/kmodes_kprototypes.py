"""The kmodes package's KPrototypes on a file the Rust benchmark wrote, timed in the same run as ours:
`python kmodes_kprototypes.py X.csv P K OUT`. The first P columns are numbers (already scaled), the
others category codes. The start is the one ours takes in the benchmark: the numbers of the rows at
evenly spaced positions and the categories of kmodes' Cao initialisation (n_init 1, so one run is
timed on each side). Prints the fit time in ms; writes the cost and the passes. Needs kmodes (0.12.2):
scripts/bench.sh installs it in .tools/bench-py."""
import sys
import time

import numpy as np
from kmodes.kprototypes import KPrototypes
from kmodes.util.dissim import matching_dissim
from kmodes.util.init_methods import init_cao

path, p, k, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
x = np.loadtxt(path, delimiter=",")
n = x.shape[0]
num, cat = x[:, :p], x[:, p:].astype(np.int64)
t = time.perf_counter()
start_rows = [int(round(i * (n - 1) / (k - 1))) for i in range(k)]
init = [num[start_rows].copy(), init_cao(cat, k, matching_dissim).astype(np.int64)]
data = np.empty(x.shape, dtype=object)
data[:, :p] = num
data[:, p:] = cat
fit = KPrototypes(n_clusters=k, init=init, n_init=1, max_iter=100).fit(data, categorical=list(range(p, x.shape[1])))
ms_taken = (time.perf_counter() - t) * 1e3
with open(out, "w") as f:
    f.write(f"{float(fit.cost_)!r}\n{int(fit.n_iter_)}\n")
print(f"{ms_taken:.1f}")
