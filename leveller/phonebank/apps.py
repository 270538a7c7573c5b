from django.apps import AppConfig


class PhonebankConfig(AppConfig):
    name = "leveller.phonebank"
    label = "phonebank"
    verbose_name = "Phonebank"

    def ready(self):
        from leveller.core import home_panels, nav
        from leveller.phonebank import access, calling, panels
        from leveller.realtime import registry

        nav.register(nav.NavItem(30, "Phonebank", "phonebank:campaigns"))
        registry.register_stream_authoriser("campaign", access.may_watch)
        home_panels.register(30)(panels.home_panel)
        calling.register_fast_routes()
