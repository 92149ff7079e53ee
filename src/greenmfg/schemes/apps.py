from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "greenmfg.schemes"
    label = "schemes"
