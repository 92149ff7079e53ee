from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "greenmfg.applications"
    label = "applications"

    def ready(self) -> None:
        from greenmfg.catalog.ports import step_date_moved  # noqa: PLC0415 (app loading order)

        from .services import move_step_due  # noqa: PLC0415 (app loading order)

        # a call's calendar moved a step's date: the applications waiting there take the new due date
        step_date_moved.plug(move_step_due)
