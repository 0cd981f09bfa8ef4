"""What may be uploaded: an allow-list by sniffed content, and display-name hygiene.

The content type of a stored file is always the sniffed one; the name and the
declared type the client sends are never trusted for it. Allowed:

* images: PNG, JPEG, GIF, WebP, BMP;
* PDF;
* office documents: OOXML (docx/xlsx/pptx — a ZIP holding `[Content_Types].xml`),
  OpenDocument (odt/ods/odp), old OLE2 documents (doc/xls/ppt);
* ZIP archives;
* plain text and CSV: UTF-8 (or Windows-1251) without NUL and other binary
  control bytes. Scripts are text too; they are served as attachments.

Everything else (ELF, PE/MZ, Mach-O, other archives, media...) is rejected with
INVALID_ARGUMENT, reason FILE_TYPE_NOT_ALLOWED. Independently of the content, a
display name with an extension that desktop systems execute on a double click
(`.exe`, `.bat`, `.js`, `.msi`...) is rejected the same way: an attachment is
saved under its display name, and a "text file" named `run.bat` would run.

`ContentSniffer` is fed the upload chunk by chunk: it decides on the type as
soon as the first 8 KiB are in (rejecting early), keeps validating text to the
end, and keeps a small head and tail of the stream to tell OOXML from a plain ZIP
by the archive's member names (local headers at the start, central directory at
the end) — so it works with any storage backend and never re-reads the file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

import grpc
from filetype.types import archive as ft_archive
from filetype.types import image as ft_image

from services.common.server.errors import ApiError, violation
from ticketdesk.errors.v1 import errors_pb2 as reasons

# filetype looks at the first 8 KiB.
SIGNATURE_BYTES = 8192
# Kept from the start and the end of a stream to read ZIP member names.
HEAD_BYTES = 64 * 1024
TAIL_BYTES = 64 * 1024

MAX_DISPLAY_NAME = 150
DEFAULT_DISPLAY_NAME = "file"

PNG, JPEG, GIF, WEBP, BMP = "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"
PDF = "application/pdf"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
DOC, XLS, PPT = "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"
TEXT, CSV = "text/plain", "text/csv"

ALLOWED_CONTENT_TYPES = frozenset({PNG, JPEG, GIF, WEBP, BMP, PDF, ZIP, DOCX, XLSX, PPTX,
                                   ODT, ODS, ODP, DOC, XLS, PPT, TEXT, CSV})

_IMAGE_MATCHERS = ((ft_image.Png(), PNG), (ft_image.Jpeg(), JPEG), (ft_image.Gif(), GIF),
                   (ft_image.Webp(), WEBP), (ft_image.Bmp(), BMP))
_PDF = ft_archive.Pdf()

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a member; an empty archive
# Executables, recognised explicitly so that no text heuristic can let them in.
EXECUTABLE_MAGICS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                     b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\x00asm")

# Extensions a desktop runs or installs on a double click (Windows, macOS, Linux desktops).
EXECUTABLE_EXTENSIONS = frozenset("""
    exe com scr pif cpl dll sys drv ocx msi msp mst msc bat cmd ps1 ps1xml ps2 psm1 psd1
    vb vbs vbe js jse wsf wsh wsc sct hta lnk url inf reg gadget application appref-ms
    jar apk app command dmg pkg mpkg desktop appimage run deb rpm xbap chm scf
""".split())

# C0 control bytes that never occur in text (tab, LF, VT, FF, CR and ESC may).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")

# Removed from display names besides control characters: bidi embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks and the BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                    "\u200e\u200f\u061c\ufeff"))
_EXTENSION = re.compile(r"\.[^.\s]{1,16}$")
# Windows cannot save a file named like a device, with any extension (`CON`, `nul.txt`).
WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                             *(f"LPT{i}" for i in range(1, 10))})


def not_allowed(message: str = "this file type is not allowed",
                field: str = "chunk") -> ApiError:
    """FILE_TYPE_NOT_ALLOWED, pointing at the content (`chunk`) or at the name."""
    return ApiError(grpc.StatusCode.INVALID_ARGUMENT, reasons.FILE_TYPE_NOT_ALLOWED, message,
                    violations=[violation(field, reasons.TYPE_NOT_ALLOWED, message)])


# --- display names -------------------------------------------------------------------

def normalize_display_name(raw: str) -> str:
    """The name shown and offered for download: a bare, printable, NFC file name."""
    name = "".join(ch for ch in raw.translate(_INVISIBLE)
                   if unicodedata.category(ch) != "Cc")
    name = unicodedata.normalize("NFC", name)
    parts = [p for p in re.split(r"[/\\]", name) if p.strip(" .")]
    name = parts[-1] if parts else ""
    # Windows drops trailing dots and spaces; drop them here so the name survives.
    name = name.strip().rstrip(". ")
    if name.split(".")[0].strip().upper() in WINDOWS_DEVICES:
        name = "_" + name
    if len(name) > MAX_DISPLAY_NAME:
        match = _EXTENSION.search(name)
        extension = match.group(0) if match and match.start() > 0 else ""
        stem = name[:len(name) - len(extension)]
        name = stem[:MAX_DISPLAY_NAME - len(extension)].rstrip(". ") + extension
        name = unicodedata.normalize("NFC", name)
    return name or DEFAULT_DISPLAY_NAME


def extension_of(display_name: str) -> str:
    """Lower-case extension without the dot; '' when there is none."""
    stem, dot, extension = display_name.rpartition(".")
    return extension.lower() if dot and stem else ""


def check_display_name(display_name: str, field: str = "metadata.display_name") -> None:
    """Reject names a desktop would execute, whatever the content is."""
    if extension_of(display_name) in EXECUTABLE_EXTENSIONS:
        raise not_allowed(f"files with the extension .{extension_of(display_name)} "
                          "are not allowed", field)


# --- content -------------------------------------------------------------------------

class ContentSniffer:
    """Decides the content type of a stream fed chunk by chunk.

    `feed` raises FILE_TYPE_NOT_ALLOWED as soon as the stream is known to be
    unacceptable; `finish` returns the content type (or raises).
    """

    def __init__(self, display_name: str = ""):
        self._extension = extension_of(display_name)
        self._head = bytearray()
        self._tail = bytearray()
        self._size = 0
        self._kind: str | None = None  # decided binary type, "text", or None
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._utf8_ok = True
        self._cp1251_ok = True

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        previous = self._size
        self._size += len(chunk)
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[:HEAD_BYTES - len(self._head)]
        self._tail += chunk[-TAIL_BYTES:]
        del self._tail[:-TAIL_BYTES]
        if self._kind is None:
            if len(self._head) < SIGNATURE_BYTES:
                return
            self._kind = self._classify(bytes(self._head[:SIGNATURE_BYTES]))
            if self._kind == "text":
                # Everything before this chunk is still in the head.
                self._check_text(bytes(self._head[:previous]), final=False)
        if self._kind == "text":
            self._check_text(chunk, final=False)

    def finish(self) -> str:
        if self._kind is None:  # shorter than the signature window
            self._kind = self._classify(bytes(self._head))
            if self._kind == "text":
                self._check_text(bytes(self._head), final=False)
        if self._kind == "text":
            self._check_text(b"", final=True)
            charset = "utf-8" if self._utf8_ok else "windows-1251"
            base = CSV if self._extension in ("csv", "tsv") else TEXT
            return f"{base}; charset={charset}"
        if self._kind == ZIP:
            return self._classify_zip()
        if self._kind == "ole2":
            return self._classify_ole2()
        return self._kind

    # ---

    def _classify(self, head: bytes) -> str:
        if head.startswith(EXECUTABLE_MAGICS):
            raise not_allowed("executable files are not allowed")
        for matcher, mime in _IMAGE_MATCHERS:
            if matcher.match(head):
                return mime
        if _PDF.match(head):
            return PDF
        if head.startswith(ZIP_MAGICS):
            return ZIP
        if head.startswith(OLE2_MAGIC):
            return "ole2"
        if _BINARY_BYTES.search(head):
            raise not_allowed()
        return "text"

    def _check_text(self, data: bytes, final: bool) -> None:
        if _BINARY_BYTES.search(data):
            raise not_allowed()
        if self._cp1251_ok and b"\x98" in data:  # the one byte cp1251 leaves undefined
            self._cp1251_ok = False
        if self._utf8_ok:
            try:
                self._utf8.decode(data, final)
            except UnicodeDecodeError:
                self._utf8_ok = False
        if not (self._utf8_ok or self._cp1251_ok):
            raise not_allowed("text files must be UTF-8 or Windows-1251")

    def _zip_names(self) -> set[str]:
        names: set[str] = set()
        head, tail = bytes(self._head), bytes(self._tail)
        # Local file headers: name length at 26, extra length at 28, name at 30.
        for match in re.finditer(rb"PK\x03\x04", head):
            start = match.start()
            if start + 30 <= len(head):
                length = int.from_bytes(head[start + 26:start + 28], "little")
                names.add(head[start + 30:start + 30 + length].decode("utf-8", "replace"))
        # Central directory entries: name length at 28, name at 46.
        for match in re.finditer(rb"PK\x01\x02", tail):
            start = match.start()
            if start + 46 <= len(tail):
                length = int.from_bytes(tail[start + 28:start + 30], "little")
                names.add(tail[start + 46:start + 46 + length].decode("utf-8", "replace"))
        return names

    def _classify_zip(self) -> str:
        names = self._zip_names()
        if "[Content_Types].xml" in names:
            for prefix, mime in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
                if any(n.startswith(prefix) for n in names):
                    return mime
            return ZIP
        if "mimetype" in names:
            # ODF stores `mimetype` first and uncompressed: its content follows the header.
            head = bytes(self._head[:256])
            for marker, mime in ((b"opendocument.text", ODT),
                                 (b"opendocument.spreadsheet", ODS),
                                 (b"opendocument.presentation", ODP)):
                if marker in head:
                    return mime
        return ZIP

    def _classify_ole2(self) -> str:
        """Old Office files; other OLE2 content (e.g. MSI installers) is refused."""
        data = bytes(self._head) + bytes(self._tail)
        for stream, mime in (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS),
                             ("PowerPoint Document", PPT)):
            if (stream + "\x00").encode("utf-16-le") in data:
                return mime
        by_extension = {"doc": DOC, "dot": DOC, "xls": XLS, "xlt": XLS, "ppt": PPT, "pps": PPT}
        if self._extension in by_extension:
            return by_extension[self._extension]
        raise not_allowed()


def sniff(data: bytes, display_name: str = "") -> str:
    """Content type of a complete small payload (tests, tools)."""
    sniffer = ContentSniffer(display_name)
    sniffer.feed(data)
    return sniffer.finish()
