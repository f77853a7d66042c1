"""Personal data at rest: what the database holds is ciphertext, the ORM gives plain values,
searched fields are found by their lookup hash, clear rows of older databases are read and
encrypted by the data migrations, and `accord rotate-data-keys` moves everything to the
current key."""

from __future__ import annotations

from io import StringIO
from typing import Any, cast

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accord.accounts.models import SignInCode, User
from accord.accounts.selectors import latest_signin_code, user_by_phone
from accord.audit.models import PersonalKey, PersonalValue
from accord.audit.personal import reveal, seal
from accord.cases.models import Case
from accord.core import crypto
from accord.core.crypto import lookup_hash
from tests.factories import UserFactory

PHONE = "13812340001"


def raw(table: str, column: str, pk: int) -> Any:
    """A column as the database holds it, past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


def write_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "{column}" = %s WHERE id = %s', [value, pk])  # noqa: S608


def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def test_a_phone_and_totp_secret_are_stored_encrypted_and_read_plain(db):
    user = make_user(username="enc", phone=PHONE, totp_secret="JBSWY3DPEHPK3PXP")
    stored = raw("accounts_user", "phone", user.pk)
    assert stored.startswith("v1:demo:")
    assert PHONE not in stored
    assert raw("accounts_user", "totp_secret", user.pk).startswith("v1:demo:")
    assert raw("accounts_user", "phone_lookup", user.pk) == lookup_hash(PHONE)
    fresh = User.objects.get(pk=user.pk)
    assert fresh.phone == PHONE
    assert fresh.totp_secret == "JBSWY3DPEHPK3PXP"
    assert User.objects.filter(pk=user.pk).values_list("phone", flat=True).get() == PHONE
    assert user_by_phone(PHONE) == user
    assert user_by_phone("13812340002") is None


def test_filtering_on_an_encrypted_column_is_refused_not_silently_empty(db):
    make_user(username="enc", phone=PHONE)
    with pytest.raises(FieldError, match="lookup hash"):
        list(User.objects.filter(phone=PHONE))
    with pytest.raises(FieldError, match="lookup hash"):
        # (as a mapping: django-stubs' plugin crashes on a lookup the field does not offer)
        list(User.objects.filter(**{"phone__icontains": "1381"}))
    with pytest.raises(FieldError):
        list(Case.objects.filter(**{"applicant_id_number__startswith": "1101"}))
    # Emptiness is not secret and may be asked.
    assert User.objects.filter(phone__isnull=False).exclude(phone="").count() == 1


def test_clearing_a_phone_clears_its_lookup_and_a_partial_save_is_refused(db):
    user = make_user(username="enc", phone=PHONE)
    user.phone = "13812340002"
    with pytest.raises(FieldError, match="phone_lookup"):
        user.save(update_fields=["phone"])
    user.save(update_fields=["phone", "phone_lookup"])
    assert user_by_phone("13812340002") == user
    assert user_by_phone(PHONE) is None
    user.phone = None
    user.save()
    assert raw("accounts_user", "phone_lookup", user.pk) is None


def test_the_phone_stays_unique_through_its_lookup_hash(db):
    make_user(username="first", phone=PHONE)
    second = User(username="second", phone=PHONE)
    with pytest.raises(ValidationError) as caught:
        second.validate_unique()
    assert "phone" in caught.value.message_dict
    # A user without a number and one with a different number are fine.
    User(username="third", phone=None).validate_unique()
    User(username="fourth", phone="13812340009").validate_unique()


def test_sign_in_codes_are_found_by_the_lookup_hash_of_their_number(db):
    from django.utils import timezone

    now = timezone.now()
    code = SignInCode.objects.create(
        phone=PHONE, code_hash="0" * 64, created_at=now, expires_at=now
    )
    assert raw("accounts_signincode", "phone", code.pk).startswith("v1:")
    assert latest_signin_code(PHONE) == code
    assert latest_signin_code("13812340002") is None


@pytest.mark.django_db(transaction=True)
def test_personal_values_and_their_keys_are_encrypted_and_still_proven():
    from django.db import transaction

    with transaction.atomic():
        sealed = seal(subject="user:1", field="phone", value=PHONE)
    value = PersonalValue.objects.get()
    key = PersonalKey.objects.get()
    assert raw("audit_personalvalue", "value", value.pk).startswith("v1:")
    assert PHONE not in raw("audit_personalvalue", "value", value.pk)
    assert raw("audit_personalkey", "secret", key.pk).startswith("v1:")
    assert reveal(sealed) == PHONE


def test_a_clear_text_row_of_an_older_database_is_read_and_rotation_encrypts_it(db, settings):
    user = make_user(username="legacy", phone=PHONE, totp_secret="JBSWY3DPEHPK3PXP")
    write_raw("accounts_user", "phone", user.pk, PHONE)
    write_raw("accounts_user", "totp_secret", user.pk, "JBSWY3DPEHPK3PXP")
    assert User.objects.get(pk=user.pk).phone == PHONE  # clear text is still read

    new_key = crypto.new_data_key()
    settings.ACCORD_DATA_KEYS = f"next={new_key},{settings.DEMO_DATA_KEYS}"
    out = StringIO()
    call_command("rotate_data_keys", "--batch-size", "1", stdout=out)
    assert "accounts.User: 1 rows re-encrypted" in out.getvalue()
    assert raw("accounts_user", "phone", user.pk).startswith("v1:next:")
    assert raw("accounts_user", "totp_secret", user.pk).startswith("v1:next:")
    # Idempotent: a second run rewrites nothing.
    again = StringIO()
    call_command("rotate_data_keys", stdout=again)
    assert "accounts.User: 0 rows re-encrypted" in again.getvalue()
    # The demo key can go now: everything opens with the new one alone.
    settings.ACCORD_DATA_KEYS = f"next={new_key}"
    assert User.objects.get(pk=user.pk).phone == PHONE


def test_rotation_reaches_every_encrypted_column_and_recomputes_lookups(db, settings):
    user = make_user(username="rot", phone=PHONE)
    settings.ACCORD_LOOKUP_KEY = "another-lookup-key-" + "x" * 40
    assert user_by_phone(PHONE) is None  # stale lookup hashes until the command runs
    out = StringIO()
    call_command("rotate_data_keys", stdout=out)
    for label in (
        "accounts.User",
        "accounts.SignInCode",
        "audit.PersonalKey",
        "audit.PersonalValue",
        "cases.Consultation",
        "cases.Case",
        "conflicts.Relationship",
    ):
        assert f"{label}: " in out.getvalue()
    assert user_by_phone(PHONE) == user


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_clear_rows_and_reverses_to_clear():
    """A database from before the migration (clear phone numbers, a clear TOTP secret)
    migrated forward with Django's executor: the rows survive, encrypted; backwards, clear."""
    executor = MigrationExecutor(connection)
    before = [("accounts", "0003_user_erased_at")]
    after = [("accounts", "0004_encrypt_personal_data")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldUser = old_apps.get_model("accounts", "User")
    OldCode = old_apps.get_model("accounts", "SignInCode")
    from django.utils import timezone

    now = timezone.now()
    old = OldUser.objects.create(
        username="pre", phone=PHONE, totp_secret="JBSWY3DPEHPK3PXP", password="!"
    )
    code = OldCode.objects.create(phone=PHONE, code_hash="0" * 64, expires_at=now)
    assert raw("accounts_user", "phone", old.pk) == PHONE

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert raw("accounts_user", "phone", old.pk).startswith("v1:demo:")
    assert raw("accounts_user", "totp_secret", old.pk).startswith("v1:demo:")
    assert raw("accounts_signincode", "phone", code.pk).startswith("v1:demo:")
    user = User.objects.get(pk=old.pk)
    assert (user.phone, user.totp_secret) == (PHONE, "JBSWY3DPEHPK3PXP")
    assert user_by_phone(PHONE) == user
    latest = latest_signin_code(PHONE)
    assert latest is not None and latest.pk == code.pk

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    assert raw("accounts_user", "phone", old.pk) == PHONE
    assert raw("accounts_user", "totp_secret", old.pk) == "JBSWY3DPEHPK3PXP"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.get(pk=old.pk).phone == PHONE
