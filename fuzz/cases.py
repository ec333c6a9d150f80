"""Recipes: the plan of each fuzz input, small enough to keep in memory, log and save.

A recipe is a dict ``{"id", "kind", "base", "ops", "max_bytes"[, "suffix"]}``: ``base`` is a corpus
file (``{"file": path}``), a generator and its seed (``{"gen", "seed"}``) or bytes drawn by hypothesis
(``{"data": base64, "suffix"}``); ``ops`` lists ``[mutation name, seed]`` steps. The same run seed
gives the same recipes, and a recipe gives the same bytes.
"""

from __future__ import annotations

import base64
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .corpus import MAX_HUGE_BYTES, ROOT, CorpusFile, Ctx
from .generate import GENERATORS
from .ops import KIND_HEAVY, KIND_LIGHT, OPS
from .strategies import draw_hypothesis

Recipe = dict[str, Any]

HYPOTHESIS_SUFFIX = {"html": ".html", "markdown": ".md", "pdf": ".pdf"}
HYPOTHESIS_KIND = {"html": "html", "markdown": "text", "pdf": "pdf"}


def materialize(recipe: Recipe, corpus: list[CorpusFile]) -> tuple[bytes, str]:
    """The bytes and file name of a case, rebuilt from its recipe."""
    base = recipe["base"]
    ctx = Ctx(kind=recipe["kind"], corpus=corpus, max_bytes=recipe.get("max_bytes", MAX_HUGE_BYTES))
    if "file" in base:
        path = ROOT / base["file"]  # relative to the repository, or absolute
        data, suffix = path.read_bytes(), path.suffix
    elif "gen" in base:
        data, suffix = GENERATORS[base["gen"]](random.Random(base["seed"]), ctx)
    else:
        data, suffix = base64.b64decode(base["data"]), base["suffix"]
    for name, op_seed in recipe["ops"]:
        data = OPS[name](data, random.Random(op_seed), ctx)
    return data, f"case{recipe['id']:06d}" + recipe.get("suffix", suffix)


def _file_ref(path: str) -> str:
    p = Path(path).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)


def make_cases(
    count: int,
    seed: int,
    corpus: list[CorpusFile],
    *,
    max_bytes: int = MAX_HUGE_BYTES,
    heavy_share: float = 0.15,
    hypothesis_share: float = 0.15,
    generated_share: float = 0.04,
    generators: list[str] | None = None,
    batch: int = 500,
) -> Iterator[Recipe]:
    """Yield ``count`` recipes, deterministic for ``seed``.

    Shares: heavy structure mutations of corpus files, hypothesis-drawn documents, generated
    structure bombs (``generators``: their names, default all); the rest are light mutations (1–3
    steps) of corpus files. ``max_bytes`` bounds what a heavy mutation adds. Hypothesis documents
    are drawn ``batch`` at a time.
    """
    rng = random.Random(seed)
    gens = sorted(generators or GENERATORS)
    drawn: dict[str, list[bytes]] = defaultdict(list)
    batches: Counter[str] = Counter()
    for i in range(count):
        r = rng.random()
        recipe: Recipe = {"id": i, "max_bytes": max_bytes}
        if r < generated_share:
            gen = rng.choice(gens)
            kind = "pdf" if gen.startswith("pdf") else "html"
            recipe.update(base={"gen": gen, "seed": rng.getrandbits(32)}, kind=kind, ops=[])
        elif r < generated_share + hypothesis_share:
            hk = rng.choice(sorted(HYPOTHESIS_KIND))
            if not drawn[hk]:
                drawn[hk] = draw_hypothesis(
                    hk, batch, seed * 1000 + batches[hk] * 3 + sorted(HYPOTHESIS_KIND).index(hk)
                )
                batches[hk] += 1
            doc = drawn[hk].pop()
            kind = HYPOTHESIS_KIND[hk]
            ops = [[rng.choice(KIND_LIGHT[kind]), rng.getrandbits(32)]] if rng.random() < 0.3 else []
            recipe.update(
                base={"data": base64.b64encode(doc).decode(), "suffix": HYPOTHESIS_SUFFIX[hk]}, kind=kind, ops=ops
            )
        else:
            f = rng.choice(corpus)
            if r < generated_share + hypothesis_share + heavy_share:
                ops = [[rng.choice(KIND_HEAVY[f.kind]), rng.getrandbits(32)]]
                if rng.random() < 0.2:
                    ops.insert(0, [rng.choice(KIND_LIGHT[f.kind]), rng.getrandbits(32)])
            else:
                ops = [[rng.choice(KIND_LIGHT[f.kind]), rng.getrandbits(32)] for _ in range(rng.choice([1, 1, 2, 3]))]
            recipe.update(base={"file": _file_ref(f.path)}, kind=f.kind, ops=ops)
            if rng.random() < 0.03:  # the wrong extension
                recipe["suffix"] = rng.choice([".pdf", ".html", ".txt", ".md", ".xyz", ""])
        yield recipe


def describe(recipe: Recipe) -> str:
    """``<base> +op +op``: what made a case, for the summary."""
    base = recipe["base"]
    if "file" in base:
        name = Path(base["file"]).name
    else:
        name = f"gen:{base['gen']}" if "gen" in base else f"hyp{base['suffix']}"
    return name + "".join(f" +{op}" for op, _ in recipe["ops"])
