from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "greenmfg.supervision"
    label = "supervision"
    verbose_name = "动态管理与监督"
