from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "greenmfg.evaluations"
    label = "evaluations"

    def ready(self) -> None:
        # selectors import models, which exist only once the app registry is ready: imported here
        from greenmfg.applications.ports import readers  # noqa: PLC0415 (app loading order)
        from greenmfg.orgs.ports import body_listing_changed  # noqa: PLC0415 (app loading order)

        from .selectors import engaged_application_ids  # noqa: PLC0415 (app loading order)
        from .services import flag_open_engagements  # noqa: PLC0415 (app loading order)

        # an engaged body's evaluators read the application they evaluate
        readers.plug(engaged_application_ids)
        # a body its bureau suspends or removes: the engagements it had in force are flagged
        body_listing_changed.plug(flag_open_engagements)
