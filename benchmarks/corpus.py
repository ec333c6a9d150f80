"""A benchmark corpus: N variants of the seed documents, deterministic for a given seed.

- **PDF variants** (pypdf): a window of 1–5 consecutive pages of a seed PDF, sometimes with two
  pages swapped (order) and the window starting anywhere (page breaks fall elsewhere relative to
  sections), and a document title naming the variant, so every file has its own bytes. The text
  inside a PDF page is not rewritten.
- **HTML variants** (beautifulsoup4): the seed web page with its sections (the children of
  ``<main>``) shuffled, names replaced by another of their names from the vocabulary (vendor and
  payer aliases, group abbreviations), and a paragraph naming the variant.

    python benchmarks/corpus.py 300 /tmp/corpus-300 [--seed 7]
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import Vocabulary  # noqa: E402

HTML_SHARE = 0.15
MAX_WINDOW = 5


def _pdf_variant(reader: PdfReader, rng: random.Random, name: str) -> bytes:
    n = len(reader.pages)
    size = rng.randint(1, min(MAX_WINDOW, n))
    start = rng.randint(0, n - size)
    order = list(range(start, start + size))
    if size > 1 and rng.random() < 0.3:
        i, j = rng.sample(range(size), 2)
        order[i], order[j] = order[j], order[i]
    w = PdfWriter()
    for i in order:
        w.add_page(reader.pages[i])
    w.add_metadata({"/Title": name, "/Producer": "payerkg benchmark corpus"})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _renames(vocab: Vocabulary) -> list[tuple[re.Pattern, list[str]]]:
    """(pattern of a name, the other names it may become), from the vocabulary."""
    out = []
    for item in [*vocab.vendors, *vocab.payers, *vocab.employer_groups]:
        names = [item.name, *item.aliases]
        if len(names) > 1:
            out.append((re.compile(rf"\b{re.escape(item.name)}\b"), names))
    return out


def _html_variant(html: str, rng: random.Random, renames, name: str) -> bytes:
    soup = BeautifulSoup(html, "lxml")
    main = soup.find("main") or soup.body
    sections = [c for c in main.find_all(recursive=False) if c.name]
    for c in sections:
        c.extract()
    rng.shuffle(sections)
    note = soup.new_tag("p")
    note.string = f"Document {name}."
    main.append(note)
    for c in sections:
        main.append(c)
    text = str(soup)
    for pattern, names in renames:
        if rng.random() < 0.5:
            text = pattern.sub(rng.choice(names), text)
    return text.encode("utf-8")


def generate(n: int, out: Path, seed: int = 7, seeds: Path = ROOT / "seeds") -> list[Path]:
    """Write ``n`` documents to ``out`` (kept if already complete) and return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    existing = sorted(p for p in out.iterdir() if p.suffix in (".pdf", ".html"))
    if len(existing) == n:
        return existing
    for p in existing:
        p.unlink()
    rng = random.Random(seed)
    pdfs = [PdfReader(p) for p in sorted(seeds.glob("*.pdf"))]
    htmls = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.html"))]
    renames = _renames(Vocabulary.load())
    paths = []
    for i in range(n):
        name = f"doc{i:05d}"
        if htmls and rng.random() < HTML_SHARE:
            path, data = out / f"{name}.html", _html_variant(rng.choice(htmls), rng, renames, name)
        else:
            path, data = out / f"{name}.pdf", _pdf_variant(rng.choice(pdfs), rng, name)
        path.write_bytes(data)
        paths.append(path)
    return paths


def one_pdf(seed: int, name: str, seeds: Path = ROOT / "seeds") -> bytes:
    """One more PDF variant (for the "one document changed" rebuild)."""
    rng = random.Random(seed)
    return _pdf_variant(PdfReader(rng.choice(sorted(seeds.glob("*.pdf")))), rng, name)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    paths = generate(args.n, args.out, args.seed)
    print(f"{len(paths)} documents in {args.out}")


if __name__ == "__main__":
    main()
