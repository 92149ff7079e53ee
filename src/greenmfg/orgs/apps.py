from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "greenmfg.orgs"
    label = "orgs"
