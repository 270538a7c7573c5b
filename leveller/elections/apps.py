from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "leveller.elections"
    label = "elections"
