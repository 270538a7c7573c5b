from __future__ import annotations

from ninja import Router, Schema

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


@router.get("/me", response=MeOut, summary="The member this token or session belongs to")
def me(request):
    member = request.auth
    return {
        "id": member.pk,
        "email": member.email,
        "display_name": member.display_name,
        "pronouns": member.pronouns,
        "roles": sorted(member.roles),
        "time_zone": member.time_zone,
        "country": member.country,
    }
