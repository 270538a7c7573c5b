from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "leveller.newsletter"
    label = "newsletter"

    def ready(self) -> None:
        from leveller.core import home_panels, nav
        from leveller.core.nav import NavItem
        from leveller.newsletter import panels
        from leveller.newsletter.access import is_editor
        from leveller.realtime import registry

        nav.register(NavItem(order=60, label="Newsletter", url_name="newsletter:home"))
        home_panels.register(60)(panels.home_panel)
        # Send progress of an issue: editors only.
        registry.register_stream_authoriser("newsletter", lambda member, ident: ident.isdigit() and is_editor(member))
