"""Model fields for personal data at rest (:mod:`accord.core.crypto`).

:class:`EncryptedCharField` stores ``v1:<key id>:<ciphertext>`` in a text column and gives
the plain value back on load. ``max_length`` limits the plain value (the form and model
validation see it); the column itself is text. Empty values stay empty (``""`` and ``NULL``
are not encrypted: that a person gave no ID number is not a secret worth a key, and it keeps
``exclude(phone="")`` working). A row written before the field was encrypted (clear text) is
still read as it is, until the data migration or ``accord rotate-data-keys`` rewrites it.

Ciphertexts are randomized, so the database cannot compare them: every lookup other than
``isnull`` and an exact match with ``""`` refuses (``FieldError``) instead of silently
matching nothing. A searched field has a companion :class:`LookupHashField`
(``phone_lookup``) that :meth:`LookupHashField.pre_save` fills from the plain value; search
it with ``phone_lookup=lookup_hash(phone)``. ``QuerySet.update()`` does not run
``pre_save``: whoever updates such a field that way sets the lookup column too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps as django_apps
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations import RunPython
from django.db.migrations.state import StateApps
from django.db.models import Model, signals
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, IsNull

from accord.core import crypto


class _EmptyOnlyExact(Exact):
    """``field=""`` (or ``None``) only: anything else cannot match a randomized ciphertext."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.model.__name__}.{self.lhs.target.name} is encrypted: "
                "filter on its lookup hash (accord.core.crypto.lookup_hash) instead"
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    description = "Text encrypted at rest (AES-256-GCM, accord.core.crypto)"

    def _check_max_length_attribute(self, **kwargs: Any) -> list[Any]:
        # The column is text: a limit on the plain value is optional.
        if self.max_length is None:
            return []
        return super()._check_max_length_attribute(**kwargs)  # type: ignore[misc]

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return models.TextField().db_type(connection)

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        if crypto.is_encrypted(value):
            return crypto.decrypt(value)
        return str(value)  # clear text written before the column was encrypted

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_encrypted(value):
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: no {lookup_name!r} lookup; "
            "filter on its lookup hash instead"
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class LookupHashField(models.CharField):
    """The HMAC-SHA256 of another field's plain value (``None`` while that is empty)."""

    description = "Keyed lookup hash of an encrypted field"

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("max_length", 64), ("null", True), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def hash_of(self, instance: Model) -> str | None:
        value = getattr(instance, self.source)
        return crypto.lookup_hash(str(value)) if value else None

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = self.hash_of(model_instance)
        setattr(model_instance, self.attname, value)
        return value

    def contribute_to_class(self, cls: type[Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        # Not for the historical models a migration renders (module ``__fake__``).
        if not cls._meta.abstract and cls.__module__ != "__fake__":
            signals.pre_save.connect(self._refuse_partial_save, sender=cls, weak=False)

    def _refuse_partial_save(
        self, sender: type[Model], update_fields: Iterable[str] | None = None, **kwargs: Any
    ) -> None:
        names = set(update_fields or ())
        if update_fields is not None and self.source in names and self.attname not in names:
            raise FieldError(
                f"save(update_fields=...) names {self.source!r} without {self.name!r}: "
                "its lookup hash would go stale"
            )


def encrypted_fields(model: type[Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def lookup_fields(model: type[Model]) -> list[LookupHashField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, LookupHashField)]


def reencrypt_rows(model: type[Model], *, batch_size: int = 500) -> int:
    """Rewrite every row of ``model`` whose encrypted columns are clear text or under an
    older key, or whose lookup hashes are not those of the current lookup key, in batches
    (each its own statement); rows already current are not written. Idempotent. Returns
    how many rows were rewritten. Works on historical models of a migration too."""
    fields = encrypted_fields(model)
    if not fields:
        return 0
    lookups = lookup_fields(model)
    raw_names = {f.name: f"_raw_{f.name}" for f in fields}
    manager = model._base_manager
    rewritten = 0
    last_pk: Any = None
    while True:
        query = manager.order_by("pk").annotate(
            **{raw_names[f.name]: Cast(f.name, models.TextField()) for f in fields}
        )
        if last_pk is not None:
            query = query.filter(pk__gt=last_pk)
        batch = list(query[:batch_size])
        if not batch:
            return rewritten
        last_pk = batch[-1].pk
        changed = []
        for row in batch:
            stale = any(
                (raw := getattr(row, raw_names[f.name])) not in (None, "")
                and crypto.needs_rotation(raw)
                for f in fields
            )
            for lookup in lookups:
                if getattr(row, lookup.attname) != lookup.hash_of(row):
                    stale = True
            if stale:
                for lookup in lookups:
                    setattr(row, lookup.attname, lookup.hash_of(row))
                changed.append(row)
        if changed:
            manager.bulk_update(changed, [f.name for f in (*fields, *lookups)])
            rewritten += len(changed)


def decrypt_rows(model: type[Model], *, batch_size: int = 500) -> int:
    """Write the plain values back in clear (a data migration's reverse step)."""
    fields = encrypted_fields(model)
    manager = model._base_manager
    count = 0
    for row in manager.order_by("pk").iterator(chunk_size=batch_size):
        values = {
            f.name: models.Value(getattr(row, f.attname), output_field=models.TextField())
            for f in fields
            if getattr(row, f.attname) not in (None, "")
        }
        if values:
            manager.filter(pk=row.pk).update(**values)
            count += 1
    return count


def encrypt_rows_operation(app_label: str, *model_names: str) -> RunPython:
    """A data migration's step: encrypt the existing rows of the named models (and fill
    their lookup hashes); reversed, write them back in clear."""

    def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for name in model_names:
            reencrypt_rows(apps.get_model(app_label, name))

    def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for name in model_names:
            decrypt_rows(apps.get_model(app_label, name))

    return RunPython(forward, backward, elidable=False)


def reencrypt_everything(*, batch_size: int = 500) -> dict[str, int]:
    """:func:`reencrypt_rows` for every installed model with an encrypted column:
    ``{"app_label.Model": rows rewritten}``. The plain values do not change, so nothing is
    traced; ``accord rotate-data-keys`` prints the counts."""
    counts: dict[str, int] = {}
    for model in django_apps.get_models():
        if encrypted_fields(model):
            counts[model._meta.label] = reencrypt_rows(model, batch_size=batch_size)
    return counts
