"""The build: files → ingest → extract → warehouse (one transaction) → validation → ``BuildReport``.

Parsing and extraction run before the database is touched (the database is closed meanwhile, so
worker processes fork without its threads), so a failure there cannot leave a half-written
database; the load is one transaction (``warehouse.load``) and validation runs inside it, just
before COMMIT, as a hook this module injects. Nothing here prints: progress goes to the optional
``progress`` object, the result comes back typed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Protocol, Union

import duckdb

from extract import Vocabulary
from ingest import InputError, expand_paths
from warehouse import LoadBatch, LoadHooks, LoadResult, ParsedDocument, Warehouse
from warehouse.model import OnStep
from warehouse.notices import Notice, document_notices
from warehouse.report import write_validation_report
from warehouse.validate import ValidationReport, validate_build

from . import __version__, decisions
from .config import BuildConfig
from .parsing import Unchanged, process_all

_log = logging.getLogger(__name__)

ConfigLike = Union[None, Mapping[str, Any], BuildConfig]


class Progress(Protocol):
    """What a build reports progress to (the CLI passes a progress bar)."""

    def start(self, total: int) -> None: ...

    def advance(self, name: str) -> None: ...


@dataclass(frozen=True)
class BuildReport:
    """What a build did. ``failures`` are the inputs that could not be used (the rest was built);
    ``validation`` is None only when the database has never been validated; ``notices`` name the
    documents of this build's inputs that gave no rules, no payer, or sentences it could not read."""

    db: Path
    result: LoadResult
    failures: tuple[InputError, ...]
    files: int
    validation: Optional[ValidationReport]
    validation_html: Optional[Path]
    migrated_from: Optional[int] = None  # the schema version the build migrated the database from
    notices: tuple[Notice, ...] = ()

    @property
    def ok(self) -> bool:
        """Every input was built and every expectation passed."""
        return not self.failures and (self.validation is None or self.validation.success)


def extract_signature(vocab: Vocabulary) -> str:
    """What the statements of a document depend on besides its bytes: the vocabulary and the code that
    reads it (ingest and extract sources), so a changed reader re-extracts unchanged files."""
    return hashlib.sha256(f"{__version__}\n{_code_fingerprint()}\n{vocab.model_dump_json()}".encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for package in ("ingest", "extract"):
        spec = importlib.util.find_spec(package)  # located, not imported: no spaCy or pdfplumber here
        root = Path(next(iter(spec.submodule_search_locations or []))) if spec else None
        if root is None:
            continue
        for source in sorted(root.rglob("*.py")):
            digest.update(source.relative_to(root.parent).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def validation_report_path(db: str | Path) -> Path:
    """Where a build writes its validation report: next to the database (``payerkg.validation.html``)."""
    return Path(db).with_suffix(".validation.html")


def build(
    paths: Optional[Sequence[str | Path]] = None,
    db: str | Path | None = None,
    config: ConfigLike = None,
    *,
    progress: Optional[Progress] = None,
    on_step: Optional[OnStep] = None,
    prune: bool = False,
) -> BuildReport:
    """Build ``paths`` (default: the config's inputs, ``seeds/``) into the database ``db`` (default: the
    config's, ``$PAYERKG_DB`` or ``payerkg.duckdb``).

    Unchanged documents (same bytes, same vocabulary and extractor) are not parsed again; documents
    gone from under the inputs are retired. ``on_step`` is called at each step of the load, inside
    its transaction (raising there rolls the build back). Raises ``LoadError`` when the load fails
    (the database is unchanged), ``RetirementRefusedError`` (a ``LoadError``) when it would retire
    more than half of the active documents under the inputs and ``prune`` is not set, and
    ``SchemaVersionError`` for a database newer than this payerkg.
    """
    cfg = BuildConfig.resolve(config).replace(db=Path(db) if db is not None else None)
    inputs = [str(p) for p in (paths if paths is not None else cfg.inputs)]
    vocab = cfg.vocabulary()
    signature = extract_signature(vocab)
    files = expand_paths(inputs)
    with Warehouse(cfg.db) as wh:  # creates or migrates the database; closed while documents are parsed
        loaded = {doc_id: sig for doc_id, (sig, _) in wh.loaded().items()}
        migrated_from = wh.migrated_from
    if progress is not None:
        progress.start(len(files))
    outcomes = process_all(
        [str(f) for f in files],
        vocab,
        cfg.ingest_options(),
        loaded,
        signature,
        cfg.worker_count,
        progress.advance if progress is not None else _ignore,
    )
    parsed: list[ParsedDocument] = []
    unchanged: dict[str, str] = {}
    failures: list[InputError] = []
    seen: set[str] = set()
    for outcome in outcomes:
        if isinstance(outcome, InputError):
            _log.warning("%s", outcome)
            failures.append(outcome)
        elif isinstance(outcome, Unchanged):
            if outcome.doc_id not in seen:
                seen.add(outcome.doc_id)
                unchanged[outcome.doc_id] = outcome.path
        elif outcome.document.doc_id not in seen:  # a second copy of the same bytes is the same document
            seen.add(outcome.document.doc_id)
            parsed.append(outcome)
    decisions.build(parsed, unchanged)
    batch = LoadBatch(
        inputs=inputs,
        parsed=parsed,
        unchanged=unchanged,
        failures=failures,
        vocab=vocab,
        extract_sig=signature,
        prune=prune,
    )
    validations: list[ValidationReport] = []

    def validate(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
        validations.append(validate_build(con, result.build_id, vocab, result.changed))

    with Warehouse(cfg.db) as wh:
        result = wh.load(batch, LoadHooks(before_commit=validate, on_step=on_step))
        validation = validations[-1] if validations else None
        html = None
        if validation is not None:
            html = write_validation_report(wh.con, validation, cfg.db, validation_report_path(cfg.db))
        notices = document_notices(wh.con, [p.document.doc_id for p in parsed] + list(unchanged))
    return BuildReport(
        db=cfg.db,
        result=result,
        failures=tuple(failures),
        files=len(files),
        validation=validation,
        validation_html=html,
        migrated_from=migrated_from,
        notices=tuple(notices),
    )


def _ignore(name: str) -> None:
    pass
