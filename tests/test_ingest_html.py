"""The provider web page: main content only, tables and hidden accordion panels kept."""

from __future__ import annotations

from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st

from conftest import WEBPAGE, parsed
from ingest import BlockKind, InputError, parse_bytes


def _chrome_sentences():
    soup = BeautifulSoup(WEBPAGE.read_text(), "lxml")
    texts = []
    for sel in ["#onetrust-consent-sdk", "header.site-header", "footer.site-footer", "nav"]:
        for el in soup.select(sel):
            texts += [s for s in el.stripped_strings if len(s) > 12]
    main_text = " ".join(soup.find("main").stripped_strings)
    texts = [t for t in texts if t not in main_text]  # a menu entry may also be a link in the content
    assert len(texts) > 10
    return texts


def test_no_navigation_cookie_banner_or_footer_text():
    doc = parsed(WEBPAGE)
    for s in _chrome_sentences():
        assert s not in doc.text, s
    assert "window.wcmContext" not in doc.text  # inline script inside <main>
    assert "require JavaScript" not in doc.text  # <noscript> inside <main>


def test_acute_residential_treatment_table_has_its_rows():
    doc = parsed(WEBPAGE)
    t = next(b for b in doc.blocks if b.kind is BlockKind.TABLE
             and b.section_path[-1] == "Acute residential treatment (sub-acute care)")
    assert t.rows[0].cells == ("Plan type", "Admission type", "Requirement") and t.rows[0].header
    body = [r.cells for r in t.rows[1:]]
    assert body[0] == ("Commercial HMO/POS and PPO", "Mental health", "Notification within 72 hours of admission.")
    assert [r[0] for r in body] == ["Commercial HMO/POS and PPO", "Commercial HMO/POS and PPO",
                                    "Medicare Advantage", "Federal Employee Program"]


def test_text_inside_collapsed_accordion_panels_is_present():
    soup = BeautifulSoup(WEBPAGE.read_text(), "lxml")
    hidden = [p for p in soup.select(".accordion__panel[hidden]")]
    assert len(hidden) > 10
    doc = parsed(WEBPAGE)
    for panel in hidden:
        first = next(s for s in panel.stripped_strings if len(s) > 15)
        assert " ".join(first.split()) in doc.text
    # the accordion trigger's title is a heading above its panel's content
    b = next(b for b in doc.blocks if b.text.startswith("Ordering providers will request authorization with Carelon"))
    assert b.section_path[-1] == "How to request prior authorization with Carelon"


def test_nested_lists_give_depth():
    doc = parsed(WEBPAGE)
    b = next(b for b in doc.blocks if b.text.startswith("Available Monday through Friday, 8 a.m."))
    assert b.kind is BlockKind.LIST_ITEM and b.level == 2


def test_section_titles_are_headings():
    doc = parsed(WEBPAGE)
    h2 = [b.text for b in doc.blocks if b.kind is BlockKind.HEADING and b.level == 2]
    assert len(h2) == 28
    assert "Genetic Testing" in h2 and "Home Health Care" in h2


_html_chunks = st.sampled_from(["<p>", "</p>", "<ul><li>", "</li></ul>", "<table><tr><td>", "</td></tr></table>",
                                "<h2>", "</h2>", "<strong>", "</strong>", "<script>x</script>", "<main>", "<div hidden>",
                                "&amp;", "\x00", "—", " ", "\n"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_html_chunks, st.text(max_size=20)), max_size=40))
def test_html_ingest_never_raises_anything_but_input_error(parts):
    data = ("<html><body>" + "".join(parts)).encode("utf-8", "replace")
    try:
        doc = parse_bytes(data, "fuzz.html")
    except InputError:
        return
    for b in doc.blocks:
        assert doc.text[b.start:b.end] == b.text
