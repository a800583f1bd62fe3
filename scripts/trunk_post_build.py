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
