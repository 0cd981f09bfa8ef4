"""The content allow-list and display-name normalization."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import grpc
import pytest

from services.common.server.errors import ApiError
from services.files import sniff as s
from services.files.sniff import (
    ContentSniffer,
    check_display_name,
    normalize_display_name,
    sniff,
)


def png(width: int = 1, height: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 32
BMP = b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + b"\x28\x00\x00\x00" + b"\x00" * 60
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def make_zip(names: dict[str, bytes], first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        order = ([first] if first else []) + [n for n in names if n != first]
        for name in order:
            compress = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(name, names[name], compress_type=compress)
    return buffer.getvalue()


def rejected(data: bytes, name: str = "") -> ApiError:
    with pytest.raises(ApiError) as caught:
        sniff(data, name)
    assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.reason_name == "FILE_TYPE_NOT_ALLOWED"
    return caught.value


@pytest.mark.parametrize(("data", "expected"), [
    (png(), "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp"),
    (BMP, "image/bmp"), (PDF, "application/pdf"),
])
def test_allowed_binary_types(data, expected):
    assert sniff(data, "whatever.bin") == expected


def test_renamed_png_is_stored_as_png():
    assert sniff(png(), "invoice.pdf") == "image/png"


@pytest.mark.parametrize("data", [PE, ELF, PE + b"A" * 20000, ELF + b"\n" * 20000,
                                  b"\xcf\xfa\xed\xfe" + b"\x07" * 100])
def test_renamed_executables_are_rejected(data):
    rejected(data, "invoice.pdf")


@pytest.mark.parametrize("data", [
    b"\x1f\x8b\x08\x00" + b"\x00" * 100,                 # gzip
    b"Rar!\x1a\x07\x00" + b"\x00" * 100,                 # rar
    b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100,        # mp4
    bytes(range(256)) * 64,                              # random binary
    "привет".encode("utf-16"),                           # UTF-16 has NUL bytes
])
def test_other_binary_content_is_rejected(data):
    rejected(data, "file.txt")


def test_text_utf8_and_cp1251():
    assert sniff("Привет, мир\n".encode(), "notes.txt") == "text/plain; charset=utf-8"
    assert sniff("Привет, мир\n".encode("cp1251"), "notes.txt") == \
        "text/plain; charset=windows-1251"
    assert sniff("a;b\n1;2\n".encode(), "table.csv") == "text/csv; charset=utf-8"
    assert sniff(b"#!/bin/sh\necho hi\n", "deploy.sh") == "text/plain; charset=utf-8"
    assert sniff(b"", "empty.txt") == "text/plain; charset=utf-8"


def test_text_with_nul_deep_inside_is_rejected_while_streaming():
    sniffer = ContentSniffer("log.txt")
    sniffer.feed(b"line\n" * 5000)
    with pytest.raises(ApiError):
        sniffer.feed(b"more text" + b"\x00" + b"tail")


def test_text_checked_across_small_chunks():
    data = ("Отчёт за май — всё готово.\n" * 2000).encode()
    sniffer = ContentSniffer("report.txt")
    for i in range(0, len(data), 7):  # splits multi-byte characters
        sniffer.feed(data[i:i + 7])
    assert sniffer.finish() == "text/plain; charset=utf-8"


def test_bytes_neither_utf8_nor_cp1251_are_rejected():
    rejected(b"abc \x98\xc3\x28 def" * 10, "x.txt")


def test_ooxml_detected_by_member_names():
    content_types = b"<?xml version='1.0'?><Types/>"
    docx = make_zip({"[Content_Types].xml": content_types, "word/document.xml": b"<w/>"})
    xlsx = make_zip({"xl/workbook.xml": b"<x/>", "docProps/app.xml": b"<a/>",
                     "[Content_Types].xml": content_types})  # not the first member
    pptx = make_zip({"[Content_Types].xml": content_types, "ppt/presentation.xml": b"<p/>"})
    assert sniff(docx, "a.docx") == s.DOCX
    assert sniff(xlsx, "a.xlsx") == s.XLSX
    assert sniff(pptx, "a.pptx") == s.PPTX
    assert sniff(make_zip({"readme.txt": b"hello"}), "a.zip") == s.ZIP
    # A docx renamed .zip is still a docx; a zip renamed .docx is still a zip.
    assert sniff(docx, "a.zip") == s.DOCX
    assert sniff(make_zip({"x.txt": b"x"}), "a.docx") == s.ZIP


def test_large_ooxml_found_in_central_directory():
    import os
    big = os.urandom(300_000)  # incompressible: pushes the members apart
    xlsx = make_zip({"xl/media/image1.bin": big, "xl/workbook.xml": b"<x/>",
                     "[Content_Types].xml": b"<Types/>"}, first="xl/media/image1.bin")
    sniffer = ContentSniffer("big.xlsx")
    for i in range(0, len(xlsx), 65536):
        sniffer.feed(xlsx[i:i + 65536])
    assert sniffer.finish() == s.XLSX


def test_opendocument():
    odt = make_zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                    "content.xml": b"<x/>"}, first="mimetype")
    assert sniff(odt, "a.odt") == s.ODT


def test_ole2_documents():
    doc = OLE2 + "WordDocument\x00".encode("utf-16-le") + b"\x00" * 100
    assert sniff(doc, "old.bin") == s.DOC
    assert sniff(OLE2, "table.xls") == s.XLS
    # Unrecognisable OLE2 content (e.g. an MSI installer) under another name.
    rejected(OLE2, "setup.dat")


@pytest.mark.parametrize(("raw", "expected"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\system32\\evil.txt", "evil.txt"),
    ("C:\\Users\\Иван\\Desktop\\Отчёт.docx", "Отчёт.docx"),
    ("report\x00.pdf", "report.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("a\u2066b\u2069c\u200f.txt", "abc.txt"),
    ("line\nbreak\t.txt", "linebreak.txt"),
    ("", "file"),
    ("../..", "file"),
    ("\u202e\x00", "file"),
    ("dir/", "dir"),
    ("  spaced.txt  ", "spaced.txt"),
    ("trailing.", "trailing"),
    (".htaccess", ".htaccess"),
    ("e\u0301te\u0301.txt", "\u00e9t\u00e9.txt"),  # NFC
])
def test_display_name_normalization(raw, expected):
    assert normalize_display_name(raw) == expected


def test_long_name_trimmed_keeping_extension():
    name = normalize_display_name("я" * 300 + ".xlsx")
    assert len(name) == 150
    assert name.endswith(".xlsx")
    assert name == "я" * 145 + ".xlsx"
    no_extension = normalize_display_name("x" * 300)
    assert no_extension == "x" * 150


def test_rtl_override_cannot_disguise_an_executable():
    name = normalize_display_name("photo\u202egpj.exe")
    assert name == "photogpj.exe"
    with pytest.raises(ApiError) as caught:
        check_display_name(name)
    assert caught.value.reason_name == "FILE_TYPE_NOT_ALLOWED"


@pytest.mark.parametrize("name", ["setup.exe", "RUN.BAT", "x.js", "x.msi", "x.ps1", "a.lnk"])
def test_executable_extensions_rejected(name):
    with pytest.raises(ApiError):
        check_display_name(name)


@pytest.mark.parametrize("name", ["a.pdf", "a.txt", "script.sh", "page.html", "noext", ".env"])
def test_ordinary_extensions_accepted(name):
    check_display_name(name)
