from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "leveller.events"
    label = "events"
