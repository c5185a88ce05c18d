"""B-cubed precision, recall and F1 of a clustering against gold labels (Bagga & Baldwin 1998)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping


def bcubed(system: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, float]:
    """Item-averaged B-cubed precision/recall/F1 over the items present in both mappings."""
    items = [i for i in gold if i in system]
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "items": 0}
    pair: Counter[tuple[Hashable, Hashable]] = Counter((system[i], gold[i]) for i in items)
    sys_size: Counter[Hashable] = Counter(system[i] for i in items)
    gold_size: Counter[Hashable] = Counter(gold[i] for i in items)
    p = sum(pair[(system[i], gold[i])] / sys_size[system[i]] for i in items) / len(items)
    r = sum(pair[(system[i], gold[i])] / gold_size[gold[i]] for i in items) / len(items)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "items": len(items)}
