"""The anonymization rules (issue 15, R14/R18; docs/anonymization.md): every kind of
identifier in realistic Chinese case texts is masked, also when split by spaces or written in
full-width characters; amounts, case numbers, ordinary dates, organizations, public hotlines and
某某 are left alone; a property test embeds generated valid IDs, phones and cards in random
Chinese filler; the ``accord anonymize`` command end to end. Pure Python: no database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.publicity.anonymize import (
    Anonymized,
    Masked,
    anonymize,
    id18_check_digit,
    identifiers_in,
    luhn_ok,
    mask_name,
    normalize,
)

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)

ID_A = "440306198503021237"
ID_X = "11010519491231002X"
CARD = "6222021234567890128"

RECORD = (
    "申请人：张三，男，1985年3月2日出生，汉族，公民身份号码440306198503021237，"
    "住广东省深圳市南山区粤海街道科技园路18号海岸花园6栋1203室，联系电话138 1234 5678。\n"
    "被申请人：中国工商银行股份有限公司深圳南山支行，住所地深圳市南山区南海大道2001号，"
    "负责人：欧阳明华，客服热线95588、400-820-8820。\n"
    "委托代理人王小明，电话(0755)8888-6666转123，电子邮箱 wang.xm@example.com。\n"
    "申请人于2024年5月1日在被申请人处办理信用卡，卡号6222 0212 3456 7890 128，"
    "至2025年1月10日尚欠26000元（案号FMC-2026-00012）。申请人之子李四持有车牌粤B D12345的车辆，"
    "配偶赵丽的身份证号为11010519491231002x，其名下账号 6013 8200 0123 4567 89。"
)


def kinds_of(result: Anonymized) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for span in result.spans:
        out.setdefault(span.kind, []).append(span.replacement)
    return out


def masked_originals(text: str, spans: tuple[Masked, ...], kind: str) -> list[str]:
    return [text[s.start : s.end] for s in spans if s.kind == kind]


def test_a_mediation_record_with_every_kind() -> None:
    result = anonymize(RECORD, names=["张三", "李四"])
    out = result.text
    for secret in (
        "张三",
        "李四",
        "欧阳明华",
        "王小明",
        "赵丽",
        ID_A,
        "11010519491231002x",
        "138 1234 5678",
        "8888-6666",
        "6222 0212 3456 7890 128",
        "6013 8200 0123 4567 89",
        "D12345",
        "wang.xm@example.com",
        "科技园路",
        "1203室",
        "1985年3月2日",
    ):
        assert secret not in out, secret
    assert "申请人：张某，男，××××年×月×日出生" in out
    assert "负责人：欧阳某某" in out
    assert "委托代理人王某某" in out
    assert "住广东省深圳市南山区××，" in out
    assert "粤B ＊＊＊＊＊＊" in out
    assert "电话(＊＊＊＊)＊＊＊＊-＊＊＊＊转＊＊＊" in out
    # left alone: organizations, public hotlines, amounts, case numbers, ordinary dates
    for kept in (
        "中国工商银行股份有限公司深圳南山支行",
        "95588",
        "400-820-8820",
        "26000元",
        "FMC-2026-00012",
        "2024年5月1日",
        "2025年1月10日",
    ):
        assert kept in out, kept
    assert set(kinds_of(result)) == {
        "name",
        "id_number",
        "phone",
        "bank_account",
        "plate",
        "email",
        "address",
        "birth_date",
    }


def test_offsets_point_into_the_original_and_the_output_is_clean() -> None:
    result = anonymize(RECORD, names=["张三", "李四"])
    rebuilt = []
    pos = 0
    for span in result.spans:
        assert pos <= span.start < span.end <= len(RECORD)
        rebuilt.append(RECORD[pos : span.start] + span.replacement)
        pos = span.end
    assert "".join(rebuilt) + RECORD[pos:] == result.text
    assert identifiers_in(result.text, names=["张三", "李四"]) == ()
    assert anonymize(result.text).text == result.text


def test_judgment_facts_split_by_spaces_and_full_width() -> None:
    text = (
        "经审理查明：原告陈 小 红，女，出生日期：一九八五年三月二日，身份证号"
        "４４０３０６１９８５０３０２１２３７，手机　１３９　１２３４　５６７８，"
        "邮箱ｃｈｅｎ＠ｅｘａｍｐｌｅ．ｃｏｍ，车牌京Ａ・１２３４５，"
        "银行卡号６２２２　０２１２　３４５６　７８９０　１２８。"
        "被告刘　强先生于2023年8月向原告借款。"
    )
    result = anonymize(text)
    found = kinds_of(result)
    assert masked_originals(text, result.spans, "name") == ["陈 小 红", "刘　强"]
    assert found["name"] == ["陈某某", "刘某"]
    assert masked_originals(text, result.spans, "id_number") == [
        "４４０３０６１９８５０３０２１２３７"
    ]
    assert masked_originals(text, result.spans, "phone") == ["１３９　１２３４　５６７８"]
    assert masked_originals(text, result.spans, "email") == ["ｃｈｅｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"]
    assert masked_originals(text, result.spans, "plate") == ["１２３４５"]
    assert masked_originals(text, result.spans, "bank_account") == [
        "６２２２　０２１２　３４５６　７８９０　１２８"
    ]
    assert masked_originals(text, result.spans, "birth_date") == ["一九八五年三月二日"]
    assert "2023年8月" in result.text


def test_given_names_with_compound_surnames_and_spaces() -> None:
    assert mask_name("张三") == "张某"
    assert mask_name("王小明") == "王某某"
    assert mask_name("欧阳明华") == "欧阳某某"
    assert mask_name("司马 光") == "司马某"
    text = "欧阳 明华与张　三签订协议，欧阳明华按期还款。"
    out = anonymize(text, names=["欧阳明华", "张三"]).text
    assert out == "欧阳某某与张某签订协议，欧阳某某按期还款。"


def test_names_found_by_context_are_masked_everywhere() -> None:
    text = "经办人孙悦向申请人说明情况。后孙悦再次致电。联系人：周杰、吴敏。"
    out = anonymize(text).text
    assert "孙悦" not in out
    assert out.count("孙某") == 2
    assert "周某、吴某" in out


def test_names_are_not_taken_from_organizations_or_placeholders() -> None:
    text = (
        "被申请人某某银行股份有限公司，法定代表人某某，申请人张某某称，"
        "被申请人王府井百货有限公司的负责人王律师到场，申请人李先生表示同意。"
    )
    assert identifiers_in(text) == ()


def test_id_number_rules() -> None:
    assert id18_check_digit("11010519491231002") == "X"
    wrong = ID_A[:-1] + "0"
    # a wrong check digit is not an ID number by itself...
    assert identifiers_in(f"编号{wrong}。") == ()
    # ...but still masked after 身份证/证件号
    spans = identifiers_in(f"证件号：{wrong}。")
    assert [s.kind for s in spans] == ["id_number"]
    # a 15-digit ID with a valid date inside
    assert [s.kind for s in identifiers_in("旧身份证440306850302123。")] == ["id_number"]
    assert [s.kind for s in identifiers_in("号码440306850302123")] == ["id_number"]
    assert identifiers_in("号码440306851302123") == ()  # month 13
    split = "4403 0619 8503 0212 37"
    assert [s.kind for s in identifiers_in(f"身份证 {split} 。")] == ["id_number"]


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0086-13812345678",
        "010-88886666",
        "0755 8888 6666",
        "(010)88886666",
        "（0755）8888-6666",
        "021-6666888-12",
    ],
)
def test_phone_forms(phone: str) -> None:
    text = f"请联系：{phone}，谢谢。"
    result = anonymize(text)
    assert [text[s.start : s.end] for s in result.spans] == [phone]
    assert result.spans[0].kind == "phone"
    assert not any(c.isdigit() for c in result.text)


@pytest.mark.parametrize(
    "hotline",
    ["400-820-8820", "4008208820", "800-810-8888", "95588", "96110", "12345", "12378"],
)
def test_hotlines_are_kept(hotline: str) -> None:
    assert identifiers_in(f"可拨打客服热线{hotline}咨询。") == ()


def test_bank_cards_and_accounts() -> None:
    assert luhn_ok(CARD)
    assert [s.kind for s in identifiers_in(f"转入{CARD}")] == ["bank_account"]
    bad = CARD[:-1] + "9"
    assert identifiers_in(f"转入{bad}") == ()  # fails Luhn, no context
    assert [s.kind for s in identifiers_in(f"银行卡号：{bad}")] == ["bank_account"]
    assert [s.kind for s in identifiers_in("对公账户 1100-1234-5678-9012")] == ["bank_account"]
    assert [s.kind for s in identifiers_in("收款账号为0200 0012 3456")] == ["bank_account"]
    # a four-digit tail identifies nobody: it stays
    assert identifiers_in("尾号1234的银行卡") == ()


@pytest.mark.parametrize(
    ("text", "original"),
    [
        ("车牌号京A·12345的车辆", "12345"),
        ("车牌号京A12345的车辆", "12345"),
        ("车辆粤B D12345停放", "D12345"),
        ("车辆粤BD12345停放", "D12345"),
        ("车辆沪C.6Y8K9停放", "6Y8K9"),
        ("车辆 川 A 1 2 3 4 5 停放", "1 2 3 4 5"),
    ],
)
def test_plates(text: str, original: str) -> None:
    spans = identifiers_in(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [("plate", original)]


def test_emails() -> None:
    text = "发送至 li_si+ods@mail.example.com.cn 或 ZHANG@QQ.COM。"
    out = anonymize(text).text
    assert out == "发送至 ＊＊＊@＊＊＊ 或 ＊＊＊@＊＊＊。"


@pytest.mark.parametrize(
    ("text", "kept", "masked"),
    [
        (
            "住北京市朝阳区建国路88号院3号楼2单元501室。",
            "北京市朝阳区",
            "建国路88号院3号楼2单元501室",
        ),
        ("户籍地：河南省周口市太康县城关镇幸福村三组", "河南省周口市太康县", "城关镇幸福村三组"),
        ("现住上海市浦东新区张江路1000弄12号602室，", "上海市浦东新区", "张江路1000弄12号602室"),
        ("家住昆山市玉山镇人民路5号", "昆山市", "玉山镇人民路5号"),
        ("住址：阳光小区7栋2单元", "住址：", "阳光小区7栋2单元"),
    ],
)
def test_addresses_below_the_district(text: str, kept: str, masked: str) -> None:
    result = anonymize(text)
    assert [(s.kind, text[s.start : s.end]) for s in result.spans] == [("address", masked)]
    assert kept in result.text
    assert "××" in result.text


def test_organizations_and_courts_are_not_addresses() -> None:
    for text in (
        "由深圳市南山区人民法院审理。",
        "中国银行北京市西城区复兴门支行出具证明。",
        "北京市朝阳区人民调解委员会主持调解。",
    ):
        assert identifiers_in(text) == (), text


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("张某，男，1985年3月2日出生，", "1985年3月2日"),
        ("出生日期：1985-03-02，", "1985-03-02"),
        ("出生年月：1985.03，", "1985.03"),
        ("生于一九八五年三月二日，", "一九八五年三月二日"),
        ("1990年12月30日生，汉族", "1990年12月30日"),
        ("出生日期19850302", "19850302"),
    ],
)
def test_dates_of_birth(text: str, date: str) -> None:
    spans = identifiers_in(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans] == [("birth_date", date)]


def test_dates_that_are_not_birth_dates_stay() -> None:
    text = "合同于2024年3月2日生效，2024-05-01起算利息，还款日为每月15日，共计12期。"
    assert identifiers_in(text) == ()


def test_normalization_keeps_positions() -> None:
    text = "ＡＢＣ１２３　－，（）"
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm == "ABC123 -,()"


# --- property: a valid identifier embedded anywhere in Chinese filler is always masked ----------

filler = st.text(
    alphabet=st.sampled_from(
        "的一是在了不和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级就年阶义发成部民可出能方进同行面说种过命度革而多子后自社加小机也经力线本电高量长党得实家定深法表着水理化争现所二起政三好十战无农使性前等反体合斗路图把结第里正新开论之物从当两些还天资事队批点育重其思与间内去因件日利相由压员气业代全组数果期导平各基或月毛然如应形想制心样干都向变关问比展那它最及外没看治提五解系林者米群头意只明四道马认次文通但条较克又公孔领军流入接席位情运器并飞原油放立题质指建区验活众很教决特此常石强极土少已根共直团统式转别造切九你取西持总料连任志观调七么山程百报更见必真保热委手改管处己将修支识病象几先老光专什六型具示复安带每东增则完风回南广劳轮科北打积车计给节做务被整联步类集号列温装即毫知轴研单色坚据速防史拉世设达尔场织历花受求传口断况采精金界品判参层止边清至万确究书术状厂须离再目海交权且儿青才证低越际八试规斯近注办布门铁需走议县兵固除般引齿千胜细影济白格效置推空配刀叶率述今选养德话查差半敌始片施响收华觉备名红续均药标记难存测士身紧液派准斤角降维板许破述技消底床田势端感往神便贺村构照容非搞亚磨族火段算适讲按值美态黄易彪服早班麦削信排台声该击素张密害侯草何树肥继右属市严径螺检左页抗苏显苦英快称坏移约巴材省黑武培著河帝仅针怎植京助升王眼她抓含苗副杂普谈围食射源例致酸旧却充足短划剂宣环落首尺波承粉践府鱼随考刻靠够满夫失包住促枝局菌杆周护岩师举曲春元超负砂封换太模贫减阳扬江析亩木言球朝医校古呢稻宋听唯输滑站另卫字鼓刚写刘微略范供阿块某功套友限项余倒卷创律雨让骨远帮初皮播优占死毒圈伟季训控激找叫云互跟裂粮粒母练塞钢顶策双留误础吸阻故寸盾晚丝女散焊功株亲院冷彻弹错散商视艺灭版烈零室轻血倍缺厘泵察绝富城冲喷壤简否柱李望盘磁雄似困巩益洲脱投送奴侧润盖挥距触星松送获兴独官混纪依未突架宽冬章湿偏纹吃执阀矿寨责熟稳夺硬价努翻奇甲预职评读背协损棉侵灰虽矛厚罗泥辟告卵箱掌氧恩爱停曾溶营终纲孟钱待尽俄缩沙退陈讨奋械载胞幼哪剥迫旋征槽倒握担仍呀鲜吧卡粗介钻逐弱脚怕盐末阴丰雾冠丙街莱贝辐肠付吉渗瑞惊顿挤秒悬姆烂森糖圣凹陶词迟蚕亿矩"
    ),
    min_size=0,
    max_size=30,
)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(["110105", "440306", "510107", "320582", "650102"]))
    year = draw(st.integers(1930, 2015))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    seq = draw(st.integers(0, 999))
    first17 = f"{area}{year:04d}{month:02d}{day:02d}{seq:03d}"
    return first17 + id18_check_digit(first17)


@st.composite
def valid_phones(draw: st.DrawFn) -> str:
    second = draw(st.sampled_from("3456789"))
    rest = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    return f"1{second}{rest}"


@st.composite
def valid_cards(draw: st.DrawFn) -> str:
    length = draw(st.integers(16, 19))
    body = draw(st.sampled_from(["6222", "6228", "6217", "6013", "4367", "5187"])) + draw(
        st.text(alphabet="0123456789", min_size=length - 5, max_size=length - 5)
    )
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("unreachable")


def spaced(draw: Callable[..., Any], digits: str) -> str:
    """The digits as written: plain, full-width, or with (full-width) spaces or dashes inside."""
    style = draw(st.sampled_from(["plain", "fullwidth", "space", "ideographic", "dash"]))
    if style == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in digits)
    if style == "plain":
        return digits
    sep = {"space": " ", "ideographic": "\u3000", "dash": "-"}[style]
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return sep.join(groups)


@PROPERTY
@given(
    kind_value=st.one_of(
        valid_ids().map(lambda v: ("id_number", v)),
        valid_phones().map(lambda v: ("phone", v)),
        valid_cards().map(lambda v: ("bank_account", v)),
    ),
    before=filler,
    after=filler,
    data=st.data(),
)
def test_property_valid_identifiers_in_filler_are_masked(
    kind_value: tuple[str, str], before: str, after: str, data: st.DataObject
) -> None:
    kind, value = kind_value
    written = spaced(data.draw, value)
    text = f"{before}{written}{after}"
    result = anonymize(text)
    start = len(before)
    covering = [s for s in result.spans if s.start <= start and s.end >= start + len(written)]
    assert covering, (text, result.spans)
    assert covering[0].kind == kind
    assert value not in normalize(result.text).replace(" ", "").replace("-", "")
    assert identifiers_in(result.text) == ()


# --- the command ----------------------------------------------------------------------------------


def test_command_via_call_command() -> None:
    out, err = io.StringIO(), io.StringIO()
    source = io.StringIO("申请人张三与李四，电话13812345678。")
    call_command("anonymize", names="张三，李四", spans=True, stdin=source, stdout=out, stderr=err)
    assert out.getvalue() == "申请人张某与李某，电话＊＊＊＊＊＊＊＊＊＊＊。"
    spans = json.loads(err.getvalue())
    assert [s["kind"] for s in spans] == ["name", "name", "phone"]
    assert spans[0] == {"kind": "name", "start": 3, "end": 5, "replacement": "张某"}


def test_command_as_a_process() -> None:
    accord = Path(sys.executable).with_name("accord")
    if not accord.exists():
        pytest.skip("the accord console script is not installed next to this interpreter")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    done = subprocess.run(
        [str(accord), "anonymize", "--names", "张三,李四"],
        input="李四住北京市海淀区中关村大街1号，身份证号110105194912310021。\n".encode(),
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert (
        done.stdout.decode("utf-8")
        == "李某住北京市海淀区××，身份证号＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊。\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "申请人申请调解，被申请人向申请人支付26000元。",
            "申请人申请调解，被申请人向申请人支付26000元。",
        ),
        ("申请人张三诉被申请人李四借款合同纠纷一案", "申请人张某诉被申请人李某借款合同纠纷一案"),
        (
            "被告于晓明称其未收到款项，原告于2024年起诉。",
            "被告于某某称其未收到款项，原告于2024年起诉。",
        ),
        ("法定代表人：张建国，该公司董事长。", "法定代表人：张某某，该公司董事长。"),
        ("证人何 其 芳出庭作证。", "证人何某某出庭作证。"),
    ],
)
def test_names_after_role_words_end_where_the_sentence_goes_on(text: str, expected: str) -> None:
    assert anonymize(text).text == expected


def test_long_texts_stay_fast() -> None:
    # guards against quadratic/cubic blow-ups of the digit-group and name scans
    for text in ("1 " * 5000, "申请人" * 5000, "住北京市朝阳区" + "阳光路" * 2000 + "号"):
        assert anonymize(text).text


def test_judgment_with_relatives_staff_and_officials() -> None:
    text = (
        "原告：刘德华，男，1972年9月27日生，汉族，住浙江省杭州市西湖区文三路259号昌地火炬大厦1号楼。\n"
        "被告：平安银行股份有限公司信用卡中心，住所地广东省深圳市福田区益田路5023号。\n"
        "原告诉称：2021年6月，原告在被告处申领信用卡（卡号：4367 4212 3456 7890），后因逾期，"
        "被告员工钱多多多次致电原告及其母亲黄 丽，号码0571-87654321。"
        "原告配偶陈静（身份证号：33010619750101002X）驾驶浙A8B2C1车辆。\n"
        "本院认为，双方签订的合同合法有效。审判员 赵刚。"
    )
    out = anonymize(text).text
    assert out == (
        "原告：刘某某，男，××××年×月××日生，汉族，住浙江省杭州市西湖区××。\n"
        "被告：平安银行股份有限公司信用卡中心，住所地广东省深圳市福田区××。\n"
        "原告诉称：2021年6月，原告在被告处申领信用卡（卡号：＊＊＊＊ ＊＊＊＊ ＊＊＊＊ ＊＊＊＊），"
        "后因逾期，被告员工钱某某多次致电原告及其母亲黄某，号码＊＊＊＊-＊＊＊＊＊＊＊＊。"
        "原告配偶陈某（身份证号：＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊＊）驾驶浙A＊＊＊＊＊车辆。\n"
        "本院认为，双方签订的合同合法有效。审判员 赵刚。"  # officials keep their names
    )
