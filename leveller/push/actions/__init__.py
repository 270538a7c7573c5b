"""The one write path for push (notifications.py): devices, preferences, and the outbox (notify, withdraw)."""
