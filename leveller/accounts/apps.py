from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "leveller.accounts"
    label = "accounts"
