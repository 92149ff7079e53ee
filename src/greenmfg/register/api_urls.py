"""URLs of the open-data API, mounted at api/ (namespace "api").

Every view is public: ninja's views carry no login_not_required mark, so it is set here, on each
callback, for LoginRequiredMiddleware. Ninja's root view (a 404 naming its docs page) is replaced by a
redirect to the local description of the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from .api import api, error_body

app_name = "api"


def _public(pattern: URLPattern) -> URLPattern:
    if pattern.name == "api-root":
        pattern.callback = require_safe(RedirectView.as_view(pattern_name="register:api_docs"))
    elif pattern.name == "openapi-json":
        # operations answer 405 to other methods themselves; ninja's schema view takes any method
        pattern.callback = require_safe(pattern.callback)
    pattern.callback = login_not_required(pattern.callback)
    return pattern


@login_not_required
def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    """Any other path under api/ (a malformed id such as /api/titles/not-a-uuid included): the API's
    JSON 404, in the user's language, never the site's HTML page."""
    return JsonResponse(error_body(404, rest), status=404, json_dumps_params={"ensure_ascii": False})


# ninja lists plain patterns only (no include()), so each entry is a URLPattern
urlpatterns: list[URLPattern | URLResolver] = [_public(p) for p in api.urls[0] if isinstance(p, URLPattern)]
urlpatterns.append(re_path(r"^(?P<rest>.*)$", not_found, name="not_found"))
