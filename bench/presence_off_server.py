"""`leveller serve` without chat presence (the baseline of bench/bench_chat_presence.py): the same server, minus
presence's connection hook, and with chat's streams provider back to what it was before presence (the member's
channels only, without DM partners' presence streams or the appear-away lookup)."""

import sys

from leveller.realtime import registry

_register_provider = registry.register_streams_provider


def channels_only(member):
    from leveller.chat.models import ChannelMembership

    ids = ChannelMembership.objects.filter(member=member).values_list("channel_id", flat=True)
    return [f"channel-{pk}" for pk in ids]


registry.register_connection_hook = lambda on_connect, on_disconnect: None
registry.register_streams_provider = lambda p: _register_provider(
    channels_only if p.__qualname__ == "channel_streams" and p.__module__ == "leveller.chat.realtime" else p
)

if __name__ == "__main__":
    from leveller.__main__ import main

    sys.argv[0] = "leveller"
    sys.exit(main())
