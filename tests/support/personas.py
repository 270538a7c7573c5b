from __future__ import annotations

import factory

from leveller.accounts.actions import members as member_actions
from leveller.accounts.models import Member

PASSWORD = "correct-horse-battery-staple"


def make_member(name: str, email: str, *, roles: list[str] | None = None, password: str = PASSWORD, **fields) -> Member:
    member, _ = member_actions.add_or_update_member(
        actor=None, email=email, display_name=name, roles=roles or ["member"], password=password, **fields
    )
    return member


class MemberFactory(factory.Factory):
    """Members in volume: MemberFactory.create_batch(500)."""

    class Meta:
        model = Member

    display_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"member{n}@example.org")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return make_member(
            kwargs["display_name"],
            kwargs["email"],
            password=None,
            **{k: v for k, v in kwargs.items() if k not in {"display_name", "email"}},
        )
