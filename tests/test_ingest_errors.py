"""Bad input: each case gets a typed error naming the file; a batch goes on."""

from __future__ import annotations

import io
import os

import pytest
from pypdf import PdfReader, PdfWriter
from typer.testing import CliRunner

from conftest import BULLETIN, PHARMACY
from ingest import IngestOptions, InputError, MediaType, ingest_file, ingest_paths
from payerkg.cli import app


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _encrypted_pdf() -> bytes:
    w = PdfWriter()
    for page in PdfReader(PHARMACY).pages[:1]:
        w.add_page(page)
    w.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _image_only_pdf() -> bytes:
    w = PdfWriter()
    w.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


CASES = {
    "empty.pdf": (lambda: b"", "E101"),
    "truncated.pdf": (lambda: BULLETIN.read_bytes()[:3000], "E110"),
    "corrupt.pdf": (lambda: b"%PDF-1.7\n" + os.urandom(4000), "E110"),
    "encrypted.pdf": (_encrypted_pdf, "E111"),
    "scanned.pdf": (_image_only_pdf, "E112"),
    "junk.html": (lambda: bytes(range(256)) * 20, "E104"),
    "archive.xyz": (lambda: b"PK\x03\x04" + os.urandom(300), "E103"),
    "notes.docx": (lambda: b"hello world, plain words", "E103"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bad_input_gets_a_typed_error_naming_the_file(tmp_path, name):
    make, code = CASES[name]
    path = _write(tmp_path, name, make())
    with pytest.raises(InputError) as ei:
        ingest_file(path)
    assert ei.value.code == code
    assert str(path) in str(ei.value)
    assert ei.value.reason


def test_file_over_the_size_limit(tmp_path):
    path = _write(tmp_path, "big.txt", b"word " * 1000)
    with pytest.raises(InputError) as ei:
        ingest_file(path, IngestOptions(max_bytes=1000))
    assert ei.value.code == "E102" and "5,000 bytes" in ei.value.reason


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as ei:
        ingest_file(tmp_path / "nope.pdf")
    assert ei.value.code == "E100"


def test_mislabelled_but_readable_file_is_read_by_content_with_a_warning(tmp_path):
    path = _write(tmp_path, "bulletin.html", PHARMACY.read_bytes())
    doc = ingest_file(path)
    assert doc.media_type is MediaType.PDF
    assert any("named .html but the content is pdf" in w for w in doc.warnings)


def test_batch_goes_on_past_bad_documents(tmp_path):
    for name in ("empty.pdf", "truncated.pdf", "junk.html"):
        make, _ = CASES[name]
        _write(tmp_path, name, make())
    _write(tmp_path, "good.md", b"# Memo\n\nAll groups.\n")
    outcomes = list(ingest_paths([tmp_path]))
    assert sorted((os.path.basename(o.path), o.ok) for o in outcomes) == [
        ("empty.pdf", False),
        ("good.md", True),
        ("junk.html", False),
        ("truncated.pdf", False),
    ]


def test_cli_exit_status_and_summary_name_the_failures(tmp_path):
    _write(tmp_path, "empty.pdf", b"")
    _write(tmp_path, "good.md", b"# Memo\n\nAll groups.\n")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path), "--format", "summary"])
    assert result.exit_code == 1
    assert "empty.pdf: [E101] file is empty" in result.output
    assert "ingested 1 document(s)" in result.output and "1 failed" in result.output


def test_cli_ingest_text_format_prints_blocks():
    result = CliRunner().invoke(app, ["ingest", str(PHARMACY), "--format", "text"])
    assert result.exit_code == 0
    assert "p2 heading   L2 [CARE MANAGEMENT AND UTILIZATION MANAGEMENT] Sempre Health¹" in result.output
