from django.core.management.base import BaseCommand

from greenmfg.reference.services import load_industries, load_regions


class Command(BaseCommand):
    help = "Load GB/T 2260 regions, GB/T 4754-2017 industries and the national lists (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        from greenmfg.publication.services import import_national_lists
        from greenmfg.register.services import rebuild_from_national_lists

        regions = load_regions()
        industries = load_industries()
        report = import_national_lists()
        register = rebuild_from_national_lists()
        self.stdout.write(
            f"regions +{regions}, industries +{industries}, national lists: {report}, register: {register}"
        )
