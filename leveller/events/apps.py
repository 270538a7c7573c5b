from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "leveller.events"
    label = "events"

    def ready(self):
        from leveller.core import nav
        from leveller.events import panels  # noqa: F401  (registers the home panel)
        from leveller.realtime import registry

        nav.register(nav.NavItem(30, "Events", "events:list"))
        nav.register(nav.NavItem(35, "Courses", "events:courses"))
        registry.register_stream_authoriser("event", _may_watch_event)


def _may_watch_event(member, ident: str) -> bool:
    from leveller.events.models import Event

    return ident.isdigit() and Event.objects.visible_to(member).filter(pk=int(ident)).exists()
