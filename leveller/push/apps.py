from django.apps import AppConfig


class PushConfig(AppConfig):
    name = "leveller.push"
    label = "push"
    verbose_name = "Push notifications"
