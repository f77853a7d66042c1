"""The statistics pages and downloads: who sees which scope, the period form, the exports."""

from __future__ import annotations

import csv
import io
from xml.dom import minidom

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accord.accounts.models import User
from accord.analytics import figures
from accord.analytics.charts import render_svg
from accord.analytics.exports import report_html
from accord.analytics.figures import TABLES, Table, dashboard
from accord.analytics.scope import Scope, ScopeKind, scopes_for
from accord.orgs.models import Membership, Role
from tests.analytics.conftest import PERIOD, World, member

pytestmark = pytest.mark.django_db

QUERY = {"from": "2026-03-01", "to": "2026-05-31"}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def received(scope: Scope) -> int:
    return sum(int(row[1]) for row in figures.intake_channel(scope, PERIOD).rows)  # type: ignore[call-overload]


# --- Scopes ------------------------------------------------------------------------------


def test_each_scope_sees_only_its_cases(world: World) -> None:
    assert received(Scope(ScopeKind.ORGANIZATION, world.org)) == 5
    # 上海's regulator: 上海's cases and the one it assigned to 北京; never 北京's others.
    assert received(Scope(ScopeKind.REGULATOR, world.regulator)) == 6
    # 北京's regulator: the four cases handled in 北京, none of 上海's.
    assert received(Scope(ScopeKind.REGULATOR, world.far_regulator)) == 4
    # An institution: only the cases against it (c4, and two in 北京).
    assert received(Scope(ScopeKind.INSTITUTION, world.other_bank)) == 3
    # A court: its region and the case it entrusted to 北京.
    assert received(Scope(ScopeKind.COURT, world.court)) == 6
    assert received(Scope(ScopeKind.SYSTEM)) == 9


def test_the_regulator_of_region_a_sees_nothing_of_region_b(world: World) -> None:
    olga = member(Role.REGULATOR_OFFICER, world.regulator, "olga")
    client = client_for(olga)
    far = client.get(reverse("analytics:dashboard", kwargs={"scope": world.far_regulator.code}))
    assert far.status_code == 404
    far_org = client.get(reverse("analytics:dashboard", kwargs={"scope": world.far_org.code}))
    assert far_org.status_code == 404
    own = client.get(reverse("analytics:dashboard", kwargs={"scope": world.regulator.code}), QUERY)
    assert own.status_code == 200
    assert "北京金融调解中心" not in own.content.decode()


def test_an_outsider_and_a_mediator_get_404(world: World) -> None:
    outsider = UserFactoryUser("otto")
    for user in (outsider, world.mia):
        client = client_for(user)
        assert client.get(reverse("analytics:index")).status_code == 404
        url = reverse("analytics:dashboard", kwargs={"scope": world.org.code})
        assert client.get(url).status_code == 404
        csv_url = reverse(
            "analytics:table_csv", kwargs={"scope": world.org.code, "key": "outcomes"}
        )
        assert client.get(csv_url, QUERY).status_code == 404
        pdf_url = reverse("analytics:report_pdf", kwargs={"scope": world.org.code})
        assert client.get(pdf_url, QUERY).status_code == 404


def UserFactoryUser(username: str) -> User:
    from tests.factories import UserFactory

    user = UserFactory(username=username)
    assert isinstance(user, User)
    return user


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get(reverse("analytics:index"))
    assert response.status_code == 302 and "signin" in response["Location"]


def test_the_index_lists_the_users_scopes_and_the_nav_links_to_it(world: World) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    Membership.objects.create(user=ada, organization=world.bank, role=Role.INSTITUTION_STAFF)
    assert [scope.key for scope in scopes_for(ada)] == ["BANKA", "SHM"]
    page = client_for(ada).get(reverse("analytics:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="nav-oversight"' in html
    assert reverse("analytics:dashboard", kwargs={"scope": "SHM"}) in html
    assert reverse("analytics:dashboard", kwargs={"scope": "BANKA"}) in html
    # A mediator has no scope: no link.
    mediator_page = client_for(world.mia).get("/")
    assert 'data-testid="nav-oversight"' not in mediator_page.content.decode()


def test_the_dashboard_shows_every_chart_beside_its_table(world: World) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    page = client_for(ada).get(
        reverse("analytics:dashboard", kwargs={"scope": world.org.code}), QUERY
    )
    assert page.status_code == 200
    html = page.content.decode()
    for key in TABLES:
        assert f'data-testid="figure-{key}"' in html
        assert f'data-testid="table-{key}"' in html
    assert html.count('role="img"') == len(TABLES)
    assert "米娅" in html
    # Without a period: the last twelve months.
    default = client_for(ada).get(reverse("analytics:dashboard", kwargs={"scope": "SHM"}))
    assert default.status_code == 200 and 'data-testid="period"' in default.content.decode()


# --- The period form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,field",
    [
        ({"from": "2026-05-01", "to": "2026-04-01"}, "end"),
        ({"from": "2026-13-01", "to": "2026-04-01"}, "start"),
        ({"from": "yesterday", "to": "2026-04-01"}, "start"),
        ({"from": "2026-01-01", "to": ""}, "end"),
        ({"from": "2000-01-01", "to": "2026-01-01"}, "end"),
    ],
)
def test_a_bad_period_is_refused_on_its_field(
    world: World, query: dict[str, str], field: str
) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    page = client_for(ada).get(reverse("analytics:dashboard", kwargs={"scope": "SHM"}), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="error-{field}"' in html
    assert 'data-testid="figure-' not in html
    export = client_for(ada).get(
        reverse("analytics:table_csv", kwargs={"scope": "SHM", "key": "outcomes"}), query
    )
    assert export.status_code == 400


# --- Exports -----------------------------------------------------------------------------


def test_csv_of_a_table_parses_back(world: World) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    response = client_for(ada).get(
        reverse("analytics:table_csv", kwargs={"scope": "SHM", "key": "intake_month"}), QUERY
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Month"
    assert rows[1:] == [
        ["2026-03", "1", "1", "0", "2"],
        ["2026-04", "2", "0", "0", "2"],
        ["2026-05", "1", "0", "0", "1"],
    ]


def test_every_table_exports_as_csv_and_xlsx(world: World) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    client = client_for(ada)
    board = dashboard(Scope(ScopeKind.ORGANIZATION, world.org), PERIOD)
    for table in board.tables:
        kwargs = {"scope": "SHM", "key": table.key}
        got_csv = client.get(reverse("analytics:table_csv", kwargs=kwargs), QUERY)
        assert got_csv.status_code == 200
        parsed = list(csv.reader(io.StringIO(got_csv.content.decode("utf-8-sig"))))
        assert len(parsed) == len(table.rows) + 1
        got_xlsx = client.get(reverse("analytics:table_xlsx", kwargs=kwargs), QUERY)
        assert got_xlsx.status_code == 200
        sheet = load_workbook(io.BytesIO(got_xlsx.content)).active
        assert sheet is not None
        assert sheet["A1"].value == table.title
        assert [cell.value for cell in sheet[4]] == list(table.columns)


def test_a_bad_table_key_is_404(world: World) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    for name in ("analytics:table_csv", "analytics:table_xlsx"):
        url = reverse(name, kwargs={"scope": "SHM", "key": "nothing"})
        assert client_for(ada).get(url, QUERY).status_code == 404


def test_the_report_xlsx_has_one_sheet_per_table(world: World) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    response = client_for(ada).get(reverse("analytics:report_xlsx", kwargs={"scope": "SHM"}), QUERY)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == len(TABLES)
    outcomes = book[book.sheetnames[list(TABLES).index("outcomes")]]
    values = [[cell.value for cell in row] for row in outcomes.iter_rows(min_row=5)]
    assert ["Agreement reached", 2, 50] in values


def test_the_report_pdf_has_the_charts_and_tables(world: World) -> None:
    ada = member(Role.ORG_ADMIN, world.org, "ada")
    response = client_for(ada).get(reverse("analytics:report_pdf", kwargs={"scope": "SHM"}), QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 10_000
    html = report_html(dashboard(Scope(ScopeKind.ORGANIZATION, world.org), PERIOD))
    for table in ("Mediator workload", "Outcomes of the cases that ended in the period"):
        assert table in html
    assert html.count("<svg") == len(TABLES)


def test_a_formula_in_a_label_is_not_run_by_a_spreadsheet(world: World) -> None:
    from accord.analytics.exports import table_csv

    evil = Table("x", "T", ("Name", "Cases"), (("=HYPERLINK(1)", 1),), "hbar")
    assert b"'=HYPERLINK" in table_csv(evil)


# --- Charts ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bar", "stacked", "hbar", "donut", "line"])
def test_charts_are_well_formed_svg_with_a_viewbox_and_a_name(kind: str) -> None:
    table = Table(
        "k",
        "案件 <script>alert(1)</script>",
        ("月", "甲", "乙"),
        (("2026-01", 1, 2), ("<b>二月</b>", 3, None)),
        kind,
    )
    svg = render_svg(table)
    document = minidom.parseString(svg)  # noqa: S318  (our own output)
    root = document.documentElement
    assert root is not None
    assert root.tagName == "svg"
    assert root.getAttribute("viewBox")
    assert not root.getAttribute("width") and not root.getAttribute("height")
    assert root.getAttribute("role") == "img"
    assert root.getAttribute("aria-label") == table.title
    assert document.getElementsByTagName("title")[0].firstChild.data == table.title  # type: ignore[union-attr]
    assert not document.getElementsByTagName("script")
    assert not document.getElementsByTagName("b")


def test_an_empty_chart_says_so() -> None:
    table = Table("k", "T", ("A", "B"), (("x", 0),), "donut")
    svg = render_svg(table, empty_message="No data in this period")
    assert "No data in this period" in svg
    minidom.parseString(svg)  # noqa: S318  (our own output)
