"""The same work as the memory benchmark's first result, in pandas + scikit-learn, for its peak memory:
read the file with pandas (its C reader, every column), keep the numeric columns that are not ids or
constant, drop rows with a missing value, z-score them, fit k-means (k = 4, 3 inits, as our pick is
fitted beyond 20,000 rows) and score it (silhouette on a 10,000-row sample, Davies-Bouldin,
Calinski-Harabasz). Prints seconds and the process's peak resident size in bytes (the file's bytes
included, as ours).

python3 pandas_memory.py FILE
"""
import resource, sys, time
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.preprocessing import StandardScaler


def main(path):
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    n = len(df)
    cols = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and df[c].nunique() > 1
            and not (pd.api.types.is_integer_dtype(df[c]) and df[c].nunique() == n)]
    x = StandardScaler().fit_transform(df[cols].dropna())
    labels = KMeans(n_clusters=4, n_init=3, random_state=42).fit_predict(x)
    silhouette_score(x, labels, sample_size=min(10_000, len(x)), random_state=42)
    davies_bouldin_score(x, labels)
    calinski_harabasz_score(x, labels)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(time.perf_counter() - t0, peak)


if __name__ == '__main__':
    main(sys.argv[1])
