#!/usr/bin/env python3
"""Trunk post_build hook: move Trunk's inline module loader out of index.html into boot.js.

The page's Content-Security-Policy allows scripts from its own origin only ('self', no 'unsafe-inline'),
so the inline loader Trunk writes would be blocked and the page would stay blank.
"""
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR")
if not staging:
    sys.exit("TRUNK_STAGING_DIR is not set: run this from Trunk's post_build hook")
index_path = os.path.join(staging, "index.html")
with open(index_path, encoding="utf-8") as f:
    html = f.read()

pattern = re.compile(r"<script type=\"?module\"?>(.*?)</script>", re.S)
scripts = pattern.findall(html)
if len(scripts) != 1:
    sys.exit(f"expected one inline module script in index.html, found {len(scripts)}")
with open(os.path.join(staging, "boot.js"), "w", encoding="utf-8") as f:
    f.write(scripts[0].strip() + "\n")
html = pattern.sub('<script type="module" src="boot.js"></script>', html, count=1)
if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
    sys.exit("index.html still has an inline script: the CSP would block it")
with open(index_path, "w", encoding="utf-8") as f:
    f.write(html)

# The service worker: the app's own files, listed and versioned here, so that after a first visit the
# page opens and runs offline (see src/offline.rs). A new build has new file hashes, hence a new cache
# name; the old cache is dropped when the new worker takes over.
import hashlib
import json

files = []
digest = hashlib.sha256()
for root, _, names in os.walk(staging):
    for name in sorted(names):
        full = os.path.join(root, name)
        rel = os.path.relpath(full, staging).replace(os.sep, "/")
        if rel == "sw.js":
            continue
        files.append(rel)
        with open(full, "rb") as f:
            digest.update(rel.encode() + b"\0" + hashlib.sha256(f.read()).digest())
files.sort()
version = digest.hexdigest()[:16]
precache = ["./"] + [f for f in files if f != "index.html"]
sw = f"""// Written by scripts/trunk_post_build.py at build time: do not edit.
// Keeps the app's own files so the page works offline after a first visit. Only GET requests to this
// site are answered; the page makes no other request.
const CACHE = 'segments-{version}';
const FILES = {json.dumps(precache)};

self.addEventListener('install', (event) => {{
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map((f) => new Request(f, {{ cache: 'reload' }})))).then(() => self.skipWaiting()));
}});

self.addEventListener('activate', (event) => {{
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('segments-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
}});

self.addEventListener('fetch', (event) => {{
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith((async () => {{
    const cache = await caches.open(CACHE);
    const hit = await cache.match(request, {{ ignoreSearch: true }});
    if (hit) return hit;
    if (request.mode === 'navigate') {{
      const page = await cache.match('./');
      if (page) return page;
    }}
    return fetch(request);
  }})());
}});
"""
with open(os.path.join(staging, "sw.js"), "w", encoding="utf-8") as f:
    f.write(sw)
