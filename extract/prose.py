"""Prose frames: what one sentence says about who manages what for whom.

A sentence is read into a ``Claim`` (``claim.py``) — a partial rule whose missing slots the walk
fills from the sentence's context. This module recognises the sentence's frame; the slots frames
read alike (dates, members, people left out, the requirement) are ``prose_slots.py``'s:

* delegation: "<vendor> reviews <service> for <lines> members", "<payer> has contracted with
  <vendor> to review <service> …", "<service> … is handled by <vendor>", "requests go to <vendor>";
* the payer's own staff as reviewer ("… reviewed by Northwind's UM department");
* negation and change: "<vendor> does not review …", "no longer reviews", "transitions from A
  to B", "is ending for <lines> on <date>", "continues unchanged for <lines>";
* membership: "The program applies to X and Y members", "Members of X are outside this program";
* requirements: "… do not require prior authorization", "… requires prior authorization from …";
* leads: "… for the specialized services below:" announces a list of services.
"""

from __future__ import annotations

import re
from typing import Optional

from .agents import AgentReader
from .claim import Claim
from .drafts import VendorRef
from .model import Scope, Segment
from .patterns import (
    ACTIVE_RE,
    APPLIES_RE,
    CANCEL_RE,
    CONTINUES_RE,
    ENDING_RE,
    EXCLUDED_LEAD_RE,
    MEMBER_LEAD_RE,
    NO_LONGER_RE,
    NONE_RE,
    NOT_REQUIRED_RE,
    REFERENCE_LEAD_RE,
    SERVICE_LEAD_RE,
)
from .prefilter import prefilter_module
from .prose_slots import SentenceSlots
from .requirements import RequirementReader
from .resources import Resources
from .text import dates_in, day_after

#: "That includes employer groups of every size and individual plans": more members of the line just named
INCLUDES_START_RE = re.compile(
    r"^\s*(?:that|this|it|these|they)\s+(?:also\s+)?includes?\b|^\s*including\b", re.IGNORECASE
)
#: "… for the services below:", "… the following plans": a sentence that announces what follows it
FOLLOWING_RE = re.compile(r"\bfollowing\b|\bbelow\b", re.I)
AS_FOLLOWS_RE = re.compile(r"\bas\s+follows\b", re.I)


class ProseReader(SentenceSlots):
    def __init__(self, res: Resources):
        self.res = res
        self.requirements = RequirementReader(res)
        self.agents = AgentReader(res)

    def read(
        self, text: str, start: int, end: int, payer: Optional[str], section_vendor: Optional[VendorRef] = None
    ) -> Claim:
        """Read ``text[start:end]`` (one sentence of a block). ``section_vendor`` is the subject of a
        sentence that starts with its verb ("Makes authorization determinations for …" under a
        vendor's heading)."""
        s = text[start:end]
        claim = Claim(start, end, text=s)
        ann = self.res.annotate(s)
        if CANCEL_RE.search(s):
            claim.cancel = True
            return claim
        claim.effective, ended_on = self._dates(s)
        self.agents.find(s, ann, payer, claim)
        lead_for = re.match(r"\s*for\s+([^,]{3,80}),\s+", s, re.I)
        if (
            lead_for
            and claim.vendor is not None
            and not self.res.members.lobish(lead_for.group(1))
            and not dates_in(lead_for.group(1))
        ):
            other = re.search(r"\s+other\s+than\s+(.+)$", lead_for.group(1), re.I)
            name = self.res.services.name(lead_for.group(1)[: other.start()] if other else lead_for.group(1))
            if name and (not claim.services or all(not x for x in claim.services)):
                claim.services = [name]
            if name and other and name in claim.services:
                claim.conditions.append(f"other than {other.group(1).strip()}")
        if claim.vendor is None and section_vendor is not None:
            verb = ACTIVE_RE.match(s)
            if verb and re.match(r"\s*[A-Z]", s):
                claim.vendor = section_vendor
                claim.services = self.agents.services_after(s, verb.end())
                claim.cues.append("subjectless")
        lobs = self.res.members.in_sentence(s, payer)
        claim.members = self._members(s, lobs)
        claim.not_required = bool(NOT_REQUIRED_RE.search(s))
        claim.requirement = self._requirement(s, claim)
        if not any(m.lob for m in claim.members):
            claim.excluded = self._excluded(s)
            if claim.excluded:
                claim.cues.append("excluded")
                return claim
        if claim.vendor is None and not claim.services:
            self.requirements.read(s, claim)
        if claim.vendor is None and (ENDING_RE.search(s) or CONTINUES_RE.search(s) or NONE_RE.search(s)):
            self.agents.owner(s, ann, payer, claim)
            if claim.vendor is not None and NONE_RE.search(s):
                claim.negated = True
        if ENDING_RE.search(s) or (ended_on and claim.vendor and NO_LONGER_RE.search(s)):
            claim.ended = True
            claim.cues.append("ending")
            if ended_on and not claim.effective:
                claim.effective = day_after(ended_on)
        if CONTINUES_RE.search(s):
            claim.continues = True
            claim.cues.append("continues")
        if (s.rstrip().endswith(":") or FOLLOWING_RE.search(s)) and REFERENCE_LEAD_RE.search(s) and not claim.vendor:
            claim.lead = "references"
        elif SERVICE_LEAD_RE.search(s) and (s.rstrip().endswith(":") or re.search(r"\bbelow\b|\bfollowing\b", s, re.I)):
            claim.lead = "services"
        elif s.rstrip().endswith(":") and (EXCLUDED_LEAD_RE.search(s) or NONE_RE.search(s)):
            claim.lead = "excluded"
        elif claim.payer_requires and s.rstrip().endswith(":") and claim.services == ["these services"]:
            claim.lead = "services"  # "For these services, we require prior authorization for all … members:"
            claim.services = []
        elif (MEMBER_LEAD_RE.search(s) or claim.members or AS_FOLLOWS_RE.search(s)) and (
            s.rstrip().endswith(":")
            or re.search(r"\bmembers\s+below\b|\bfollowing\s+(?:members|groups|plans)", s, re.I)
        ):
            claim.lead = "members"
        elif (
            claim.payer_requires
            and s.rstrip().endswith(":")
            and (not claim.services or claim.services == ["these services"])
        ):
            claim.lead = "services"  # "For these services, we require prior authorization for all … members:"
            claim.services = []
        if claim.lead == "references" or (
            not claim.members
            and not claim.services
            and claim.vendor is None
            and NONE_RE.search(s) is None
            and APPLIES_RE.search(s) is None
        ):
            return claim
        if (
            claim.members
            and claim.vendor is None
            and (APPLIES_RE.search(s) or NONE_RE.search(s) or INCLUDES_START_RE.match(s))
        ):
            claim.membership_only = True
            if INCLUDES_START_RE.match(s):
                claim.members = [m for m in claim.members if m.segment is not Segment.GROUP]
        none = NONE_RE.search(s)
        if none and not claim.vendor:
            # "… commercial members (does not apply to federal employee members)": only the aside's members are out
            aside = _aside_around(s, none.start())
            for m in claim.members:
                if aside is None or (m.lob is not None and m.lob.stated and m.lob.stated in aside):
                    m.scope = Scope.NONE
        return claim


def _aside_around(s: str, pos: int) -> Optional[str]:
    """The parenthesised aside ``pos`` stands in, when the sentence says more outside it."""
    open_ = s.rfind("(", 0, pos)
    if open_ < 0 or s.rfind(")", 0, pos) > open_:
        return None
    close = s.find(")", pos)
    aside = s[open_ : close + 1 if close >= 0 else len(s)]
    return aside if s.replace(aside, " ").strip(" .;,") else None


# The patterns above answer "no match" at once for a text holding none of the words they need.
prefilter_module(globals())
