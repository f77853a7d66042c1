"""Full-text search of the typical-case library.

Stock PostgreSQL has no Chinese parser, so the library indexes **CJK bigrams**: every run of
CJK characters becomes its overlapping two-character pieces (and its single characters, so a
one-character query finds something), latin words and digit runs become lowercase words. The
pieces, joined by spaces, go through ``to_tsvector('simple', …)`` into
``TypicalCase.search_document`` (a ``tsvector`` column with a GIN index, created on
PostgreSQL only). A query is cut into the same pieces (bigrams only for runs of two
characters or more) and becomes ``plainto_tsquery('simple', …)``: every piece must be present
(AND), so "理财产品" finds the documents holding 理财, 财产 and 产品.

The embedded SQLite database of ``make up`` has no ``tsvector``: there the search falls back
to ``icontains`` on the texts, every word of the query in some text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet, Value

from accord.publicity.models import TypicalCase

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"([{_CJK}]+)|([0-9a-z]+)")

SEARCHED_FIELDS = (
    "title",
    "facts",
    "claims",
    "course",
    "lessons",
    "judgment_facts",
    "judgment_standard",
)


def uses_tsvector() -> bool:
    return connection.vendor == "postgresql"


def _runs(text: str) -> Iterable[tuple[str, bool]]:
    normalized = unicodedata.normalize("NFKC", text).lower()
    for match in _TOKEN.finditer(normalized):
        cjk, word = match.groups()
        if cjk:
            yield cjk, True
        else:
            yield word, False


def document_terms(text: str) -> list[str]:
    """The pieces a document is indexed under: CJK unigrams and bigrams, latin words."""
    terms: list[str] = []
    for run, is_cjk in _runs(text):
        if is_cjk:
            terms.extend(run)
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return terms


def query_terms(text: str) -> list[str]:
    """The pieces a query must all match: bigrams of CJK runs (a lone character as itself)."""
    terms: list[str] = []
    for run, is_cjk in _runs(text):
        if is_cjk and len(run) > 1:
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return list(dict.fromkeys(terms))


def search_vector(text: str) -> SearchVector:
    """The expression that fills ``search_document`` from the document's text."""
    return SearchVector(Value(" ".join(document_terms(text))), config="simple")


def search_filter(queryset: QuerySet[TypicalCase], query: str) -> QuerySet[TypicalCase]:
    """``queryset`` narrowed to the rows matching ``query`` (unchanged for an empty query)."""
    query = query.strip()
    if not query:
        return queryset
    if uses_tsvector():
        terms = query_terms(query)
        if not terms:
            return queryset.none()
        return queryset.filter(
            search_document=SearchQuery(" ".join(terms), config="simple", search_type="plain")
        )
    for word in query.split():
        condition = Q()
        for name in SEARCHED_FIELDS:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
