from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "greenmfg.web"
    label = "web"

    def ready(self) -> None:
        from . import checks  # noqa: F401, PLC0415  (registers the demo-accounts check once apps are loaded)
