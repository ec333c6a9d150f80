"""Fuzzing ingest + extract (issue 18 part 5): ``make fuzz``, or ``python -m fuzz --help``.

Every input is a small *recipe* (``cases.py``): a base — a corpus file (the seeds and the devset), a
generated structure bomb (``generate.py``) or a document drawn by hypothesis (``strategies.py``) — and a
list of mutation steps (``mutate_*.py``), each with its own random seed. A case is rebuilt byte for byte
from its recipe, so the parent never holds the big inputs (tens of MB) and a saved recipe reproduces
its crash.

Each input runs ``ingest.ingest_file`` then ``extract.Extractor().extract`` in a forked child with a
time limit and an address-space cap (``run.py``). Outcomes:

* ``ok``          — a Document that keeps its invariants, and an extraction;
* ``input-error`` — ``InputError``: a clean refusal, counted by code;
* ``crash``       — any other exception, a broken Document invariant, or death by a signal;
* ``hang``        — the time limit passed (the child is killed);
* ``stopped``     — the wall-clock backstop passed before the CPU limit (a crowded machine).

``report.py`` sums them up, saves every crasher and hanger with its recipe, and shrinks one to a
regression file (``--minimize``); regressions live in ``tests/data/fuzz/`` (``tests/test_fuzz.py``).
"""
