from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "leveller.chat"
    label = "chat"

    def ready(self) -> None:
        from leveller.accounts import hooks
        from leveller.chat import presence, read_state, realtime
        from leveller.chat.actions import channels as channel_actions
        from leveller.core import nav
        from leveller.realtime import registry

        hooks.on_member_created(
            channel_actions.join_default_channels, bulk=channel_actions.join_default_channels_in_bulk
        )
        registry.register_streams_provider(realtime.channel_streams)
        registry.register_stream_authoriser("channel", realtime.may_subscribe_channel)
        registry.register_stream_authoriser("slackimport", lambda member, ident: member.is_admin)
        registry.register_client_handler("typing", realtime.typing)
        registry.register_client_handler("presence.watch", presence.watch)
        registry.register_client_handler("chat.read", read_state.read)
        registry.register_client_handler("chat.thread_read", read_state.thread_read)
        registry.register_connection_hook(presence.on_connect, presence.on_disconnect)
        nav.register(nav.NavItem(order=10, label="Chat", url_name="chat:index"))
        from leveller.chat import panels  # noqa: F401  (registers the home panels)
