from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "greenmfg.audit"
    label = "audit"
    verbose_name = "审计"
