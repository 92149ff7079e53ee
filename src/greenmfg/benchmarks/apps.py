from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    name = "greenmfg.benchmarks"
    label = "benchmarks"
