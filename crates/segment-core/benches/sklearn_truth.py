"""The reference the default is held to on the generated corpus: scikit-learn's k-means (n_init=10,
seeded) on the true behaviour columns, z-scored, at every k from 2 to 8; prints the best adjusted Rand
index against the planted groups as one JSON line.

python3 sklearn_truth.py FILE   (FILE: group,b0,b1,... as segment_core::corpus::behaviour_csv writes it)
"""
import json, sys
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

df = pd.read_csv(sys.argv[1])
truth = df['group'].to_numpy()
x = StandardScaler().fit_transform(df.drop(columns=['group']).to_numpy())
best = max(
    (adjusted_rand_score(truth, KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(x)), k)
    for k in range(2, 9)
)
print(json.dumps({'ari': best[0], 'k': best[1]}))
