"""Background work of the applications context (run by `manage.py db_worker`).

The workbook import's task lives beside the service that queues it (`services.import_workbook`); this name
stays for the rows queued under it before it moved."""

from .services import import_workbook

__all__ = ["import_workbook"]
