"""Tests for arena.games.text: the shared charset, normalisation and Text spaces."""

from __future__ import annotations

import string

import pytest

from arena.games.text import CHARSET, normalize, tail, text_space


def test_charset_is_printable_ascii_with_tab_and_newline() -> None:
    assert set(CHARSET) == set(string.printable) - {"\r", "\x0b", "\x0c"}
    assert " " in CHARSET and "\n" in CHARSET and "\t" in CHARSET and "$" in CHARSET


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u201cDeal\u201d", '"Deal"'),
        ("it\u2019s \u2018fine\u2019", "it's 'fine'"),
        ("10\u201320 \u2014 ok \u2212 1", "10-20 - ok - 1"),
        ("well\u2026", "well..."),
        ("a\u00a0b\u2009c\u202fd\u3000e", "a b c d e"),
        ("caf\u00e9 na\u00efve \u00fcber", "cafe naive uber"),
        ("Stra\u00dfe", "Strasse"),
        ("\uff04\uff11\uff12", "$12"),  # full-width dollar and digits
        ("line1\r\nline2\rline3", "line1\nline2\nline3"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("emoji \U0001f388 balloon", "emoji  balloon"),
        ("\u4e2d\u6587 $12", " $12"),
    ],
)
def test_normalize_maps_typography_to_ascii(raw: str, expected: str) -> None:
    assert normalize(raw, 100) == expected


def test_normalize_strips_ansi_escapes_whole() -> None:
    raw = "\x1b[1;31mred\x1b[0m \x1b]0;title\x07ok \x1bMx \x9b2Jy"
    assert normalize(raw, 100) == "red ok x y"


def test_normalize_drops_control_characters() -> None:
    raw = "".join(chr(code) for code in range(32)) + "abc\x7f"
    assert normalize(raw, 100) == "\t\n\nabc"  # \r becomes a newline, the rest vanishes


def test_normalize_truncates_and_stays_in_charset() -> None:
    raw = "\u201c" * 50 + "x" * 500
    out = normalize(raw, 80)
    assert len(out) == 80
    assert set(out) <= set(CHARSET)
    assert normalize("abc", 0) == ""


def test_normalize_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_len must be >= 0, got -1"):
        normalize("abc", -1)
    with pytest.raises(TypeError, match="normalize expects str, got bytes"):
        normalize(b"abc", 10)  # type: ignore[arg-type]


def test_normalize_is_idempotent_on_every_codepoint_block() -> None:
    raw = "".join(chr(code) for code in range(0, 0x3000, 7))
    once = normalize(raw, 10_000)
    assert normalize(once, 10_000) == once
    assert set(once) <= set(CHARSET)


def test_tail_keeps_the_end() -> None:
    assert tail("abcdef", 10) == "abcdef"
    assert tail("line1\nline2\nline3\n", 10) == "...\nline3\n"
    assert len(tail("x" * 100, 10)) == 10
    assert tail("abcdef", 2) == "ef"
    with pytest.raises(ValueError, match="max_len must be >= 0"):
        tail("abc", -5)


def test_text_space_accepts_sentences_and_empty_strings() -> None:
    space = text_space(64)
    assert space.min_length == 0 and space.max_length == 64
    assert space.contains("")
    assert space.contains("[OFFER $12] Fine, let's say twelve.\n\tOK?")
    assert not space.contains("x" * 65)
    assert not space.contains("caf\u00e9")
    assert not space.contains(b"bytes")
    space.seed(0)
    for _ in range(50):
        sample = space.sample()
        assert space.contains(sample)
        assert normalize(sample, 64) == sample


def test_text_space_rejects_bad_length() -> None:
    with pytest.raises(ValueError, match="max_length must be >= 1, got 0"):
        text_space(0)


def test_docstring_examples_run() -> None:
    import doctest

    import arena.games.text

    assert doctest.testmod(arena.games.text).failed == 0
