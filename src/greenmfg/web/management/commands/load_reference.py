"""Loads the reference data and the national lists, and rebuilds the public register from them.

It lives in web, the top layer, because it composes four contexts: reference (regions, industries),
publication (the national lists as historical titles), register (its read model of them) and dashboards
(the targets of the plans greenmfg was built from)."""

from django.core.management.base import BaseCommand

from greenmfg.dashboards.services import load_reference_targets
from greenmfg.publication.services import import_national_lists
from greenmfg.reference.services import load_industries, load_regions
from greenmfg.register.services import rebuild_from_national_lists


class Command(BaseCommand):
    help = "Load GB/T 2260 regions, GB/T 4754-2017 industries and the national lists (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        regions = load_regions()
        industries = load_industries()
        report = import_national_lists()
        register = rebuild_from_national_lists()
        targets = load_reference_targets()
        self.stdout.write(
            f"regions +{regions}, industries +{industries}, national lists: {report}, register: {register}, "
            f"reference targets: {targets}"
        )
