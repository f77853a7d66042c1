"""Amounts written in Chinese capital numerals (大写金额), as agreements and receipts write them:
``Decimal("1005.50")`` → ``人民币壹仟零伍元伍角``. ``amount_in_words`` is the one writer;
``same_words`` compares what a drafter typed with it (prefix, spaces and a closing 整 after
角 are matters of style, not of the figure)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿", "万亿")
CURRENCY_WORDS = {"CNY": "人民币", "HKD": "港币", "USD": "美元", "EUR": "欧元"}
LIMIT = Decimal(10) ** 16


def _group(value: int) -> str:
    """0 < value < 10000, without the group's unit."""
    out = ""
    zero = False
    for place in range(3, -1, -1):
        digit = value // 10**place % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += DIGITS[0]
            zero = False
        out += DIGITS[digit] + PLACES[place]
    return out


def _integer(value: int) -> str:
    if value == 0:
        return DIGITS[0]
    groups: list[int] = []
    while value:
        groups.append(value % 10000)
        value //= 10000
    out = ""
    gap = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += DIGITS[0]
        out += _group(group) + GROUPS[index]
        gap = False
    return out


def amount_in_words(amount: Decimal, currency: str = "CNY") -> str:
    """``amount`` (non-negative, below 10^16, rounded to the fen) in capital numerals with the
    currency's name first."""
    if amount < 0 or amount >= LIMIT:
        raise ValueError("amount out of range")
    fen_total = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    out = CURRENCY_WORDS.get(currency, "")
    if yuan or not rest:
        out += _integer(yuan) + "元"
    if not rest:
        return out + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    if fen:
        if not jiao and yuan:
            out += DIGITS[0]
        out += DIGITS[fen] + "分"
    return out


def _normal(words: str) -> str:
    text = "".join(words.split()).replace("圆", "元")
    for name in CURRENCY_WORDS.values():
        text = text.removeprefix(name)
    if text.endswith("角整"):
        text = text[:-1]
    return text


def same_words(typed: str, amount: Decimal, currency: str = "CNY") -> bool:
    """Whether ``typed`` writes ``amount`` (the currency's name, when typed, must be its own)."""
    expected = amount_in_words(amount, currency)
    prefix = CURRENCY_WORDS.get(currency, "")
    stripped = "".join(typed.split())
    for other in CURRENCY_WORDS.values():
        if other != prefix and stripped.startswith(other):
            return False
    return _normal(typed) == _normal(expected)
