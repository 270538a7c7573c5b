"""Chat: channels, memberships, messages, threads, reactions, attachments, notifications, webhooks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

SECTIONS = [
    ("announcements", "Announcements"),
    ("campaigns", "Campaigns"),
    ("discussion", "Discussion"),
    ("regions", "Regions"),
    ("teams", "Teams"),
    ("resources", "Resources"),
]
SECTION_ORDER = [key for key, _ in SECTIONS]
MAX_GROUP_DM = 9


class Kind(models.TextChoices):
    STANDARD = "standard", "Channel"
    DM = "dm", "Direct message"
    GROUP_DM = "group_dm", "Group direct message"


class Level(models.TextChoices):
    EVERYTHING = "everything", "Everything"
    MENTIONS = "mentions", "Mentions only"
    NOTHING = "nothing", "Nothing"


class ChannelQuerySet(models.QuerySet):
    def readable_by(self, member):
        """Channels whose messages this member may read: public standard channels, or ones they belong to."""
        if member is None or not member.is_authenticated or not member.is_active:
            return self.none()
        mine = ChannelMembership.objects.filter(channel=OuterRef("pk"), member=member)
        return self.filter(Q(kind=Kind.STANDARD, private=False) | Q(Exists(mine)))

    def joined_by(self, member):
        return self.filter(memberships__member=member)

    def standard(self):
        return self.filter(kind=Kind.STANDARD)


class Channel(models.Model):
    name = models.CharField(max_length=80, help_text="Lower case, no spaces, e.g. eviction-resistance.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STANDARD)
    private = models.BooleanField(default=False, help_text="Invite-only: only members can see it exists.")
    purpose = models.CharField(max_length=250, blank=True)
    topic = models.CharField(max_length=250, blank=True)
    section = models.CharField(max_length=40, default="discussion")
    announcement = models.BooleanField(default=False, help_text="Only staff post; everyone can reply in threads.")
    default = models.BooleanField(default=False, help_text="Every new member joins it.")
    archived_at = models.DateTimeField(null=True, blank=True)
    dm_key = models.CharField(max_length=200, null=True, blank=True, help_text="Sorted member ids of a DM.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    slack_id = models.CharField(max_length=40, null=True, blank=True, help_text="Imported from this Slack channel.")

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slack_id"], condition=Q(slack_id__isnull=False), name="chat_channel_slack_id_unique"
            ),
            models.UniqueConstraint(Lower("name"), condition=Q(kind="standard"), name="chat_channel_name_unique"),
            models.UniqueConstraint(fields=["dm_key"], name="chat_channel_dm_key_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="chat_channel_name_not_blank"),
        ]

    def __str__(self) -> str:
        return f"#{self.name}" if self.kind == Kind.STANDARD else self.name

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_dm(self) -> bool:
        return self.kind != Kind.STANDARD

    @property
    def stream(self) -> str:
        return f"channel-{self.pk}"


class ChannelMembership(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    last_read_id = models.BigIntegerField(default=0, help_text="The last message id this member has read.")
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.EVERYTHING)
    section = models.CharField(max_length=40, blank=True, help_text="The member's own sidebar section, if any.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "member"], name="chat_membership_unique")]

    def __str__(self) -> str:
        return f"{self.member} in {self.channel}"


class MessageQuerySet(models.QuerySet):
    def visible_to(self, member):
        return self.filter(channel__in=Channel.objects.readable_by(member))

    def in_channel_view(self):
        """Top-level messages, and thread replies also posted to the channel."""
        return self.filter(Q(thread__isnull=True) | Q(also_in_channel=True))


class Message(models.Model):
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_messages"
    )
    bot_name = models.CharField(max_length=80, blank=True, help_text="Set for webhook and system messages.")
    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    also_in_channel = models.BooleanField(default=False)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_count = models.PositiveIntegerField(default=0)
    last_reply_at = models.DateTimeField(null=True, blank=True)
    slack_ts = models.CharField(max_length=24, null=True, blank=True, help_text="Imported: the Slack message ts.")

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["channel", "id"], name="chat_msg_channel_id"),
            models.Index(fields=["thread", "id"], name="chat_msg_thread_id"),
            # Search turns before:/after: dates into id bounds through this index (leveller/chat/search.py).
            models.Index(fields=["created_at"], name="chat_msg_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False) | Q(also_in_channel=False), name="chat_also_needs_thread"
            ),
            # The Slack importer's key (channel + ts): partial, so SQLite adds it without rebuilding the table.
            models.UniqueConstraint(
                fields=["channel", "slack_ts"], condition=Q(slack_ts__isnull=False), name="chat_msg_slack_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} in {self.channel_id}"

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def reaction_summary(self) -> list[dict]:
        """Reactions grouped by emoji, in first-use order (uses prefetched reactions when present)."""
        grouped: dict[str, list[int]] = {}
        for reaction in self.reactions.all():
            grouped.setdefault(reaction.emoji, []).append(reaction.member_id)
        return [{"emoji": emoji, "count": len(ids), "member_ids": ids} for emoji, ids in grouped.items()]

    @property
    def author_name(self) -> str:
        if self.author_id:
            return self.author.display_name
        return self.bot_name or "Leveller"


class MessageRevision(models.Model):
    """The text a message had before an edit; visible to moderators."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["edited_at", "id"]

    def __str__(self) -> str:
        return f"revision of {self.message_id}"


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["message", "member", "emoji"], name="chat_reaction_unique")]

    def __str__(self) -> str:
        return f"{self.emoji} on {self.message_id}"


class ThreadFollow(models.Model):
    """A member following (or having explicitly unfollowed) a thread, and how far they have read it."""

    thread = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_follows")
    following = models.BooleanField(default=True)
    last_read_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "member"], name="chat_follow_unique")]

    def __str__(self) -> str:
        return f"{self.member_id} follows {self.thread_id}"


def attachment_path(instance, filename: str) -> str:
    return f"chat/{timezone.now():%Y/%m}/{instance.token}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    token = models.CharField(max_length=32, unique=True)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class NotificationKind(models.TextChoices):
    MENTION = "mention", "Mention"
    THREAD_REPLY = "thread_reply", "Thread reply"
    DM = "dm", "Direct message"


class Notification(models.Model):
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_notifications")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["member", "message"], name="chat_notification_unique")]
        indexes = [models.Index(fields=["member", "read_at"], name="chat_notif_member_read")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.member_id}"


class ChatProfile(models.Model):
    """A member's chat handle (for @mentions) and notification preferences."""

    member = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_profile")
    handle = models.CharField(max_length=60, unique=True)
    email_mentions = models.BooleanField(default=True, help_text="Email me about mentions while I am away.")
    appear_away = models.BooleanField(
        default=False, help_text="Show me as away in chat even while I am online (and leave me out of @here)."
    )
    digest_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"@{self.handle}"


class Report(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(max_length=2000)
    text_snapshot = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report on {self.message_id}"


class Webhook(models.Model):
    """An incoming webhook: POST /hooks/<secret> with {"text": ...} posts as `name`."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=80)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


from leveller.chat.slack_import.models import SlackImportRun, SlackUser  # noqa: E402, F401  (chat's models too)
