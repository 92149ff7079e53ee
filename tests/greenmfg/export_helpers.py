"""Fetching a public download the way a browser does since downloads are built in the background: the
export URL redirects at once to the job's status page; once the job is done (at once under the
immediate task backend the tests use) the page links the file."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import resolve, reverse


def exported(client: Client, url: str, data: Any = None, **extra: Any) -> Any:
    """The finished download of `url` (an export URL with its query), via the status page."""
    started = client.get(url, data, **extra)
    assert started.status_code == 302, (url, started.status_code)
    match = resolve(started.url)
    assert match.view_name == "register:export_status"
    status = client.get(started.url)
    assert status.status_code == 200
    download = reverse("register:export_download", kwargs=match.kwargs)
    assert 'data-status="done"' in status.content.decode() and f'href="{download}"' in status.content.decode()
    return client.get(download)
