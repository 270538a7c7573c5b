from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "leveller.privacy"
    label = "privacy"

    def ready(self) -> None:
        import importlib

        from django.apps import apps

        from leveller.accounts import hooks
        from leveller.core import nav
        from leveller.privacy import suppression

        for config in apps.get_app_configs():
            if not config.name.startswith("leveller."):
                continue
            try:
                importlib.import_module(f"{config.name}.data_rights")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.data_rights":
                    raise
        hooks.on_before_member_created(suppression.refuse_new_member)
        nav.register(
            nav.NavItem(
                order=90,
                label="Data protection",
                url_name="privacy:dashboard",
                visible=lambda user: user.is_authenticated and user.is_staff_member,
            )
        )
