from __future__ import annotations

from ninja import Field, Router, Schema

from leveller.accounts.actions import members as member_actions

router = Router()
PREFIX = ""


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    pronouns: str
    roles: list[str]
    time_zone: str
    country: str
    postcode: str
    phone: str
    avatar_url: str | None = Field(
        None, description="Your picture (a path on this site; fetch it with your token), null when you have none"
    )


class MeIn(Schema):
    display_name: str | None = None
    pronouns: str | None = None
    bio: str | None = None
    phone: str | None = None
    postcode: str | None = None
    country: str | None = None
    time_zone: str | None = None


def _out(member) -> dict:
    return {
        "id": member.pk,
        "email": member.email,
        "display_name": member.display_name,
        "pronouns": member.pronouns,
        "roles": sorted(member.roles),
        "time_zone": member.time_zone,
        "country": member.country,
        "postcode": member.postcode,
        "phone": member.phone,
        "avatar_url": member.avatar_url or None,
    }


@router.get("/me", response=MeOut, summary="The member this token or session belongs to")
def me(request):
    return _out(request.auth)


@router.patch("/me", response=MeOut, summary="Update your own profile")
def update_me(request, data: MeIn):
    member = request.auth
    fields = data.dict(exclude_unset=True, exclude_none=True)
    return _out(member_actions.update_profile(actor=member, member=member, **fields))
