from django.apps import AppConfig


class LobbyingConfig(AppConfig):
    name = "leveller.lobbying"
    label = "lobbying"
    verbose_name = "Lobbying"

    def ready(self):
        from leveller.core import home_panels, nav
        from leveller.lobbying import panels

        nav.register(nav.NavItem(50, "Lobbying", "lobbying:home"))
        home_panels.register(55)(panels.home_panel)
