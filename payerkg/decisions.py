"""What payerkg decided about each document, as log records (shown with ``-v`` / ``-vv``).

INFO: per document, the payer it was read for, how many rules it gave and how many sentences it
could not read, or that it was loaded already and not parsed again. DEBUG: every rule with the
pattern that made it (``Statement.pattern``) and where it stands, and every sentence or row that
named a vendor or used delegation language but gave no rule, with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Union

from extract import Statement
from extract.unexplained import Mention

if TYPE_CHECKING:
    from extract import Extraction
    from ingest import InputError
    from warehouse import ParsedDocument

_log = logging.getLogger(__name__)

#: longest piece of a skipped sentence a DEBUG line repeats
TEXT_CHARS = 100


def document(
    source: str, payer: str, payer_new: bool, statements: Sequence[Statement], mentions: Sequence[Mention]
) -> None:
    """Log one document's reading: a summary line (INFO), then each rule and skipped sentence (DEBUG)."""
    new = " (not in the vocabulary)" if payer_new else ""
    _log.info(
        "%s: payer %s%s; %d rules, %d sentences not understood", source, payer, new, len(statements), len(mentions)
    )
    if not _log.isEnabledFor(logging.DEBUG):
        return
    for s in statements:
        _log.debug(
            "%s p%d block %d: rule %s | %s | %s | %s | %s | %s ← pattern %s",
            source, s.page, s.block_index, s.vendor, s.service, s.line_of_business,
            s.segment.value, s.scope.value, s.requirement.value, s.pattern or "(none)",
        )  # fmt: skip
    for m in mentions:
        text = " ".join(m.text.split())
        _log.debug("%s p%d block %d: no rule — %s: %r", source, m.page, m.block_index, m.why, text[:TEXT_CHARS])


def build(parsed: Iterable[ParsedDocument], unchanged: Mapping[str, str]) -> None:
    """Log what a build read: each parsed document, then each one loaded already (not parsed again)."""
    for p in parsed:
        document(p.document.source, p.payer, p.payer_new, p.statements, p.mentions)
    for doc_id, path in unchanged.items():
        _log.info("%s: unchanged (sha256 %s… loaded already), not parsed again", path, doc_id[:12])


def extractions(
    results: Iterable[tuple[str, Union[Extraction, InputError]]],
) -> Iterator[tuple[str, Union[Extraction, InputError]]]:
    """``payerkg extract``'s results, each logged as it passes."""
    for path, result in results:
        if not isinstance(result, Exception):
            document(path, result.payer, result.payer_new, result.statements, result.unexplained)
        yield path, result
