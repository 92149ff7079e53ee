from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "greenmfg.supervision"
    label = "supervision"
    verbose_name = "动态管理与监督"

    def ready(self) -> None:
        # selectors import models, which exist only once the app registry is ready: imported here
        from greenmfg.catalog.ports import applicant_records  # noqa: PLC0415 (app loading order)

        from .selectors import filings_record  # noqa: PLC0415 (app loading order)

        # a missing annual filing bars a higher tier where the level says so
        applicant_records.plug(filings_record)
