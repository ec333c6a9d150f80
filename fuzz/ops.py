"""Every mutation by name (a recipe names its steps), and which fit which kind of file.

*Light* mutations damage a file here and there; *heavy* ones add a structure bomb (deep nesting,
huge tables, lines and nodes of tens of MB). Weights are by repetition in the lists.
"""

from __future__ import annotations

from .mutate_bytes import (
    Mutation,
    m_delete,
    m_enc_bom,
    m_enc_cp1252,
    m_enc_invalid,
    m_enc_linesep,
    m_enc_nul,
    m_enc_utf16,
    m_flip,
    m_repeat,
    m_splat,
    m_splice,
    m_truncate,
)
from .mutate_html import m_html_attrs, m_html_breakers, m_html_huge_node, m_html_nest, m_html_table, m_html_wide
from .mutate_pdf import (
    m_pdf_content_bomb,
    m_pdf_huge_line,
    m_pdf_names,
    m_pdf_numbers,
    m_pdf_obj_delete,
    m_pdf_obj_repeat,
    m_pdf_obj_swap,
    m_pdf_stream,
    m_pdf_xref,
)
from .mutate_text import m_text_huge_line, m_text_many_lines, m_text_nest, m_text_regex, m_text_table

LIGHT_OPS: dict[str, Mutation] = {
    "truncate": m_truncate,
    "flip": m_flip,
    "splat": m_splat,
    "delete": m_delete,
    "repeat": m_repeat,
    "splice": m_splice,
    "enc_invalid": m_enc_invalid,
    "enc_utf16": m_enc_utf16,
    "enc_nul": m_enc_nul,
    "enc_bom": m_enc_bom,
    "enc_cp1252": m_enc_cp1252,
    "enc_linesep": m_enc_linesep,
    "pdf_obj_repeat": m_pdf_obj_repeat,
    "pdf_obj_delete": m_pdf_obj_delete,
    "pdf_obj_swap": m_pdf_obj_swap,
    "pdf_numbers": m_pdf_numbers,
    "pdf_names": m_pdf_names,
    "pdf_xref": m_pdf_xref,
    "pdf_stream": m_pdf_stream,
    "html_attrs": m_html_attrs,
    "html_breakers": m_html_breakers,
}
HEAVY_OPS: dict[str, Mutation] = {
    "pdf_huge_line": m_pdf_huge_line,
    "pdf_content_bomb": m_pdf_content_bomb,
    "html_nest": m_html_nest,
    "html_table": m_html_table,
    "html_wide": m_html_wide,
    "html_huge_node": m_html_huge_node,
    "text_huge_line": m_text_huge_line,
    "text_many_lines": m_text_many_lines,
    "text_nest": m_text_nest,
    "text_regex": m_text_regex,
    "text_table": m_text_table,
}
OPS: dict[str, Mutation] = {**LIGHT_OPS, **HEAVY_OPS}
#: Which mutations fit which kind of base (weights by repetition).
KIND_LIGHT = {
    "pdf": [
        "truncate",
        "flip",
        "splat",
        "delete",
        "repeat",
        "pdf_obj_repeat",
        "pdf_obj_delete",
        "pdf_obj_swap",
        "pdf_numbers",
        "pdf_numbers",
        "pdf_names",
        "pdf_xref",
        "pdf_stream",
        "pdf_stream",
        "pdf_stream",
        "splice",
        "enc_nul",
    ],
    "html": [
        "truncate",
        "flip",
        "splat",
        "delete",
        "repeat",
        "splice",
        "html_attrs",
        "html_attrs",
        "html_breakers",
        "html_breakers",
        "enc_invalid",
        "enc_utf16",
        "enc_nul",
        "enc_bom",
        "enc_cp1252",
        "enc_linesep",
    ],
    "text": [
        "truncate",
        "flip",
        "splat",
        "delete",
        "repeat",
        "splice",
        "enc_invalid",
        "enc_utf16",
        "enc_nul",
        "enc_bom",
        "enc_cp1252",
        "enc_linesep",
        "enc_linesep",
    ],
}
KIND_HEAVY = {
    "pdf": ["pdf_huge_line", "pdf_content_bomb", "pdf_content_bomb"],
    "html": ["html_nest", "html_nest", "html_nest", "html_table", "html_wide", "html_huge_node"],
    "text": ["text_huge_line", "text_many_lines", "text_nest", "text_regex", "text_regex", "text_table"],
}
