from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "leveller.core"
    label = "core"

    def ready(self):
        from leveller.core import nav

        nav.register(nav.NavItem(0, "Home", "core:home"))
        nav.register(
            nav.NavItem(
                90, "Members", "accounts:members_admin", lambda user: user.is_authenticated and user.is_staff_member
            )
        )
