"""Resources per category of the bundled samples: run before and after a taxonomy or reader change.

Prints, for each sample with resources, the number of resources, how many resources name each
category key (a resource with several keys counts once under each), how many have it as their
first key, and the rejected rows per reason. Compare two runs (e.g. ``git stash`` / checkout) to
see what a change moved. Nothing is timed.

    python bench/sample_counts.py
"""

from __future__ import annotations

import warnings
from collections import Counter

import chiikimap


def main() -> None:
    """Print the counts of every sample."""
    for name in ("hirakata", "takamatsu", "ikoma"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", chiikimap.ChiikimapWarning)
            sample = chiikimap.load_sample(name)
        res = sample.resources
        if res is None:
            print(f"{name}: no resources")
            continue
        named = Counter(k for keys in res["categories"] for k in keys)
        first = Counter(res["category"])
        print(f"{name}: {len(res)} resources")
        for key in sorted(named):
            print(f"  {key:18s} named {named[key]:4d}  first {first.get(key, 0):4d}")
        rejected = chiikimap.rejected_rows(res)
        reasons = Counter(str(r).split(" / ")[0][:50] for r in rejected["reason"])
        for reason, n in reasons.most_common():
            print(f"  rejected {n:4d}: {reason}")


if __name__ == "__main__":
    main()
