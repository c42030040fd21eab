"""Text normalisation shared by training and inference.

The training postings come from two pipelines that format text differently: the EMSCAD fraud rows
keep HTML-stripping joins ("our kitchen.Duties include") and typographic quotes, the DIFrauD
rows do not. A model fed raw text learns which pipeline a posting went through instead of whether
it is a scam, so both training and inference see text with those differences removed.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": "",
        "\u00a0": " ",
    }
)
# "kitchen.Duties" / "shifts:Serve" / "staffFriendly": words glued by HTML stripping.
_GLUED_PUNCT = re.compile(r"(?<=[a-z0-9\)])([.:;!?,])(?=[A-Z])")
_GLUED_CASE = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_SPACES = re.compile(r"\s+")
# Bullets and decorative symbols carry list formatting, not meaning.
_DECORATION = re.compile(r"[\u2022\u00b7\u25e6\u25aa\u25cf\u2023\u2043\u25a0\u25a1\u27a2\u2713\u2714*|#]+")

WORD_PATTERN = re.compile(r"(?u)\b\w\w+\b")


def normalise(text: str) -> str:
    """Lower-cased, source-neutral text the classifier sees."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _GLUED_PUNCT.sub(r"\1 ", text)
    text = _GLUED_CASE.sub(" ", text)
    text = _DECORATION.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()


def words(normalised: str) -> list[str]:
    return WORD_PATTERN.findall(normalised)
