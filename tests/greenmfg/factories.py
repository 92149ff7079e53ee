"""Small builders for platform tests (the demo world provides organisations, calls and users)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.test import Client

from greenmfg.applications import services
from greenmfg.catalog.models import Call
from greenmfg.orgs.selectors import actor_of
from greenmfg.web.demo import DEMO_PASSWORD


@dataclass
class World:
    users: dict[str, Any]

    def client(self, username: str | None) -> Client:
        """A logged-in client (second factor already passed) for `username`, or an anonymous one."""
        client = Client()
        if username is None:
            return client
        user = self.users[username]
        client.force_login(user)
        device = user.totpdevice_set.filter(confirmed=True).first()
        if device is not None:
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client


def build_world() -> World:
    from django.contrib.auth import get_user_model

    from greenmfg.reference.services import load_industries, load_regions
    from greenmfg.web.demo import USERS, seed_demo

    load_regions()
    load_industries()
    seed_demo(DEMO_PASSWORD)
    User = get_user_model()
    return World({u.username: u for u in User.objects.filter(username__in=[name for name, _, _ in USERS])})


FACTORY_CALL = "suzhou-2026-factory"


def actor(user: Any) -> Any:
    found = actor_of(user)
    assert found is not None
    return found


def start(user: Any, call_code: str = FACTORY_CALL) -> Any:
    return services.start_application(actor(user), Call.objects.get(code=call_code))


def pdf_bytes(text: str = "greenmfg evidence") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def filled_workbook(scheme: Any, path: Any, values: dict[str, str]) -> None:
    """The self-evaluation template of `scheme`, filled with form values (as a user would in Excel)."""
    from openpyxl import load_workbook

    from greencore.workbook import DATA_SHEET, GATES_SHEET, write_template

    write_template(scheme, path)
    wb = load_workbook(path)

    def cell_value(text: str) -> Any:
        try:
            return (
                float(text)
                if any(ch.isdigit() for ch in text) and text.replace(".", "", 1).isdigit()
                else text
            )
        except ValueError:
            return text

    for ws in wb.worksheets:
        rows = list(ws.iter_rows())
        if not rows:
            continue
        first = str(rows[0][0].value or "")
        if ws.title in (GATES_SHEET, DATA_SHEET):
            column = 3 if ws.title == GATES_SHEET else 4
            for row in rows[1:]:
                key = f"in:{row[0].value}"
                if row[0].value and key in values:
                    row[column].value = cell_value(values[key])
        elif first.startswith("table:"):
            table = first.removeprefix("table:")
            ids = [c.value for c in rows[0][1:]]
            for key, value in values.items():
                if key.startswith(f"tin:{table}:"):
                    _, _, index, column_id = key.split(":")
                    if column_id in ids:
                        ws.cell(row=4 + int(index), column=2 + ids.index(column_id), value=cell_value(value))
        else:
            columns: list[tuple[int, str]] = []
            table_path = ""
            index = -1
            for row in rows:
                mark = str(row[0].value or "")
                if mark.startswith("field:") and f"s:{mark[6:]}" in values:
                    row[2].value = cell_value(values[f"s:{mark[6:]}"])
                elif mark.startswith("fields:"):
                    table_path = mark[7:]
                    columns = [(i, str(c.value)) for i, c in enumerate(row) if i > 0 and c.value]
                    index = -1
                elif mark:
                    if mark != "head":
                        table_path = ""
                elif table_path:
                    index += 1
                    for i, column_id in columns:
                        key = f"t:{table_path}:{index}:{column_id}"
                        if key in values:
                            row[i].value = cell_value(values[key])
    wb.save(path)
