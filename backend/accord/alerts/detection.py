"""The early-warning rules on plain data (no ORM), so that they can be run on synthetic series.

Two rules, documented with their parameters and false-alarm rates in ``docs/early-warning.md``:

- **surge**: for each series (an institution, an institution and one of its products, a business
  type; each within one region), the count of cases in the window of ``window_days`` days ending
  today against the series' own rate over the ``baseline_days`` days before the window. The
  count is compared with a Poisson law of mean ``window_days * max(rate, floor_per_day)``; the
  series alarms when the upper tail ``P(X >= observed)`` is below ``alpha`` and at least
  ``min_count`` cases were observed.
- **group dispute** (群体性纠纷): the applications of the last ``window_days`` days against one
  respondent whose texts are near-duplicates (Jaccard similarity of their character 3-gram
  shingles at least ``threshold``, and the same normalized product when both name one) are
  linked; the connected components of at least ``min_size`` applications are clusters.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

# --- Normalization ----------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def product_key(product: str) -> str:
    """A product as compared: NFKC, casefolded, every space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", product).casefold())


def shingles(text: str, size: int = 3) -> frozenset[str]:
    """The set of character ``size``-grams of ``text`` after NFKC, casefolding and removing
    spaces and punctuation (a text shorter than ``size`` is its own single shingle)."""
    normalized = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text).casefold()
        if not ch.isspace() and not unicodedata.category(ch).startswith("P")
    )
    if not normalized:
        return frozenset()
    if len(normalized) <= size:
        return frozenset({normalized})
    return frozenset(normalized[i : i + size] for i in range(len(normalized) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """``|a ∩ b| / |a ∪ b|``; 0 when both are empty."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


# --- Poisson tail -----------------------------------------------------------------------------


def _log_pmf(k: int, lam: float) -> float:
    return -lam + k * math.log(lam) - math.lgamma(k + 1)


def poisson_sf(k: int, lam: float) -> float:
    """``P(X >= k)`` for ``X ~ Poisson(lam)``, accurate far in the tail (summed in log space
    from ``k`` upwards when ``k`` is above the mean, ``1 - P(X < k)`` otherwise)."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k > lam:
        # Terms decrease from k on (ratio lam / (i + 1) < 1): sum until they stop counting.
        first = _log_pmf(k, lam)
        total = 1.0
        term = 1.0
        i = k
        while True:
            i += 1
            term *= lam / i
            total += term
            if term < total * 1e-17:
                break
        return min(1.0, math.exp(first + math.log(total)))
    lower = math.fsum(math.exp(_log_pmf(i, lam)) for i in range(k))
    return max(0.0, 1.0 - lower)


def _log_nb_pmf(k: int, r: float, q: float) -> float:
    return (
        math.lgamma(k + r)
        - math.lgamma(r)
        - math.lgamma(k + 1)
        + r * math.log(q)
        + k * math.log1p(-q)
    )


def negbin_sf(k: int, r: float, q: float) -> float:
    """``P(X >= k)`` for ``X`` negative binomial with ``r`` "successes" and success probability
    ``q``: ``P(X = i) = Γ(i + r) / (Γ(r) i!) q^r (1 - q)^i``, mean ``r (1 - q) / q``. Summed in log
    space from ``k`` upwards above the mean, ``1 - P(X < k)`` otherwise."""
    if k <= 0:
        return 1.0
    if r <= 0 or q >= 1:
        return 0.0
    mean = r * (1 - q) / q
    if k > mean:
        # From k on the terms decrease (ratio (i + r) (1 - q) / (i + 1) < 1 past the mode).
        first = _log_nb_pmf(k, r, q)
        total = 1.0
        term = 1.0
        i = k
        while True:
            term *= (i + r) * (1 - q) / (i + 1)
            i += 1
            total += term
            if term < total * 1e-17:
                break
        return min(1.0, math.exp(first + math.log(total)))
    lower = math.fsum(math.exp(_log_nb_pmf(i, r, q)) for i in range(k))
    return max(0.0, 1.0 - lower)


def poisson_threshold(lam: float, alpha: float) -> int:
    """The least count ``k`` with ``P(X >= k) < alpha`` under ``Poisson(lam)``."""
    k = max(0, math.floor(lam))
    while poisson_sf(k, lam) >= alpha:
        k += 1
    return k


# --- Surges -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurgeParams:
    window_days: int = 7
    baseline_days: int = 84
    alpha: float = 1e-4
    min_count: int = 5
    # The least rate (cases per day) a series is assumed to have: a series with an empty or
    # nearly empty baseline is compared with this instead of zero.
    floor_per_day: float = 0.05

    def as_json(self) -> dict[str, float | int]:
        return {
            "window_days": self.window_days,
            "baseline_days": self.baseline_days,
            "alpha": self.alpha,
            "min_count": self.min_count,
            "floor_per_day": self.floor_per_day,
        }


@dataclass(frozen=True)
class SurgeTest:
    observed: int
    baseline: int
    expected: float
    p_value: float
    alarm: bool


def surge_test(observed: int, baseline: int, params: SurgeParams) -> SurgeTest:
    """The rule on one series: ``observed`` cases in the window, ``baseline`` in the baseline."""
    rate = max(baseline / params.baseline_days, params.floor_per_day)
    expected = rate * params.window_days
    # The window's count is Poisson with a rate only estimated from the baseline: its law given
    # the baseline (a gamma mixture of Poisson laws) is this negative binomial, of mean
    # ``expected`` and variance ``expected * (1 + W / B)`` (docs/early-warning.md).
    shape = rate * params.baseline_days
    q = params.baseline_days / (params.baseline_days + params.window_days)
    p_value = negbin_sf(observed, shape, q)
    alarm = observed >= params.min_count and p_value < params.alpha
    return SurgeTest(observed, baseline, expected, p_value, alarm)


@dataclass(frozen=True)
class CaseRecord:
    """What the rules read of a case."""

    case_id: int
    day: date
    region: str = ""
    respondent_id: int | None = None
    product: str = ""  # as written; compared through product_key()
    business_type: str = ""
    text: str = ""


# A series: (series kind, region, respondent id, business type, product key).
SeriesId = tuple[str, str, int | None, str, str]


def series_of(record: CaseRecord) -> list[SeriesId]:
    """The surge series a case counts in."""
    region = record.region.strip()
    out: list[SeriesId] = []
    if record.respondent_id is not None:
        out.append(("institution", region, record.respondent_id, "", ""))
        key = product_key(record.product)
        if key:
            out.append(("institution_product", region, record.respondent_id, "", key))
    if record.business_type:
        out.append(("business_type", region, None, record.business_type, ""))
    return out


@dataclass(frozen=True)
class SurgeFinding:
    series: SeriesId
    window_start: date
    window_end: date
    test: SurgeTest
    case_ids: tuple[int, ...]  # the cases in the window
    product: str = ""  # the product as first written in the window, for display


def window_bounds(today: date, params: SurgeParams) -> tuple[date, date, date]:
    """(first day of the baseline, first day of the window, today): the window is the
    ``window_days`` days ending today, the baseline the ``baseline_days`` days before it."""
    window_start = today - timedelta(days=params.window_days - 1)
    baseline_start = window_start - timedelta(days=params.baseline_days)
    return baseline_start, window_start, today


def detect_surges(
    records: Iterable[CaseRecord], *, today: date, params: SurgeParams | None = None
) -> list[SurgeFinding]:
    """Every series whose window count alarms, in a stable order. Records outside the baseline
    and window are ignored."""
    params = params or SurgeParams()
    baseline_start, window_start, end = window_bounds(today, params)
    window: dict[SeriesId, list[CaseRecord]] = defaultdict(list)
    baseline: dict[SeriesId, int] = defaultdict(int)
    for record in records:
        if record.day < baseline_start or record.day > end:
            continue
        for series in series_of(record):
            if record.day >= window_start:
                window[series].append(record)
            else:
                baseline[series] += 1
    findings = []
    for series in sorted(window, key=lambda s: tuple(str(part) for part in s)):
        in_window = window[series]
        test = surge_test(len(in_window), baseline.get(series, 0), params)
        if test.alarm:
            product = next((r.product.strip() for r in in_window if r.product.strip()), "")
            findings.append(
                SurgeFinding(
                    series=series,
                    window_start=window_start,
                    window_end=end,
                    test=test,
                    case_ids=tuple(sorted(r.case_id for r in in_window)),
                    product=product if series[0] == "institution_product" else "",
                )
            )
    return findings


# --- Group disputes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupParams:
    window_days: int = 14
    threshold: float = 0.6
    min_size: int = 5
    shingle_size: int = 3

    def as_json(self) -> dict[str, float | int]:
        return {
            "window_days": self.window_days,
            "threshold": self.threshold,
            "min_size": self.min_size,
            "shingle_size": self.shingle_size,
        }


@dataclass(frozen=True)
class GroupFinding:
    respondent_id: int
    product_key: str  # the most frequent product key of the cluster ("" when none is named)
    product: str
    window_start: date
    window_end: date
    case_ids: tuple[int, ...]
    least_similarity: float  # the weakest link that joined the cluster
    regions: tuple[str, ...] = field(default=())


def _products_compatible(a: str, b: str) -> bool:
    return not a or not b or a == b


def detect_groups(
    records: Iterable[CaseRecord], *, today: date, params: GroupParams | None = None
) -> list[GroupFinding]:
    """The clusters of near-duplicate applications of the last ``window_days`` days against one
    respondent (single linkage: connected components of the near-duplicate graph)."""
    params = params or GroupParams()
    start = today - timedelta(days=params.window_days - 1)
    by_respondent: dict[int, list[CaseRecord]] = defaultdict(list)
    for record in records:
        if record.respondent_id is None or not (start <= record.day <= today):
            continue
        by_respondent[record.respondent_id].append(record)
    findings: list[GroupFinding] = []
    for respondent_id in sorted(by_respondent):
        items = sorted(by_respondent[respondent_id], key=lambda r: r.case_id)
        if len(items) < params.min_size:
            continue
        findings.extend(_clusters(respondent_id, items, start, today, params))
    return findings


def _clusters(
    respondent_id: int,
    items: Sequence[CaseRecord],
    start: date,
    today: date,
    params: GroupParams,
) -> list[GroupFinding]:
    sets = [shingles(r.text, params.shingle_size) for r in items]
    keys = [product_key(r.product) for r in items]
    parent = list(range(len(items)))
    weakest: dict[int, float] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: list[tuple[int, int, float]] = []
    for i in range(len(items)):
        size_i = len(sets[i])
        if not size_i:
            continue
        for j in range(i + 1, len(items)):
            size_j = len(sets[j])
            # Jaccard <= min/max of the sizes: skip pairs that cannot reach the threshold.
            if not size_j or min(size_i, size_j) < params.threshold * max(size_i, size_j):
                continue
            if not _products_compatible(keys[i], keys[j]):
                continue
            similarity = jaccard(sets[i], sets[j])
            if similarity >= params.threshold:
                edges.append((i, j, similarity))
    # Strongest links first, so that each component's weakest joining link is the least
    # similarity of its maximum spanning tree.
    for i, j, similarity in sorted(edges, key=lambda e: -e[2]):
        root_i, root_j = find(i), find(j)
        if root_i == root_j:
            continue
        low = min(similarity, weakest.get(root_i, 1.0), weakest.get(root_j, 1.0))
        parent[root_j] = root_i
        weakest[root_i] = low
    components: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        components[find(i)].append(i)
    out = []
    for root, members in components.items():
        if len(members) < params.min_size:
            continue
        named = [keys[m] for m in members if keys[m]]
        key = max(sorted(set(named)), key=named.count) if named else ""
        product = next((items[m].product.strip() for m in members if keys[m] == key and key), "")
        out.append(
            GroupFinding(
                respondent_id=respondent_id,
                product_key=key,
                product=product,
                window_start=start,
                window_end=today,
                case_ids=tuple(sorted(items[m].case_id for m in members)),
                least_similarity=weakest.get(root, 1.0),
                regions=tuple(sorted({items[m].region.strip() for m in members})),
            )
        )
    out.sort(key=lambda f: f.case_ids)
    return out
