"""The build: files → ingest → extract → warehouse (one transaction) → validation → ``BuildReport``.

Each document is parsed and extracted in a worker process with time, page and memory limits
(``payerkg.parsing``; workers come from a fork server, never from this process with DuckDB's
threads), or in a Ray task (``--engine ray``), so one bad document becomes a named failure and the
rest of the batch loads. Each parsed document is handed to the load as it arrives (its rows are
written and it is let go: memory stays flat however many documents a build has); the load is one
transaction (``warehouse.load``) and validation runs inside it, just before COMMIT, as a hook this
module injects: the suites' batches are made in place, in the transaction, and great-expectations runs
on them in a process of its own (``payerkg.validator``), started when parsing starts so that it
imports great-expectations meanwhile; the driver never does. A database another process holds is waited for
(``BuildConfig.wait``). Nothing here prints: progress goes to the optional ``progress`` object, the
one "waiting" notice to ``on_wait``, internal errors' tracebacks to the build log next to the
database; the result comes back typed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional, Protocol

import duckdb

from extract import Vocabulary
from ingest import InputError
from warehouse import LoadHooks, LoadResult, Warehouse
from warehouse.model import OnStep
from warehouse.notices import Notice, document_notices
from warehouse.report import write_validation_report
from warehouse.validate import ValidationReport, validate_build

from . import __version__, decisions, quiet
from .config import BuildConfig, ConfigLike
from .errors import INTERNAL
from .inputs import input_files, no_documents
from .parsing import Failed, Unchanged, process_all
from .validator import Validator

_log = logging.getLogger(__name__)


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
    log: Optional[Path] = None  # the build log, when this build wrote internal errors' tracebacks to it
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


def log_path(db: str | Path) -> Path:
    """Where builds append internal errors' tracebacks: next to the database (``payerkg.duckdb.log``)."""
    return Path(f"{db}.log")


def build(
    paths: Optional[Sequence[str | Path]] = None,
    db: str | Path | None = None,
    config: ConfigLike = None,
    *,
    progress: Optional[Progress] = None,
    on_step: Optional[OnStep] = None,
    on_wait: Optional[Callable[[str], None]] = None,
    prune: bool = False,
) -> BuildReport:
    """Build ``paths`` (default: the config's inputs, ``seeds/``) into the database ``db`` (default: the
    config's, ``$PAYERKG_DB`` or ``payerkg.duckdb``).

    Unchanged documents (same bytes, same vocabulary and extractor) are not parsed again; documents
    gone from under the inputs are retired. A document that fails in any way is a failure with a code
    (``report.failures``); the tracebacks of internal errors (E150) go to ``report.log``. When another
    process holds the database the build waits up to ``config.wait`` seconds, calling ``on_wait`` once
    with a message. ``on_step`` is called at each step of the load, inside its transaction (raising
    there rolls the build back). Raises ``ArgumentError`` for an input that does not exist, or inputs
    without documents when the database has none under them either (an emptied folder is the
    retirement guard's case), ``DatabaseBusyError`` when the wait runs out, ``LoadError`` when the
    load fails (the database is unchanged), ``RetirementRefusedError`` (a ``LoadError``) when it
    would retire more than half of the active documents under the inputs and ``prune`` is not set,
    and ``SchemaVersionError`` for a database newer than this payerkg.
    """
    cfg = BuildConfig.resolve(config).replace(db=Path(db) if db is not None else None)
    inputs = [str(p) for p in (paths if paths is not None else cfg.inputs)]
    files = input_files(inputs, empty_ok=True)
    if not files and not Path(cfg.db).exists():
        raise no_documents(inputs)
    vocab = cfg.vocabulary()
    signature = extract_signature(vocab)
    said: list[str] = []

    def waiting(message: str) -> None:  # once per build, however many times it waits
        if not said and on_wait is not None:
            on_wait(message)
        said.append(message)

    with quiet.quieted(), Warehouse(cfg.db, wait=cfg.wait, on_wait=waiting) as wh:  # creates or migrates
        if not files and not _active_under(wh, inputs):  # nothing to build and nothing to retire
            raise no_documents(inputs)
        loaded = {doc_id: sig for doc_id, (sig, _) in wh.loaded().items()}
        migrated_from = wh.migrated_from
        if progress is not None:
            progress.start(len(files))
        advance = progress.advance if progress is not None else _ignore
        validations: list[ValidationReport] = []

        validator = Validator(Path(cfg.db).resolve().parent)

        def validate(con: duckdb.DuckDBPyConnection, result: LoadResult) -> None:
            validations.append(validate_build(con, result.build_id, vocab, result.changed, runner=validator.run))

        def on_work(parsing: int) -> None:  # the suites will run: the validator imports great-expectations meanwhile
            if parsing:
                validator.start()

        hooks = LoadHooks(before_commit=validate, on_step=on_step)
        run = wh.stream(inputs, vocab, signature, hooks, prune=prune)
        failures: list[InputError] = []
        unchanged: dict[str, str] = {}
        crashed: list[Failed] = []
        parsed: dict[str, None] = {}  # doc_ids, in order
        try:
            for outcome in process_all([str(f) for f in files], cfg, vocab, loaded, signature, advance, on_work):
                if isinstance(outcome, Failed):
                    _log.info("%s", outcome.error)
                    failures.append(outcome.error)
                    if outcome.error.code == INTERNAL:
                        crashed.append(outcome)
                elif isinstance(outcome, Unchanged):
                    unchanged.setdefault(outcome.doc_id, outcome.path)
                elif outcome.document.doc_id not in parsed:  # a second copy of the same bytes is the same document
                    parsed[outcome.document.doc_id] = None
                    d = outcome.document
                    decisions.document(d.source, outcome.payer, outcome.payer_new, outcome.statements, outcome.mentions)
                    run.add(outcome)  # written now and let go
            decisions.build((), unchanged)
        except BaseException as e:
            validator.close()
            run.abort(e)
        log = _write_log(log_path(cfg.db), crashed) if crashed else None
        with validator:  # closed once the suites ran
            result = run.finish(unchanged, failures)
        validation = validations[-1] if validations else None
        html = None
        if validation is not None:
            html = write_validation_report(wh.con, validation, cfg.db, validation_report_path(cfg.db))
        notices = document_notices(wh.con, list(parsed) + list(unchanged))
    return BuildReport(
        db=cfg.db,
        result=result,
        failures=tuple(failures),
        files=len(files),
        validation=validation,
        validation_html=html,
        migrated_from=migrated_from,
        log=log,
        notices=tuple(notices),
    )


def _active_under(wh: Warehouse, inputs: Sequence[str]) -> bool:
    """Whether the database holds an active document from under ``inputs`` (a build of them retires it)."""
    roots = [Path(i).resolve() for i in inputs]
    sources = [row[0] for row in wh.query("SELECT source FROM documents WHERE status = 'active'")[1]]
    return any(p == r or r in p.parents for p in (Path(s).resolve() for s in sources) for r in roots)


def _write_log(path: Path, crashed: Sequence[Failed]) -> Optional[Path]:
    """Append this build's internal errors, each with its traceback, to the build log."""
    lines = [f"== payerkg {__version__}, build of {datetime.now().isoformat(timespec='seconds')}"]
    for f in crashed:
        lines += [str(f.error), f.traceback.rstrip() or "(no traceback: the worker process died)"]
    try:
        with path.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n\n")
    except OSError as e:
        _log.warning("cannot write the build log %s: %s", path, e)
        return None
    return path


def _ignore(name: str) -> None:
    pass
