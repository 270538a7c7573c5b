from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "leveller.groups"
    label = "groups"
