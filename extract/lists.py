"""Lists: what each item states, and what its nesting means.

An item is read as members ("Blue Cross commercial", "All fully insured groups — Exception: X"),
a service ("Advanced imaging (CT, MRI, …)"), both ("Lab management: Blue Cross Medicare
Advantage (PPO) and BCCHP members"), an exception list, or a sentence. Nesting distributes: a
service item's deeper member items give its rules; a line-of-business item's deeper segment
items give its segments. Items of the same kind under an item are its details ("Musculoskeletal"
› "Chiropractic"), not rules of their own. A lead-in ("… for the specialized services below:",
"Members in the program:", "… do not apply to:") says what the top-level items enumerate.

This module walks a run of items and their nesting; ``list_items.py`` says what one item is, and
``list_rules.py`` turns items into rules.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

from ingest import Block, BlockKind

from .claim import Claim
from .drafts import Draft, Source
from .list_items import ItemCtx
from .list_rules import ListRules
from .model import ExceptionRef, Scope
from .patterns import ACTIVE_RE, AUTH_WORD_RE, EXCEPT_RE, GENERIC_HEADING_RE, LABEL_MAX_WORDS, VERB_RE
from .service_names import REFERENCE_RE
from .text import normalize, sentences
from .tree import ProgramService, Topic

#: "Liquid Biopsy: 797." / "Expanded Molecular Panel Testing: 790, for which …": a policy's title and number
POLICY_LABEL_RE = re.compile(r"\s*([^:.]{3,160}?)\s*:\s*(?:#\s*)?\d{2,5}\b[.,;]?\s*")

if TYPE_CHECKING:
    from .walk import DocumentWalk

DATE_FIRST_RE = re.compile(
    r"^\s*(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4})",
    re.IGNORECASE,
)
#: Imperatives of instructions ("Call …", "Submit …"): the item is a step, not a service.
STEP_RE = re.compile(
    r"^\s*(?:use|call|submit|send|log|choose|confirm|check|see|visit|go|fax|register|contact)\b", re.IGNORECASE
)


class ListReader(ListRules):
    def __init__(self, walk: DocumentWalk) -> None:
        self.walk = walk
        self.res = walk.res
        self.last_emitted: list[Draft] = []
        self._sink: Optional[list[Draft]] = None

    # -- the run -------------------------------------------------------------------------------------
    def read(self, run: list[Block], topic: Topic, lead: Optional[Claim], siblings: list[Block]) -> None:
        role = lead.lead if lead and lead.lead else topic.role
        items = [b for b in run if b.kind is BlockKind.LIST_ITEM]
        if not items:
            return
        if role == "members":
            topic.member_list = True
        if self._references(items, lead):
            self._policy_items(items, topic)
            return  # a list of pages, manuals and chapters to read: it states no rule of its own
        if lead is not None and lead.lead == "details":
            return  # what the rule its lead-in stated covers: CPT families, modalities, settings
        if any(t.profiles for t in topic.chain()) and role not in ("services", "members", "excluded"):
            return  # a partner program's parts ("coaching", "a care team"), not services it reviews
        top = min(b.level for b in items)
        stack: list[ItemCtx] = []
        if lead is not None and lead.lead == "services_label":
            for name in lead.services:
                self.walk.add_service(
                    topic, ProgramService(name, topic.find_vendor(), Source.whole(run[0]), listed=True)
                )
            return
        following = _next_item_levels(run)
        for i, b in enumerate(run):
            if b.kind is not BlockKind.LIST_ITEM:
                self.walk.exceptions_to_last(topic, normalize(b.text), Source.whole(b))
                continue
            depth = b.level
            while (
                stack
                and stack[-1].depth >= depth
                and not (stack[-1].lob_header and stack[-1].depth == depth and self._segment_only(b))
                and not (stack[-1].kind == "exceptions" and stack[-1].depth == depth and self._exception_item(b))
            ):
                self._pop(stack, topic, lead)
            below = following[i]
            has_children = below is not None and below > depth
            item_role = (
                role if depth == top else (stack[-1].kind if stack and stack[-1].kind in ("excluded",) else None)
            )
            ctx = self._item(b, depth, item_role, stack, topic, lead, has_children)
            if ctx is not None:
                stack.append(ctx)
        while stack:
            self._pop(stack, topic, lead)

    def _references(self, items: list[Block], lead: Optional[Claim]) -> bool:
        """Most top-level items point to pages, manuals, chapters or lists."""
        if lead is not None and lead.lead == "references":
            return True
        top = min(b.level for b in items)
        tops = [b for b in items if b.level == top]
        refs = sum(1 for b in tops if REFERENCE_RE.search(b.text))
        return refs * 2 >= len(tops) and refs > 0

    def _policy_items(self, items: list[Block], topic: Topic) -> None:
        """ "Circulating Tumor DNA … (Liquid Biopsy): 797. We maintain the criteria, but prior authorization
        should be requested through Zephyr Review.": an item of a list of policies that says who reviews
        the policy's service. The item's label is the service of the vendor its sentence names."""
        for b in items:
            label = POLICY_LABEL_RE.match(b.text)
            rest = b.text[label.end() :] if label else ""
            if not label or not AUTH_WORD_RE.search(rest):
                continue
            svc = self.res.services.name(label.group(1), strict=False)
            if not svc:
                continue
            for a, e in sentences(b.text):
                if a < label.end():
                    a = label.end()
                    if a >= e:
                        continue
                claim = self.walk.prose.read(b.text, a, e, self.walk.payer)
                if claim.vendor is None or claim.vendor.in_house or claim.negated or claim.ended or claim.members:
                    continue
                # the item's own service, never a rewording of the section heading's program
                topic.services.append(
                    ProgramService(
                        svc,
                        claim.vendor,
                        Source(b, b.page, a, e),
                        claim.effective,
                        requirement=claim.requirement,
                        partners=claim.partners,
                    )
                )
                self.walk.used.add((b.index, a))

    def _pop(self, stack: list[ItemCtx], topic: Topic, lead: Optional[Claim]) -> None:
        ctx = stack.pop()
        if ctx.kind == "service" and not ctx.emitted:
            # a service whose deeper items were details: its rules come from the context's members
            self._emit_service(ctx, stack, topic, lead)
        if stack:
            stack[-1].emitted.extend(ctx.emitted)

    def _item(
        self,
        b: Block,
        depth: int,
        role: Optional[str],
        stack: list[ItemCtx],
        topic: Topic,
        lead: Optional[Claim],
        has_children: bool,
    ) -> Optional[ItemCtx]:
        text = normalize(b.text)
        src = Source.whole(b)
        parent = stack[-1] if stack else None
        if parent is not None and parent.kind == "exceptions":
            # "State of Ohio: Prior authorization requests are managed by Acme Rx."
            head = re.split(r"\s*:\s+|\s+[—–]\s+", text, maxsplit=1)
            refs = self.res.clauses.groups_in(head[0]) if len(head) > 1 else self.res.clauses.groups_in(text)
            alt = self.res.clauses.alternate_vendor(text)
            if alt:
                refs = [ExceptionRef(r.name, r.group_number, alt, text) for r in refs]
            open_keys = {(m.lob.name if m.lob else None, m.segment) for m in parent.open_members}
            drafts = [
                d
                for d in parent.emitted
                if not open_keys or any(seg == d.segment and (lob is None or lob == d.lob) for lob, seg in open_keys)
            ]
            for target in drafts + parent.open_members if parent.emitted or parent.open_members else self.last_emitted:
                target.exceptions.extend(r for r in refs if r not in target.exceptions)
                if target.scope is Scope.ALL:
                    target.scope = Scope.MOST
            return None
        if EXCEPT_RE.match(text):
            self.walk.exceptions_to_last(topic, text, src)
            return None
        if role == "excluded":
            return self._excluded(b, text, depth, topic, src)
        if parent is not None and parent.kind in ("service", "detail") and not self._states_members(text):
            return ItemCtx(depth, "detail", b)  # a detail of the service above
        if role == "services" or (
            role is None
            and lead is not None
            and lead.lead == "services"
            and depth == min([depth] + [s.depth for s in stack])
        ):
            head = re.split(r"\s*:\s+|\s+[—–]\s+", text, maxsplit=1)
            svc = self.res.services.name(head[0], strict=VERB_RE.search(head[0]) is not None)
            if svc:
                members = self.res.members.unit(head[1], self.walk.payer, lob_context=True) if len(head) > 1 else []
                ctx = ItemCtx(depth, "service", b, services=[(svc, self._vendor(lead, topic), None)])
                if members and any(m.lob for m in members):
                    return self._emit_members(ctx, members, [], topic, lead, src, kind="mixed")
                return ctx
        delegation = (
            bool(self.res.annotate(text).of("VENDOR", "DEPT"))
            and bool(ACTIVE_RE.search(text))
            and len(text.split()) > LABEL_MAX_WORDS
        )
        if (
            role == "members"
            and not delegation
            and not (has_children and (VERB_RE.search(text) or ACTIVE_RE.search(text)))
        ):
            members = self.res.members.unit(text, self.walk.payer, lob_context=True)
            return self._members_item(b, depth, members, stack, topic, lead, has_children, src)
        # no role: what does the item state?
        head = re.split(r"\s*:\s+|\s+[—–]\s+", text, maxsplit=1)
        if len(head) > 1 and not self.res.members.lobish(head[0], strict=True):
            svc = self.res.services.name(head[0])
            members = self.res.members.unit(head[1], self.walk.payer, lob_context=True)
            if svc and members and any(m.lob for m in members) and not self.res.members.lobish(head[0]):
                ctx = ItemCtx(depth, "mixed", b, services=[(svc, self._vendor(lead, topic), None)])
                return self._emit_members(ctx, members, [], topic, lead, src, kind="mixed")
        if DATE_FIRST_RE.match(text):
            return None  # "January 1, 2018 – program extends to …": a timeline entry
        members = self.res.members.unit(text, self.walk.payer) if self._membership_shaped(text) else []
        if members and (any(m.lob for m in members) or any(m.explicit_scope for m in members)):
            return self._members_item(b, depth, members, stack, topic, lead, has_children, src)
        if (
            len(text.split()) <= LABEL_MAX_WORDS
            and not text.endswith(".")
            and not GENERIC_HEADING_RE.match(text)
            and not VERB_RE.search(text)
            and not STEP_RE.match(text)
        ):
            svc = self.res.services.name(text)
            if svc and (
                has_children
                or lead is not None
                or topic.vendor is not None
                or topic.role == "services"
                or topic.heading_service
            ):
                return ItemCtx(depth, "service", b, services=[(svc, self._vendor(lead, topic), None)])
        # a sentence: read it as prose; a lead-in item governs its deeper items
        hint = next(
            (m.lob for s in reversed(stack) for m in s.members if m.lob is not None and not m.lob.default), None
        ) or next((m.lob for m in (lead.members if lead else []) if m.lob is not None and not m.lob.default), None)
        self.walk.lob_hint = hint
        before = len(self.walk.drafts)
        try:
            claim = self.walk.paragraph(b, topic, [])
        finally:
            self.walk.lob_hint = None
        if len(self.walk.drafts) > before:
            # "Exceptions: …" after this item speaks of the rules the item's sentence stated
            self.last_emitted = list(self.walk.drafts[before:])
        if claim is not None and has_children:
            ctx = ItemCtx(depth, "lead", b, claim=claim)
            if claim.services:
                ctx.services = [(s, claim.vendor or self._vendor(lead, topic), None) for s in claim.services]
            ctx.members = claim.members
            ctx.vendor = claim.vendor
            return ctx
        return None


def _next_item_levels(run: list[Block]) -> list[Optional[int]]:
    """For each block of ``run``, the level of the next list item after it (None after the last):
    one pass from the end, where a search from each item was quadratic in a long list."""
    out: list[Optional[int]] = [None] * len(run)
    level: Optional[int] = None
    for i in range(len(run) - 1, -1, -1):
        out[i] = level
        if run[i].kind is BlockKind.LIST_ITEM:
            level = run[i].level
    return out
