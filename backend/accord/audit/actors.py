"""Who did it: the actor recorded with every trace event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accord.accounts.models import User

ActorKind = Literal["user", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    label: str
    user_id: int | None = None
    role: str | None = None

    @classmethod
    def for_user(cls, user: User | AnonymousUser, *, role: str | None = None) -> Actor:
        if not user.is_authenticated or user.pk is None:
            raise ValueError("an anonymous user cannot act on a case")
        return cls(kind="user", label=user.get_username(), user_id=int(user.pk), role=role)

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(kind="system", label=component)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "label": self.label}
        if self.user_id is not None:
            data["user_id"] = self.user_id
        if self.role is not None:
            data["role"] = self.role
        return data
