"""Highlights in text: rules' quotes as ``<mark>`` elements over a document's (escaped) text.

Quotes may coincide, nest or cross. Marks nest when their ranges do; a mark that would cross
another is closed and reopened around it, so the HTML is always well formed. Each rule's first
mark is its highlight (``id="rule-<rule_id>"``, class ``hl``); the pieces after a break carry only
``data-rule`` and class ``hl more``. So a page has exactly one ``.hl:not(.more)`` per located rule.

Every piece of text goes through ``markupsafe.escape``: a document holding ``<script>`` shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from .model import Rule

#: characters of context either side of a quote shown on its own (conflicts), cut at a block's edge
CONTEXT_CHARS = 320


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    rule_id: str


@dataclass
class Highlighter:
    """Renders ranges of one text with the marks of ``spans``; remembers which rules got their
    highlight, so a rule split over several blocks has one."""

    text: str
    spans: list[Span]
    anchors: bool = True  # give each rule's first mark its id (one highlight per rule on a page)
    anchored: set[str] = field(default_factory=set)

    def html(self, start: int, end: int) -> Markup:
        """``text[start:end]`` escaped, with the marks of the spans that overlap it."""
        inside = sorted(
            (s for s in self.spans if s.start < end and s.end > start and s.end > s.start),
            key=lambda s: (max(s.start, start), -min(s.end, end), s.rule_id),
        )
        points = sorted({start, end} | {max(s.start, start) for s in inside} | {min(s.end, end) for s in inside})
        out: list[str] = []
        stack: list[Span] = []
        pending = list(inside)
        for here, nxt in zip(points, [*points[1:], end]):
            ending = [i for i, s in enumerate(stack) if min(s.end, end) <= here]
            if ending:
                cut = ending[0]
                reopen = [s for s in stack[cut:] if min(s.end, end) > here]
                out.append("</mark>" * (len(stack) - cut))
                del stack[cut:]
                for s in reopen:
                    out.append(self._open(s))
                    stack.append(s)
            while pending and max(pending[0].start, start) <= here:
                s = pending.pop(0)
                out.append(self._open(s))
                stack.append(s)
            if nxt > here:
                out.append(str(escape(self.text[here:nxt])))
        out.append("</mark>" * len(stack))
        return Markup("".join(out))

    def _open(self, s: Span) -> str:
        rid = escape(s.rule_id)
        if not self.anchors:
            return f'<mark class="hl" data-rule="{rid}">'
        if s.rule_id in self.anchored:
            return f'<mark class="hl more" data-rule="{rid}">'
        self.anchored.add(s.rule_id)
        return f'<mark class="hl" id="rule-{rid}" data-rule="{rid}">'


def spans(rules: Iterable[Rule]) -> list[Span]:
    """The spans of the rules whose offsets are known."""
    return [
        Span(r.quote_start, r.quote_end, r.rule_id)
        for r in rules
        if r.quote_start is not None and r.quote_end is not None and r.quote_end > r.quote_start
    ]


def context(text: str, start: int, end: int, rule_id: str, chars: int = CONTEXT_CHARS) -> Markup:
    """The quote at ``text[start:end]`` highlighted, with up to ``chars`` of the text around it,
    cut at line breaks (block edges) when one is near and marked with an ellipsis otherwise."""
    lo = max(0, start - chars)
    newline = text.rfind("\n", lo, start)
    if newline >= 0:
        lo = newline + 1
    hi = min(len(text), end + chars)
    newline = text.find("\n", end, hi)
    if newline >= 0:
        hi = newline
    h = Highlighter(text, [Span(start, end, rule_id)], anchors=False)
    body = h.html(lo, hi)
    lead = "… " if lo > 0 and text[lo - 1] != "\n" else ""
    tail = " …" if hi < len(text) and text[hi] != "\n" else ""
    return Markup(lead) + body + Markup(tail)
