from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "leveller.chat"
    label = "chat"
