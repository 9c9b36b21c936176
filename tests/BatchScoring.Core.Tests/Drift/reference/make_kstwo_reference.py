#!/usr/bin/python3
"""Writes kstwo_reference.json: scipy's kstwo.sf(d, n), the distribution ks_2samp(method='asymp') uses.

Run with Debian's Python and SciPy (apt-get install python3-scipy):
    /usr/bin/python3 tests/BatchScoring.Core.Tests/Drift/reference/make_kstwo_reference.py
The C# tests read the JSON; they do not run Python.
"""
import json
import os

import scipy
from scipy import stats

cases = []
for n in [150, 1000, 5000, 120000, 500000]:
    for z in [0.3, 0.6, 0.9, 1.2, 1.5, 2.0, 3.0, 5.0]:
        d = z / n ** 0.5
        cases.append({"n": n, "d": d, "sf": float(stats.kstwo.sf(d, n))})
out = os.path.join(os.path.dirname(__file__), "kstwo_reference.json")
with open(out, "w") as f:
    json.dump({"scipy": scipy.__version__, "cases": cases}, f, indent=1)
