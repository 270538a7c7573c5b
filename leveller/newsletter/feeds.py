"""The Atom 1.0 feed of published issues."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.utils.feedgenerator import Atom1Feed

from leveller.newsletter import content
from leveller.newsletter.models import Issue
from leveller.newsletter.rendering import absolute_links


class IssueFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return f"{settings.SITE_NAME} newsletter"

    def subtitle(self):
        return f"Every issue of the {settings.SITE_NAME} members' newsletter."

    def link(self):
        return settings.SITE_URL + "/newsletter/"

    def feed_url(self):
        return settings.SITE_URL + "/newsletter/feed.atom"

    def author_name(self):
        return settings.SITE_NAME

    def items(self):
        return Issue.objects.published()[:30]

    def item_title(self, item: Issue) -> str:
        return item.title

    def item_link(self, item: Issue) -> str:
        return settings.SITE_URL + item.get_absolute_url()

    def item_guid(self, item: Issue) -> str:
        return f"tag:{settings.SITE_URL.split('://', 1)[-1].split('/')[0]},{item.published_at:%Y-%m-%d}:issue-{item.pk}"

    item_guid_is_permalink = False

    def item_description(self, item: Issue) -> str:
        html = render_to_string(
            "newsletter/partials/feed_item.html", {"blocks": content.blocks(item, for_email=True), "issue": item}
        )
        return absolute_links(html)

    def item_pubdate(self, item: Issue):
        return item.published_at

    def item_updateddate(self, item: Issue):
        return max(item.updated_at, item.published_at)
