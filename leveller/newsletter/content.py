"""What an issue shows: its sections rendered for the web and for email."""

from __future__ import annotations

from dataclasses import dataclass, field

from leveller.groups.models import Group, Kind
from leveller.newsletter.models import Answer, AnswerStatus, Issue, Section, SectionKind
from leveller.newsletter.rendering import absolute_links, absolute_markdown_links, markdown_html


@dataclass
class Block:
    section: Section
    html: str
    text: str
    answers: list[Answer] = field(default_factory=list)
    group_url: str = ""

    @property
    def kind(self) -> str:
        return self.section.kind

    @property
    def heading(self) -> str:
        return self.section.heading or self.section.get_kind_display()


def chosen_answers(section: Section) -> list[Answer]:
    if section.kind != SectionKind.ANSWERS or section.question_id is None:
        return []
    return list(
        Answer.objects.filter(question_id=section.question_id, status=AnswerStatus.CHOSEN)
        .select_related("member")
        .order_by("submitted_at", "id")
    )


def blocks(issue: Issue, *, for_email: bool = False) -> list[Block]:
    out = []
    for section in issue.sections.select_related("question").order_by("position", "id"):
        html = markdown_html(section.body)
        text = section.body
        if for_email:
            html = absolute_links(html)
            text = absolute_markdown_links(text)
        out.append(
            Block(
                section=section,
                html=html,
                text=text,
                answers=chosen_answers(section),
                group_url=group_url(section.group_id_ref) if section.kind == SectionKind.SPOTLIGHT else "",
            )
        )
    return out


def spotlight_choices() -> list[tuple[int, str]]:
    """Approved groups an editor can put in the spotlight: (id, name), local groups first (usually the one)."""
    rows = Group.objects.approved().order_by("name").values("id", "name", "kind")[:500]
    return [(r["id"], r["name"]) for r in sorted(rows, key=lambda r: (r["kind"] != Kind.LOCAL, r["name"]))]


def group_url(group_id: int | None) -> str:
    group = Group.objects.filter(pk=group_id).first() if group_id else None
    return group.get_absolute_url() if group else ""
