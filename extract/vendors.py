"""Who decides: vendors from the vocabulary, the payer's own staff, and names the vocabulary
does not know yet.

* A vocabulary vendor, department or portal mention resolves to the vendor's canonical name
  (aliases, renames and portal names included).
* The payer's own staff: "Northwind's UM department", "Contoso's own Clinical Services team",
  "the Plan", "Plan – UM department", or the payer's name as the one who reviews.
* An unknown vendor is a proper name in an agent position — the subject of a delegation verb,
  after "by", "contracted with", "selected", "from"/"through" a reviewer — or the content of a
  "Managed by:" label. It is kept as written and flagged new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from .drafts import VendorRef
from .nlp import Annotated, Annotator
from .patterns import NAME_MAX_WORDS
from .prefilter import prefilter_module
from .text import PrefixMatches, fold, normalize

if TYPE_CHECKING:
    from .vocabulary import Vocabulary

#: The payer's own staff: "<payer>'s (own) UM department", "our clinical review team".
STAFF_RE = re.compile(
    r"(?:(?P<owner>(?-i:[A-Z])[\w.&-]*(?:\s+(?:(?-i:[A-Z])[\w.&-]*|of|and|&))*?)(?:'s|’s|'|’)?\s+(?:own\s+)?|\b(?:our|its)\s+(?:own\s+)?|"
    r"\bthe\s+(?:plan's\s+|health\s+plan's\s+)?)?"
    r"(?P<unit>(?:utilization\s+management|utilization\s+review|UM|clinical\s+(?:services|review|intake|operations)|"
    r"care\s+management|case\s+management|medical\s+management|health\s+services|healthcare\s+services|pharmacy|"
    r"prior\s+authorization|precertification|medical\s+review|nurse\s+review)\s*(?:\(UM\)\s*)?"
    r"(?:department|departments|team|teams|staff|unit|group|nurses))\b",
    re.I,
)
PLAN_RE = re.compile(
    r"^\s*(?:the\s+)?(?:health\s+)?plan(?:\s*[-–—:]\s*(?:UM|utilization\s+management)\s+department)?\s*$", re.I
)
#: A proper name: capitalised words, with "of", "and", "&" inside and a trailing "(ACRONYM)".
PROPER_RE = re.compile(
    r"(?:[A-Z0-9][\w.&'’+-]*)(?:\s+(?:of|and|&|for)\s+[A-Z][\w.&'’+-]*|\s+[A-Z0-9][\w.&'’+-]*)*"
    r"(?:\s*\([A-Z][\w .&-]{1,40}\))?"
)
#: A name that a legal suffix ends before "and": "|Pillwise Inc.| and Dosewell LLC"
LEGAL_END_RE = re.compile(r"(.+?\b(?:Inc|LLC|L\.L\.C|Ltd|Corp|Co|LP|LLP|PLLC|PC|GmbH)\.?)\s+(?:and|&)\s+\S")
#: "…, an independent company,": an aside that ends where a subject's verb follows
APPOSITIVE_RE = re.compile(r"\s*,?\s*(?:an?|the)\s+[^,]*,\s*$")
#: Capitalised words that begin sentences or name documents, never vendors.
NOT_NAMES = {
    "the",
    "this",
    "these",
    "that",
    "those",
    "for",
    "a",
    "an",
    "our",
    "your",
    "we",
    "you",
    "it",
    "they",
    "members",
    "member",
    "providers",
    "provider",
    "prior",
    "authorization",
    "requests",
    "request",
    "all",
    "most",
    "some",
    "select",
    "each",
    "every",
    "in",
    "on",
    "if",
    "when",
    "as",
    "please",
    "beginning",
    "effective",
    "starting",
    "since",
    "until",
    "note",
    "notes",
    "exception",
    "exceptions",
    "see",
    "call",
    "submit",
    "send",
    "use",
    "check",
    "questions",
    "services",
    "service",
    "program",
    "programs",
    "codes",
    "imaging",
    "radiology",
    "cardiology",
    "plan",
    "plans",
    "and",
    "or",
    "no",
    "yes",
    "not",
    "also",
    "then",
    "both",
    "either",
    "neither",
    "reviews",
    "medicare",
    "medicaid",
    "commercial",
    "individual",
    "fully",
    "self-funded",
    "group",
    "groups",
    "state",
    "county",
    "online",
    "phone",
    "fax",
    "web",
    "portal",
    "by",
    "ct",
    "mri",
    "pet",
    "what",
    "which",
    "who",
    "how",
    "where",
    "why",
    "with",
    "from",
    "to",
    "of",
    "is",
    "are",
    "will",
    "can",
    "may",
    "must",
    "should",
    "after",
    "before",
    "under",
    "through",
    "here",
    "there",
}
CORPORATE_RE = re.compile(
    r"\b(?:Health|Healthcare|Solutions|Management|Partners|Associates|Group|Inc|LLC|Corp|"
    r"Company|Services|Network|Networks|Care|Rx|Specialty|Benefits?|Systems|Technologies|MD|"
    r"Clinic|Labs?|Diagnostics)\b\.?"
)


@dataclass(frozen=True)
class VendorMention:
    ref: VendorRef
    start: int
    end: int


class VendorFinder:
    def __init__(self, vocab: Vocabulary, annotate: Annotator) -> None:
        self.vocab = vocab
        self.annotate = annotate
        self.departments = {d.name: d.payer for d in vocab.departments}
        self._proper = PrefixMatches(PROPER_RE)

    def known(self, ann: Annotated, payer: Optional[str]) -> list[VendorMention]:
        out = []
        for m in ann.of("VENDOR", "DEPT", "PORTAL"):
            if m.label == "DEPT" and self.departments.get(m.canonical) not in (None, payer):
                continue
            out.append(VendorMention(VendorRef(m.canonical, m.text, False, False), m.start, m.end))
        return out

    def staff(self, text: str, ann: Annotated, payer: Optional[str]) -> list[VendorMention]:
        """The payer's own departments and teams named in ``text``."""
        out = []
        for m in STAFF_RE.finditer(text):
            owner = m.group("owner")
            name = payer or "payer"
            if owner:
                own = self.annotate(owner)
                names = own.of("PAYER")
                if own.of("VENDOR", "PORTAL") and not names:
                    continue  # "Zephyr's provider relations team"
                if not names and fold(owner) not in ("the", "our", "its") and not _payer_like(owner, payer):
                    continue
                if names:
                    name = names[-1].canonical  # "Fabrikam Care's Utilization Management team"
            out.append(VendorMention(VendorRef(name, m.group(0).strip(), False, True), m.start(), m.end()))
        return out

    def payer_as_reviewer(self, ann: Annotated, payer: Optional[str]) -> list[VendorMention]:
        """The payer named where a reviewer stands ("reviewed by Northwind Health", "NWH reviews … itself")."""
        return [VendorMention(VendorRef(m.canonical, m.text, False, True), m.start, m.end) for m in ann.of("PAYER")]

    def label(self, text: str, payer: Optional[str]) -> Optional[VendorRef]:
        """A cell or "Managed by:" value that is only a name: the vendor it names."""
        text = normalize(text).strip(" .:;")
        if not text:
            return None
        if PLAN_RE.match(text):
            return VendorRef(payer or "payer", text, False, True)
        ann = self.annotate(text)
        known = self.known(ann, payer)
        if known:
            return known[0].ref  # "NWH, in partnership with Zephyr for certain services": Zephyr
        staff = self.staff(text, ann, payer)
        if staff:
            return staff[0].ref
        p = ann.first("PAYER")
        if p and len(fold(text)) - len(fold(p.text)) < 4:
            return VendorRef(p.canonical, p.text, False, True)
        if ann.of("LOB", "SERVICE", "NOTVENDOR", "STATE"):
            return None
        m = PROPER_RE.fullmatch(text)
        if m and self.plausible(text):
            return VendorRef(_strip_acronym(text), text, True, False)
        return None

    def plausible(self, name: str) -> bool:
        """A capitalised name that could be a company: not a common word, not a quantity, not too long."""
        words = name.split()
        if not words or len(words) > NAME_MAX_WORDS or re.fullmatch(r"[\d.,]+[MKBk%+]?", words[0]):
            return False
        if words[0].lower() in NOT_NAMES or all(w.lower() in NOT_NAMES for w in words):
            return False
        ann = self.annotate(name)
        if ann.of("LOB", "SERVICE", "NOTVENDOR", "STATE", "GROUP", "PLANTYPE"):
            return False
        return not re.search(r"\d{3}", name)

    def unknown_at(self, text: str, pos: int, direction: int) -> Optional[VendorMention]:
        """A proper name ending at ``pos`` (direction -1, a subject) or starting at it (+1, after "by")."""
        if direction > 0:
            m = PROPER_RE.match(text, pos + len(text[pos:]) - len(text[pos:].lstrip()))
            if not m:
                return None
            name = _trim_name(m.group(0))
            joint = LEGAL_END_RE.match(name)  # "Pillwise Inc. and Dosewell LLC": two companies, not one
            name = joint.group(1) if joint else name
            start = m.start()
        else:
            head = text[:pos].rstrip()
            if head.endswith(","):  # "X, an independent company,": an aside between the name and its verb
                w = head.rfind(",", 0, len(head) - 1)  # the aside holds no comma but its last
                w = max(w, 0)
                while w > 0 and head[w - 1].isspace():
                    w -= 1
                head = head[:w] + APPOSITIVE_RE.sub("", head[w:])
            last = self._proper.last_before(text, len(head))  # head is text[: len(head)]
            if last is None or last.end() != len(head):
                return None
            m = last
            name, start = _trim_name(m.group(0)), m.start()
        if not name or not self.plausible(name):
            return None
        return VendorMention(VendorRef(_strip_acronym(name), name, True, False), start, start + len(name))


def _trim_name(name: str) -> str:
    words = name.split()
    while words and words[0].lower() in NOT_NAMES:
        words.pop(0)
    return " ".join(words).strip(" .,'’")


def _strip_acronym(name: str) -> str:
    """ "Zephyr Care Partners (ZCP)" → "Zephyr Care Partners"."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", name).strip() or name


def _payer_like(owner: str, payer: Optional[str]) -> bool:
    return bool(payer) and (fold(owner) in fold(payer) or fold(payer).startswith(fold(owner).split(" ")[0]))


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
