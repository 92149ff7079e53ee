"""Fetching a public download the way a browser does since downloads are built in the background and
started by a POST (issue 16): the download's form posts the list's filters; the answer redirects at once
to the job's status page; once the job is done (at once under the immediate task backend the tests use,
when the request's transaction commits) the page links the file."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.test import Client, TestCase
from django.urls import resolve, reverse

# every download URL of the public lists (the register's, announcements', notices', data-quality report's)
EXPORT_URL_NAMES = tuple(
    f"register:{name}_{extension}"
    for name in ("export", "announcements", "notices", "quality")
    for extension in ("csv", "xlsx")
)


def start(client: Client, url: str, data: Any = None, **extra: Any) -> Any:
    """POST the download form of `url` (an export URL, its query being the filters, as the list's form
    carries them), running what the request queued on commit as a real commit would."""
    parts = urlsplit(url)
    form = dict(parse_qsl(parts.query, keep_blank_values=True)) | dict(data or {})
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(parts.path, form, **extra)


def exported(client: Client, url: str, data: Any = None, **extra: Any) -> Any:
    """The finished download of `url` (an export URL with its query), via the status page."""
    started = start(client, url, data, **extra)
    assert started.status_code == 302, (url, started.status_code)
    match = resolve(started.url)
    assert match.view_name == "register:export_status"
    status = client.get(started.url)
    assert status.status_code == 200
    download = reverse("register:export_download", kwargs=match.kwargs)
    assert 'data-status="done"' in status.content.decode() and f'href="{download}"' in status.content.decode()
    return client.get(download)
