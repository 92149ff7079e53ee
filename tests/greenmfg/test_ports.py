"""The ports of docs/architecture.md: each higher context has plugged its function into the lower
context's port once the app registry is ready (AppConfig.ready), and nothing else is plugged."""

from __future__ import annotations

from greenmfg.applications.ports import readers
from greenmfg.applications.services import move_step_due
from greenmfg.catalog.ports import applicant_records, recommended, step_date_moved
from greenmfg.evaluations.selectors import engaged_application_ids
from greenmfg.evaluations.services import flag_open_engagements
from greenmfg.orgs.ports import body_listing_changed
from greenmfg.publication.ports import title_changed
from greenmfg.publication.selectors import titles_record
from greenmfg.register.services import record_platform_title
from greenmfg.reviews.selectors import assigned_application_ids, most_recommended, negative_list_record
from greenmfg.supervision.selectors import filings_record


def test_every_port_has_its_plugs():
    assert set(readers) == {engaged_application_ids, assigned_application_ids}
    assert set(applicant_records) == {titles_record, negative_list_record, filings_record}
    assert list(title_changed) == [record_platform_title]
    assert list(body_listing_changed) == [flag_open_engagements]
    assert list(step_date_moved) == [move_step_due]
    assert list(recommended) == [most_recommended]


def test_plugging_twice_plugs_once():
    before = len(title_changed)
    title_changed.plug(record_platform_title)
    assert len(title_changed) == before
