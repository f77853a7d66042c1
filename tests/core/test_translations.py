"""The Simplified Chinese catalogs: complete, not fuzzy, compiled, and used by the pages.

Every ``django.po`` under backend/ (the project catalog and one per app) is parsed here with a
small reader of the PO format, so that a catalog left half done by ``makemessages`` (empty or
fuzzy entries) or edited without ``compilemessages`` (the ``.mo`` no longer says the same) fails.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

BACKEND = Path(__file__).resolve().parents[2] / "backend"
CATALOGS = sorted(BACKEND.glob("**/locale/*/LC_MESSAGES/django.po"))


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index → text; 0 when singular
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def where(self, path: Path) -> str:
        return f"{path.relative_to(BACKEND)}:{self.line} {self.msgid!r}"


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_CONTINUATION = re.compile(r"^(\".*\")\s*$")


def _unquote(quoted: str) -> str:
    # A PO string is a C string literal; these escapes read the same in Python.
    return str(ast.literal_eval(quoted))


def parse_po(path: Path) -> list[Entry]:
    """The entries of a PO file (obsolete ``#~`` entries and other comments are skipped)."""
    entries: list[Entry] = []
    current: Entry | None = None
    pending_flags: set[str] = set()
    target: tuple[str, int] | None = None  # the keyword a continuation line extends
    awaiting_msgid = False  # after a msgctxt, the msgid belongs to the same entry
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            target = None
            continue
        if line.startswith("#"):
            if line.startswith("#,"):
                pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if match := _KEYWORD.match(line):
            keyword, index, quoted = match.groups()
            text = _unquote(quoted)
            # An entry starts at its msgctxt, or at its msgid when it has no context.
            if keyword == "msgctxt" or (keyword == "msgid" and not awaiting_msgid):
                current = Entry(line=number, flags=pending_flags)
                entries.append(current)
                pending_flags = set()
            awaiting_msgid = keyword == "msgctxt"
            assert current is not None, f"{path}:{number}: {keyword} before any msgid"
            if keyword == "msgctxt":
                current.msgctxt = text
                target = ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid = text
                target = ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural = text
                target = ("msgid_plural", 0)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot] = text
                target = ("msgstr", slot)
            continue
        if (match := _CONTINUATION.match(line)) and current is not None and target is not None:
            text = _unquote(match.group(1))
            keyword, slot = target
            if keyword == "msgstr":
                current.msgstr[slot] += text
            else:
                setattr(current, keyword, (getattr(current, keyword) or "") + text)
            continue
        raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    return entries


def _nplurals(header: Entry) -> int:
    found = re.search(r"nplurals\s*=\s*(\d+)", header.msgstr.get(0, ""))
    return int(found.group(1)) if found else 2


def _catalog_id(path: Path) -> str:
    """backend/accord/orgs/locale/zh_Hans/LC_MESSAGES/django.po → accord/orgs/locale/zh_Hans"""
    return str(path.relative_to(BACKEND).parents[1])


def test_the_catalogs_are_found():
    assert {_catalog_id(path) for path in CATALOGS} >= {
        "locale/zh_Hans",
        "accord/accounts/locale/zh_Hans",
        "accord/audit/locale/zh_Hans",
        "accord/cases/locale/zh_Hans",
        "accord/core/locale/zh_Hans",
        "accord/orgs/locale/zh_Hans",
        "accord/rooms/locale/zh_Hans",
    }


def test_the_reader_handles_multiline_plural_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        "\n"
        "#: a.py:1\n"
        "#, fuzzy, python-format\n"
        'msgid ""\n'
        '"Two "\n'
        '"lines %(n)s"\n'
        'msgstr "两行 %(n)s"\n'
        "\n"
        'msgctxt "menu"\n'
        'msgid "one \\"quoted\\" item"\n'
        'msgid_plural "items"\n'
        'msgstr[0] ""\n'
        '"项"\n'
        "\n"
        '#~ msgid "old"\n'
        '#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    header, fuzzy, plural = parse_po(po)
    assert header.is_header and _nplurals(header) == 1
    assert (fuzzy.msgid, fuzzy.msgstr, fuzzy.flags) == (
        "Two lines %(n)s",
        {0: "两行 %(n)s"},
        {"fuzzy", "python-format"},
    )
    assert (plural.msgctxt, plural.msgid, plural.msgid_plural, plural.msgstr) == (
        "menu",
        'one "quoted" item',
        "items",
        {0: "项"},
    )


@pytest.fixture(params=CATALOGS, ids=_catalog_id)
def catalog(request: pytest.FixtureRequest) -> tuple[Path, list[Entry]]:
    path: Path = request.param
    return path, parse_po(path)


def test_no_entry_is_fuzzy(catalog):
    path, entries = catalog
    assert [e.where(path) for e in entries if "fuzzy" in e.flags] == []


def test_every_entry_is_translated_in_every_plural_form(catalog):
    path, entries = catalog
    header = next(e for e in entries if e.is_header)
    nplurals = _nplurals(header)
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        expected = set(range(nplurals)) if entry.msgid_plural is not None else {0}
        if set(entry.msgstr) != expected:
            problems.append(f"{entry.where(path)}: forms {sorted(entry.msgstr)}")
        problems += [f"{entry.where(path)}: empty" for text in entry.msgstr.values() if not text]
    assert problems == []


_PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def test_translations_keep_the_placeholders(catalog):
    path, entries = catalog
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        wanted = sorted(_PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr.values():
            if sorted(set(_PLACEHOLDER.findall(text))) != sorted(set(wanted)):
                problems.append(f"{entry.where(path)} → {text!r}")
    assert problems == []


class _Missing(gettext.NullTranslations):
    """Fallback that records what the compiled catalog does not have."""

    def __init__(self) -> None:
        super().__init__()
        self.missing: list[str] = []

    def gettext(self, message: str) -> str:
        self.missing.append(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self.missing.append(msgid1)
        return msgid1

    def pgettext(self, context: str, message: str) -> str:
        self.missing.append(f"{context}\x04{message}")
        return message

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        self.missing.append(f"{context}\x04{msgid1}")
        return msgid1


def test_the_compiled_catalog_says_the_same_as_the_po_file(catalog):
    """A .po edited without compilemessages fails here."""
    path, entries = catalog
    mo = path.with_suffix(".mo")
    assert mo.is_file(), f"{mo.relative_to(BACKEND)} is missing: run compilemessages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    missing = _Missing()
    compiled.add_fallback(missing)
    differences = []
    for entry in entries:
        if entry.is_header:
            continue
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = compiled.gettext(entry.msgid)
            else:
                got = compiled.pgettext(entry.msgctxt, entry.msgid)
            if got != entry.msgstr[0]:
                differences.append(f"{entry.where(path)}: .mo has {got!r}")
            continue
        for index, expected in entry.msgstr.items():
            # A count that the catalog's plural rule sends to this form.
            n = next(n for n in range(1000) if compiled.plural(n) == index)  # type: ignore[attr-defined]
            if entry.msgctxt is None:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if got != expected:
                differences.append(f"{entry.where(path)}[{index}]: .mo has {got!r}")
    assert missing.missing == []
    assert differences == []


# --- The pages ------------------------------------------------------------------


def _cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "chinese", "english"),
    [
        ("/accounts/staff/signin/", "工作人员登录", "Staff sign-in"),
        ("/orgs/institutions/", "金融机构投诉渠道", "Complaint channels of financial institutions"),
    ],
)
def test_pages_are_chinese_by_default_and_english_under_en(client, path, chinese, english):
    default = client.get(path)
    assert default.status_code == 200
    page = default.content.decode()
    assert 'lang="zh-hans"' in page
    assert chinese in page
    assert english not in page
    # The shared layout (project catalog) is translated too.
    assert "金融纠纷多元化解" in page

    response = client.get(f"/en{path}")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="en"' in page
    assert english in page
    assert "diversified financial dispute resolution" in page
    # Language names in the switcher are in their own language; nothing else is Chinese.
    assert not _cjk(page.replace("简体中文", ""))


def test_the_sms_code_stays_readable_in_chinese():
    """Tests and people find the six digits between separators in the translated text."""
    message = (
        "Your Accord sign-in code is %(code)s. It expires in %(minutes)d minutes. "
        "Do not share it with anyone."
    )
    with translation.override("zh-hans"):
        body = _(message) % {"code": "012345", "minutes": 5}
    assert _cjk(body)
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None
    assert found.group(1) == "012345"
