"""The one gate through which dashboard views take a region to drill down into: inside the bureau's
jurisdiction, or 404 (missing and not-yours alike)."""

from __future__ import annotations

from django.http import Http404

from greenmfg.orgs.selectors import Actor, covers
from greenmfg.reference.models import Region


def access_region(actor: Actor, code: str) -> Region:
    try:
        region = Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    if not covers(actor.organisation, region.code):
        raise Http404
    return region
