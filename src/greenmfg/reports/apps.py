from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "greenmfg.reports"
    label = "reports"

    def ready(self) -> None:
        # notices imports models, which exist only once the app registry is ready: imported here
        from greenmfg.publication.ports import (  # noqa: PLC0415 (app loading order)
            announcement_changed,
            document_states,
            notice_changed,
        )

        from . import notices  # noqa: PLC0415 (app loading order)

        # the 公示 and 公告 PDFs are made by the worker whenever what they print changes
        notice_changed.plug(notices.notice_changed)
        announcement_changed.plug(notices.announcement_changed)
        # the bureau's publication page shows how they stand (a failed one with "retry now")
        document_states.plug(notices.document_states)
