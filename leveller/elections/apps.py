from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "leveller.elections"
    label = "elections"
    verbose_name = "Elections and votes"

    def ready(self) -> None:
        from leveller.core import nav
        from leveller.elections import panels  # noqa: F401 - registers the home panel

        nav.register(nav.NavItem(order=60, label="Votes", url_name="elections:list"))
