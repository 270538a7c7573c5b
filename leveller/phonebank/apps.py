from django.apps import AppConfig


class PhonebankConfig(AppConfig):
    name = "leveller.phonebank"
    label = "phonebank"
