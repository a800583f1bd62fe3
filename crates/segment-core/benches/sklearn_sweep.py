"""The reference the automatic choice is held to: a plain scikit-learn k-means sweep, k = 2..10, z-scores
and min-max, on the numeric columns that are not ids and not constant (pandas' numeric dtypes), rows with a
missing value dropped; a file of purchase lines is first aggregated per customer (recency, frequency,
monetary) with log1p, as an analyst would. Silhouette on a 10,000-row sample above that size, as
scikit-learn's `sample_size` does. Prints one JSON line: rows, time, the best silhouette and where.

python3 sklearn_sweep.py FILE
"""
import io, json, sys, time
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import MinMaxScaler, StandardScaler


def read(path):
    raw = open(path, 'rb').read()
    if raw[:2] in (b'PK', b'\xd0\xcf'):
        return pd.read_excel(path)
    text = raw.decode('utf-8', 'replace').lstrip('\ufeff\r\n')
    return pd.read_csv(io.StringIO(text), sep=None, engine='python')


def is_id(name, s, n):
    l = name.strip().lower()
    if l == 'id' or l.endswith('_id') or (l.endswith('id') and len(l) > 2 and l[-3] in '_ -') \
            or l in ('customerid', 'clientid', 'userid', 'uuid', 'key', 'index'):
        return True
    return pd.api.types.is_integer_dtype(s) and s.nunique() == n and n >= 20


def transactions(df):
    cols = {c.lower().replace('_', ''): c for c in df.columns}
    need = ('customerid', 'invoicedate', 'quantity', 'unitprice')
    if not all(k in cols for k in need):
        return None
    d = df[df[cols['customerid']].notna()].copy()
    if 'invoiceno' in cols:
        d = d[~d[cols['invoiceno']].astype(str).str.startswith('C')]
    d = d[d[cols['quantity']] > 0]
    d['amount'] = d[cols['quantity']] * d[cols['unitprice']]
    d['date'] = pd.to_datetime(d[cols['invoicedate']], errors='coerce').dt.normalize()
    latest = d['date'].max()
    g = d.groupby(cols['customerid'])
    orders = g[cols['invoiceno']].nunique() if 'invoiceno' in cols else g['date'].nunique()
    rfm = pd.DataFrame({'recency': (latest - g['date'].max()).dt.days, 'frequency': orders, 'monetary': g['amount'].sum()})
    return np.log1p(rfm.clip(lower=0))


def main(path):
    df = read(path)
    df = df.loc[:, ~df.columns.astype(str).str.startswith('Unnamed')]
    t0 = time.perf_counter()
    x = transactions(df)
    if x is None:
        n = len(df)
        cols = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not is_id(str(c), df[c], n)
                and df[c].nunique() > 1]
        x = df[cols].dropna()
    x = x.values.astype(float)
    best = (-2.0, None)
    for name, scaler in (('standard', StandardScaler()), ('minmax', MinMaxScaler())):
        xs = scaler.fit_transform(x)
        for k in range(2, 11):
            labels = KMeans(k, random_state=0).fit_predict(xs)
            sample = 10_000 if len(xs) > 10_000 else None
            s = silhouette_score(xs, labels, sample_size=sample, random_state=0)
            if s > best[0]:
                best = (s, {'scaler': name, 'k': k})
    ms = (time.perf_counter() - t0) * 1e3
    print(json.dumps({'rows': len(x), 'ms': ms, 'silhouette': best[0], 'at': best[1]}))


if __name__ == '__main__':
    main(sys.argv[1])
