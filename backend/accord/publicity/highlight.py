"""The review page's highlighting: a text with the spans ``identifiers_in`` found marked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class Span(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def highlighted(text: str, spans: Iterable[Span]) -> SafeString:
    """``text`` escaped, each span in ``<mark data-kind=…>`` (overlaps: the first wins)."""
    parts: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < position:
            continue
        parts.append(escape(text[position : span.start]))
        parts.append(
            f'<mark class="masked" data-kind="{escape(span.kind)}">'
            f"{escape(text[span.start : span.end])}</mark>"
        )
        position = span.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece is escaped above)
