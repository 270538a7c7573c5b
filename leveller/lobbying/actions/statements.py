"""Joint statements: staff write and open them; organisations and individuals sign; staff verify
organisational signatures before they show; a follow-up letter campaign to every MP who has not signed."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from leveller.accounts.validation import clean_email
from leveller.core import audit
from leveller.core.access import require_staff
from leveller.lobbying import geography
from leveller.lobbying.actions.campaigns import create_campaign
from leveller.lobbying.models import (
    Campaign,
    Signature,
    SignatureState,
    SignerKind,
    Statement,
    StatementStatus,
    Targets,
)

SIGN_WORDING = (
    "Add my name (and my organisation's, if given) to this statement, shown publicly with the role I give. "
    "My email is used only to check the signature and is never shown."
)
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 16_000_000
LOGO_FORMATS = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg"), "WEBP": ("image/webp", "webp")}


@transaction.atomic
def create_statement(*, actor, title: str, text: str, status: str = StatementStatus.DRAFT) -> Statement:
    require_staff(actor)
    title, text = " ".join((title or "").split()), (text or "").strip()
    errors = {}
    if not title:
        errors["title"] = "The statement needs a title."
    if not text:
        errors["text"] = "Write the statement."
    if status not in StatementStatus.values:
        errors["status"] = "Use draft, open or closed."
    if errors:
        raise ValidationError(errors)
    base, n = slugify(title)[:70] or "statement", 2
    slug = base
    while Statement.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    statement = Statement.objects.create(title=title, text=text, status=status, slug=slug, created_by=actor)
    audit.record(actor=actor, action="lobbying.statement_created", target=statement, summary=title)
    return statement


@transaction.atomic
def set_statement_status(*, actor, statement: Statement, status: str) -> Statement:
    require_staff(actor)
    if status not in StatementStatus.values:
        raise ValidationError("Use draft, open or closed.")
    statement.status = status
    statement.save(update_fields=["status"])
    audit.record(actor=actor, action=f"lobbying.statement_{status}", target=statement)
    return statement


def check_logo(upload) -> tuple[bytes, str, str]:
    """A real PNG, JPEG or WebP under 1 MB (checked by decoding it, not by its name). Returns data, type, ext."""
    from io import BytesIO

    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError({"logo": "That logo is over 1 MB: make it smaller and try again."})
    data = upload.read()
    try:
        PILImage.MAX_IMAGE_PIXELS = LOGO_MAX_PIXELS
        with PILImage.open(BytesIO(data)) as picture:
            picture.verify()
        with PILImage.open(BytesIO(data)) as picture:
            kind = picture.format
    except (UnidentifiedImageError, OSError, SyntaxError, PILImage.DecompressionBombError):
        raise ValidationError({"logo": "That file is not a picture we can use: upload a PNG, JPEG or WebP logo."})
    if kind not in LOGO_FORMATS:
        raise ValidationError({"logo": "Upload the logo as a PNG, JPEG or WebP image."})
    content_type, extension = LOGO_FORMATS[kind]
    return data, content_type, extension


@transaction.atomic
def sign(
    *,
    actor,
    statement: Statement,
    kind: str,
    name: str,
    email: str = "",
    role: str = "",
    organisation: str = "",
    logo=None,
    consent: bool = False,
) -> Signature:
    """Individuals show at once; organisations once staff have verified them."""
    if statement.status != StatementStatus.OPEN:
        raise ValidationError("This statement is not open for signatures.")
    member = actor if getattr(actor, "is_authenticated", False) else None
    errors = {}
    if kind not in SignerKind.values:
        errors["kind"] = "Sign as an organisation or as an individual."
    name, role = " ".join((name or "").split()), " ".join((role or "").split())
    organisation = " ".join((organisation or "").split())
    if not name:
        errors["name"] = "Enter your name."
    for field, value, most in (("name", name, 120), ("role", role, 120), ("organisation", organisation, 160)):
        if len(value) > most:
            errors[field] = f"Keep this under {most} characters."
    if kind == SignerKind.ORGANISATION and not organisation:
        errors["organisation"] = "Name the organisation you sign for."
    try:
        email = member.email if member else clean_email(email)
    except ValidationError as error:
        errors["email"] = error.messages[0]
    if not consent:
        errors["consent"] = "Tick the box to agree to your name being shown."
    logo_data = None
    if logo is not None and kind == SignerKind.ORGANISATION:
        try:
            logo_data = check_logo(logo)
        except ValidationError as error:
            errors.update({k: " ".join(v) for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if Signature.objects.filter(statement=statement, email__iexact=email, kind=kind).exists():
        raise ValidationError("This email has already signed the statement.")
    signature = Signature(
        statement=statement,
        kind=kind,
        name=name,
        role=role,
        organisation=organisation,
        email=email.lower(),
        member=member,
        state=SignatureState.SHOWN if kind == SignerKind.INDIVIDUAL else SignatureState.PENDING,
        consent_wording=SIGN_WORDING,
    )
    if logo_data is not None:
        data, content_type, extension = logo_data
        signature.logo_type = content_type
        signature.logo.save(f"{secrets.token_hex(8)}.{extension}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        raise ValidationError("This email has already signed the statement.")
    audit.record(actor=member, action="lobbying.signed", target=signature, summary=str(signature))
    return signature


@transaction.atomic
def verify_signature(*, actor, signature: Signature, approve: bool, mp_constituency_code: str = "") -> Signature:
    require_staff(actor)
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    code = (mp_constituency_code or "").strip().upper()
    if code and geography.constituency(code) is None:
        raise ValidationError({"mp_constituency_code": f"{code} is not a constituency code."})
    signature.state = SignatureState.SHOWN if approve else SignatureState.REJECTED
    signature.verified_by, signature.verified_at = actor, timezone.now()
    signature.mp_constituency_code = code
    signature.save(update_fields=["state", "verified_by", "verified_at", "mp_constituency_code"])
    audit.record(actor=actor, action="lobbying.signature_verified" if approve else "lobbying.signature_rejected",
                 target=signature, summary=str(signature))  # fmt: skip
    return signature


def signed_constituencies(statement: Statement) -> set[str]:
    return set(
        statement.signatures.filter(state=SignatureState.SHOWN)
        .exclude(mp_constituency_code="")
        .values_list("mp_constituency_code", flat=True)
    )


def unsigned_mps(statement: Statement) -> list[geography.Constituency]:
    signed = signed_constituencies(statement)
    return [c for c in geography.all_constituencies() if c.code not in signed and c.mp and c.mp.email]


DEFAULT_TEMPLATE = """Dear {mp_name},

I am writing to you as a constituent in {constituency} to ask you to sign the joint statement "{title}".

{{personal_paragraph}}

The statement has been signed by {count} organisations and individuals so far. You can read it and sign at
{url}

Yours sincerely,
{{member_name}}
{{member_town}}"""


@transaction.atomic
def follow_up_campaign(*, actor, statement: Statement, site_url: str) -> Campaign:
    """A draft letter campaign to every MP who has not signed (members write to their own MP, if so)."""
    require_staff(actor)
    codes = [c.code for c in unsigned_mps(statement)]
    if not codes:
        raise ValidationError("Every MP with an email address has signed: there is no one left to write to.")
    count = statement.signatures.filter(state=SignatureState.SHOWN).count()
    template = DEFAULT_TEMPLATE.format(
        mp_name="{mp_name}", constituency="{constituency}", title=statement.title, count=count,
        url=site_url + statement.get_absolute_url(),
    )  # fmt: skip
    campaign = create_campaign(
        actor=actor,
        title=f"Ask your MP to sign: {statement.title}"[:200],
        ask=f"Ask your MP to sign the joint statement “{statement.title}”.",
        subject=f"Will you sign “{statement.title}”?"[:200],
        template=template,
        targets=Targets.LIST,
        target_codes=codes,
        own_mp_only=True,
    )
    campaign.statement = statement
    campaign.save(update_fields=["statement"])
    return campaign
