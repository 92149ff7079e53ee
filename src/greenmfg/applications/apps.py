from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "greenmfg.applications"
    label = "applications"
