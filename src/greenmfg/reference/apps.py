from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "greenmfg.reference"
    label = "reference"
