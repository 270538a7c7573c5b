from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "leveller.newsletter"
    label = "newsletter"
