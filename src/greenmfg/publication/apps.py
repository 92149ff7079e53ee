from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "greenmfg.publication"
    label = "publication"
