from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "leveller.realtime"
    label = "realtime"
