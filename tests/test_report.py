"""The review site (``payerkg report``): what it writes, that every rule is highlighted once where it
stands, that page images are cached, that document text cannot run as HTML, and how it looks and
behaves in headless Chromium (``make chromium`` installs it; CI runs that target before the tests).

The browser tests skip only when Chromium is absent and ``make chromium`` never ran on this checkout
(its stamp is ``.venv/.installed-chromium``); once it ran, a missing browser fails them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from PIL import Image
from typer.testing import CliRunner

from conftest import ROOT
from extract import Scope
from factories import SPRING, Line, Memo
from payerkg import report
from payerkg.cli import app
from payerkg.site.images import RESOLUTION
from payerkg.site.marks import Highlighter, Span
from payerkg.site.model import Box
from payerkg.site.views import box_style
from warehouse import Warehouse

CHROMIUM_STAMP = ROOT / ".venv" / ".installed-chromium"
WINDOW = (1400, 1000)
#: the selected highlight's edge colour (style.css ``--sel-edge``)
SELECTED = (0xD9, 0x48, 0x0F)

AUTUMN = Memo(
    "Northwind autumn bulletin",
    [Line("Commercial PPO — Most fully insured groups", scope=Scope.MOST)],
    source="autumn.md",
)
HOSTILE = Memo(
    "Northwind <img src=x onerror=\"document.body.dataset.pwned='img'\"> bulletin",
    [
        Line(
            "Commercial PPO — All fully insured groups <script>document.title='pwned'</script>",
            vendor="Zephyr \"><script>document.title='vendor'</script>",
        )
    ],
    source="hostile.md",
)


def _memo_db(corpus, db_path: Path, *memos: Memo) -> Path:
    for m in memos:
        corpus.put(m)
    with Warehouse(db_path) as wh:
        wh.load(corpus.batch())
    return db_path


def _rule_ids(con: duckdb.DuckDBPyConnection, doc_id: str) -> set[str]:
    return {r[0] for r in con.execute("SELECT rule_id FROM coverage_rules WHERE doc_id = ?", [doc_id]).fetchall()}


def _highlight_ids(html: str) -> list[str]:
    return re.findall(r'\bid="rule-([^"]+)"', html)


# -- without a browser ---------------------------------------------------------------------------------
def test_marks_nest_split_where_quotes_cross_and_escape_the_text():
    text = "Zephyr <b>reviews</b> imaging"
    h = Highlighter(text, [Span(0, 20, "a"), Span(0, 20, "b"), Span(7, 28, "c")])
    html = str(h.html(0, len(text)))
    assert html == (
        '<mark class="hl" id="rule-a" data-rule="a"><mark class="hl" id="rule-b" data-rule="b">Zephyr '
        '<mark class="hl" id="rule-c" data-rule="c">&lt;b&gt;reviews&lt;/b</mark></mark></mark>'
        '<mark class="hl more" data-rule="c">&gt; imagin</mark>g'
    )
    # a rule already anchored in an earlier block gets no second id
    assert str(h.html(7, 12)).count('id="rule-') == 0


def test_box_style_places_a_padded_box_in_percent_of_the_page():
    page = Box(0, 0, 612, 792)
    assert box_style(Box(62, 100, 302, 110), page) == "left:9.804%;top:12.374%;width:39.869%;height:1.768%"
    # a box at the page's edge is clipped to the page, never drawn past it
    assert box_style(Box(600, 0, 612, 10), page).startswith("left:97.712%;top:0%;width:2.288%")


def test_memo_site_pages_highlight_every_rule_once_and_link_only_inside(corpus, db_path, tmp_path):
    db = _memo_db(corpus, db_path, SPRING, AUTUMN)
    site = report(db, tmp_path / "site")
    names = {p.name for p in site.pages}
    docs = {n for n in names if re.fullmatch(r"doc-[0-9a-f]{12}\.html", n)}
    # hand-made batches are not validated: there are no results for a validation.html
    assert names - docs == {"index.html", "rules.html", "conflicts.html", "changes.html"} and len(docs) == 2
    assert (site.documents, site.rules, site.images_rendered, site.images_reused) == (2, 5, 0, 0)
    with duckdb.connect(str(db), read_only=True) as con:
        docs = con.execute("SELECT doc_id FROM documents").fetchall()
        for (doc_id,) in docs:
            html = (site.out / f"doc-{doc_id[:12]}.html").read_text(encoding="utf-8")
            ids = _highlight_ids(html)
            assert sorted(ids) == sorted(_rule_ids(con, doc_id)) and len(ids) == len(set(ids))
    index = (site.out / "index.html").read_text(encoding="utf-8")
    assert "Zephyr Care Partners" in index and 'href="rules.html#c-' in index
    assert "Validation: no results stored" in index
    conflicts = (site.out / "conflicts.html").read_text(encoding="utf-8")
    assert site.conflicts == 1 and conflicts.count('class="status status-open">open</span>') == 1
    every = "".join(p.read_text(encoding="utf-8") for p in site.out.glob("*.html"))
    links = re.findall(r'(?:src|href)="([^"#]*)', every)
    assert links and all(link == "" or re.fullmatch(r"[\w./-]+", link) for link in links), set(links)
    assert "<link" not in every and "<script src" not in every


def test_cli_report_prints_one_line_and_fails_cleanly(corpus, db_path, tmp_path):
    db = _memo_db(corpus, db_path, SPRING)
    res = CliRunner().invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "review")])
    assert res.exit_code == 0, res.output
    assert res.output.count("\n") == 1
    assert res.output.startswith(
        f"report → {tmp_path / 'review' / 'index.html'}: 5 pages (1 document, 4 rules, 0 conflicts); "
    )
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    res = CliRunner().invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "taken")])
    assert res.exit_code == 2 and "is not a folder" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["report", "--db", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2 and "no such database" in res.output


def test_hostile_text_is_escaped_in_every_page(corpus, db_path, tmp_path):
    site = report(_memo_db(corpus, db_path, HOSTILE), tmp_path / "site")
    every = "".join(p.read_text(encoding="utf-8") for p in site.out.glob("*.html"))
    assert "<script>document" not in every and "<img src=x" not in every and '"><script>' not in every
    assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in every


# -- the seeds -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_site(seed_build, tmp_path_factory):
    """The seeds' site written twice into one folder: the second run reuses every page image."""
    _, db, _ = seed_build
    out = tmp_path_factory.mktemp("site") / "review"
    return db, report(db, out), report(db, out)


@pytest.mark.slow
def test_seed_site_renders_each_pdf_page_once_and_reuses_it(seed_site):
    db, first, second = seed_site
    with duckdb.connect(str(db), read_only=True) as con:
        pages = con.execute(
            "SELECT sum(page_count) FROM documents WHERE media_type = 'pdf' AND status = 'active'"
        ).fetchall()[0][0]
        sizes = con.execute(
            "SELECT doc_id, page_sizes[1].width, page_sizes[1].height FROM documents WHERE media_type = 'pdf'"
        ).fetchall()
    assert pages == 129
    assert (first.images_rendered, first.images_reused) == (pages, 0)
    assert (second.images_rendered, second.images_reused) == (0, pages)
    assert first.missing_sources == () and sorted(first.pages) == sorted(second.pages)
    assert len(list((first.out / "images").glob("*/p*.png"))) == pages
    for doc_id, width, height in sizes:
        with Image.open(first.out / "images" / doc_id / "p0001.png") as im:
            assert im.size == (round(width * RESOLUTION / 72), round(height * RESOLUTION / 72))
    assert (first.documents, first.rules, first.conflicts) == (5, 221, 2)
    assert (first.out / "validation.html").read_text(encoding="utf-8").count("expectations passed") == 1


@pytest.mark.slow
def test_every_seed_rule_is_highlighted_once_on_its_document_page(seed_site):
    db, site, _ = seed_site
    with duckdb.connect(str(db), read_only=True) as con:
        for doc_id, media in con.execute("SELECT doc_id, media_type FROM documents").fetchall():
            html = (site.out / f"doc-{doc_id[:12]}.html").read_text(encoding="utf-8")
            ids = _highlight_ids(html)
            assert len(ids) == len(set(ids)) and set(ids) == _rule_ids(con, doc_id), doc_id
            assert ('class="box' in html) == (media == "pdf")


@pytest.mark.slow
def test_a_pdf_whose_file_is_gone_shows_its_text_with_every_rule_marked(seed_build, tmp_path):
    _, db, _ = seed_build
    copy = tmp_path / "moved.duckdb"
    shutil.copy(db, copy)
    with duckdb.connect(str(copy)) as con:
        doc_id = con.execute("SELECT doc_id FROM documents WHERE source LIKE '%001_%'").fetchall()[0][0]
        con.execute("UPDATE documents SET source = '/nowhere/bulletin.pdf' WHERE doc_id = ?", [doc_id])
        rules = _rule_ids(con, doc_id)
    site = report(copy, tmp_path / "site")
    assert site.missing_sources == ("/nowhere/bulletin.pdf",)
    html = (site.out / f"doc-{doc_id[:12]}.html").read_text(encoding="utf-8")
    assert "no longer at" in html and 'class="box' not in html
    assert set(_highlight_ids(html)) == rules


# -- in headless Chromium --------------------------------------------------------------------------------
def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if CHROMIUM_STAMP.exists():
        pytest.fail("`make chromium` ran but no chromium is on PATH")
    pytest.skip("headless Chromium is not installed: run `make chromium`")


def _browse(url: str, profile: Path, *args: str) -> str:
    cmd = [
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
        f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}", "--virtual-time-budget=3000",
        *args, url,
    ]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def _dom(url: str, profile: Path) -> str:
    return _browse(url, profile, "--dump-dom")


def _screenshot(url: str, path: Path) -> Image.Image:
    _browse(url, path.parent / "profile", f"--screenshot={path}")
    with Image.open(path) as im:
        return im.convert("RGB")


def _pixels_near(im: Image.Image, color: tuple[int, int, int], tolerance: int = 40) -> int:
    colors = im.getcolors(im.width * im.height) or []
    return sum(n for n, c in colors if sum(abs(a - b) for a, b in zip(c, color)) <= tolerance)


def _rule_on_page(db: Path, source_like: str, page: int) -> tuple[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            """SELECT c.doc_id, min(c.rule_id) FROM coverage_rules c JOIN documents d USING (doc_id)
               WHERE d.source LIKE ? AND c.page = ? GROUP BY 1""",
            [source_like, page],
        ).fetchall()[0]


@pytest.mark.slow
def test_screenshots_of_index_a_pdf_document_and_conflicts(seed_site, tmp_path):
    db, site, _ = seed_site
    doc_id, rule_id = _rule_on_page(db, "%000_%", 7)
    index = _screenshot(site.index.as_uri(), tmp_path / "index.png")
    doc = _screenshot(f"{(site.out / f'doc-{doc_id[:12]}.html').as_uri()}#rule-{rule_id}", tmp_path / "doc.png")
    conflicts = _screenshot((site.out / "conflicts.html").as_uri(), tmp_path / "conflicts.png")
    for im in (index, doc, conflicts):
        assert im.size == WINDOW
        assert len(im.getcolors(im.width * im.height) or []) > 50  # drawn, not a blank window
    # the selected rule: its box on the page image and its entry in the list, both scrolled into view
    assert _pixels_near(doc, SELECTED) > 400
    # each conflict side shows its page band with the quote's box
    assert _pixels_near(conflicts, SELECTED) > 200
    assert _pixels_near(index, SELECTED) == 0


@pytest.mark.slow
@pytest.mark.parametrize(("source", "page"), [("%000_%", 7), ("%002_%", 1)])
def test_a_rule_in_the_url_is_selected_and_every_rule_has_a_highlight(seed_site, tmp_path, source, page):
    db, site, _ = seed_site
    doc_id, rule_id = _rule_on_page(db, source, page)
    dom = _dom(f"{(site.out / f'doc-{doc_id[:12]}.html').as_uri()}#rule-{rule_id}", tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        rules = _rule_ids(con, doc_id)
    assert len(_highlight_ids(dom)) == len(rules) and set(_highlight_ids(dom)) == rules
    assert len(re.findall(r'class="rule(?: [^"]*)?"', dom)) == len(rules)
    selected = re.findall(r'<(?:a|mark) class="([^"]*\bsel\b[^"]*)"[^>]*\bdata-rule="([^"]+)"', dom)
    assert {rid for _, rid in selected} == {rule_id}
    assert any(c.startswith("rule ") for c, _ in selected) and any(not c.startswith("rule ") for c, _ in selected)


@pytest.mark.slow
def test_a_hostile_document_runs_no_script_in_the_browser(corpus, db_path, tmp_path):
    site = report(_memo_db(corpus, db_path, HOSTILE), tmp_path / "site")
    [doc] = [p for p in site.pages if p.name.startswith("doc-")]
    for page in (doc, site.index, site.out / "rules.html"):
        dom = _dom(page.as_uri(), tmp_path / "profile")
        assert "<title>pwned" not in dom and "<title>vendor" not in dom and "data-pwned" not in dom
        assert not re.search(r"<img[^>]*onerror", dom)
        assert dom.count("<script") == (1 if page == doc else 0)  # the page's own script only
        assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom or page != doc
