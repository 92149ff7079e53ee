from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "greenmfg.publication"
    label = "publication"

    def ready(self) -> None:
        # selectors import models, which exist only once the app registry is ready: imported here
        from greenmfg.catalog.ports import applicant_records  # noqa: PLC0415 (app loading order)

        from .selectors import titles_record  # noqa: PLC0415 (app loading order)

        # a call may require a title this context granted, or a place on the national lists
        applicant_records.plug(titles_record)
