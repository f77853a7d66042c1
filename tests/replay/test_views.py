"""The replay page and its media: 404 without access (page and media alike), one
``recording.replayed`` event per page open, HTTP ranges served byte-exact from the recordings
bucket, downloads traced, and a caucus-excluded grant kept away from caucus media."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from accord.audit.models import TraceEvent
from accord.replay import services as replay_services
from accord.rooms.models import ParticipantRole
from accord.rooms.services import session_schedule
from tests.replay.conftest import Held, client_for, soon, span

pytestmark = pytest.mark.django_db


def page_url(held: Held, lang: str = "/en") -> str:
    return f"{lang}/cases/{held.session.case.case_no}/sessions/{held.session.pk}/replay/"


def media_url(held: Held, file_id: int) -> str:
    return f"{page_url(held)}media/{file_id}/"


def events(held: Held, action: str) -> list[TraceEvent]:
    return list(TraceEvent.objects.filter(chain=held.session.case.chain, action=action))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def files(held: Held, put_file):
    """alice recorded before and after her caucus (not in it); ben all along."""
    alice_file, alice_data = put_file(
        held.applicant,
        [
            span(held.started, held.caucus_from, 0),
            span(held.caucus_to, held.ended, 100),
        ],
    )
    ben_file, ben_data = put_file(held.respondent, [span(held.started, held.ended, 0)])
    return {"alice": (alice_file, alice_data), "ben": (ben_file, ben_data)}


def test_without_access_there_is_no_page_and_no_media(held, files, alice, ben, mia, charlie):
    file, _ = files["ben"]
    for user in (alice, ben, mia, charlie):
        client = client_for(user)
        assert client.get(page_url(held)).status_code == 404, user
        assert client.get(media_url(held, file.pk), HTTP_RANGE="bytes=0-9").status_code == 404
        assert client.get(f"{media_url(held, file.pk)}?download=1").status_code == 404
    assert events(held, "recording.replayed") == []
    assert events(held, "evidence.downloaded") == []
    # Signed out: to the sign-in page, not the media.
    response = Client().get(media_url(held, file.pk))
    assert response.status_code == 302


def test_an_auditor_opens_the_replay_and_it_is_traced_once(held, files, audrey):
    client = client_for(audrey)
    response = client.get(page_url(held))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="replay-page"' in html
    assert html.count('data-testid="replay-video"') == 2
    assert 'data-action="room.moved"' in html and "你好" in html
    island = re.search(
        r'<script id="replay-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert island is not None
    data = json.loads(island[1])
    assert {f["participant_id"] for f in data["files"]} == {
        held.applicant.pk,
        held.respondent.pk,
    }
    assert any(
        c["groups"].get(str(held.applicant.pk)) == "caucus-applicant" for c in data["compositions"]
    )
    assert set(data["media"]) == {str(f.pk) for f, _ in files.values()}
    replayed = events(held, "recording.replayed")
    assert len(replayed) == 1
    assert replayed[0].payload == {
        "session_id": str(held.session.pk),
        "via": "auditor",
        "grant": None,
        "include_caucus": True,
    }
    assert replayed[0].actor["user_id"] == audrey.pk
    assert replayed[0].actor["role"] == "auditor"
    # Media requests of playback add nothing to the trace.
    file, _ = files["ben"]
    client.get(media_url(held, file.pk), HTTP_RANGE="bytes=0-99")
    assert len(events(held, "recording.replayed")) == 1
    assert events(held, "evidence.downloaded") == []


def test_the_page_speaks_chinese_by_default_and_checks_the_case_number(held, files, audrey):
    client = client_for(audrey)
    response = client.get(page_url(held, lang=""))
    assert response.status_code == 200
    assert "回放" in response.content.decode()
    wrong = page_url(held).replace(held.session.case.case_no, "NOPE-1")
    assert client.get(wrong).status_code == 404


def test_ranges_are_served_byte_exact(held, files, audrey):
    client = client_for(audrey)
    file, data = files["ben"]
    url = media_url(held, file.pk)
    size = len(data)
    for header, start, end in [
        ("bytes=0-0", 0, 0),
        ("bytes=100-199", 100, 199),
        ("bytes=-50", size - 50, size - 1),
        (f"bytes={size - 10}-", size - 10, size - 1),
        (f"bytes=1000-{size + 500}", 1000, size - 1),
    ]:
        response = client.get(url, HTTP_RANGE=header)
        assert response.status_code == 206, header
        assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
        assert response["Accept-Ranges"] == "bytes"
        assert response["Content-Type"] == "video/webm"
        assert int(response["Content-Length"]) == end - start + 1
        assert body(response) == data[start : end + 1], header
    whole = client.get(url)
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert body(whole) == data
    head = client.head(url, HTTP_RANGE="bytes=10-19")
    assert head.status_code == 206 and head["Content-Length"] == "10"


@pytest.mark.parametrize(
    "header", ["bytes=300000-", "bytes=999999-1000000", "bytes=50-10", "bytes=-0", "bytes=x-y"]
)
def test_unsatisfiable_ranges_are_416(held, files, audrey, header):
    file, data = files["ben"]
    response = client_for(audrey).get(media_url(held, file.pk), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(data)}"


def test_a_download_is_traced(held, files, audrey):
    file, data = files["alice"]
    response = client_for(audrey).get(f"{media_url(held, file.pk)}?download=1")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert body(response) == data
    (downloaded,) = events(held, "evidence.downloaded")
    assert downloaded.payload["key"] == file.key
    assert downloaded.payload["sha256"] == file.sha256
    assert downloaded.payload["session_id"] == str(held.session.pk)
    assert downloaded.actor["user_id"] == audrey.pk


def test_a_grant_without_caucus_cannot_reach_caucus_media(held, put_file, ada, mia, ben):
    # alice's file runs straight through her caucus: it holds caucus media.
    caucus_file, _ = put_file(held.applicant, [span(held.started, held.ended, 0)])
    plenary_file, plenary_data = put_file(held.respondent, [span(held.started, held.ended, 0)])
    grant = replay_services.replay_grant(
        case=held.session.case, user=mia, by=ada, include_caucus=False
    )
    client = client_for(mia)
    page = client.get(page_url(held))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="replay-video"') == 1
    assert 'data-testid="replay-excluded"' in html
    assert "私下说" not in html  # the caucus chat stays private too
    assert client.get(media_url(held, caucus_file.pk), HTTP_RANGE="bytes=0-9").status_code == 404
    assert client.get(f"{media_url(held, caucus_file.pk)}?download=1").status_code == 404
    response = client.get(media_url(held, plenary_file.pk), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206 and body(response) == plenary_data[:10]
    (replayed,) = events(held, "recording.replayed")
    assert replayed.payload["via"] == "grant" and replayed.payload["grant"] == grant.pk
    assert replayed.payload["include_caucus"] is False

    # With caucus the same file is served.
    replay_services.replay_grant(
        case=held.session.case, user=mia, by=ada, include_caucus=True, expires_at=soon()
    )
    assert client.get(media_url(held, caucus_file.pk), HTTP_RANGE="bytes=0-9").status_code == 206


def test_a_file_of_another_session_is_not_found(held, files, audrey, mia, alice, ben):

    other = session_schedule(
        case=held.session.case,
        scheduled_at=timezone.now(),
        duration_minutes=30,
        title="second",
        participants=[
            (mia, ParticipantRole.MEDIATOR),
            (alice, ParticipantRole.APPLICANT),
            (ben, ParticipantRole.RESPONDENT),
        ],
        by=mia,
    )
    file, _ = files["ben"]
    url = f"/en/cases/{held.session.case.case_no}/sessions/{other.pk}/replay/media/{file.pk}/"
    assert client_for(audrey).get(url).status_code == 404


def test_the_session_page_links_to_the_replay_for_those_with_access(held, ada, mia):
    session_page = f"/en/rooms/{held.session.pk}/"
    client = client_for(mia)
    page = client.get(session_page)
    assert page.status_code == 200
    assert 'data-testid="replay-link"' not in page.content.decode()
    replay_services.replay_grant(case=held.session.case, user=mia, by=ada, include_caucus=False)
    html = client.get(session_page).content.decode()
    assert f'href="{page_url(held)}"' in html


def test_a_file_out_of_reach_shows_no_speaking_lane(held, put_file, ada, mia):
    put_file(held.applicant, [span(held.started, held.ended, 0)])
    replay_services.replay_grant(case=held.session.case, user=mia, by=ada, include_caucus=False)
    html = client_for(mia).get(page_url(held)).content.decode()
    island = re.search(
        r'<script id="replay-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert island is not None
    (file,) = json.loads(island[1])["files"]
    assert file["allowed"] is False and file["speaking"] == []
    assert json.loads(island[1])["media"] == {}


@pytest.fixture
def caucus_files(held: Held, put_file):
    """alice recorded in her caucus too, so finalize made her full file and a plenary-only
    one (its own spans, back to back); ben never left the plenary."""
    full, full_data = put_file(
        held.applicant,
        [
            span(held.started, held.caucus_from, 0, "plenary"),
            span(held.caucus_from, held.caucus_to, 10_000, "caucus-applicant"),
            span(held.caucus_to, held.ended, 20_000, "plenary"),
        ],
    )
    plenary, plenary_data = put_file(
        held.applicant,
        [
            span(held.started, held.caucus_from, 0, "plenary"),
            span(held.caucus_to, held.ended, 10_000, "plenary"),
        ],
        size=200_000,
        audience="plenary",
    )
    ben, _ = put_file(held.respondent, [span(held.started, held.ended, 0, "plenary")])
    return {"full": (full, full_data), "plenary": (plenary, plenary_data), "ben": ben}


def island(html: str) -> dict:
    found = re.search(
        r'<script id="replay-data" type="application/json">(.*?)</script>', html, re.S
    )
    assert found is not None
    return json.loads(found[1])


def test_a_grant_without_caucus_is_served_the_plenary_file_and_never_the_full_one(
    held, caucus_files, ada, mia
):
    full, _ = caucus_files["full"]
    plenary, plenary_data = caucus_files["plenary"]
    replay_services.replay_grant(case=held.session.case, user=mia, by=ada, include_caucus=False)
    client = client_for(mia)
    html = client.get(page_url(held)).content.decode()
    assert html.count('data-testid="replay-video"') == 2
    assert 'data-testid="replay-excluded"' not in html
    assert 'data-testid="replay-plenary-only"' in html
    data = island(html)
    assert {f["id"] for f in data["files"]} == {plenary.pk, caucus_files["ben"].pk}
    assert set(data["media"]) == {str(plenary.pk), str(caucus_files["ben"].pk)}
    (mine,) = [f for f in data["files"] if f["id"] == plenary.pk]
    assert mine["allowed"] is True and mine["audience"] == "plenary"
    assert all(s["group"] == "plenary" for s in mine["spans"])
    # The caucus time is said to be left out, not unrecorded.
    (caucus_span,) = [s for s in full.spans if s["group"] != "plenary"]
    assert len(mine["excluded"]) == 1
    assert mine["excluded"][0][1] - mine["excluded"][0][0] == caucus_span["duration_ms"]

    response = client.get(media_url(held, plenary.pk), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and body(response) == plenary_data[:100]
    assert response["Content-Range"] == f"bytes 0-99/{len(plenary_data)}"
    download = client.get(f"{media_url(held, plenary.pk)}?download=1")
    assert download.status_code == 200 and download["Content-Disposition"].endswith(
        f'{held.applicant.pk}-plenary.webm"'
    )
    (downloaded,) = events(held, "evidence.downloaded")
    assert downloaded.payload["key"] == plenary.key
    assert downloaded.payload["audience"] == "plenary"
    # The full file: as if it did not exist, for playback, HEAD and download alike.
    assert client.get(media_url(held, full.pk), HTTP_RANGE="bytes=0-9").status_code == 404
    assert client.head(media_url(held, full.pk)).status_code == 404
    assert client.get(f"{media_url(held, full.pk)}?download=1").status_code == 404
    assert len(events(held, "evidence.downloaded")) == 1


def test_with_caucus_or_as_auditor_the_full_file_is_listed(held, caucus_files, ada, mia, audrey):
    full, full_data = caucus_files["full"]
    plenary, _ = caucus_files["plenary"]
    replay_services.replay_grant(
        case=held.session.case, user=mia, by=ada, include_caucus=True, expires_at=soon()
    )
    for user in (mia, audrey):
        client = client_for(user)
        html = client.get(page_url(held)).content.decode()
        data = island(html)
        assert {f["id"] for f in data["files"]} == {full.pk, caucus_files["ben"].pk}
        assert str(plenary.pk) not in data["media"]
        assert 'data-testid="replay-plenary-only"' not in html
        (mine,) = [f for f in data["files"] if f["id"] == full.pk]
        assert mine["excluded"] == [] and mine["audience"] == "all"
        response = client.get(media_url(held, full.pk), HTTP_RANGE="bytes=10-19")
        assert response.status_code == 206 and body(response) == full_data[10:20]
