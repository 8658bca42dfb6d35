"""Text helpers shared by Arena's text games.

Every text game speaks through ``gymnasium.spaces.Text`` spaces. Their default charset is letters and
digits only, so the first space or newline in a model's reply would be "out of bounds" (PETTINGZOO.md,
pitfall 2). Arena therefore fixes one explicit charset, :data:`CHARSET` (printable ASCII plus space, tab and
newline), and folds whatever a model writes into it with :func:`normalize` before a game ever sees it:
curly quotes become straight ones, dashes become ``-``, accents are stripped, terminal escapes and control
characters vanish. What the rules parse is exactly what the log records and the other player reads.

Example::

    >>> normalize("\u201cDeal\u201d \u2014 $12\u2026", max_len=100)
    '"Deal" - $12...'
    >>> text_space(64).contains("[OFFER $12] fine.\\n")
    True
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gymnasium.spaces import Text

__all__ = ["CHARSET", "normalize", "text_space", "tail"]

#: Printable ASCII (0x20-0x7E) plus tab and newline; no carriage return, vertical tab or form feed.
CHARSET: str = "".join(chr(code) for code in range(0x20, 0x7F)) + "\t\n"

_CHARSET_SET = frozenset(CHARSET)

# Characters whose ASCII stand-in NFKD does not produce (or produces badly), mapped by hand.
_REPLACEMENTS: dict[str, str] = {
    # quotes and primes
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2039": "'",
    "\u203a": "'",
    # dashes and minus signs
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\ufe58": "-",
    "\ufe63": "-",
    "\uff0d": "-",
    # ellipsis, bullets, misc punctuation
    "\u2026": "...",
    "\u2022": "*",
    "\u00b7": "*",
    "\u2044": "/",
    "\u00d7": "x",
    "\u00f7": "/",
    # spaces of every width become a plain space
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    # line breaks
    "\r\n": "\n",
    "\r": "\n",
    "\u2028": "\n",
    "\u2029": "\n",
    "\u0085": "\n",
    # letters NFKD cannot split
    "\u00df": "ss",
    "\u00e6": "ae",
    "\u00c6": "AE",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
}
_REPLACE_RE = re.compile("|".join(re.escape(key) for key in sorted(_REPLACEMENTS, key=len, reverse=True)))
_SPACES_RE = re.compile("[\u2000-\u200a]")

# Terminal escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and two-byte escapes.
_ANSI_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)


def normalize(text: str, max_len: int) -> str:
    """Fold ``text`` into :data:`CHARSET` and cut it to at most ``max_len`` characters.

    Why: model output arrives with typographic punctuation, emoji, stray control characters and even
    colour escapes; a ``Text`` space rejects all of them, and players should read exactly what the rules
    parsed. Typographic characters get ASCII stand-ins, accented letters lose their accents (NFKD), terminal
    escapes are removed whole (so no ``[31m`` debris is left), everything else outside the charset is
    dropped. Never raises on a string; ``max_len`` must be >= 0.
    """
    if max_len < 0:
        raise ValueError(f"max_len must be >= 0, got {max_len}")
    if not isinstance(text, str):
        raise TypeError(f"normalize expects str, got {type(text).__name__}")
    text = _ANSI_RE.sub("", text)
    text = _REPLACE_RE.sub(lambda match: _REPLACEMENTS[match.group(0)], text)
    text = _SPACES_RE.sub(" ", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = _REPLACE_RE.sub(lambda match: _REPLACEMENTS[match.group(0)], text)
    text = "".join(char for char in text if char in _CHARSET_SET)
    return text[:max_len]


def tail(text: str, max_len: int, marker: str = "...\n") -> str:
    """Keep the END of ``text`` within ``max_len`` characters, prefixed by ``marker`` when cut.

    Why: a dialogue prompt that outgrows its space should lose its oldest lines, not the latest move.
    """
    if max_len < 0:
        raise ValueError(f"max_len must be >= 0, got {max_len}")
    if len(text) <= max_len:
        return text
    if max_len <= len(marker):
        return text[len(text) - max_len :]
    return marker + text[len(text) - (max_len - len(marker)) :]


def text_space(max_length: int) -> Text:
    """A ``Text`` space over :data:`CHARSET` that also accepts the empty string.

    Why: the gymnasium default (letters and digits, ``min_length=1``) rejects every real sentence and an
    empty reply, both of which a text game must accept as observations or (possibly invalid) moves.
    """
    if max_length < 1:
        raise ValueError(f"max_length must be >= 1, got {max_length}")
    from gymnasium.spaces import Text  # lazy: the pure rules use normalize() without gymnasium

    return Text(max_length=max_length, min_length=0, charset=CHARSET)


# string.printable minus \r \x0b \x0c: kept as a self-check of the definition above.
if set(CHARSET) != set(string.printable) - {"\r", "\x0b", "\x0c"}:  # pragma: no cover
    raise RuntimeError("CHARSET drifted from printable ASCII + tab + newline")
