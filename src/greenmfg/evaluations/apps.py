from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "greenmfg.evaluations"
    label = "evaluations"
