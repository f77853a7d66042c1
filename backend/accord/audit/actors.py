"""Who did it: the actor recorded with every trace event.

A person is recorded by a stable pseudonymous id (their account's id) and the role they
acted in, never by a username, name or phone number: the chain cannot be erased, the
account can. Names are looked up when the trace is shown. System actors keep the name of
the component that acted (``export-case``, ``media-worker:w1``).

This module is the foundation layer: it knows nothing of accounts, only of objects that
have a primary key and say whether they are signed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

ActorKind = Literal["user", "system"]


class Person(Protocol):
    """What the trace needs of a signed-in user (an account or Django's AnonymousUser)."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    user_id: int | None = None
    role: str | None = None
    # System actors only: the component that acted.
    label: str | None = None

    @classmethod
    def for_user(cls, user: Person, *, role: str | None = None) -> Actor:
        if not user.is_authenticated or user.pk is None:
            raise ValueError("an anonymous user cannot act on a case")
        return cls(kind="user", user_id=int(user.pk), role=role)

    @classmethod
    def for_user_id(cls, user_id: int, *, role: str | None = None) -> Actor:
        return cls(kind="user", user_id=user_id, role=role)

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(kind="system", label=component)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.label is not None:
            data["label"] = self.label
        if self.user_id is not None:
            data["user_id"] = self.user_id
        if self.role is not None:
            data["role"] = self.role
        return data
