"""Bounded request bodies (issue 16, UP-02): an upload streams to a temporary file and its size is
checked as bytes arrive, so no request — least of all an anonymous one — makes a process hold it in
memory.

Three checks, cheapest first:
1. `RequestSizeMiddleware` refuses a request whose Content-Length is over its URL's limit before a byte
   of the body is read (413, in the user's language);
2. `BoundedUploadHandler` counts each file's bytes as the multipart parser hands them over and stops at
   the URL's per-file limit (413), whatever the request claimed;
3. Django's own DATA_UPLOAD_MAX_MEMORY_SIZE / DATA_UPLOAD_MAX_NUMBER_FIELDS / _FILES cap the rest.
Files above FILE_UPLOAD_MAX_MEMORY_SIZE go to disk (TemporaryFileUploadHandler), never to memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from .boundary import refuse

MiB = 1024 * 1024


class UploadTooLarge(Exception):
    """A request or one of its files is over its URL's limit (answered 413 by the boundary)."""

    def __init__(self, limit: int, what: str = "request") -> None:
        super().__init__(f"{what} over {limit} bytes")
        self.limit, self.what = limit, what


def limits_for(request: HttpRequest) -> tuple[int, int]:
    """(request bytes, bytes per file) for the request's URL: settings.UPLOAD_LIMITS by URL name, else
    the default for requests that take no files."""
    default = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None else ""
    if not name:
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return default, default
    limit = settings.UPLOAD_LIMITS.get(name)
    return (int(limit[0]), int(limit[1])) if limit else (default, default)


def too_large(request: HttpRequest, limit: int, what: str = "request") -> HttpResponse:
    size = f"{limit / MiB:.0f} MB" if limit >= MiB else f"{limit // 1024} KB"
    field = "files" if what == "file" else "body"
    if what == "request":
        zh, en = f"上传内容超过上限 {size}：请缩小文件或分开上传。", f"the upload is over the limit of {size}"
    else:
        zh, en = f"单个文件超过上限 {size}。", f"a file is over the limit of {size}"
    response = refuse(request, field, (zh, en), status=413)
    response["Connection"] = "close"  # the rest of the body is not read
    return response


class RequestSizeMiddleware:
    """Before anything reads the body: a declared size over the URL's limit is refused unread."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE):
            limit, _ = limits_for(request)
            if declared > limit:
                return too_large(request, limit)
        return self.get_response(request)


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: passes every chunk on, counting, and stops a file at the limit."""

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        assert self.request is not None
        self.request_limit, self.file_limit = limits_for(self.request)
        if content_length > self.request_limit:
            raise UploadTooLarge(self.request_limit)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.file_limit:
            raise UploadTooLarge(self.file_limit, "file")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) makes the file
