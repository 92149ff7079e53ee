from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "greenmfg.reports"
    label = "reports"
