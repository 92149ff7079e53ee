from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "greenmfg.core"
    label = "core"
