"""The rules a list's items state, and what waits when they state only part of one.

A members item under a service (or after a lead-in that named one) gives that service's rules for
its lines; a service item whose deeper items were only details takes its members from the items
above it, the lead-in or the section. Members with no service and services with no members wait
in the section's topic, to be paired when it closes. ``lists.py`` walks the run of items and says
what each one is; this module turns them into rules.
"""

from __future__ import annotations

from typing import Optional

from ingest import Block

from .claim import Claim
from .drafts import Draft, Source
from .list_items import ItemCtx, ItemShapes
from .members import Member
from .model import Scope, Segment
from .tree import ProgramMember, ProgramService, Topic


class ListRules(ItemShapes):
    """Rule-making steps of ``ListReader``."""

    last_emitted: list[Draft]
    _sink: Optional[list[Draft]]

    def note_emitted(self, d: Draft) -> None:
        if self._sink is not None:
            self._sink.append(d)

    def _members_item(
        self,
        b: Block,
        depth: int,
        members: list[Member],
        stack: list[ItemCtx],
        topic: Topic,
        lead: Optional[Claim],
        has_children: bool,
        src: Source,
    ) -> Optional[ItemCtx]:
        if not members:
            return None
        ctx = ItemCtx(depth, "members", b, members=members)
        header = all(
            m.lob is not None and not m.explicit_scope and m.segment is Segment.ALL for m in members
        ) and not any(m.conditions for m in members)
        if header and (has_children or self._next_is_segment(b, stack)):
            ctx.lob_header = True
            return ctx
        return self._emit_members(ctx, members, stack, topic, lead, src)

    def _next_is_segment(self, b: Block, stack: list[ItemCtx]) -> bool:
        return False

    def _emit_members(
        self,
        ctx: ItemCtx,
        members: list[Member],
        stack: list[ItemCtx],
        topic: Topic,
        lead: Optional[Claim],
        src: Source,
        kind: str = "members",
    ) -> ItemCtx:
        ctx.kind = kind
        above = next((m for s in reversed(stack) for m in s.members if m.lob is not None), None)
        lob = above.lob if above else next((m.lob for m in (lead.members if lead else []) if m.lob), None)
        resolved = []
        for m in members:
            if (m.lob is None or m.lob.default) and lob is not None:
                m = Member(
                    lob,
                    m.segment,
                    m.scope,
                    m.exceptions,
                    m.inclusions,
                    m.conditions,
                    m.effective,
                    m.service_dates,
                    m.open_exceptions,
                    m.explicit_scope,
                )
            resolved.append(m)
        services = (
            ctx.services
            or next((s.services for s in reversed(stack) if s.services), [])
            or [(s, self._vendor(lead, topic), None) for s in (lead.services if lead else [])]
        )
        vendor = (lead.vendor if lead and lead.vendor else None) or topic.find_vendor()
        if not services:
            services = [(ps.name, ps.vendor, ps) for ps in topic.find_services(vendor)]
            if vendor is None and len({v.name for _, v, _ in services if v is not None}) > 1:
                services = []  # several vendors' programs and nothing to say which: wait
        if (
            vendor is None
            and lead is not None
            and lead.payer_requires
            and not lead.not_required
            and not any(v for _, v, _ in services)
        ):
            vendor = self.walk.own_reviewer()  # "Authorization is required for members in the following plans:"
        negated = bool(lead and (lead.negated or lead.ended))
        ctx.open_members = [m for m in resolved if m.open_exceptions]
        if ctx.open_members:
            ctx.kind = "exceptions"
        if not services or not (vendor or any(v for _, v, _ in services)):
            for m in resolved:
                topic.members.append(
                    ProgramMember(
                        m, src, vendor, negated, lead.requirement if lead else None, lead.effective if lead else None
                    )
                )
            return ctx
        self._sink = ctx.emitted
        try:
            for name, v, ps in services:
                for m in resolved:
                    if negated:
                        m = Member(m.lob, m.segment, Scope.NONE, m.exceptions, m.inclusions, m.conditions, m.effective)
                    self.walk.emit(
                        v or vendor,
                        name,
                        m,
                        src,
                        topic,
                        f"list-{kind}",
                        lead.effective if lead else None,
                        lead.requirement if lead else None,
                        program=ps,
                    )
                if ps is not None:
                    ps.used = True
        finally:
            self._sink = None
        self.last_emitted = list(ctx.emitted)
        return ctx

    def _emit_service(self, ctx: ItemCtx, stack: list[ItemCtx], topic: Topic, lead: Optional[Claim]) -> None:
        vendor = (lead.vendor if lead and lead.vendor else None) or topic.find_vendor()
        members = (
            next((s.members for s in reversed(stack) if s.members), [])
            or (lead.members if lead else [])
            or [pm.member for pm in topic.find_members(vendor) if not pm.negated]
        )
        if not members or not vendor:
            listed = ctx.depth >= 0 and (topic.role == "services" or bool(lead and lead.lead == "services"))
            for name, v, _ in ctx.services:
                self.walk.add_service(
                    topic,
                    ProgramService(
                        name,
                        v or vendor,
                        Source.whole(ctx.block),
                        lead.effective if lead else None,
                        listed=listed,
                        origin="list",
                    ),
                )
            return
        for pm in topic.find_members(vendor):
            pm.used = pm.used or not pm.negated
        listed = topic.role == "services" or bool(lead and lead.lead == "services")
        for name, v, _ in ctx.services:
            self.walk.add_service(
                topic,
                ProgramService(name, v or vendor, Source.whole(ctx.block), used=True, listed=listed, origin="list"),
            )
        self._sink = ctx.emitted
        try:
            for name, v, _ in ctx.services:
                for m in members:
                    self.walk.emit(
                        v or vendor,
                        name,
                        m,
                        Source.whole(ctx.block),
                        topic,
                        "list-service",
                        lead.effective if lead else None,
                        lead.requirement if lead else None,
                    )
        finally:
            self._sink = None
        self.last_emitted = list(ctx.emitted)
