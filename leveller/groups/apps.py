from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "leveller.groups"
    label = "groups"
    verbose_name = "Groups"

    def ready(self):
        from leveller.chat import handles
        from leveller.core import home_panels, nav
        from leveller.groups import mentions, panels
        from leveller.realtime import registry

        nav.register(nav.NavItem(30, "Groups", "groups:directory"))
        home_panels.register(30)(panels.my_groups_panel)
        registry.register_stream_authoriser("group", panels.may_watch_group)
        handles.register_group_mentions(mentions.resolve)
        handles.register_group_suggestions(mentions.suggest)
