from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "greenmfg.web"
    label = "web"
