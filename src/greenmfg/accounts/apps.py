from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "greenmfg.accounts"
    label = "accounts"
