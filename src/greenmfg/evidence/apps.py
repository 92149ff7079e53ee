from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "greenmfg.evidence"
    label = "evidence"
