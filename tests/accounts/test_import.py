import pytest
from django.core import mail

from leveller.accounts.importing import import_members
from leveller.accounts.models import Member

pytestmark = pytest.mark.django_db

CSV = """email,name,phone,postcode,country,membership number,joined,roles
ana@example.org,Ana Silva,020 7946 0111,nw10 3ln,GB,M1,2020-01-15,member
not-an-email,Bad Row,,,,M2,,
ben@example.org,Ben Ode,+353 85 123 4567,D08,IE,M3,15/02/2021,organiser
cat@example.org,,,,,M4,,
dee@example.org,Dee Rao,12,,GB,M5,,
eve@example.org,Eve Ng,,,GB,M6,yesterday,
fay@example.org,Fay Lo,,,GB,M7,,wizard
"""


def test_a_csv_import_loads_valid_rows_and_reports_each_invalid_row_with_its_line(staff):
    report = import_members(actor=staff, data=CSV)
    assert report.created == 2
    lines = dict(report.errors)
    assert set(lines) == {3, 5, 6, 7, 8}
    assert "not a valid email" in lines[3]
    assert "name" in lines[5].lower()
    assert "phone" in lines[6]
    assert "date" in lines[7]
    assert "role" in lines[8]
    ana = Member.objects.get(email="ana@example.org")
    assert ana.phone == "+442079460111"
    assert ana.postcode == "NW10 3LN"
    ben = Member.objects.get(email="ben@example.org")
    assert ben.time_zone == "Europe/Dublin"
    assert ben.is_organiser


def test_reimporting_the_same_file_creates_no_duplicates(staff):
    import_members(actor=staff, data=CSV)
    count = Member.objects.count()
    report = import_members(actor=staff, data=CSV)
    assert Member.objects.count() == count
    assert report.created == 0
    assert report.updated == 2


def test_a_file_without_an_email_column_is_rejected_with_a_reason(staff):
    report = import_members(actor=staff, data="name,phone\nAna,123\n")
    assert report.imported == 0
    assert report.errors == [(1, "No email column: the first line must name the columns, including 'email'.")]


def test_import_can_invite_each_new_member(staff, run_on_commit):
    with run_on_commit():
        report = import_members(actor=staff, data="email,name\nx1@example.org,X One\nx2@example.org,X Two\n", invite=True)
    assert report.invited == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["x1@example.org", "x2@example.org"]


def test_only_staff_can_import(member):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_members(actor=member, data=CSV)


def test_the_import_page_shows_the_report(client, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff)
    upload = SimpleUploadedFile("members.csv", CSV.encode(), content_type="text/csv")
    page = client.post("/manage/members/import/", {"file": upload}).content.decode()
    assert "2</strong> new members imported" in page
    assert "<td>3</td><td>&#x27;not-an-email&#x27; is not a valid email address.</td>" in page
