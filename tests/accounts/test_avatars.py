"""Profile pictures: a member uploads one from their settings and members see it in chat; anything that is not a
picture we can read is refused with a clear message and the old picture stays; what is stored is a clean square
(no EXIF, no location); visitors who are not logged in never get it; removing it brings the initials back."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from leveller.accounts import avatars
from leveller.accounts.actions import avatar as avatar_actions
from leveller.accounts.models import Member
from leveller.chat.actions import channels as channel_actions
from leveller.chat.actions import messages as message_actions
from leveller.chat.fragments import row_html
from leveller.core.models import AuditEntry
from tests.support.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def picture(kind: str = "PNG", *, size=(300, 200), colour=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.save(out, kind, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "me.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def stored(member: Member) -> Image.Image:
    member.refresh_from_db()
    with default_storage.open(member.avatar, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def upload_on_settings_page(client, member, data: bytes, name: str = "me.png"):
    client.force_login(member)
    return client.post("/settings/picture/", {"picture": upload(data, name)})


def test_a_member_uploads_a_picture_and_members_see_it_next_to_their_messages_in_chat(client, member, organiser):
    general = channel_actions.create_channel(actor=organiser, name="general")
    channel_actions.add_channel_member(actor=member, channel=general, member=member)
    response = upload_on_settings_page(client, member, picture("JPEG"), "holiday.jpg")
    assert response.status_code == 302 and response["Location"] == "/settings/"
    member.refresh_from_db()
    url = member.avatar_url
    assert url.startswith(f"/members/{member.pk}/avatar/") and url.endswith(".webp")
    message_actions.send_message(actor=member, channel=general, text="Hello, with my face on")
    client.force_login(organiser)
    page = client.get(f"/chat/c/{general.pk}/").content.decode()
    assert f'<img class="avatar avatar-picture" src="{url}" alt="" width="36" height="36" loading="lazy"' in page
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/webp"
    assert "immutable" in served["Cache-Control"] and "max-age=31536000" in served["Cache-Control"]
    assert served["Cache-Control"].startswith("private")  # never in a shared cache: it is for members only
    assert served.content.startswith(b"RIFF")
    client.force_login(member)
    assert f'src="{url}"' in client.get("/settings/").content.decode()


def test_the_stored_picture_is_a_256_pixel_square_whatever_shape_was_uploaded(member):
    avatar_actions.set_avatar(actor=member, upload=upload(picture(size=(1200, 300))))
    image = stored(member)
    assert (image.format, image.size) == ("WEBP", (avatars.SIZE, avatars.SIZE))


def test_exif_such_as_where_a_photo_was_taken_is_stripped_and_its_orientation_applied(member):
    # A landscape photo, red on the left and blue on the right, whose EXIF says "turn me 90° clockwise" and
    # where it was taken. Upright it is portrait: red on top, blue below.
    photo = Image.new("RGB", (200, 100), (220, 20, 20))
    photo.paste((20, 20, 220), (100, 0, 200, 100))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    exif[0x010F] = "Spy Camera Co"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS: London
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif, quality=95)
    data = out.getvalue()
    assert b"Spy Camera Co" in data
    avatar_actions.set_avatar(actor=member, upload=upload(data, "photo.jpg", "image/jpeg"))
    image = stored(member)
    assert not image.getexif() and not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
    with default_storage.open(member.avatar, "rb") as handle:
        raw = handle.read()
    assert b"Spy Camera" not in raw and b"EXIF" not in raw and b"XMP " not in raw
    top, bottom = image.convert("RGB").getpixel((128, 20)), image.convert("RGB").getpixel((128, 235))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]  # turned upright before cropping


def test_a_gif_gives_its_first_frame(member):
    frames = [Image.new("RGB", (64, 64), colour) for colour in [(230, 0, 0), (0, 0, 230)]]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    avatar_actions.set_avatar(actor=member, upload=upload(out.getvalue(), "wave.gif", "image/gif"))
    red, _, blue = stored(member).convert("RGB").getpixel((128, 128))
    assert red > 180 and blue < 60


def test_a_transparent_png_stays_transparent(member):
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    avatar_actions.set_avatar(actor=member, upload=upload(out.getvalue()))
    assert stored(member).convert("RGBA").getpixel((10, 10))[3] == 0


def _huge() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024)


def _too_many_pixels() -> bytes:
    out = io.BytesIO()
    Image.new("1", (9000, 9000), 0).save(out, "PNG")  # a few kilobytes that would decode to 81 million pixels
    return out.getvalue()


@pytest.mark.parametrize(
    ("what", "data", "message"),
    [
        ("a file over the size limit", _huge(), "That picture is too big (5.0 MB); the limit is 5 MB."),
        ("a text file named .png", b"I am not a picture at all, just text.", avatars.NOT_A_PICTURE),
        ("an empty file", b"", "The submitted file is empty."),
        ("a corrupt PNG", picture()[:60], avatars.NOT_A_PICTURE),
        (
            "an SVG (it can carry script)",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            avatars.NOT_A_PICTURE,
        ),
        ("a BMP", picture("BMP"), avatars.NOT_A_PICTURE),
        ("a decompression bomb", _too_many_pixels(), avatars.TOO_MANY_PIXELS),
    ],
)
def test_anything_but_a_picture_we_can_read_is_refused_clearly_and_the_old_picture_is_kept(
    client, member, what, data, message
):
    avatar_actions.set_avatar(actor=member, upload=upload(picture()))
    member.refresh_from_db()
    before = member.avatar
    response = upload_on_settings_page(client, member, data)
    assert response.status_code == 400, what
    page = response.content.decode()
    assert message in page, (what, page[page.find("Your picture") :][:1500])
    member.refresh_from_db()
    assert member.avatar == before and default_storage.exists(before)
    assert client.get(member.avatar_url).status_code == 200
    assert list(default_storage.listdir(f"avatars/{member.pk}")[1]) == [before.rsplit("/", 1)[1]]  # nothing new


def test_the_size_limit_follows_the_setting(member, settings):
    settings.AVATAR_MAX_MB = 1
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        avatar_actions.set_avatar(actor=member, upload=upload(b"0" * (1024 * 1024 + 1)))
    assert refused.value.message_dict == {"picture": ["That picture is too big (1.0 MB); the limit is 1 MB."]}


def test_a_visitor_who_is_not_logged_in_cannot_fetch_a_picture(client, member):
    avatar_actions.set_avatar(actor=member, upload=upload(picture()))
    member.refresh_from_db()
    response = client.get(member.avatar_url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not response.content.startswith(b"RIFF")
    assert ApiClient().client.get(member.avatar_url, headers={"Authorization": "Bearer lvl_wrong"}).status_code == 302


def test_any_logged_in_member_may_fetch_a_picture_even_one_who_shares_no_channel(client, member, outsider):
    avatar_actions.set_avatar(actor=member, upload=upload(picture()))
    member.refresh_from_db()
    client.force_login(outsider)
    assert client.get(member.avatar_url).status_code == 200
    assert ApiClient(outsider).get(member.avatar_url).status_code == 200  # API clients with their token


def test_a_made_up_or_stale_picture_url_leads_to_the_current_picture_or_nowhere(client, member, outsider):
    client.force_login(outsider)
    assert client.get(f"/members/{member.pk}/avatar/{'0' * 32}.webp").status_code == 404  # has none
    avatar_actions.set_avatar(actor=member, upload=upload(picture(colour=(1, 2, 3))))
    member.refresh_from_db()
    old = member.avatar_url
    avatar_actions.set_avatar(actor=member, upload=upload(picture(colour=(4, 5, 6))))
    member.refresh_from_db()
    assert member.avatar_url != old
    moved = client.get(old)  # a row rendered before the change, still open in someone's tab
    assert moved.status_code == 302 and moved["Location"] == member.avatar_url
    assert client.get("/members/999999/avatar/" + "0" * 32 + ".webp").status_code == 404
    assert client.get("/members/99999999999999999999/avatar/" + "0" * 32 + ".webp").status_code == 404


def test_changing_the_picture_deletes_the_old_file_once_saved(member, run_on_commit):
    with run_on_commit():
        avatar_actions.set_avatar(actor=member, upload=upload(picture(colour=(1, 2, 3))))
    member.refresh_from_db()
    first = member.avatar
    with run_on_commit():
        avatar_actions.set_avatar(actor=member, upload=upload(picture(colour=(4, 5, 6))))
    member.refresh_from_db()
    assert not default_storage.exists(first) and default_storage.exists(member.avatar)
    with run_on_commit():
        avatar_actions.set_avatar(actor=member, upload=upload(picture(colour=(4, 5, 6))))  # the same again
    assert default_storage.exists(member.avatar)


def test_removing_the_picture_brings_the_initials_back_in_chat(client, member, organiser, run_on_commit):
    general = channel_actions.create_channel(actor=organiser, name="general")
    channel_actions.add_channel_member(actor=member, channel=general, member=member)
    avatar_actions.set_avatar(actor=member, upload=upload(picture()))
    message = message_actions.send_message(actor=member, channel=general, text="Now you see me")
    member.refresh_from_db()
    old_name, old_url = member.avatar, member.avatar_url
    assert old_url in row_html(message)
    client.force_login(member)
    with run_on_commit():
        response = client.post("/settings/picture/remove/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar == "" and member.avatar_url == "" and not default_storage.exists(old_name)
    page = client.get(f"/chat/c/{general.pk}/").content.decode()
    assert old_url not in page and ">MM</span>" in page
    assert client.get(old_url).status_code == 404
    assert "Remove picture" not in client.get("/settings/").content.decode()


def test_setting_and_removing_a_picture_is_audited(member):
    avatar_actions.set_avatar(actor=member, upload=upload(picture()))
    avatar_actions.remove_avatar(actor=member)
    actions = list(AuditEntry.objects.filter(target_id=str(member.pk)).values_list("action", flat=True))
    assert "member.avatar_set" in actions and "member.avatar_removed" in actions


def test_only_a_logged_in_member_may_change_pictures(client, member):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        avatar_actions.set_avatar(actor=AnonymousUser(), upload=upload(picture()))
    response = client.post("/settings/picture/", {"picture": upload(picture())})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/settings/picture/remove/").status_code == 302
    assert client.get("/settings/picture/remove/").status_code in (302, 405)


def test_the_api_says_where_your_picture_is_or_null(member):
    api = ApiClient(member)
    assert api.get("/api/v1/me").json()["avatar_url"] is None
    avatar_actions.set_avatar(actor=member, upload=upload(picture()))
    member.refresh_from_db()
    assert api.get("/api/v1/me").json()["avatar_url"] == member.avatar_url
    assert api.get(member.avatar_url).status_code == 200


def test_erasing_a_member_deletes_their_picture(staff, member, run_on_commit):
    from leveller.privacy.actions.erasure import erase_member

    avatar_actions.set_avatar(actor=member, upload=upload(picture()))
    member.refresh_from_db()
    name = member.avatar
    with run_on_commit():
        erase_member(actor=staff, member=member)
    member.refresh_from_db()
    assert member.avatar == "" and not default_storage.exists(name)
