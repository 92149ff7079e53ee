from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "greenmfg.register"
    label = "register"
