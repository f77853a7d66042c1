"""Notices: written with the change they tell about, sent by SMS only after it commits, read
on the notices page by their user alone."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from accord.accounts import sms
from accord.accounts.models import User
from accord.inbox.models import Notice
from accord.inbox.services import notify
from tests.factories import ApplicantFactory, UserFactory

pytestmark = pytest.mark.django_db


def applicant(**kwargs: object) -> User:
    made = ApplicantFactory(**kwargs)
    assert isinstance(made, User)
    return made


def staff_user() -> User:
    made = UserFactory()
    assert isinstance(made, User)
    return made


@pytest.fixture
def outbox(settings):
    settings.ACCORD_SMS_BACKEND = "accord.accounts.sms.OutboxSmsBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def test_each_distinct_active_user_gets_one_notice_and_an_sms_after_commit(
    outbox, django_capture_on_commit_callbacks
):
    alice = applicant()
    staff = staff_user()  # no phone: a notice, no SMS
    gone = applicant(is_active=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        written = notify(
            [alice, staff, alice, None, gone],
            kind="test.kind",
            text="案件 X 有新进展",
            case_no="X-1",
            url="/cases/X-1/",
        )
    assert sorted(n.user_id for n in written) == sorted([alice.pk, staff.pk])
    assert Notice.objects.count() == 2
    assert outbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert [message.phone for message in outbox] == [alice.phone]
    assert outbox[0].template is not None
    assert outbox[0].template.kind == "case_notice"
    assert outbox[0].template.params == ("X-1",)
    assert Notice.objects.get(user=alice).sms_sent_at is not None
    assert Notice.objects.get(user=staff).sms_sent_at is None


def test_a_rolled_back_change_leaves_no_notice_and_sends_nothing(outbox):
    alice = applicant()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        notify([alice], kind="test.kind", text="never", case_no="X-2")
        raise Boom
    assert not Notice.objects.exists()
    assert outbox == []


def test_the_task_sends_each_notice_once(outbox):
    from accord.inbox.tasks import send_notice_sms

    alice = applicant()
    notice = Notice.objects.create(user=alice, kind="k", text="t", case_no="X-3")
    assert send_notice_sms([notice.pk]) == 1
    assert send_notice_sms([notice.pk]) == 0
    assert len(outbox) == 1


def test_the_page_shows_only_the_users_notices_and_marks_them_read(client):
    alice = applicant()
    other = applicant()
    notify([alice], kind="k", text="给 alice 的通知", case_no="X-4", url="/cases/X-4/", sms=False)
    notify([other], kind="k", text="给别人的通知", case_no="X-5", sms=False)
    client.force_login(alice)
    home = client.get(reverse("cases:my_cases"))
    nav = home.content.decode()
    assert 'data-testid="nav-notices"' in nav
    assert '<span class="badge">1</span>' in nav
    page = client.get(reverse("inbox:index"))
    html = page.content.decode()
    assert "给 alice 的通知" in html
    assert 'href="/cases/X-4/"' in html
    assert "给别人的通知" not in html
    assert Notice.objects.get(user=alice).read_at is not None
    assert Notice.objects.get(user=other).read_at is None
    again = client.get(reverse("cases:my_cases")).content.decode()
    assert '<span class="badge">1</span>' not in again


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(reverse("inbox:index"))
    assert response.status_code == 302
    assert reverse("accounts:signin") in response["Location"]


def test_erasing_a_person_deletes_their_notices():
    from accord.accounts.services.erasure import person_erase
    from accord.audit.actors import Actor

    alice = applicant()
    other = applicant()
    notify([alice, other], kind="k", text="案件通知", case_no="X-6", sms=False)
    person_erase(user=alice, actor=Actor.system("erase-person"))
    assert not Notice.objects.filter(user=alice).exists()
    assert Notice.objects.filter(user=other).count() == 1
