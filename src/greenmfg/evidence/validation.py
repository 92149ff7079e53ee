"""Checks an uploaded evidence file by its content, never by its name alone.

Follows the OWASP File Upload Cheat Sheet and OWASP ASVS V5 (file handling): an allow-list of kinds, the
name's extension must agree with the kind found in the bytes, every file must survive a structural parse
by a real parser, and active content (scripts, macros, launch actions, embedded files, nested archives)
is refused. Pure Python, no Django: the evidence service calls :func:`inspect_upload` and stores the
file only when it returns.

What is checked, in order:

1. the file name (NUL, path separators, control and bidi characters, double extensions such as
   ``a.pdf.php`` or ``a.php.pdf``, an extension on the allow-list);
2. the bytes are copied in chunks to a spooled temporary file (memory up to 1 MiB, then disk) while the
   SM3 digest and the size are computed; reading stops as soon as ``max_bytes`` is exceeded;
3. the kind is detected from magic bytes, and must agree with the extension (executables, HTML, SVG,
   scripts, legacy Office, other archives and images are named in the message);
4. a structural parse: PDF via pypdf (JavaScript, launch actions, embedded files and other active
   content refused; documents that need a password to open refused); PNG/JPEG via Pillow ``verify()``
   then a full decode, with an explicit pixel cap checked from the header before any decoding;
   DOCX/XLSX/PPTX/OFD as ZIP containers: zip slip, symlinks, encryption, overlapping or hidden entries,
   entry count, real decompressed size measured by streaming decompression (not header claims),
   per-entry compression ratio, nested archives, embedded executables and OLE objects, macros,
   DTDs in XML parts, remote templates; and the parts each format must contain.

Decisions worth knowing:

* PDFs encrypted with only an owner password (permission restrictions, opens without a password — common
  for government documents) are accepted with the note ``pdf_encrypted_permissions``; PDFs that need a
  password to open are refused (``pdf_encrypted``): reviewers could not read them and we could not scan
  them.
* Office documents with embedded objects are refused, including the embedded workbook Word and
  PowerPoint store behind every chart (``word/embeddings/*.xlsx``): such files are nested archives that
  may carry macros or bombs. The message tells the user to save the document as PDF.
* Decoding an image at the pixel cap (50 megapixels by default) takes about 150–200 MB of memory.
"""

from __future__ import annotations

import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import IO, BinaryIO, Final, NoReturn
from xml.etree import ElementTree

import defusedxml.ElementTree as defused
import olefile
import puremagic
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser
from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

__all__ = [
    "DEFAULT_ALLOWED",
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_BYTES",
    "KIND_EXTENSIONS",
    "KIND_LABELS",
    "KIND_LABELS_EN",
    "KIND_MIME",
    "REJECTION_CODES",
    "Inspected",
    "SM3SelfTestError",
    "UploadLimits",
    "UploadRejected",
    "inspect_upload",
    "safe_download_name",
    "sm3_hex",
    "sm3_self_test",
]

KiB: Final = 1024
MiB: Final = 1024 * KiB

DEFAULT_MAX_BYTES: Final = 50 * MiB

KIND_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pdf": "PDF 文档",
        "png": "PNG 图片",
        "jpeg": "JPEG 图片",
        "docx": "Word 文档",
        "xlsx": "Excel 工作簿",
        "pptx": "PowerPoint 演示文稿",
        "ofd": "OFD 版式文档",
    }
)
KIND_LABELS_EN: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pdf": "a PDF document",
        "png": "a PNG image",
        "jpeg": "a JPEG image",
        "docx": "a Word document",
        "xlsx": "an Excel workbook",
        "pptx": "a PowerPoint presentation",
        "ofd": "an OFD document",
    }
)
KIND_MIME: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpeg": "image/jpeg",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ofd": "application/ofd",
    }
)
# Extensions are lower case and without the dot, as stored in Inspected.extension.
KIND_EXTENSIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "pdf": ("pdf",),
        "png": ("png",),
        "jpeg": ("jpg", "jpeg"),
        "docx": ("docx",),
        "xlsx": ("xlsx",),
        "pptx": ("pptx",),
        "ofd": ("ofd",),
    }
)
DEFAULT_ALLOWED: Final = frozenset(KIND_LABELS)

REJECTION_CODES: Final = frozenset(
    {
        # the name
        "bad_filename",
        "double_extension",
        "extension_not_allowed",
        # size
        "empty",
        "too_large",
        # what the bytes are
        "type_mismatch",
        "executable",
        "script",
        "html",
        "svg",
        "archive",
        "legacy_office",
        "unsupported_type",
        "polyglot",
        # PDF
        "pdf_unparseable",
        "pdf_encrypted",
        "pdf_javascript",
        "pdf_launch",
        "pdf_embedded_file",
        "pdf_active_content",
        "pdf_too_complex",
        # images
        "image_corrupt",
        "image_too_large",
        # ZIP containers
        "zip_corrupt",
        "zip_encrypted",
        "zip_unsupported_compression",
        "zip_slip",
        "zip_bad_entry_name",
        "zip_symlink",
        "zip_duplicate_entry",
        "zip_too_many_entries",
        "zip_too_large",
        "zip_bomb",
        "zip_overlap",
        "zip_hidden_data",
        "zip_nested_archive",
        "zip_embedded_executable",
        "zip_embedded_object",
        "xml_dtd",
        "macro",
        "active_content",
        "ooxml_missing_part",
        "ooxml_invalid",
        "ooxml_external_reference",
        "ofd_missing_part",
        "ofd_invalid",
    }
)


@dataclass(frozen=True)
class UploadLimits:
    """Caps applied while inspecting; the defaults suit evidence files of up to 50 MB."""

    max_pixels: int = 50_000_000
    zip_max_entries: int = 2000
    zip_max_central_directory: int = 4 * MiB
    zip_max_total_uncompressed: int = 200 * MiB
    zip_max_ratio: int = 100
    # the ratio of an entry is judged once it has produced this much (small XML parts compress very well)
    zip_ratio_grace: int = 1 * MiB
    # parts that are parsed ([Content_Types].xml, *.rels, OFD.xml) are held in memory up to this size
    xml_part_max: int = 8 * MiB
    pdf_max_objects: int = 2_000_000


DEFAULT_LIMITS: Final = UploadLimits()


class UploadRejected(Exception):
    """The file is refused; ``code`` is stable (see REJECTION_CODES), ``zh``/``en`` name what is wrong."""

    code: str
    zh: str
    en: str

    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(f"[{code}] {zh} / {en}")
        self.code = code
        self.zh = zh
        self.en = en


class SM3SelfTestError(RuntimeError):
    """The SM3 implementation did not reproduce the GB/T 32905-2016 test vectors."""


@dataclass(frozen=True)
class Inspected:
    """What an accepted file is. ``extension`` is lower case without the dot; ``notes`` lists facts worth
    recording that did not lead to a rejection (e.g. ``pdf_encrypted_permissions``)."""

    kind: str
    mime: str
    extension: str
    size: int
    sm3: str
    notes: tuple[str, ...] = ()


def _reject(code: str, zh: str, en: str) -> NoReturn:
    raise UploadRejected(code, zh, en)


# --------------------------------------------------------------------------------------------- SM3

_CHUNK: Final = 1 * MiB
_SM3_VECTORS: Final = (
    # GB/T 32905-2016, appendix A
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
)


def _sm3() -> hashes.Hash:
    return hashes.Hash(hashes.SM3())


def sm3_hex(stream: BinaryIO | IO[bytes]) -> str:
    """SM3 of the rest of ``stream`` (from its current position), read in 1 MiB chunks; lower-case hex."""
    digest = _sm3()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return digest.finalize().hex()


def sm3_self_test() -> None:
    """Known-answer test, to run at start-up: raises SM3SelfTestError when SM3 is missing or wrong."""
    for message, expected in _SM3_VECTORS:
        try:
            digest = _sm3()
        except UnsupportedAlgorithm as error:
            raise SM3SelfTestError(f"SM3 is not available in this OpenSSL build: {error}") from error
        digest.update(message)
        found = digest.finalize().hex()
        if found != expected:
            raise SM3SelfTestError(f"SM3({message[:8]!r}...) = {found}, expected {expected}")


# ---------------------------------------------------------------------------------------- file names

_BIDI_AND_INVISIBLE: Final = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
# an inner dot-segment equal to one of these makes a double extension (a.pdf.php, a.php.pdf)
# control characters, line/paragraph separators, lone surrogates
_CONTROL_CATEGORIES: Final = frozenset({"Cc", "Zl", "Zp", "Cs"})
_RISKY_SEGMENTS: Final = frozenset(
    {
        # server-side scripts and executables
        "php", "php3", "php4", "php5", "php7", "phtml", "phar", "pht", "asp", "aspx", "ascx", "ashx",
        "asmx", "cer", "jsp", "jspx", "jspf", "cfm", "cgi", "pl", "py", "pyc", "rb", "sh", "bash",
        "exe", "dll", "com", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js", "jse", "mjs", "wsf", "wsh",
        "hta", "msi", "msp", "scr", "pif", "jar", "war", "lnk", "reg", "cpl", "so", "elf", "apk",
        # markup that runs script in a browser
        "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "xsl", "swf",
        # document, image and archive types: a second one hides the real type
        "pdf", "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "doc", "docx", "docm", "xls",
        "xlsx", "xlsm", "ppt", "pptx", "pptm", "ofd", "zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz",
        "txt", "rtf", "csv",
    }
)  # fmt: skip
_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)
_MAX_NAME_BYTES: Final = 255
_MAX_DOWNLOAD_CHARS: Final = 200


def _allowed_extensions(allowed: frozenset[str]) -> dict[str, str]:
    return {ext: kind for kind in sorted(allowed) for ext in KIND_EXTENSIONS[kind]}


def _check_filename(filename: str, allowed: frozenset[str]) -> str:
    """The lower-case extension (without dot) of an acceptable name; otherwise UploadRejected."""
    if not isinstance(filename, str) or not filename.strip():
        _reject("bad_filename", "文件名为空", "The file name is empty")
    if "\x00" in filename:
        _reject("bad_filename", "文件名含有空字符 (NUL)", "The file name contains a NUL character")
    if "/" in filename or "\\" in filename:
        _reject(
            "bad_filename",
            "文件名不能包含路径分隔符（/ 或 \\）",
            "The file name must not contain path separators (/ or \\)",
        )
    for ch in filename:
        if unicodedata.category(ch) in _CONTROL_CATEGORIES or ch in _BIDI_AND_INVISIBLE:
            _reject(
                "bad_filename",
                f"文件名含有控制字符或不可见字符 (U+{ord(ch):04X})，例如换行或文字方向控制符",
                f"The file name contains a control or invisible character (U+{ord(ch):04X})",
            )
    if ":" in filename:
        _reject(
            "bad_filename",
            "文件名不能包含冒号 (:)（盘符或 NTFS 数据流）",
            "The file name must not contain a colon (drive letter or NTFS stream)",
        )
    if len(filename.encode("utf-8")) > _MAX_NAME_BYTES:
        _reject("bad_filename", "文件名过长（超过 255 字节）", "The file name is longer than 255 bytes")
    if filename != filename.rstrip(". "):
        _reject(
            "bad_filename", "文件名不能以点或空格结尾", "The file name must not end with a dot or a space"
        )
    parts = filename.split(".")
    if len(parts) < 2 or not parts[-1]:
        _reject("extension_not_allowed", "文件名缺少扩展名", "The file name has no extension")
    if not parts[0].strip():
        _reject("bad_filename", "文件名缺少主体部分（以点开头）", "The file name starts with a dot")
    ext = parts[-1].lower()
    for inner in parts[1:-1]:
        if inner.strip().lower() in _RISKY_SEGMENTS:
            _reject(
                "double_extension",
                f"文件名含有双重扩展名（.{inner}.{parts[-1]}），请重命名后再上传",
                f"The file name has a double extension (.{inner}.{parts[-1]}); please rename it",
            )
    accepted = _allowed_extensions(allowed)
    if ext not in accepted:
        listed = "、".join(f".{e}" for e in accepted)
        _reject(
            "extension_not_allowed",
            f"不接受扩展名为 .{ext} 的文件；可上传：{listed}",
            f"Files with the extension .{ext} are not accepted; allowed: {', '.join(accepted)}",
        )
    return ext


def safe_download_name(name: str) -> str:
    """A file name fit for Content-Disposition and any file system: path parts, control characters
    (CR/LF, NUL), bidi overrides and characters Windows forbids are removed or replaced; Chinese and
    other letters are kept; at most 200 characters and 255 UTF-8 bytes, keeping the extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept: list[str] = []
    for ch in name:
        category = unicodedata.category(ch)
        if category in _CONTROL_CATEGORIES or category == "Cf" or ch in _BIDI_AND_INVISIBLE:
            continue
        kept.append("_" if ch in '<>:"|?*' else ch)
    cleaned = " ".join("".join(kept).split()).strip(" .")
    if not cleaned:
        return "download"
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not stem or len(ext) > 16:
        stem, ext = cleaned, ""
    if stem.split(".")[0].strip().lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    while stem and (
        len(stem) + len(suffix) > _MAX_DOWNLOAD_CHARS
        or len((stem + suffix).encode("utf-8")) > _MAX_NAME_BYTES
    ):
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    return (stem or "download") + suffix


# ---------------------------------------------------------------------------------- magic detection

_HEAD: Final = 4096
_HTML_START: Final = re.compile(
    rb"^(?:<!doctype\s+html|<html|<head|<body|<script|<iframe|<title|<meta|<style|<div|<table|<a\s|<p[\s>]"
    rb"|<h1|<br|<b[\s>]|<font|<!--|<object|<embed|<form|<img|<link|<base|<frameset)"
)
_MARKUP_ANYWHERE: Final = re.compile(
    rb"<(?:script|html|iframe|svg|body|object|embed)[\s>/]|<\?php|<!doctype\s+html"
)
# What a file that is none of the accepted kinds *is* comes from puremagic's signature database; only
# the groups it falls in (each refused with its own code) and the Chinese names of the common ones are
# the platform's.
_EXECUTABLE_EXTENSIONS: Final = frozenset(
    {".exe", ".dll", ".drv", ".sys", ".scr", ".cpl", ".ocx", ".com", ".lnk", ".class", ".wasm", ".so",
     ".dylib", ".appimage", ".elf", ".o", ".msi", ".jar", ".apk", ".dex", ".pyc"}
)  # fmt: skip
_ARCHIVE_EXTENSIONS: Final = frozenset(
    {".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".lz", ".lzma", ".zst", ".cab", ".tar", ".arj",
     ".ace", ".z", ".iso", ".cpio", ".rpm", ".deb"}
)  # fmt: skip
_NAMES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        ".exe": ("Windows 可执行程序", "a Windows executable"),
        ".dll": ("Windows 可执行程序", "a Windows executable"),
        ".lnk": ("Windows 快捷方式 (.lnk)", "a Windows shortcut (.lnk)"),
        "elf": ("Linux 可执行程序 (ELF)", "a Linux executable (ELF)"),
        ".class": ("Java 类文件", "a Java class file"),
        ".gif": ("GIF 图片", "a GIF image"),
        ".bmp": ("BMP 图片", "a BMP image"),
        ".webp": ("WebP 图片", "a WebP image"),
        ".tif": ("TIFF 图片", "a TIFF image"),
        ".rtf": ("RTF 文档", "an RTF document"),
        ".ps": ("PostScript 文件（可含程序代码）", "a PostScript file (may contain program code)"),
    }
)
_OLE2: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_LOCAL: Final = b"PK\x03\x04"
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"


def _mismatch(
    code: str, zh_what: str, en_what: str, ext: str, extra_zh: str = "", extra_en: str = ""
) -> NoReturn:
    space = " " if zh_what[:1].isascii() else ""
    _reject(
        code,
        f"文件内容为{space}{zh_what}，与扩展名 .{ext} 不符{extra_zh}",
        f"The content is {en_what}, which does not match the extension .{ext}{extra_en}",
    )


def _decode_text_head(head: bytes) -> bytes:
    """The head as lower-case ASCII-ish bytes, BOMs and leading whitespace removed."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = head[2 : len(head) - len(head) % 2].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be")
        except UnicodeDecodeError:
            text = ""
        head = text.encode("utf-8", "replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip(b" \t\r\n\x0c\x00").lower()


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            # a multi-byte character may be cut at the end of the head
            try:
                head[:-4].decode(encoding)
            except UnicodeDecodeError:
                continue
        return True
    return False


def _identified(head: bytes) -> list[puremagic.PureMagicWithConfidence]:
    try:
        return list(puremagic.magic_string(head))
    except (puremagic.PureError, ValueError):
        return []


def _name_of(match: puremagic.PureMagicWithConfidence) -> tuple[str, str]:
    key = "elf" if match.name.startswith("ELF") else match.extension.lower()
    return _NAMES.get(key) or (match.name, f"a file of type '{match.name}'")


def _sniff(head: bytes, ext: str) -> str:
    """'pdf', 'png', 'jpeg' or 'zip' from the first bytes; anything else is refused with its name."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(_ZIP_LOCAL):
        return "zip"
    if head.startswith(olefile.MAGIC):
        _mismatch(
            "legacy_office",
            "旧版 Office 文件（.doc/.xls/.ppt，可能含宏）",
            "a legacy Office file (.doc/.xls/.ppt, may contain macros)",
            ext,
            "；请另存为 PDF、.docx、.xlsx 或 .pptx 后上传",
            "; please save it as PDF, .docx, .xlsx or .pptx",
        )
    for match in _identified(head):
        extension = match.extension.lower()
        zh, en = _name_of(match)
        if extension in _EXECUTABLE_EXTENSIONS or "executable" in match.name.lower():
            _mismatch("executable", zh, en, ext, "；不接受可执行文件", "; executables are not accepted")
        if extension in _ARCHIVE_EXTENSIONS or "archive" in match.name.lower():
            _mismatch("archive", zh, en, ext, "；不接受压缩包", "; archives are not accepted")
        if extension in {".html", ".htm", ".svg", ".xml", ".php", ".sh"} or match.confidence < 0.5:
            break  # markup and scripts are named below, where UTF-16 and BOMs are understood too
        _mismatch("unsupported_type", zh, en, ext)
    text = _decode_text_head(head)
    if text.startswith(b"#!"):
        _mismatch("script", "脚本程序 (#!)", "a script (#!)", ext)
    if b"<?php" in text or text.startswith((b"<?=", b"<%")):
        _mismatch("script", "服务器端脚本 (PHP/ASP/JSP)", "a server-side script (PHP/ASP/JSP)", ext)
    if text.startswith((b"<svg", b"<!doctype svg")) or (text.startswith(b"<?xml") and b"<svg" in text):
        _mismatch("svg", "SVG 图形（可内嵌脚本）", "an SVG image (may embed scripts)", ext)
    if _HTML_START.match(text) or re.search(rb"<(?:html|script|iframe)[\s>]", text):
        _mismatch("html", "HTML 网页（可含脚本）", "an HTML page (may contain scripts)", ext)
    if text.startswith(b"<?xml"):
        _mismatch("unsupported_type", "XML 文件", "an XML file", ext)
    if _looks_like_text(head):
        _mismatch("unsupported_type", "纯文本", "plain text", ext)
    _mismatch("unsupported_type", "无法识别的格式", "of an unrecognised format", ext)


def _check_head_markup(head: bytes, label_zh: str, label_en: str) -> None:
    """A file of an accepted kind whose first bytes also read as HTML/SVG/PHP is a polyglot: a browser or
    server that sniffs content could run it."""
    match = _MARKUP_ANYWHERE.search(head[:1024].lower())
    if match:
        found = match.group(0).decode("ascii", "replace").strip()
        _reject(
            "polyglot",
            f"{label_zh}的开头同时含有网页/脚本标记（{found}），疑似多格式伪装文件 (polyglot)",
            f"The start of {label_en} also contains web/script markup ({found}): a polyglot file",
        )


def _require_extension(kind: str, ext: str) -> None:
    if ext not in KIND_EXTENSIONS[kind]:
        _mismatch("type_mismatch", KIND_LABELS[kind], KIND_LABELS_EN[kind], ext)


# ---------------------------------------------------------------------------------------- the entry


def inspect_upload(
    stream: BinaryIO | IO[bytes],
    filename: str,
    *,
    allowed: frozenset[str] = DEFAULT_ALLOWED,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: UploadLimits = DEFAULT_LIMITS,
    spool: IO[bytes] | None = None,
) -> Inspected:
    """Inspect ``stream`` (read from its current position to the end) claimed to be ``filename``.

    Returns what the file is, with its size and SM3 digest; raises UploadRejected with a stable ``code``
    and Chinese/English messages otherwise. The bytes are copied to ``spool`` (an empty writable file the
    caller owns, e.g. the checked-file service's temporary file on disk) or else to a spooled temporary
    file, so that what is parsed is exactly what was hashed.
    """
    unknown = set(allowed) - set(KIND_LABELS)
    if unknown:
        raise ValueError(f"unknown kinds in allowed: {sorted(unknown)}")
    if max_bytes <= 0:
        raise ValueError("max_bytes must be positive")
    ext = _check_filename(filename, frozenset(allowed))
    if spool is not None:
        return _inspect_into(stream, ext, max_bytes, limits, spool)
    with tempfile.SpooledTemporaryFile(max_size=_CHUNK) as spooled:
        return _inspect_into(stream, ext, max_bytes, limits, spooled)


def _inspect_into(
    stream: BinaryIO | IO[bytes], ext: str, max_bytes: int, limits: UploadLimits, spool: IO[bytes]
) -> Inspected:
    digest = _sm3()
    size = 0
    while chunk := stream.read(min(_CHUNK, max_bytes + 1 - size)):
        size += len(chunk)
        if size > max_bytes:
            _reject(
                "too_large",
                f"文件超过大小上限 {_human(max_bytes)}",
                f"The file is larger than the limit of {_human(max_bytes)}",
            )
        digest.update(chunk)
        spool.write(chunk)
    if size == 0:
        _reject("empty", "文件为空（0 字节）", "The file is empty (0 bytes)")
    spool.seek(0)
    head = spool.read(_HEAD)
    sniffed = _sniff(head, ext)
    notes: tuple[str, ...] = ()
    if sniffed == "zip":
        _check_head_markup(head, "ZIP 容器（Office/OFD 文档）", "a ZIP container (Office/OFD document)")
        kind, notes = _inspect_zip(spool, size, ext, limits)
    else:
        kind = sniffed
        _check_head_markup(head, KIND_LABELS[kind], KIND_LABELS_EN[kind])
        _require_extension(kind, ext)
        if kind == "pdf":
            notes = _inspect_pdf(spool, size, limits)
        else:
            _inspect_image(spool, size, kind, limits)
    return Inspected(
        kind=kind, mime=KIND_MIME[kind], extension=ext, size=size, sm3=digest.finalize().hex(), notes=notes
    )


def _human(n: int) -> str:
    if n >= MiB:
        return f"{n / MiB:.3g} MB"
    if n >= KiB:
        return f"{n / KiB:.3g} KB"
    return f"{n} B"


# --------------------------------------------------------------------------------------------- PDF

# names whose presence makes a PDF active, with the rejection they lead to
_PDF_RAW_NAMES: Final[Mapping[bytes, str]] = MappingProxyType(
    {
        b"JavaScript": "pdf_javascript",
        b"Launch": "pdf_launch",
        b"EmbeddedFile": "pdf_embedded_file",
        b"EmbeddedFiles": "pdf_embedded_file",
        b"RichMedia": "pdf_active_content",
    }
)
_PDF_NAME_TOKEN: Final = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2}){2,48})(?=[\s()<>\[\]{}/%\x00])")
_PDF_HEX: Final = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_ACTIVE_ACTIONS: Final = frozenset(
    {"/SubmitForm", "/ImportData", "/GoToE", "/Rendition", "/RichMediaExecute"}
)
_PDF_MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "pdf_javascript": (
            "PDF 含有 JavaScript 脚本（{what}），打开时可能自动执行代码",
            "The PDF contains JavaScript ({what}), which can run code when the file is opened",
        ),
        "pdf_launch": (
            "PDF 含有启动外部程序的动作（{what}）",
            "The PDF contains an action that launches external programs ({what})",
        ),
        "pdf_embedded_file": (
            "PDF 内嵌了附件文件（{what}），附件未经审查，请删除附件后上传",
            "The PDF carries embedded files ({what}), which escape inspection; remove the attachments",
        ),
        "pdf_active_content": (
            "PDF 含有交互或多媒体动作（{what}），可提交数据或运行内容",
            "The PDF contains interactive or multimedia actions ({what}) that can submit data or run content",
        ),
    }
)


def _pdf_reject(code: str, what: str) -> NoReturn:
    zh, en = _PDF_MESSAGES[code]
    _reject(code, zh.format(what=what), en.format(what=what))


def _inspect_pdf(f: IO[bytes], size: int, limits: UploadLimits) -> tuple[str, ...]:
    _check_pdf_tail(f, size)
    _scan_pdf_raw(f)
    notes: list[str] = []
    f.seek(0)
    try:
        reader = PdfReader(f, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = PasswordType.NOT_DECRYPTED
            if opened == PasswordType.NOT_DECRYPTED:
                _reject(
                    "pdf_encrypted",
                    "PDF 设置了打开密码，无法审查其内容；请去除密码后上传",
                    "The PDF needs a password to open, so it cannot be inspected; remove the password",
                )
            notes.append("pdf_encrypted_permissions")
        if len(reader.pages) == 0:
            _reject("pdf_unparseable", "PDF 没有任何页面", "The PDF has no pages")
        _walk_pdf(reader, limits)
    except UploadRejected:
        raise
    except Exception as error:
        _reject(
            "pdf_unparseable",
            f"文件以 %PDF 开头，但无法按 PDF 结构解析（{type(error).__name__}），可能已损坏或为伪装文件",
            f"The file starts with %PDF but does not parse as a PDF ({type(error).__name__}); "
            "it is damaged or disguised",
        )
    return tuple(notes)


def _check_pdf_tail(f: IO[bytes], size: int) -> None:
    window = min(size, 64 * KiB)
    f.seek(size - window)
    tail = f.read(window)
    end = tail.rfind(b"%%EOF")
    if end < 0:
        _reject(
            "pdf_unparseable",
            "找不到 PDF 结束标记 %%EOF：文件不完整，或末尾附加了其他数据",
            "No %%EOF marker at the end of the PDF: the file is truncated or has data appended",
        )
    trailing = tail[end + 5 :].strip(b" \t\r\n\x0c\x00")
    lowered = trailing.lower()
    signatures = (_ZIP_LOCAL, b"<html", b"<script", b"<?php", b"<svg", b"rar!", _OLE2)
    if len(trailing) > KiB or trailing.startswith(b"MZ") or any(s.lower() in lowered for s in signatures):
        _reject(
            "polyglot",
            f"PDF 结束标记 %%EOF 之后附带了 {len(trailing)} 字节其他数据（疑似拼接的压缩包或网页）",
            f"{len(trailing)} bytes of other data follow the PDF's %%EOF marker "
            "(an appended archive or page)",
        )


def _scan_pdf_raw(f: IO[bytes]) -> None:
    """Names such as /JavaScript anywhere in the uncompressed bytes, also #-escaped (/J#61vaScript) and in
    objects no cross-reference table points to."""
    f.seek(0)
    carry = b""
    while True:
        chunk = f.read(_CHUNK)
        window = carry + (chunk if chunk else b" ")
        for match in _PDF_NAME_TOKEN.finditer(window):
            name = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
            code = _PDF_RAW_NAMES.get(name)
            if code is not None:
                _pdf_reject(code, "/" + name.decode("ascii", "replace"))
        if not chunk:
            return
        carry = window[-160:]


def _pdf_name(d: DictionaryObject, key: str) -> str | None:
    value = d.get(key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return str(value) if isinstance(value, NameObject) else None


def _check_pdf_dict(d: DictionaryObject) -> None:
    keys = {str(k) for k in d}
    action = _pdf_name(d, "/S")
    kind = _pdf_name(d, "/Type")
    subtype = _pdf_name(d, "/Subtype")
    if "/JS" in keys or "/JavaScript" in keys or action == "/JavaScript":
        _pdf_reject("pdf_javascript", "/JavaScript")
    if action == "/Launch" or "/Launch" in keys:
        _pdf_reject("pdf_launch", "/Launch")
    if "/EmbeddedFiles" in keys or "/EF" in keys or kind == "/EmbeddedFile" or subtype == "/FileAttachment":
        _pdf_reject("pdf_embedded_file", "/EmbeddedFile")
    if action in _PDF_ACTIVE_ACTIONS:
        _pdf_reject("pdf_active_content", action or "")
    if subtype == "/RichMedia" or "/RichMediaContent" in keys:
        _pdf_reject("pdf_active_content", "/RichMedia")
    if "/XFA" in keys:
        _pdf_reject("pdf_active_content", "/XFA")


def _walk_pdf(reader: PdfReader, limits: UploadLimits) -> None:
    """Every object reachable from the trailer (what a viewer can act on), including those inside
    compressed object streams, is checked for active content."""
    stack: list[PdfObject] = [reader.trailer]
    seen_refs: set[tuple[int, int]] = set()
    seen_ids: set[int] = set()
    visited = 0
    while stack:
        obj: PdfObject | None = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen_refs:
                continue
            seen_refs.add(ref)
            obj = obj.get_object()
        if not isinstance(obj, (DictionaryObject, ArrayObject)) or id(obj) in seen_ids:
            continue
        seen_ids.add(id(obj))
        visited += 1
        if visited > limits.pdf_max_objects:
            _reject(
                "pdf_too_complex",
                f"PDF 对象数量超过 {limits.pdf_max_objects}，无法审查",
                f"The PDF has more than {limits.pdf_max_objects} objects and cannot be inspected",
            )
        if isinstance(obj, DictionaryObject):
            _check_pdf_dict(obj)
            stack.extend(dict.values(obj))
        else:
            stack.extend(list.__iter__(obj))


# ------------------------------------------------------------------------------------------ images


def _image_corrupt(kind: str, why_zh: str, why_en: str) -> NoReturn:
    _reject(
        "image_corrupt",
        f"{KIND_LABELS[kind]}已损坏或不完整：{why_zh}",
        f"The file is not a valid image ({KIND_LABELS_EN[kind]}): {why_en}",
    )


def _check_pixels(width: int, height: int, limits: UploadLimits) -> None:
    if width * height > limits.max_pixels:
        _reject(
            "image_too_large",
            f"图片尺寸 {width}×{height}，共 {width * height:,} 像素，超过上限 {limits.max_pixels:,} 像素"
            "（疑似像素炸弹）",
            f"The image is {width}x{height} = {width * height:,} pixels, over the limit of "
            f"{limits.max_pixels:,} pixels (a pixel flood)",
        )


_IEND: Final = b"\x00\x00\x00\x00IEND\xaeB`\x82"
# Pillow's own parsers, called directly: constructing one reads the header only and, unlike Image.open,
# does not run Pillow's decompression-bomb check first, so the pixel count is known and judged here
_PLUGINS: Final[Mapping[str, type[ImageFile.ImageFile]]] = MappingProxyType(
    {"png": PngImagePlugin.PngImageFile, "jpeg": JpegImagePlugin.JpegImageFile}
)


def _inspect_image(f: IO[bytes], size: int, kind: str, limits: UploadLimits) -> None:
    """Pillow reads the header (lazily: nothing is decoded) and the pixel count is checked before any
    decoding; then Pillow verifies the file (chunk CRCs) and decodes it fully, with its
    decompression-bomb limit in force. A PNG must end at its IEND chunk: bytes after it are another
    file appended (a polyglot)."""
    if kind == "png":
        f.seek(max(0, size - len(_IEND)))
        if f.read() != _IEND:
            f.seek(0)
            end = f.read().rfind(_IEND)
            if end >= 0:
                extra = size - end - len(_IEND)
                _reject(
                    "polyglot",
                    f"PNG 图片结束块 (IEND) 之后附带了 {extra} 字节其他数据（疑似拼接文件）",
                    f"{extra} bytes of other data follow the PNG's IEND chunk (an appended file)",
                )
            _image_corrupt("png", "缺少结束块 IEND（文件被截断）", "no IEND chunk (truncated)")
    try:
        f.seek(0)
        with _PLUGINS[kind](f) as header:
            width, height = header.size
        _check_pixels(width, height, limits)
        for decode in (False, True):
            f.seek(0)
            with Image.open(f, formats=[kind.upper()]) as image:
                if decode:
                    image.load()
                else:
                    image.verify()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _reject(
            "image_too_large",
            f"图片像素数超过上限 {limits.max_pixels:,} 像素（疑似像素炸弹）",
            f"The image has more than {limits.max_pixels:,} pixels (a pixel flood)",
        )
    except Exception as error:
        _image_corrupt(
            kind, f"无法解码（{type(error).__name__}）", f"it cannot be decoded ({type(error).__name__})"
        )


# --------------------------------------------------------------------------------- ZIP containers

_OOXML_MAIN: Final = (
    ("docx", "word/document.xml"),
    ("xlsx", "xl/workbook.xml"),
    ("pptx", "ppt/presentation.xml"),
)
_OOXML_MAIN_TYPES: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "docx": frozenset(
            {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
            }
        ),
        "xlsx": frozenset(
            {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
            }
        ),
        "pptx": frozenset(
            {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
                "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
            }
        ),
    }
)
_OOXML_EXTENSIONS: Final = frozenset({"docx", "xlsx", "pptx"})
# relationships that fetch and run or render remote content when the document opens
_EXTERNAL_RELATIONSHIPS: Final = ("/attachedTemplate", "/oleObject", "/subDocument", "/frame", "/package")
# puremagic names a ZIP by what it most likely holds
_OOXML_SUFFIXES: Final = frozenset({".docx", ".xlsx", ".pptx", ".jar", ".odt", ".ods", ".odp", ".epub"})
_EXECUTABLE_NAMES: Final = (
    ".exe", ".dll", ".scr", ".com", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".hta",
    ".msi", ".jar", ".lnk", ".sh", ".elf", ".so", ".app", ".cpl", ".reg",
)  # fmt: skip
_ARCHIVE_NAMES: Final = (".zip", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".cab", ".iso")
_DRIVE: Final = re.compile(r"^[A-Za-z]:")


def _zip_reject(code: str, zh: str, en: str) -> NoReturn:
    _reject(code, zh, en)


def _zip_corrupt(why_zh: str, why_en: str) -> NoReturn:
    _reject("zip_corrupt", f"压缩结构损坏：{why_zh}", f"The ZIP container is damaged: {why_en}")


def _read_at(f: IO[bytes], offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


def _zip_directory_precheck(f: IO[bytes], size: int, limits: UploadLimits) -> int:
    """Reads the end-of-central-directory record before zipfile builds one object per entry: the entry
    count and directory size are capped, and nothing may follow the archive. Returns the offset where
    the central directory starts."""
    window = min(size, 22 + 0xFFFF)
    tail = _read_at(f, size - window, window)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        _zip_corrupt("找不到中央目录结尾记录", "no end-of-central-directory record")
    _sig, disk, cd_disk, entries_here, entries, cd_size, cd_offset, comment_length = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    eocd = size - window + at
    if eocd + 22 + comment_length != size:
        _reject(
            "polyglot",
            "ZIP 结尾记录之后还附带了其他数据（疑似拼接文件）",
            "Other data follows the end of the ZIP archive (an appended file)",
        )
    if disk or cd_disk or entries_here != entries:
        _zip_corrupt("分卷压缩包", "a multi-volume archive")
    cd_end = eocd
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        locator = _read_at(f, eocd - 20, 20) if eocd >= 20 else b""
        if len(locator) < 20 or not locator.startswith(b"PK\x06\x07"):
            _zip_corrupt("ZIP64 定位记录缺失", "the ZIP64 locator is missing")
        (z64_offset,) = struct.unpack("<Q", locator[8:16])
        record = _read_at(f, z64_offset, 56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            _zip_corrupt("ZIP64 结尾记录缺失", "the ZIP64 end record is missing")
        entries, cd_size, cd_offset = struct.unpack("<QQQ", record[32:56])
        cd_end = z64_offset
    if entries > limits.zip_max_entries:
        _zip_reject(
            "zip_too_many_entries",
            f"压缩包内有 {entries} 个条目，超过上限 {limits.zip_max_entries}",
            f"The archive has {entries} entries, more than the limit of {limits.zip_max_entries}",
        )
    if cd_size > limits.zip_max_central_directory:
        _zip_reject(
            "zip_too_many_entries",
            f"压缩包目录过大（{_human(cd_size)}），超过上限 {_human(limits.zip_max_central_directory)}",
            f"The archive directory is too large ({_human(cd_size)})",
        )
    if cd_offset + cd_size != cd_end:
        _zip_corrupt("中央目录位置与结尾记录不符（前面可能附加了数据）", "the central directory is misplaced")
    return int(cd_offset)


def _check_entry_name(name: str) -> None:
    shown = name.encode("unicode_escape").decode("ascii")[:120]
    for ch in name:
        if unicodedata.category(ch) in _CONTROL_CATEGORIES or ch in _BIDI_AND_INVISIBLE:
            _zip_reject(
                "zip_bad_entry_name",
                f"压缩包内条目名含有控制字符或空字符：{shown}",
                f"An entry name contains control or NUL characters: {shown}",
            )
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or _DRIVE.match(normalised) or ".." in normalised.split("/"):
        _zip_reject(
            "zip_slip",
            f"压缩包内条目路径越界（绝对路径、盘符或 ..）：{shown}",
            f"An entry path escapes the archive (absolute, drive letter or ..): {shown}",
        )


@dataclass
class _Entry:
    info: zipfile.ZipInfo
    data_start: int


def _screen_zip_entries(
    zf: zipfile.ZipFile, f: IO[bytes], cd_start: int, limits: UploadLimits
) -> list[_Entry]:
    infos = zf.infolist()
    if len(infos) > limits.zip_max_entries:
        _zip_reject(
            "zip_too_many_entries",
            f"压缩包内有 {len(infos)} 个条目，超过上限 {limits.zip_max_entries}",
            f"The archive has {len(infos)} entries, more than the limit of {limits.zip_max_entries}",
        )
    seen: set[str] = set()
    claimed_total = 0
    for info in infos:
        name = info.orig_filename
        _check_entry_name(name)
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            _zip_reject(
                "zip_symlink",
                f"压缩包内含符号链接条目：{name}",
                f"The archive contains a symbolic link: {name}",
            )
        if info.flag_bits & 0x1:
            _zip_reject("zip_encrypted", f"压缩包条目已加密：{name}", f"An entry is encrypted: {name}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _zip_reject(
                "zip_unsupported_compression",
                f"条目 {name} 使用了不支持的压缩方式（{info.compress_type}）",
                f"Entry {name} uses an unsupported compression method ({info.compress_type})",
            )
        key = name.lower()
        if key in seen:
            _zip_reject(
                "zip_duplicate_entry",
                f"压缩包内有重复的条目：{name}",
                f"The archive has a duplicate entry: {name}",
            )
        seen.add(key)
        claimed_total += info.file_size
        if info.file_size > limits.zip_ratio_grace and info.file_size > limits.zip_max_ratio * max(
            info.compress_size, 1
        ):
            _bomb(name, info.file_size, info.compress_size, limits)
    if claimed_total > limits.zip_max_total_uncompressed:
        _too_large(claimed_total, limits)
    return _locate_entries(infos, f, cd_start)


def _bomb(name: str, produced: int, compressed: int, limits: UploadLimits) -> NoReturn:
    _zip_reject(
        "zip_bomb",
        f"条目 {name} 的压缩比超过 {limits.zip_max_ratio}:1（{compressed} 字节解压出 {produced} 字节以上），"
        "疑似压缩炸弹",
        f"Entry {name} expands more than {limits.zip_max_ratio}:1 ({compressed} bytes to {produced}+): "
        "a zip bomb",
    )


def _too_large(total: int, limits: UploadLimits) -> NoReturn:
    _zip_reject(
        "zip_too_large",
        f"解压后总大小超过上限 {_human(limits.zip_max_total_uncompressed)}（至少 {_human(total)}）",
        f"The uncompressed content exceeds {_human(limits.zip_max_total_uncompressed)} "
        f"(at least {_human(total)})",
    )


def _locate_entries(infos: list[zipfile.ZipInfo], f: IO[bytes], cd_start: int) -> list[_Entry]:
    """Local headers must agree with the directory and lie end to end from offset 0: overlapping entries
    (the non-recursive zip bomb) and bytes no entry owns (hidden content) are refused."""
    entries: list[_Entry] = []
    expected = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        gap = info.header_offset - expected
        if gap < 0:
            _zip_reject(
                "zip_overlap",
                f"压缩包条目 {info.orig_filename} 与前一条目的数据重叠（疑似压缩炸弹）",
                f"Entry {info.orig_filename} overlaps the previous one (a zip bomb technique)",
            )
        if gap > (24 if entries and entries[-1].info.flag_bits & 0x8 else 0):
            _hidden(gap)
        local = _read_at(f, info.header_offset, 30)
        if len(local) < 30 or not local.startswith(_ZIP_LOCAL):
            _zip_corrupt(
                f"条目 {info.orig_filename} 的本地文件头缺失", f"entry {info.orig_filename} has no header"
            )
        (flags,) = struct.unpack_from("<H", local, 6)
        name_length, extra_length = struct.unpack_from("<HH", local, 26)
        raw_name = f.read(name_length)
        local_name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        if local_name != info.orig_filename:
            _zip_corrupt(
                f"本地文件头中的名称 {local_name!r} 与目录中的 {info.orig_filename!r} 不一致",
                f"the local header names {local_name!r} but the directory {info.orig_filename!r}",
            )
        data_start = info.header_offset + 30 + name_length + extra_length
        expected = data_start + info.compress_size
        entries.append(_Entry(info, data_start))
    gap = cd_start - expected
    if gap < 0:
        _zip_reject("zip_overlap", "条目数据与压缩包目录重叠", "Entry data overlaps the central directory")
    if gap > (24 if entries and entries[-1].info.flag_bits & 0x8 else 0):
        _hidden(gap)
    return entries


def _hidden(gap: int) -> NoReturn:
    _zip_reject(
        "zip_hidden_data",
        f"压缩包内有 {gap} 字节不属于任何登记条目的数据（隐藏内容）",
        f"The archive holds {gap} bytes that belong to no listed entry (hidden content)",
    )


class _Budget:
    """Real decompressed bytes, per entry and in total."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.total = 0

    def spend(self, info: zipfile.ZipInfo, produced: int, n: int) -> None:
        self.total += n
        if produced > info.file_size:
            _zip_reject(
                "zip_bomb",
                f"条目 {info.orig_filename} 实际解压后超过其声明的 {info.file_size} 字节"
                "（声明不实，疑似压缩炸弹）",
                f"Entry {info.orig_filename} expands beyond its declared {info.file_size} bytes "
                "(a false header, a zip bomb technique)",
            )
        if produced > self.limits.zip_ratio_grace and produced > self.limits.zip_max_ratio * max(
            info.compress_size, 1
        ):
            _bomb(info.orig_filename, produced, info.compress_size, self.limits)
        if self.total > self.limits.zip_max_total_uncompressed:
            _too_large(self.total, self.limits)


def _entry_chunks(f: IO[bytes], entry: _Entry, budget: _Budget) -> Iterator[bytes]:
    """The entry's uncompressed bytes, inflated in bounded steps from the raw data (not via zipfile, so
    that header claims cannot cap or hide what the data really expands to); size and CRC are verified."""
    info = entry.info
    f.seek(entry.data_start)
    remaining = info.compress_size
    produced = 0
    crc = 0
    step = 64 * KiB
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    try:
        while True:
            if inflater is not None and inflater.unconsumed_tail:
                data = inflater.decompress(inflater.unconsumed_tail, step)
            elif remaining > 0:
                f.seek(entry.data_start + info.compress_size - remaining)
                raw = f.read(min(step, remaining))
                if not raw:
                    _zip_corrupt(
                        f"条目 {info.orig_filename} 的数据被截断", f"entry {info.orig_filename} is truncated"
                    )
                remaining -= len(raw)
                data = raw if inflater is None else inflater.decompress(raw, step)
            elif inflater is not None and not inflater.eof:
                data = inflater.decompress(b"", step)
                if not data:
                    break
            else:
                break
            if data:
                produced += len(data)
                budget.spend(info, produced, len(data))
                crc = zlib.crc32(data, crc)
                yield data
            if inflater is not None and inflater.eof:
                break
    except zlib.error as error:
        _zip_corrupt(f"条目 {info.orig_filename} 无法解压（{error}）", f"entry {info.orig_filename}: {error}")
    if inflater is not None and not inflater.eof:
        _zip_corrupt(
            f"条目 {info.orig_filename} 的压缩数据不完整", f"entry {info.orig_filename} is incomplete"
        )
    if produced != info.file_size or crc != info.CRC:
        _zip_corrupt(
            f"条目 {info.orig_filename} 的大小或校验值 (CRC) 与声明不符",
            f"entry {info.orig_filename} does not match its declared size or CRC",
        )


def _check_entry_by_name(name: str) -> None:
    lower = name.lower()
    base = lower.rsplit("/", 1)[-1]
    if base in ("vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin") or "/macrosheets/" in f"/{lower}":
        _zip_reject(
            "macro",
            f"文档含有宏代码（{name}）；不接受启用宏的文档 (.docm/.xlsm/.pptm)，请另存为不含宏的格式",
            f"The document contains macros ({name}); macro-enabled documents are not accepted",
        )
    if "/activex/" in f"/{lower}":
        _zip_reject(
            "active_content",
            f"文档含有 ActiveX 控件（{name}），可在打开时运行代码",
            f"The document contains ActiveX controls ({name}), which can run code",
        )
    if base.endswith(_EXECUTABLE_NAMES):
        _zip_reject(
            "zip_embedded_executable",
            f"文档内嵌了可执行程序或脚本（{name}）",
            f"The document embeds an executable or script ({name})",
        )
    if base.endswith(_ARCHIVE_NAMES):
        _nested(name)


def _nested(name: str) -> NoReturn:
    _zip_reject(
        "zip_nested_archive",
        f"文档内嵌了压缩包或其他 Office 文档（{name}，例如图表背后的工作簿）；请另存为 PDF 后上传",
        f"The document embeds an archive or another Office file ({name}, e.g. a chart's workbook); "
        "save it as PDF",
    )


def _check_entry_head(name: str, head: bytes) -> None:
    """What a part's first bytes are, by puremagic (and olefile's signature): a part that is an archive,
    a program or an OLE object is refused whatever it is called."""
    if head.startswith(olefile.MAGIC):
        _zip_reject(
            "zip_embedded_object",
            f"文档内嵌了 OLE 对象（{name}），可能包含程序包或旧版 Office 宏；请删除嵌入对象或另存为 PDF",
            f"The document embeds an OLE object ({name}), which may carry programs or macros",
        )
    for match in _identified(head):
        extension = match.extension.lower()
        if extension in _ARCHIVE_EXTENSIONS or extension in _OOXML_SUFFIXES:
            _nested(name)
        if extension in _EXECUTABLE_EXTENSIONS or "executable" in match.name.lower():
            _zip_reject(
                "zip_embedded_executable",
                f"文档内嵌了可执行程序（{name}）",
                f"The document embeds an executable program ({name})",
            )


_PROLOG_STEP: Final = 4096


class _Prolog:
    """An ElementTree parser target that keeps nothing and notes when the root element starts: a DTD,
    and so any entity declaration or external reference, can only come before it."""

    rooted = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.rooted = True

    def end(self, tag: str) -> None:
        return None

    def data(self, data: str) -> None:
        return None

    def close(self) -> None:
        return None


class _XmlScan:
    """Feeds the start of a part to defusedxml as its bytes are decompressed, until the root element
    opens: the XML parser itself finds a DTD, an entity declaration or an external reference, in
    whatever encoding the part declares. A part that is not well-formed is left to the format checks
    (Excel's VML drawings, for one, are not XML)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.prolog = _Prolog()
        self.parser: DefusedXMLParser | None = DefusedXMLParser(target=self.prolog, forbid_dtd=True)

    def feed(self, chunk: bytes) -> None:
        # in small pieces: expat calls back for every element of what it is given, and only the
        # prolog matters
        for start in range(0, len(chunk), _PROLOG_STEP):
            if self.parser is None:
                return
            try:
                self.parser.feed(chunk[start : start + _PROLOG_STEP])
            except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
                _dtd(self.name)
            except ElementTree.ParseError:
                self.parser = None
            if self.prolog.rooted:
                self.parser = None


def _dtd(name: str) -> NoReturn:
    _zip_reject(
        "xml_dtd",
        f"XML 部件 {name} 含有 DOCTYPE/实体声明（可用于 XXE 或实体膨胀攻击）",
        f"XML part {name} declares a DOCTYPE or entities (an XXE / entity expansion risk)",
    )


def _detect_zip_kind(names: Mapping[str, str], ext: str) -> str:
    has_types = "[content_types].xml" in names
    mains = [kind for kind, part in _OOXML_MAIN if part in names]
    if has_types or mains:
        if not has_types:
            _reject(
                "ooxml_missing_part",
                "Office 文档缺少 [Content_Types].xml",
                "The Office document has no [Content_Types].xml",
            )
        if len(mains) != 1:
            _reject(
                "ooxml_missing_part",
                "Office 文档缺少主文档部件（word/document.xml、xl/workbook.xml 或 ppt/presentation.xml）"
                if not mains
                else "Office 文档同时含有多个主文档部件",
                "The Office document has no main part (word/document.xml, xl/workbook.xml or "
                "ppt/presentation.xml)"
                if not mains
                else "The Office document has more than one main part",
            )
        if "_rels/.rels" not in names:
            _reject(
                "ooxml_missing_part", "Office 文档缺少 _rels/.rels", "The Office document has no _rels/.rels"
            )
        return mains[0]
    if "ofd.xml" in names:
        return "ofd"
    if ext in _OOXML_EXTENSIONS:
        main = dict(_OOXML_MAIN)[_ext_kind(ext)]
        _reject(
            "ooxml_missing_part",
            f"文件是 ZIP 压缩包，但不是 Office 文档（缺少 [Content_Types].xml 和 {main}）",
            f"The file is a ZIP archive but not an Office document (no [Content_Types].xml or {main})",
        )
    if ext == "ofd":
        _reject(
            "ofd_missing_part",
            "文件是 ZIP 压缩包，但缺少 OFD 入口文件 OFD.xml",
            "The file is a ZIP archive without the OFD entry file OFD.xml",
        )
    _mismatch("archive", "ZIP 压缩包", "a ZIP archive", ext, "；不接受压缩包", "; archives are not accepted")


def _ext_kind(ext: str) -> str:
    return next(kind for kind, exts in KIND_EXTENSIONS.items() if ext in exts)


def _inspect_zip(f: IO[bytes], size: int, ext: str, limits: UploadLimits) -> tuple[str, tuple[str, ...]]:
    cd_start = _zip_directory_precheck(f, size, limits)
    f.seek(0)
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as error:
        _zip_corrupt(f"无法读取压缩目录（{error}）", f"the directory cannot be read ({error})")
    with zf:
        entries = _screen_zip_entries(zf, f, cd_start, limits)
    names = {e.info.orig_filename.lower(): e.info.orig_filename for e in entries}
    kind = _detect_zip_kind(names, ext)
    _require_extension(kind, ext)
    budget = _Budget(limits)
    kept: dict[str, bytes] = {}
    for entry in entries:
        name = entry.info.orig_filename
        if name.endswith("/") and entry.info.file_size == 0:
            continue
        _check_entry_by_name(name)
        lower = name.lower()
        keep = lower in ("[content_types].xml", "ofd.xml") or lower.endswith(".rels")
        is_xml = lower.endswith((".xml", ".rels", ".vml"))
        head = b""
        buffer: list[bytes] = []
        held = 0
        checked = False
        scan = _XmlScan(name) if is_xml else None
        for chunk in _entry_chunks(f, entry, budget):
            if not checked:
                head += chunk[: _HEAD - len(head)]
                if len(head) >= _HEAD:
                    _check_entry_head(name, head)
                    checked = True
            if scan is not None:
                # a DTD in any XML part: a later reader (openpyxl, calamine, Word) must not expand it
                scan.feed(chunk)
            if keep:
                held += len(chunk)
                if held > limits.xml_part_max:
                    _reject(
                        "ooxml_invalid" if kind != "ofd" else "ofd_invalid",
                        f"部件 {name} 过大（超过 {_human(limits.xml_part_max)}）",
                        f"Part {name} is larger than {_human(limits.xml_part_max)}",
                    )
                buffer.append(chunk)
        if not checked:
            _check_entry_head(name, head)
        if keep:
            kept[lower] = b"".join(buffer)
    if kind == "ofd":
        _check_ofd(kept.get("ofd.xml", b""), names)
    else:
        _check_content_types(kept.get("[content_types].xml", b""), kind)
        for part, data in kept.items():
            if part.endswith(".rels"):
                _check_relationships(names[part], data)
    return kind, ()


def _parse_xml(data: bytes, name: str, code: str) -> ElementTree.Element:
    try:
        return defused.fromstring(data, forbid_dtd=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        _dtd(name)
    except ElementTree.ParseError as error:
        _reject(code, f"XML 部件 {name} 格式错误（{error}）", f"XML part {name} is malformed ({error})")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_content_types(data: bytes, kind: str) -> None:
    root = _parse_xml(data, "[Content_Types].xml", "ooxml_invalid")
    main_part = "/" + dict(_OOXML_MAIN)[kind]
    main_type = None
    for element in root:
        content_type = element.get("ContentType", "")
        lowered = content_type.lower()
        if "macroenabled" in lowered or "vbaproject" in lowered or "macrosheet" in lowered:
            _zip_reject(
                "macro",
                f"文档声明了启用宏的内容类型（{content_type}）；不接受 .docm/.xlsm/.pptm 等启用宏的文档",
                f"The document declares a macro-enabled content type ({content_type})",
            )
        if "activex" in lowered:
            _zip_reject(
                "active_content",
                f"文档声明了 ActiveX 控件（{content_type}）",
                f"The document declares ActiveX controls ({content_type})",
            )
        if _local(element.tag) == "Override" and element.get("PartName", "").lower() == main_part:
            main_type = content_type
    if main_type not in _OOXML_MAIN_TYPES[kind]:
        _reject(
            "ooxml_invalid",
            f"[Content_Types].xml 未把 {main_part} 声明为 {KIND_LABELS[kind]}的主部件"
            f"（实际：{main_type or '未声明'}）",
            f"[Content_Types].xml does not declare {main_part} as the main part of {KIND_LABELS_EN[kind]} "
            f"(found: {main_type or 'nothing'})",
        )


def _check_relationships(name: str, data: bytes) -> None:
    root = _parse_xml(data, name, "ooxml_invalid")
    for element in root:
        if element.get("TargetMode", "").lower() != "external":
            continue
        relationship = element.get("Type", "")
        if relationship.endswith(_EXTERNAL_RELATIONSHIPS):
            target = element.get("Target", "")[:100]
            short = relationship.rsplit("/", 1)[-1]
            _zip_reject(
                "ooxml_external_reference",
                f"文档引用了外部模板或对象（{short}：{target}），打开时会从外部加载内容",
                f"The document references an external template or object ({short}: {target}), "
                "loaded when it opens",
            )


def _check_ofd(data: bytes, names: Mapping[str, str]) -> None:
    root = _parse_xml(data, "OFD.xml", "ofd_invalid")
    if _local(root.tag) != "OFD":
        _reject(
            "ofd_invalid",
            f"OFD.xml 的根元素应为 ofd:OFD，实际为 {_local(root.tag)}",
            f"The root element of OFD.xml should be ofd:OFD, not {_local(root.tag)}",
        )
    roots = [(e.text or "").strip() for e in root.iter() if _local(e.tag) == "DocRoot"]
    if not roots or not all(roots):
        _reject("ofd_invalid", "OFD.xml 未指定文档根 (DocRoot)", "OFD.xml names no document root (DocRoot)")
    for target in roots:
        if target.lstrip("/").lower() not in names:
            _reject(
                "ofd_missing_part",
                f"OFD.xml 指向的文档 {target} 不存在",
                f"The document {target} named in OFD.xml is missing",
            )
