"""Every change in chat, one module per topic: channels and their members (channels.py), messages (messages.py),
a member's own chat state and moderation reports (state.py), and the Slack import (slack_import.py). Import
the module: `from leveller.chat.actions import messages as message_actions`."""
