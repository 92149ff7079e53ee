"""The one gate through which dashboard views take a region to drill down into: inside the bureau's
jurisdiction, or 404 (missing and not-yours alike)."""

from __future__ import annotations

from django.http import Http404

from greenmfg.orgs.selectors import Actor, covers
from greenmfg.reference.models import Region

from .models import Backtest


def access_region(actor: Actor, code: str) -> Region:
    try:
        region = Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404 from None
    if not covers(actor.organisation, region.code):
        raise Http404
    return region


def access_backtest(actor: Actor, pk: int) -> Backtest:
    """A back-test of the bureau's own; anyone else's (or none): 404."""
    try:
        return Backtest.objects.select_related("scheme").get(pk=pk, authority=actor.organisation)
    except Backtest.DoesNotExist:
        raise Http404 from None
