"""Anonymization rules for publishing closed cases (issue 15, R14/R18).

Pure Python, no database. ``anonymize(text, names=...)`` masks the personal identifiers that
``identifiers_in`` finds; the rules, replacements and known limits are documented in
``docs/anonymization.md`` (one section per kind).

The text is first mapped character by character to a *normalized* text of the same length:
full-width digits, letters and punctuation become ASCII (NFKC of that one character), every kind
of space (U+3000 included) becomes ``" "`` and dash variants become ``"-"``. The rules run on
the normalized text and allow single separators inside numbers and names, so an offset in the
normalized text IS the offset in the original text, and ``Masked.start``/``end`` point into the
original.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "KINDS",
    "Anonymized",
    "Masked",
    "anonymize",
    "identifiers_in",
    "mask_name",
    "normalize",
]

KINDS = (
    "name",
    "id_number",
    "phone",
    "bank_account",
    "plate",
    "email",
    "address",
    "birth_date",
)

STAR = "＊"
CROSS = "×"
ADDRESS_MASK = CROSS * 2


@dataclass(frozen=True)
class Masked:
    """One masked span of the ORIGINAL text: ``text[start:end]`` becomes ``replacement``."""

    kind: str
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Anonymized:
    text: str
    spans: tuple[Masked, ...]


# --- normalization ------------------------------------------------------------------------------

_DASHES = frozenset("‐‑‒–−﹣－")
_NORM_CACHE: dict[str, str] = {}


def _norm_char(ch: str) -> str:
    cached = _NORM_CACHE.get(ch)
    if cached is not None:
        return cached
    if ch in "\n\r":
        out = ch
    elif ch.isspace():
        out = " "
    elif ch in _DASHES:
        out = "-"
    else:
        folded = unicodedata.normalize("NFKC", ch)
        out = folded if len(folded) == 1 else ch
        if out.isspace() and out not in "\n\r":
            out = " "
        elif out in _DASHES:
            out = "-"
    _NORM_CACHE[ch] = out
    return out


def normalize(text: str) -> str:
    """``text`` with one normalized character per original character (same length)."""
    return "".join(_norm_char(ch) for ch in text)


# --- checks ---------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id18_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an 18-digit resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def valid_id18(digits: str) -> bool:
    if len(digits) != 18 or not digits[:17].isdigit() or digits[0] == "0":
        return False
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    if not 1900 <= year <= 2099 or not _valid_date(year, month, day):
        return False
    return id18_check_digit(digits[:17]) == digits[17].upper()


def valid_id15(digits: str) -> bool:
    if len(digits) != 15 or not digits.isdigit() or digits[0] == "0":
        return False
    return _valid_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_MOBILE = re.compile(r"1[3-9]\d{9}")


def _mobile(digits: str) -> bool:
    for prefix in ("0086", "86", ""):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix) :]):
            return True
    return False


# --- contexts -------------------------------------------------------------------------------------

_CONTEXT_WINDOW = 16
_CONTEXT_STOP = re.compile(r"[。;!?\n,]")
_ID_CONTEXT = re.compile(r"身份证|证件号|身份号码|公民身份|证件号码")
_ACCOUNT_CONTEXT = re.compile(r"卡号|账号|帐号|账户|帐户|银行卡|尾号|银行账|收款账|借记卡|信用卡")
_PHONE_CONTEXT = re.compile(r"电话|手机|座机|联系方式|号码|致电|拨打|来电|传真|tel|Tel|TEL")


def _window(norm: str, start: int) -> str:
    before = norm[max(0, start - _CONTEXT_WINDOW) : start]
    stops = list(_CONTEXT_STOP.finditer(before))
    return before[stops[-1].end() :] if stops else before


# --- numbers (IDs, phones, bank cards and accounts) -----------------------------------------------

_SEP = r"[ \-]{0,2}"
_RUN = re.compile(
    rf"(?<![0-9A-Za-z])(?<![0-9A-Za-z]-)[0-9](?:{_SEP}[0-9])*(?:{_SEP}[Xx])?(?![0-9A-Za-z])"
)
_PART = re.compile(r"[0-9Xx]+")
_PAREN_LANDLINE = re.compile(
    r"(?<![0-9])\(\s?0[1-9][0-9]{1,2}\s?\)\s?[2-9][0-9]{2,3}[ \-]?[0-9]{4}"
    r"(?:\s?(?:-|转|分机|ext\.?)\s?[0-9]{1,6})?(?![0-9])"
)
_EXTENSION = re.compile(r"\s?(?:-|转|分机|ext\.?)\s?[0-9]{1,6}(?![0-9])")


def _classify(parts: list[str], norm: str, start: int) -> str | None:
    digits = "".join(parts)
    plain = digits.isdigit()
    if len(digits) == 18 and valid_id18(digits):
        return "id_number"
    if len(digits) == 15 and valid_id15(digits):
        return "id_number"
    if plain and _mobile(digits):
        return "phone"
    if plain and 16 <= len(digits) <= 19 and luhn_ok(digits):
        return "bank_account"
    window = _window(norm, start)
    if _ID_CONTEXT.search(window) and (
        (len(digits) == 18 and digits[:17].isdigit()) or (len(digits) == 15 and plain)
    ):
        return "id_number"
    if plain and _ACCOUNT_CONTEXT.search(window) and 10 <= len(digits) <= 30:
        return "bank_account"
    if plain and digits[0] == "0" and digits[1:2] not in ("", "0"):
        local = len(digits) - len(parts[0])
        split_area = len(parts) >= 2 and 3 <= len(parts[0]) <= 4 and 7 <= local <= 8
        if split_area or (_PHONE_CONTEXT.search(window) and 10 <= len(digits) <= 12):
            return "phone"
    return None


def _number_spans(norm: str, text: str) -> Iterator[Masked]:
    for m in _PAREN_LANDLINE.finditer(norm):
        yield _starred("phone", text, norm, m.start(), m.end())
    for run in _RUN.finditer(norm):
        parts = list(_PART.finditer(norm, run.start(), run.end()))
        i = 0
        while i < len(parts):
            for j in range(len(parts), i, -1):
                start, end = parts[i].start(), parts[j - 1].end()
                kind = _classify([p.group() for p in parts[i:j]], norm, start)
                if kind is None:
                    continue
                if kind == "phone":
                    if start >= 1 and norm[start - 1] == "+":
                        start -= 1
                    if j == len(parts) or j == len(parts) - 1:
                        ext = _EXTENSION.match(norm, end)
                        landline = norm[parts[i].start()] == "0"
                        if ext and landline and sum(len(p.group()) for p in parts[i:j]) <= 12:
                            end = ext.end()
                yield _starred(kind, text, norm, start, end)
                i = j
                break
            else:
                i += 1


_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _starred(kind: str, text: str, norm: str, start: int, end: int) -> Masked:
    replacement = "".join(
        STAR if norm[k] in _ALNUM else text[k] for k in range(start, end)
    )  # separators, brackets and "+" stay readable
    return Masked(kind, start, end, replacement)


# --- e-mail, plates ------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,63})"
    r" ?@ ?[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62})(?:\.[A-Za-z0-9\-]{1,63})*\.[A-Za-z]{2,24}"
    r"(?![A-Za-z])"
)
EMAIL_MASK = f"{STAR * 3}@{STAR * 3}"

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_SEP = r"[ ·・.\-]?"
_PLATE = re.compile(
    rf"(?P<head>[{PROVINCES}]{_PLATE_SEP}[A-Za-z]){_PLATE_SEP}"
    rf"(?P<tail>[A-Za-z0-9](?: ?[A-Za-z0-9]){{4,5}})(?![A-Za-z0-9])"
)


def _email_spans(norm: str) -> Iterator[Masked]:
    for m in _EMAIL.finditer(norm):
        yield Masked("email", m.start(), m.end(), EMAIL_MASK)


def _plate_spans(norm: str, text: str) -> Iterator[Masked]:
    for m in _PLATE.finditer(norm):
        tail = m.group("tail")
        if not any(c.isdigit() for c in tail):
            continue
        yield _starred("plate", text, norm, m.start("tail"), m.end("tail"))


# --- dates of birth -------------------------------------------------------------------------------

_CN_DIGIT = "〇○零一二三四五六七八九"
_CN_SMALL = "一二三四五六七八九十"
_DATE = (
    r"(?:[0-9]{4} ?[年./\-] ?[0-9]{1,2} ?[月./\-] ?[0-9]{1,2} ?[日号]?"
    r"|[0-9]{4} ?年 ?[0-9]{1,2} ?月"
    r"|[0-9]{4} ?[./\-] ?[0-9]{1,2}(?![0-9./\-])"
    r"|(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?![0-9])"
    rf"|[{_CN_DIGIT}]{{4}}年[{_CN_SMALL}]{{1,3}}月(?:[{_CN_SMALL}]{{1,3}}[日号])?)"
)
_BIRTH_BEFORE = re.compile(
    r"(?:出生日期|出生年月日|出生年月|出生于|出生|(?<![先学医])生于|(?<![先学医])生日)"
    rf"[:为是于 ]{{0,3}}(?P<date>{_DATE})"
)
_BIRTH_AFTER = re.compile(rf"(?<![0-9])(?P<date>{_DATE}) ?(?:出生|生(?=[,，。;；、 )）]|$))")


def _birth_spans(norm: str) -> Iterator[Masked]:
    for pattern in (_BIRTH_BEFORE, _BIRTH_AFTER):
        for m in pattern.finditer(norm):
            start, end = m.start("date"), m.end("date")
            replacement = "".join(
                CROSS if (c.isdigit() or c in _CN_DIGIT or c in _CN_SMALL) else c
                for c in norm[start:end]
            )
            yield Masked("birth_date", start, end, replacement)


# --- addresses below the district level -----------------------------------------------------------

_CJK = r"[\u4e00-\u9fff]"
_NOT_ORG = r"(?!法院|银行|公司|支行|分行|委员会|调解|中心|政府|派出所|检察院|仲裁|办事处|营业)"
_ADMIN = (
    rf"{_CJK}{{1,8}}?(?:省|自治区|特别行政区|市|自治州|地区|盟|区|县|旗)(?<![小社园景校厂营]区)"
)
_ADDR_CJK_UNIT = (
    r"(?:街道|大街|大道|路|街|巷|胡同|弄|镇|乡|村|社区|小区|花园|公寓|大厦|家园|新村|苑|组|庄)"
)
_ADDR_NUM_UNIT = r"(?:号院|号楼|号|弄|栋|幢|座|楼|层|单元|室|户|组|排)"
_ADDR_COMPONENT = (
    rf"(?:(?:{_NOT_ORG}(?![省市区县旗]){_CJK}){{1,8}}?{_ADDR_CJK_UNIT}"
    rf"|[0-9A-Za-z](?:[0-9A-Za-z\-]{{0,8}}){_ADDR_NUM_UNIT}"
    rf"|[{_CN_SMALL}]{{1,3}}{_ADDR_NUM_UNIT}|[0-9]{{1,6}}(?![0-9])|[-#])"
)
_ADDR_TAIL = rf"(?:{_ADDR_COMPONENT} ?)*{_ADDR_COMPONENT}"
_ADDRESS_ADMIN = re.compile(
    rf"(?P<keep>(?:{_ADMIN})+?(?:{_CJK}{{1,6}}?(?:区|县|旗|市)))(?P<tail>{_ADDR_TAIL})"
    r"(?!支行|分行|营业部|分理处|分公司|公司|法院|派出所|营业厅|网点|银行|政府|委员会)"
)
_ADDRESS_CONTEXT = re.compile(
    r"(?:住址|住所地|住所|地址|现住|家住|户籍地|户籍所在地|居住地|经常居住地|住)[:为在于 ]{0,2}"
    rf"(?:(?:{_ADMIN})*)(?P<tail>{_ADDR_TAIL})"
)
_ORG_AFTER = re.compile(r"支行|分行|营业部|分理处|分公司|公司|法院|派出所|营业厅|网点|银行")


def _address_spans(norm: str) -> Iterator[Masked]:
    for pattern in (_ADDRESS_ADMIN, _ADDRESS_CONTEXT):
        for m in pattern.finditer(norm):
            start, end = m.start("tail"), m.end("tail")
            while end > start and norm[end - 1] in " -#":
                end -= 1
            if end <= start or _ORG_AFTER.match(norm, end):
                continue
            tail = norm[start:end]
            if not re.search(rf"{_ADDR_CJK_UNIT}|{_ADDR_NUM_UNIT}", tail):
                continue
            yield Masked("address", start, end, ADDRESS_MASK)


# --- names of natural persons --------------------------------------------------------------------


def _words(spaced: str) -> tuple[str, ...]:
    return tuple(spaced.split())


COMPOUND_SURNAMES = _words(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 "
    "南宫 西门 百里 呼延 申屠 澹台 太史 闻人 万俟 钟离 宗政 濮阳 公冶 赫连 拓跋 第五 左丘"
)
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_ROLE_WORDS = _words(
    "被申请人 申请人 委托代理人 诉讼代理人 代理人 法定代表人 法定代理人 负责人 联系人 经办人 "
    "客户经理 客户 证人 配偶 之子 之女 之父 之母 之妻 之夫 妻子 丈夫 儿子 女儿 父亲 母亲 "
    "原告 被告 第三人 借款人 出借人 担保人 保证人 共同借款人 债务人 债权人 持卡人 户主 "
    "当事人 业务员 催收员 员工 职员 经理 监护人 继承人 受益人 投保人 被保险人 收款人 付款人"
)
_ROLE = "|".join(sorted(_ROLE_WORDS, key=len, reverse=True))
_NAME_CONTEXT = re.compile(rf"(?:{_ROLE})(?:[:(（)） ]{{0,2}}(?:为|系|是)?[: ]{{0,2}})")
_HONORIFIC = re.compile(r" ?(?:先生|女士|同志|小姐)")
_TITLES = _words(
    "某 律师 先生 女士 同志 小姐 经理 老师 法官 主任 行长 总经理 总 医生 师傅 阿姨 大爷 警官 "
    "科长 处长 局长 部长 调解员 书记员 员工 等人"
)
_BOUNDARY_WORDS = _words(
    "先生 女士 同志 小姐 称 诉 与 和 及 向 于 在 因 的 等 为 系 是 所 未 已 将 自 对 通过 签 "
    "申请 请求 表示 认为 同意 主张 陈述 提出 提交 确认 名下 持有 之 共同 出生 男 女 也 均 "
    "就 从 到 由 把 被 还 又 曾 并 即 应 无 不 没 只 仅 作为 现 住 户籍 身份证 电话 手机 联系"
)
_ORG_SUFFIX = re.compile(
    r"公司|银行|支行|分行|集团|有限|股份|商店|商行|中心|合作社|医院|学校|大学|委员会|事务所|"
    r"律所|协会|基金|保险|证券|信托|小贷|贷款|担保|工作室|经营部|门市|厂|店|局|所|院|处|部|社|会"
)
_PUNCT = frozenset(",，。;；:：、!！?？()（）[]【】《》<>\"'“”‘’…—\n\r\t")
_NON_NAME_CHARS = frozenset("某" + "".join(_PUNCT) + " ")


_FUNCTION_CHARS = "向和于与及给对由请的"


def mask_name(name: str) -> str:
    """张三 → 张某, 王小明 → 王某某, 欧阳明华 → 欧阳某某 (one 某 per given character, at most 2)."""
    compact = "".join(c for c in normalize(name) if not c.isspace())
    surname = compact[:2] if compact[:2] in COMPOUND_SURNAMES else compact[:1]
    given = max(1, min(2, len(compact) - len(surname)))
    return surname + "某" * given


def _surname_at(norm: str, i: int) -> int:
    """The length of the surname starting at ``i`` (0 when none)."""
    if norm[i : i + 2] in COMPOUND_SURNAMES:
        return 2
    return 1 if i < len(norm) and norm[i] in SURNAMES else 0


def _given_chars(norm: str, i: int, count: int) -> tuple[int, bool] | None:
    """End of ``count`` given characters from ``i`` (single spaces allowed before each)."""
    spaced = False
    for _ in range(count):
        if i < len(norm) and norm[i] == " ":
            i += 1
            spaced = True
        if i >= len(norm) or not _is_cjk(norm[i]) or norm[i] in _NON_NAME_CHARS:
            return None
        i += 1
    return i, spaced


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _bounded(norm: str, end: int, *, spaced: bool) -> bool:
    if end >= len(norm):
        return True
    ch = norm[end]
    if ch in _PUNCT or not (_is_cjk(ch) or ch == " "):
        return True
    if ch == " ":
        return not spaced or _bounded(norm, end + 1, spaced=False)
    return any(norm.startswith(w, end) for w in _BOUNDARY_WORDS)


def _is_org(norm: str, end: int) -> bool:
    rest = norm[end : end + 12]
    for idx, ch in enumerate(rest):
        if ch in _PUNCT or any(
            rest.startswith(w, idx) for w in ("与", "和", "及", "诉", "向", "的")
        ):
            rest = rest[:idx]
            break
    return bool(_ORG_SUFFIX.search(rest))


def _name_at(norm: str, i: int) -> int | None:
    """The end of a person's name starting at ``i`` found by its context, or None."""
    if i < len(norm) and norm[i] == " ":
        i += 1
    sl = _surname_at(norm, i)
    if not sl:
        return None
    after = i + sl
    if after < len(norm) and norm[after] == " ":
        after += 1
    if any(norm.startswith(t, after) for t in _TITLES):
        return None
    one = _given_chars(norm, i + sl, 1)
    two = _given_chars(norm, i + sl, 2)
    if one is None:
        return None
    choice: int | None = None
    if _bounded(norm, one[0], spaced=one[1]):
        choice = one[0]
    if two is not None and (choice is None or _two_beats_one(norm, one[0], two[0])):
        choice = two[0]
    if choice is None:
        choice = two[0] if two is not None else one[0]
    if _is_org(norm, choice):
        return None
    return choice


def _two_beats_one(norm: str, one_end: int, two_end: int) -> bool:
    """When the one-character reading is bounded, the two-character one wins only when the
    character after the first given one is not a boundary word and the longer reading is bounded
    too (王小明， reads 王小明; 张三称， reads 张三)."""
    return not any(norm.startswith(w, one_end) for w in _BOUNDARY_WORDS) and _bounded(
        norm, two_end, spaced=False
    )


def _context_names(norm: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for m in _NAME_CONTEXT.finditer(norm):
        i = m.end()
        while True:
            end = _name_at(norm, i)
            if end is None:
                break
            start = i + 1 if norm[i] == " " else i
            found.append((start, end))
            if end < len(norm) and norm[end] in "、,":
                i = end + 1
                continue
            break
    for m in _HONORIFIC.finditer(norm):
        end = m.start()
        for length in (4, 3, 2):
            start = end - length
            if start < 0:
                continue
            cand = norm[start:end]
            if any(not _is_cjk(c) or c in _NON_NAME_CHARS for c in cand):
                continue
            sl = _surname_at(norm, start)
            if (
                sl
                and 1 <= length - sl <= 2
                and not (length - sl == 2 and cand[0] in "向和于与及给对由请的")
            ):
                found.append((start, end))
                break
    return found


def _name_pattern(name: str) -> re.Pattern[str] | None:
    compact = "".join(c for c in normalize(name) if not c.isspace())
    if len(compact) < 2 or _ORG_SUFFIX.search(compact[-3:]):
        return None
    return re.compile(" ?".join(re.escape(c) for c in compact))


def _name_spans(norm: str, names: Iterable[str]) -> Iterator[Masked]:
    known: dict[str, str] = {}
    for name in names:
        compact = "".join(c for c in normalize(name) if not c.isspace())
        if compact:
            known[compact] = mask_name(compact)
    context = _context_names(norm)
    for compact in sorted(known, key=len, reverse=True):
        pattern = _name_pattern(compact)
        if pattern is None:
            continue
        for m in pattern.finditer(norm):
            yield Masked("name", m.start(), m.end(), known[compact])
    found: dict[str, str] = {}
    for start, end in context:
        compact = norm[start:end].replace(" ", "")
        found.setdefault(compact, known.get(compact) or mask_name(compact))
        yield Masked("name", start, end, found[compact])
    # a name found by its context is masked wherever else it occurs
    for compact in sorted(found, key=len, reverse=True):
        pattern = _name_pattern(compact)
        if pattern is None:
            continue
        for m in pattern.finditer(norm):
            yield Masked("name", m.start(), m.end(), found[compact])


# --- assembly ----------------------------------------------------------------------------------


def identifiers_in(text: str, *, names: Iterable[str] = ()) -> tuple[Masked, ...]:
    """What ``anonymize`` masks in ``text``: non-overlapping spans in text order.

    Where two rules claim overlapping characters, the earlier kind wins in this order: e-mail,
    numbers (ID, bank, phone), plate, date of birth, address, name.
    """
    norm = normalize(text)
    candidates: list[Masked] = [
        *_email_spans(norm),
        *_number_spans(norm, text),
        *_plate_spans(norm, text),
        *_birth_spans(norm),
        *_address_spans(norm),
        *_name_spans(norm, names),
    ]
    taken: list[Masked] = []
    claimed = bytearray(len(text))
    for span in candidates:
        if span.end <= span.start or any(claimed[span.start : span.end]):
            continue
        claimed[span.start : span.end] = b"\x01" * (span.end - span.start)
        taken.append(span)
    return tuple(sorted(taken, key=lambda s: s.start))


def anonymize(text: str, *, names: Iterable[str] = ()) -> Anonymized:
    """``text`` with every identifier masked by the documented rules."""
    spans = identifiers_in(text, names=names)
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(text[pos : span.start])
        out.append(span.replacement)
        pos = span.end
    out.append(text[pos:])
    return Anonymized(text="".join(out), spans=spans)
