from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "greenmfg.notifications"
    label = "notifications"
