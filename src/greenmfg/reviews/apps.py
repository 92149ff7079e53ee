from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "greenmfg.reviews"
    label = "reviews"

    def ready(self) -> None:
        # selectors import models, which exist only once the app registry is ready: imported here
        from greenmfg.applications.ports import readers  # noqa: PLC0415 (app loading order)
        from greenmfg.catalog.ports import applicant_records, recommended  # noqa: PLC0415 (app loading order)

        from .selectors import (  # noqa: PLC0415 (app loading order)
            assigned_application_ids,
            most_recommended,
            negative_list_record,
        )

        # an expert reads the applications assigned to them, inside the review window
        readers.plug(assigned_application_ids)
        # a call may refuse applicants found on the negative list by this context's credit checks
        applicant_records.plug(negative_list_record)
        # a call's quota may not fall below what a province has already recommended
        recommended.plug(most_recommended)
