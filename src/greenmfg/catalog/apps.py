from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "greenmfg.catalog"
    label = "catalog"
