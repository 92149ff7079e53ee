from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "greenmfg.evaluations"
    label = "evaluations"

    def ready(self) -> None:
        # selectors import models, which exist only once the app registry is ready: imported here
        from greenmfg.applications.ports import readers  # noqa: PLC0415 (app loading order)

        from .selectors import engaged_application_ids  # noqa: PLC0415 (app loading order)

        # an engaged body's evaluators read the application they evaluate
        readers.plug(engaged_application_ids)
