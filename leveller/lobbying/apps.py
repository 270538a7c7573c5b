from django.apps import AppConfig


class LobbyingConfig(AppConfig):
    name = "leveller.lobbying"
    label = "lobbying"
    verbose_name = "Lobbying"

    def ready(self):
        from leveller.core import nav

        nav.register(nav.NavItem(50, "Lobbying", "lobbying:home"))
