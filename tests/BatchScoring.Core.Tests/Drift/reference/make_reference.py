#!/usr/bin/python3
"""Writes scipy_reference.json: inputs and the p-values scipy computes for them.

Run with Debian's Python and SciPy (apt-get install python3-scipy):
    /usr/bin/python3 tests/BatchScoring.Core.Tests/Drift/reference/make_reference.py
The C# tests read the JSON; they do not run Python.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.RandomState(20261128)


def sample(n, loc=0.0, scale=1.0, decimals=3):
    return [float(x) for x in np.round(rng.normal(loc, scale, n), decimals)]


ks_cases = []
for name, n1, n2, shift, scale, decimals in [
    ("tiny unequal", 7, 5, 0.0, 1.0, 3),
    ("equal 50 null", 50, 50, 0.0, 1.0, 3),
    ("equal 50 shifted", 50, 50, 0.8, 1.0, 3),
    ("unequal 100 vs 80", 100, 80, 0.2, 1.0, 3),
    ("ties from rounding", 300, 240, 0.0, 1.0, 0),
    ("300 vs 1000 wider", 300, 1000, 0.0, 1.3, 3),
    ("2000 vs 2000 null", 2000, 2000, 0.0, 1.0, 3),
    ("2000 vs 1500 small shift", 2000, 1500, 0.05, 1.0, 3),
    ("1000 vs 999 coprime", 1000, 999, 0.1, 1.0, 3),
    ("10000 vs 7000 at the exact limit", 10000, 7000, 0.03, 1.0, 2),
]:
    a = sample(n1, decimals=decimals)
    b = sample(n2, loc=shift, scale=scale, decimals=decimals)
    result = stats.ks_2samp(a, b, alternative="two-sided", method="auto")
    ks_cases.append({
        "name": name, "a": a, "b": b,
        "statistic": float(result.statistic), "p_value": float(result.pvalue),
        "wasserstein": float(stats.wasserstein_distance(a, b)),
    })

chi2_cases = []
for name, ref, cur in [
    ("same shares", [120, 80, 50, 30], [240, 160, 100, 60]),
    ("moved", [120, 80, 50, 30], [100, 100, 40, 60]),
    ("new category", [300, 200, 0], [280, 190, 40]),
    ("two categories", [510, 490], [470, 530]),
    ("many small", [5, 3, 8, 2, 9, 4, 6], [4, 6, 7, 3, 8, 2, 9]),
]:
    table = np.array([ref, cur])
    keep = table.sum(axis=0) > 0
    statistic, p, dof, _ = stats.chi2_contingency(table[:, keep], correction=False)
    p_ref, p_cur = np.array(ref) / sum(ref), np.array(cur) / sum(cur)
    chi2_cases.append({
        "name": name, "reference": ref, "current": cur,
        "statistic": float(statistic), "p_value": float(p), "dof": int(dof),
        "jensen_shannon": float(jensenshannon(p_ref, p_cur, base=2)),
    })

z_cases = []
for name, x1, n1, x2, n2 in [
    ("equal", 50, 100, 50, 100),
    ("small difference", 480, 1000, 510, 1000),
    ("clear difference", 300, 1000, 420, 1200),
    ("far tail", 100, 5000, 400, 5000),
    ("small groups", 3, 20, 9, 25),
]:
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    z = (p2 - p1) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p_value = 2 * stats.norm.sf(abs(z))
    # Cross-check: the pooled z-test is the uncorrected 2x2 chi-squared test.
    _, p_chi2, _, _ = stats.chi2_contingency([[x1, n1 - x1], [x2, n2 - x2]], correction=False)
    assert abs(p_value - p_chi2) <= 1e-9 * max(p_value, 1e-300) + 1e-15, (name, p_value, p_chi2)
    z_cases.append({"name": name, "x1": x1, "n1": n1, "x2": x2, "n2": n2, "z": float(z), "p_value": float(p_value)})

out = {
    "generated_by": "make_reference.py with scipy " + scipy.__version__ + ", numpy " + np.__version__,
    "ks_2samp": ks_cases,
    "chi2_contingency": chi2_cases,
    "two_proportion_z": z_cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scipy_reference.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
