"""Parse the language of scope: "Most self-funded groups* — Exceptions: A, B and C",
"All fully insured groups, all self-funded groups* and all members with individual coverage",
"Select fully insured groups — Acme Teachers only", "… including X and Y", "Includes X".

Pure functions over normalised text plus the vocabulary; no document structure here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .model import ExceptionRef, Scope, Segment
from .nlp import Annotator
from .vocabulary import Vocabulary, normalize

DASH_RE = re.compile(r"\s+[—–]\s+|\s+-\s+")
EXC_RE = re.compile(r"\bexceptions?\s*:\s*", re.IGNORECASE)
INCLUDES_RE = re.compile(r"(?:^|[\s,.;])(?:includes|including)\s+", re.IGNORECASE)
ONLY_RE = re.compile(r"\bonly\b\.?\s*$", re.IGNORECASE)
#: a pointer to somewhere else ("To determine which groups participate, see the opt-in list"):
#: not a condition on the rule; the quote keeps it
REFERENCE_RE = re.compile(r"^to\s+(?:determine|find\s+out|learn|check)\b|^(?:see|refer\s+to|visit|check)\b", re.IGNORECASE)
GROUP_NUMBER_RE = re.compile(r"\(\s*group\s+#?\s*(\d{3,})\s*\)", re.IGNORECASE)
ALT_VENDOR_RE = re.compile(r"\b(?:managed|handled|administered|reviewed|processed)\s+by\s+", re.IGNORECASE)
LIST_SPLIT_RE = re.compile(r",\s*(?:and\s+|or\s+)?|\s+and\s+|;\s*")
#: words around a group name that are not part of it ("select Acme Health groups")
GROUP_NOISE_RE = re.compile(r"^(?:select|certain|some|the|for|all|most)\s+|\s+(?:groups?|plans?|members?|only)$", re.IGNORECASE)


STOPWORDS = {"for", "the", "and", "or", "of", "some", "members", "non-medicare", "with", "who", "have", "through",
             "coverage", "a", "an", "to", "in", "on", "is", "are", "by"}


@dataclass
class Clause:
    scope: Scope
    segments: list[Segment]
    text: str
    inclusions: list[str] = field(default_factory=list)
    exceptions: list[ExceptionRef] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    open_exceptions: bool = False  # ends with "Exceptions:" — the list follows in the next items


class ClauseParser:
    def __init__(self, vocab: Vocabulary, annotator: Annotator):
        self.vocab = vocab
        self.annotate = annotator
        scope_pairs = [(w, Scope(s)) for s, words in vocab.scope_words.items() for w in words]
        self.scope_words = dict(scope_pairs)
        self.scope_re = re.compile(r"\b(" + "|".join(sorted(map(re.escape, self.scope_words), key=len, reverse=True)) + r")\b", re.IGNORECASE)
        seg_pairs = sorted(((p, Segment(s)) for s, ps in vocab.segments.items() for p in ps), key=lambda x: -len(x[0]))
        self.segment_pairs = seg_pairs
        self.segment_re = re.compile(r"\b(" + "|".join(re.escape(p) for p, _ in seg_pairs) + r")\b", re.IGNORECASE)
        self.segment_of = {p.lower(): s for p, s in seg_pairs}
        self.clause_split_re = re.compile(r",?\s*(?:\band\s+)?(?=\b(?:" + "|".join(sorted(map(re.escape, self.scope_words), key=len, reverse=True)) + r")\b)", re.IGNORECASE)

    # -- groups ---------------------------------------------------------------------------------
    def groups_in(self, text: str, with_vendor: bool = False) -> list[ExceptionRef]:
        """Employer groups/populations named in ``text`` (known ones canonical, unknown as stated)."""
        text = normalize(text)
        refs: list[ExceptionRef] = []
        ann = self.annotate(text)
        masked = list(text)
        for m in ann.of("GROUP"):
            refs.append(ExceptionRef(m.canonical))
            masked[m.start:m.end] = " " * (m.end - m.start)
        for num in GROUP_NUMBER_RE.finditer(text):
            name = self.vocab.group_by_number(num.group(1))
            masked[num.start():num.end()] = " " * (num.end() - num.start())
            if name:
                refs = [r for r in refs if r.name != name] + [ExceptionRef(name, num.group(1))]
        rest = "".join(masked)
        # drop vendor/LOB/segment words from the unmatched remainder, then split the list
        for m in ann.of("VENDOR", "DEPT", "LOB", "PAYER", "PORTAL", "SERVICE"):
            rest = rest[:m.start] + " " * (m.end - m.start) + rest[m.end:]
        rest = ALT_VENDOR_RE.split(rest)[0]
        for frag in LIST_SPLIT_RE.split(rest):
            frag = frag.strip(" .:;,()")
            prev = None
            while prev != frag:
                prev, frag = frag, GROUP_NOISE_RE.sub("", frag).strip(" .:;,()")
            words = frag.split()
            if not words or not words[0][:1].isupper() or len(frag) < 3 or all(w.lower() in STOPWORDS for w in words):
                continue
            if any(w.lower() in {"prior", "authorization", "requests", "members", "coverage"} for w in words):
                continue
            refs.append(ExceptionRef(frag))
        seen, out = set(), []
        for r in refs:
            if r.name not in seen:
                seen.add(r.name)
                out.append(r)
        if with_vendor:
            out = [ExceptionRef(r.name, r.group_number, self.alternate_vendor(text), normalize(text)) for r in out]
        return out

    def alternate_vendor(self, text: str) -> str | None:
        m = ALT_VENDOR_RE.search(text)
        if not m:
            return None
        ann = self.annotate(text)
        after = [v for v in ann.of("VENDOR", "DEPT") if v.start >= m.end()]
        if after:
            return after[0].canonical
        name = re.match(r"([A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*)", text[m.end():])
        return name.group(1) if name else None

    def exception_list(self, text: str) -> list[ExceptionRef]:
        """Groups of an "Exception(s): …" text, each with its alternate vendor when named."""
        text = EXC_RE.sub("", normalize(text), count=1)
        parts = [p for p in re.split(r"(?<=\.)\s+(?=[A-Z])", text) if p.strip()]
        refs: list[ExceptionRef] = []
        for p in parts:
            refs.extend(self.groups_in(p, with_vendor=bool(ALT_VENDOR_RE.search(p))))
        return refs

    # -- clauses ---------------------------------------------------------------------------------
    def segments_in(self, text: str) -> list[Segment]:
        found: list[Segment] = []
        for m in self.segment_re.finditer(text):
            seg = self.segment_of[m.group(1).lower()]
            if seg not in found:
                found.append(seg)
        return found

    def parse(self, text: str) -> list[Clause]:
        """Clauses of a segment text such as "All fully insured groups, all self-funded groups* and …"."""
        text = normalize(text)
        head, tail = text, ""
        exc = EXC_RE.search(text)
        m = DASH_RE.search(text)
        if m and (not exc or m.start() < exc.start()):
            head, tail = text[:m.start()], text[m.end():]
        elif exc:
            head, tail = text[:exc.start()], text[exc.start():]
        head = head.strip(" .")
        inclusions: list[str] = []
        inc = INCLUDES_RE.search(head)
        if inc:
            inclusions = [r.name for r in self.groups_in(head[inc.end():])]
            head = head[:inc.start()].rstrip(" ,")
        pieces = [p.strip(" ,.") for p in self.clause_split_re.split(head) if p and p.strip(" ,.")]
        clauses: list[Clause] = []
        for piece in pieces:
            sm = self.scope_re.search(piece)
            segs = self.segments_in(piece)
            if not segs or not sm:
                continue
            scope = self.scope_words[sm.group(1).lower()] if sm else Scope.ALL
            clauses.append(Clause(scope=scope, segments=segs, text=piece))
        if not clauses:
            # "For Acme Retiree Trust non-Medicare members only"
            groups = self.groups_in(head)
            if ONLY_RE.search(head) and groups:
                funding = [s for s in self.segments_in(head) if s in (Segment.FULLY_INSURED, Segment.SELF_FUNDED)]
                return [Clause(scope=Scope.ONLY, segments=funding or [Segment.GROUP], text=head,
                               inclusions=[g.name for g in groups])]
            return []
        last = clauses[-1]
        last.inclusions.extend(inclusions)
        # exceptions carve out of a partial scope: "Most groups and all members … Exceptions:"
        # belongs to "Most groups", not to "all members"
        partial = [c for c in clauses if c.scope in (Scope.MOST, Scope.SELECT, Scope.SOME)]
        target = partial[-1] if partial else last
        tail = tail.strip()
        if tail:
            self._apply_tail(target if EXC_RE.search(tail) else last, tail)
        if exc and EXC_RE.sub("", text[exc.start():]).strip(" .") == "":
            target.open_exceptions = True
        return clauses

    def _apply_tail(self, clause: Clause, tail: str) -> None:
        if EXC_RE.search(tail):
            after = EXC_RE.split(tail, maxsplit=1)[-1]
            if after.strip(" ."):
                clause.exceptions.extend(self.exception_list(after))
            else:
                clause.open_exceptions = True
            return
        inc = INCLUDES_RE.match(" " + tail)
        if inc:
            clause.inclusions.extend(r.name for r in self.groups_in(tail[inc.end() - 1:]))
            return
        if ONLY_RE.search(tail):
            names = [r.name for r in self.groups_in(ONLY_RE.sub("", tail))]
            if names:
                clause.scope = Scope.ONLY
                clause.inclusions.extend(names)
                return
        if not REFERENCE_RE.search(tail):
            clause.conditions.append(tail.strip(" ."))
