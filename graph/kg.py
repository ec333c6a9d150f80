"""The knowledge graph: extracted statements as a networkx ``MultiDiGraph`` with resolved entities.

Nodes are keyed ``"<kind>:<name>"`` (kinds: payer, vendor, service, lob, group, document, rule).
Entity resolution happens when a node is named: vendor aliases and renames are already canonical
(the vocabulary resolved them in extraction), unknown vendors merge on the one name key
(``graph.resolve``), and an employer group named by number ("group 70605") joins the group
the vocabulary gives that number.

Edges (``key`` is the edge type, so parallel facts stay apart by their ``rule_id`` attribute):

* ``rule -BY-> vendor``, ``rule -FOR-> service``, ``rule -COVERS-> lob``, ``lob -OF-> payer``
* ``vendor -MANAGES-> service`` (one per rule: lob, segment, scope, requirement, rule_id)
* ``rule -EXCEPTS-> group`` (alternate_vendor when the text names who handles the group instead)
* ``rule -INCLUDES-> group``; ``group -REDIRECTED_TO-> vendor`` (rule_id)
* ``service -WITHIN-> service`` (from the vocabulary's nesting)
* ``rule -STATED_IN-> document`` (page, quote)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from extract import Statement, Vocabulary

from . import resolve


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    source: str
    title: str


class KnowledgeGraph:
    """Builds and queries the graph; ``self.g`` is the networkx graph itself."""

    def __init__(self, vocab: Vocabulary | None = None):
        self.vocab = vocab or Vocabulary.load()
        self.g = nx.MultiDiGraph()
        self._names: dict[tuple[str, str], str] = {}  # (kind, resolve key) → node id

    # -- entity resolution --------------------------------------------------------------------
    def node(self, kind: str, name: str, **attrs: Any) -> str:
        if kind == "group":
            name = resolve.group(self.vocab, name)
        elif kind == "vendor":
            name = resolve.vendor(self.vocab, name)
        elif kind == "service":
            name = resolve.service(self.vocab, name)
        k = (kind, resolve.name_key(name))
        nid = self._names.get(k)
        if nid is None:
            nid = self._names[k] = f"{kind}:{name}"
            self.g.add_node(nid, kind=kind, name=name)
        if attrs:
            self.g.nodes[nid].update({a: v for a, v in attrs.items() if v is not None})
        return nid

    # -- building --------------------------------------------------------------------------------
    def add_document(self, info: DocumentInfo) -> None:
        self.node("document", info.doc_id, source=info.source, title=info.title)

    def add(self, statements: Iterable[Statement]) -> KnowledgeGraph:
        for s in statements:
            self._add(s)
        for svc in self.vocab.services:
            if svc.within:
                self.g.add_edge(self.node("service", svc.name), self.node("service", svc.within), key="WITHIN")
        return self

    def _add(self, s: Statement) -> None:
        rule = f"rule:{s.rule_id}"
        self.g.add_node(
            rule,
            kind="rule",
            name=s.rule_id,
            scope=s.scope.value,
            segment=s.segment.value,
            requirement=s.requirement.value,
            program_type=s.program_type.value,
            conditions=s.conditions or "",
            effective_from=s.effective_from.isoformat() if s.effective_from else "",
        )
        vendor = self.node("vendor", s.vendor, new=s.vendor_new)
        service = self.node("service", s.service)
        lob = self.node("lob", s.line_of_business)
        payer = self.node("payer", s.payer)
        doc = self.node("document", s.doc_id)
        g = self.g
        g.add_edge(rule, vendor, key="BY")
        g.add_edge(rule, service, key="FOR")
        g.add_edge(rule, lob, key="COVERS")
        g.add_edge(lob, payer, key="OF")
        g.add_edge(
            vendor,
            service,
            key=f"MANAGES:{s.rule_id}",
            type="MANAGES",
            rule_id=s.rule_id,
            payer=s.payer,
            line_of_business=s.line_of_business,
            segment=s.segment.value,
            scope=s.scope.value,
            requirement=s.requirement.value,
        )
        g.add_edge(rule, doc, key="STATED_IN", page=s.page, quote=s.quote)
        refs = {r.name: r for r in s.exception_refs}
        for name in s.exceptions:
            ref = refs.get(name)
            group = self.node("group", name, group_number=ref.group_number if ref else None)
            alt = ref.alternate_vendor if ref else None
            g.add_edge(rule, group, key="EXCEPTS", alternate_vendor=alt or "")
            if alt:
                g.add_edge(
                    group,
                    self.node("vendor", alt),
                    key=f"REDIRECTED_TO:{s.rule_id}",
                    type="REDIRECTED_TO",
                    rule_id=s.rule_id,
                )
        for name in s.inclusions:
            g.add_edge(rule, self.node("group", name), key="INCLUDES")

    # -- questions ---------------------------------------------------------------------------------
    def _name(self, nid: str) -> str:
        return str(self.g.nodes[nid]["name"])

    def _rules_by(self, vendor_node: str) -> list[str]:
        return [u for u, _, k in self.g.in_edges(vendor_node, keys=True) if k == "BY"]

    def vendors_for_group(self, group: str) -> set[str]:
        """Every vendor a group's members deal with: rules that include the group by name, and
        vendors named for the group when it is excepted from another vendor."""
        gid = self.node("group", group)
        out: set[str] = set()
        for u, _, k in self.g.in_edges(gid, keys=True):
            if k == "INCLUDES":
                out.update(self._name(v) for _, v, kk in self.g.out_edges(u, keys=True) if kk == "BY")
        for _, v, d in self.g.out_edges(gid, data=True):
            if d.get("type") == "REDIRECTED_TO":
                out.add(self._name(v))
        return out

    def groups_excepted_from(self, vendor: str) -> set[str]:
        vid = self.node("vendor", vendor)
        out: set[str] = set()
        for rule in self._rules_by(vid):
            out.update(self._name(v) for _, v, k in self.g.out_edges(rule, keys=True) if k == "EXCEPTS")
        return out

    def vendors_of_service(self, service: str) -> set[tuple[str, str]]:
        """(payer, vendor) pairs with a rule for the service or a service nested within it."""
        sid = self.node("service", service)
        services = {sid} | set(nx.ancestors(self._within(), sid)) if sid in self._within() else {sid}
        out = set()
        for s in services:
            for u, _, d in self.g.in_edges(s, data=True):
                if d.get("type") == "MANAGES":
                    out.add((d["payer"], self._name(u)))
        return out

    def _within(self) -> nx.DiGraph:
        """Service nesting as a plain digraph: narrower → broader."""
        h = nx.DiGraph()
        for u, v, k in self.g.edges(keys=True):
            if k == "WITHIN":
                h.add_edge(u, v)
        return h

    # -- export ----------------------------------------------------------------------------------
    def write_graphml(self, path: str | Path) -> None:
        nx.write_graphml(_scalar_copy(self.g), str(path))

    def write_json(self, path: str | Path) -> None:
        data = nx.node_link_data(_scalar_copy(self.g), edges="edges")
        Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _scalar_copy(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML holds scalars only: drop None, keep str/int/float/bool."""
    h = nx.MultiDiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: v for k, v in d.items() if isinstance(v, (str, int, float, bool))})
    for u, v, k, d in g.edges(keys=True, data=True):
        h.add_edge(
            u,
            v,
            key=k,
            edge_type=k.split(":")[0],
            **{a: b for a, b in d.items() if isinstance(b, (str, int, float, bool))},
        )
    return h
