"""Small builders for platform tests (the demo world provides organisations, calls and users)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook
from pypdf import PdfWriter

from greencore.scoring.compiled import compiled
from greencore.standards.registry import get_scheme
from greencore.workbook import DATA_SHEET, GATES_SHEET, write_template
from greenmfg.applications import services
from greenmfg.catalog.models import Call
from greenmfg.orgs.selectors import actor_of
from greenmfg.reference.services import load_industries, load_regions
from greenmfg.web.demo import DEMO_PASSWORD, USERS, seed_demo


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
    load_regions()
    load_industries()
    seed_demo(DEMO_PASSWORD)
    return world_of_users()


def world_of_users() -> World:
    """The demo users, fetched afresh so that no test sees another test's in-memory changes."""
    User = get_user_model()
    return World({u.username: u for u in User.objects.filter(username__in=[name for name, _, _ in USERS])})


def world_present() -> bool:
    """Whether the committed world is in the database (a transactional test's flush removes it)."""
    User = get_user_model()
    return (
        Call.objects.filter(code=FACTORY_CALL).exists()
        and User.objects.filter(username=USERS[-1][0]).exists()
    )


FACTORY_CALL = "suzhou-2026-factory"


def actor(user: Any) -> Any:
    found = actor_of(user)
    assert found is not None
    return found


def start(user: Any, call_code: str = FACTORY_CALL) -> Any:
    return services.start_application(actor(user), Call.objects.get(code=call_code))


def pdf_bytes(text: str = "greenmfg evidence") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def filled_workbook(scheme: Any, path: Any, values: dict[str, str]) -> None:
    """The self-evaluation template of `scheme`, filled with form values (as a user would in Excel)."""

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


SUZHOU_NUMBERS = {
    "output_value": "50000",
    "qualified_output": "10000",
    "site_area_m2": "50000",
    "floor_area_m2": "60000",
    "building_footprint_m2": "30000",
    "plot_ratio_min": "1.0",
    "land_output_lead": "0.5",
    "green_material_t": "80",
    "same_material_t": "100",
    "green_material_lead": "50",
    "pollutant_generated_kg": "1000",
    "pollutant_per_unit_lead": "0.2",
    "waste_gas_m3": "100000",
    "waste_gas_per_unit_lead": "20",
    "wastewater_m3": "5000",
    "wastewater_per_unit_lead": "1",
    "main_material_t": "5000",
    "material_per_unit_lead": "0.8",
    "solid_waste_utilised_t": "950",
    "solid_waste_generated_t": "1000",
    "solid_waste_stored_utilised_t": "0",
    "solid_waste_rate_lead": "90",
    "wastewater_treated_m3": "5000",
    "wastewater_reused_m3": "4000",
    "wastewater_reuse_lead": "60",
    "total_energy_tce": "3000",
    "energy_per_unit_lead": "400",
    "ghg_emission_t": "8000",
    "carbon_per_unit_lead": "1.0",
}


def suzhou_answers(degree: str = "1") -> dict[str, str]:
    """A fictitious factory answering the Suzhou 1A–5A scheme as form fields: every checklist item met to
    `degree`, 2A already held, and plant figures that beat the scheme's lead values."""

    values: dict[str, str] = {}
    for key, spec in compiled(get_scheme("factory-suzhou")).inputs.items():
        kind = str(spec.kind.value)
        if kind == "bool":
            values[f"in:{key}"] = "是"
        elif kind == "degree":
            values[f"in:{key}"] = degree
    values.update({f"in:{k}": v for k, v in SUZHOU_NUMBERS.items()})
    values.update({"in:held_grade": "2A", "in:holds_provincial_title": "否", "in:holds_national_title": "否"})
    return values
