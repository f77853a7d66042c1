"""The rules on synthetic data (no database): the tails, a planted surge, a year of steady
Poisson noise, a planted group of near-duplicate applications, a mixed background."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from accord.alerts.detection import (
    CaseRecord,
    GroupParams,
    SurgeParams,
    detect_groups,
    detect_surges,
    jaccard,
    negbin_sf,
    poisson_sf,
    product_key,
    shingles,
    surge_test,
)

START = date(2025, 1, 1)


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's sampler, independent of the code under test."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def test_poisson_tail_matches_direct_sums() -> None:
    assert poisson_sf(0, 3.0) == 1.0
    assert math.isclose(poisson_sf(1, 1.0), 1 - math.exp(-1), rel_tol=1e-12)
    direct = 1 - sum(math.exp(-2.0) * 2.0**i / math.factorial(i) for i in range(10))
    assert math.isclose(poisson_sf(10, 2.0), direct, rel_tol=1e-9)
    # Far in the tail, where 1 - CDF would be lost to rounding.
    tail = poisson_sf(200, 100.0)
    assert 0 < tail < 1e-15


def test_negative_binomial_tail_matches_direct_sums_and_tends_to_poisson() -> None:
    r, q = 4.0, 0.8

    def pmf(i: int) -> float:
        return math.comb(i + 3, i) * q**r * (1 - q) ** i  # r = 4: C(i + r - 1, i)

    assert math.isclose(negbin_sf(3, r, q), 1 - sum(pmf(i) for i in range(3)), rel_tol=1e-9)
    assert math.isclose(negbin_sf(12, r, q), 1 - sum(pmf(i) for i in range(12)), rel_tol=1e-6)
    # A baseline a hundred times longer than the window: close to Poisson of the same mean.
    lam, big = 5.0, 1e6
    assert math.isclose(negbin_sf(12, big, big / (big + lam)), poisson_sf(12, lam), rel_tol=1e-3)


def test_product_key_and_shingles_normalize() -> None:
    assert product_key(" 稳盈 １号 Plus ") == product_key("稳盈1号plus")
    assert shingles("A B，c") == shingles("abc") == frozenset({"abc"})
    assert jaccard(shingles("今天天气很好"), shingles("今天天气很好")) == 1.0
    assert jaccard(frozenset(), frozenset()) == 0.0


def test_surge_rule_needs_both_the_tail_and_the_minimum_count() -> None:
    params = SurgeParams()
    # Empty baseline: the floor rate (0.05 a day, 0.35 a week) stands in for it.
    assert not surge_test(4, 0, params).alarm  # too few
    assert surge_test(8, 0, params).alarm
    quiet = surge_test(20, 84 * 3, params)  # 21 expected
    assert not quiet.alarm
    assert math.isclose(quiet.expected, 21.0)
    assert surge_test(45, 84 * 3, params).alarm


def steady_series(seed: int, days: int, rates: list[float]) -> list[CaseRecord]:
    rng = random.Random(seed)
    records: list[CaseRecord] = []
    case_id = 0
    for offset in range(days):
        day = START + timedelta(days=offset)
        for series, lam in enumerate(rates):
            for _ in range(poisson(rng, lam)):
                case_id += 1
                records.append(
                    CaseRecord(
                        case_id=case_id,
                        day=day,
                        region="上海市" if series % 2 else "北京市",
                        respondent_id=series + 1,
                        product=f"产品{series % 3}",
                        business_type="loan" if series < 3 else "deposit",
                        text=f"背景{case_id}",
                    )
                )
    return records


def test_steady_noise_over_a_simulated_year_raises_nothing() -> None:
    params = SurgeParams()
    warmup = params.baseline_days + params.window_days
    rates = [0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    records = steady_series(seed=20261208, days=warmup + 365, rates=rates)
    raised = []
    for offset in range(warmup, warmup + 365):
        raised += detect_surges(records, today=START + timedelta(days=offset), params=params)
    assert raised == []


def test_planted_surge_is_found_within_the_window() -> None:
    params = SurgeParams()
    warmup = params.baseline_days + params.window_days
    records = steady_series(seed=7, days=warmup + 60, rates=[1.0, 2.0, 3.0])
    # Series 2 (respondent 2, 上海市, 产品1, loan; 2 a day) gets 30 more cases from day
    # warmup + 30 on, six a day for five days.
    next_id = max(r.case_id for r in records) + 1
    planted = []
    for n in range(30):
        day = START + timedelta(days=warmup + 30 + n // 6)
        planted.append(CaseRecord(next_id + n, day, "上海市", 2, "产品1", "loan", "planted"))
    records += planted
    first_alarm = None
    for offset in range(warmup, warmup + 60):
        today = START + timedelta(days=offset)
        found = [
            f
            for f in detect_surges(records, today=today, params=params)
            if f.series[:3] == ("institution", "上海市", 2)
        ]
        if offset < warmup + 30:
            assert found == [], today
        elif found and first_alarm is None:
            first_alarm = offset
            assert {p.case_id for p in planted if p.day <= today} <= set(found[0].case_ids)
            assert found[0].test.observed > found[0].test.expected
    assert first_alarm is not None
    # Found while the surge is under way, within the window.
    assert first_alarm - (warmup + 30) < params.window_days


COMPLAINT = (
    "本人于今年三月在贵行网点购买稳盈一号理财产品，销售人员承诺保本保收益，"
    "但未告知产品风险等级，到期后本金亏损百分之三十，请求贵行赔偿全部本金损失。"
)

PHRASES = [
    "信用卡被盗刷后银行拒绝退款",
    "贷款提前还款被收取高额违约金",
    "保险理赔被以既往症为由拒绝",
    "基金定投扣款失败未通知",
    "存款到期自动转存利率降低",
    "手机银行转账延迟到账",
    "车险定损金额明显偏低",
    "理财经理私自代客操作",
    "分期手续费未事先说明",
    "征信记录出现不实逾期",
    "催收电话骚扰家人同事",
    "证券账户交易系统故障",
    "信托产品到期无法兑付",
    "融资租赁合同条款不公",
    "担保公司收取额外费用",
    "支付账户被无故冻结",
]

DETAILS = [
    "多次投诉未获答复",
    "客服称需等待总行审批",
    "网点经理拒绝提供录音录像",
    "合同文本与宣传材料不一致",
    "已向监管部门反映",
    "对方要求签署免责声明",
    "损失包括利息和交通费",
    "事发时本人在外地出差",
    "家中老人不懂手机操作",
    "要求书面说明处理结果",
    "银行流水显示两笔异常",
    "对方承认系统存在缺陷",
]


def background(rng: random.Random, n: int, first_id: int, respondent: int) -> list[CaseRecord]:
    out = []
    for i in range(n):
        text = "，".join(
            [rng.choice(PHRASES), rng.choice(DETAILS), rng.choice(PHRASES), rng.choice(DETAILS)]
        )
        text += f"，涉及金额{rng.randint(1000, 99999)}元。"
        day = START + timedelta(days=rng.randint(0, 13))
        out.append(CaseRecord(first_id + i, day, "上海市", respondent, "", "other", text))
    return out


def near_duplicate(rng: random.Random, base: str) -> str:
    """The same complaint retyped: a few characters changed, an amount and a date added."""
    chars = list(base)
    for _ in range(2):
        chars[rng.randrange(len(chars))] = "某"
    return "".join(chars) + f"金额{rng.randint(10, 99)}万元。"


def test_planted_group_is_clustered_and_the_background_is_not() -> None:
    rng = random.Random(11)
    records = background(rng, 60, 1, respondent=1)
    planted = [
        CaseRecord(
            1000 + i,
            START + timedelta(days=3 + i % 5),
            "上海市",
            1,
            "稳盈 一号",
            "wealth_management",
            near_duplicate(rng, COMPLAINT),
        )
        for i in range(7)
    ]
    # The same complaint against another respondent is another matter.
    elsewhere = [
        CaseRecord(2000 + i, START + timedelta(days=4), "上海市", 2, "", "other", COMPLAINT)
        for i in range(3)
    ]
    today = START + timedelta(days=13)
    found = detect_groups(records + planted + elsewhere, today=today)
    assert len(found) == 1
    group = found[0]
    assert group.case_ids == tuple(r.case_id for r in planted)
    assert group.respondent_id == 1
    assert group.product_key == product_key("稳盈一号")
    assert group.least_similarity >= GroupParams().threshold
    assert detect_groups(records, today=today) == []


def test_group_needs_the_same_product_when_both_name_one_and_a_short_time() -> None:
    rng = random.Random(5)
    texts = [near_duplicate(rng, COMPLAINT) for _ in range(6)]
    mixed = [
        CaseRecord(i, START, "", 1, "产品A" if i % 2 else "产品B", "", text)
        for i, text in enumerate(texts)
    ]
    assert detect_groups(mixed, today=START) == []
    same = [CaseRecord(i, START, "", 1, "产品A", "", t) for i, t in enumerate(texts)]
    assert len(detect_groups(same, today=START)) == 1
    # Outside the window of 14 days: not a group any more.
    assert detect_groups(same, today=START + timedelta(days=14)) == []
