from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "greenmfg.register"
    label = "register"

    def ready(self) -> None:
        # services import models, which exist only once the app registry is ready: imported here
        from greenmfg.publication.ports import title_changed  # noqa: PLC0415 (app loading order)

        from .services import record_platform_title  # noqa: PLC0415 (app loading order)

        # the register is publication's public read model: every title granted or regraded is written
        # into it in the same transaction
        title_changed.plug(record_platform_title)
