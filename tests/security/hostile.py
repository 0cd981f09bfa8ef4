"""A corpus of hostile input (issue #9, «Bad input»), shared by the API and the UI tests.

Plain constants and small pure helpers only: no fixtures, no clients. Each corpus is a
dict of a short case name to the value, so that a failure names the case.

* INJECTION — script and HTML (and template, markdown, SQL, header) injection: every
  text field must store these byte-for-byte and every renderer must show them as text.
* UNICODE — tricks with code points: each is either stored verbatim or refused with
  INVALID_ARGUMENT, never answered with UNKNOWN. `NUL` is refused everywhere (PostgreSQL
  cannot store it, and SQLite must not behave differently).
* TEXTS — both of them, keyed `injection/...` and `unicode/...`; MUST_REFUSE the keys
  no text field may accept; long_line / oversized — unbroken lines at and over a limit.
* homoglyphs_of(email) — look-alikes of an address; none may log in to the real account.
* FILE_NAMES — path tricks for uploads; what is shown must pass `name_problems`.
* Contents — executables, an HTML page, `zip_bomb()` — for uploads.
* MARKER — a fixed string inside every payload, to find it in pages and mails.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib

MARKER = "td-hostile"

INJECTION: dict[str, str] = {
    "script": f'<script>alert("{MARKER}")</script>',
    "script_close": f"</script><script>alert('{MARKER}')</script>",
    "img_onerror": f'<img src=x onerror="alert(\'{MARKER}\')">',
    "svg_onload": f"<svg/onload=alert('{MARKER}')>",
    "attribute_break": f'" onmouseover="alert(\'{MARKER}\')" data-x="',
    "iframe": f'<iframe srcdoc="<script>alert(\'{MARKER}\')</script>"></iframe>',
    "javascript_url": f"javascript:alert('{MARKER}')",
    "html_entities": f"&lt;b&gt;{MARKER}&lt;/b&gt; &amp;amp; &#x3C;script&#x3E;",
    "markdown": f"[{MARKER}](javascript:alert(1)) ![x](https://evil.example/{MARKER}.png) **b**",
    "template": f"{{{{7*7}}}} ${{7*7}} <%= 7*7 %> {{0}} %s %(x)s {MARKER}",
    "sql": f"{MARKER}'; DROP TABLE tickets; --",
    "header_injection": f"{MARKER}\r\nBcc: victim@evil.example\r\n\r\n<b>injected</b>",
    "style": f"<style>body{{display:none}}</style>{MARKER}",
}


def _zalgo(text: str, marks: int = 8) -> str:
    """`text` with a stack of combining marks on each letter."""
    stack = "".join(chr(0x0300 + i) for i in range(marks))
    return "".join(ch + stack for ch in text)


UNICODE: dict[str, str] = {
    "rtl_override": f"{MARKER} invoice\u202egpj.exe",
    "bidi_isolates": f"{MARKER} \u2067abc\u2069 \u202bdef\u202c",
    "zero_width": f"{MARKER} ad\u200bmin\u200c\u200d\u2060\ufeff",
    "nul": f"{MARKER} before\x00after",
    "c0_controls": f"{MARKER} bell\x07 esc\x1b[31mred\x1b[0m",
    "combining_marks": f"{MARKER} {_zalgo('zalgo')}",
    "homoglyphs": f"{MARKER} \u0410\u0440\u0440l\u0435 Ρаураl",  # Cyrillic/Greek look-alikes
    "astral": f"{MARKER} 𝕿𝖎𝖈𝖐𝖊𝖙 👨‍👩‍👧‍👦 🏳️‍🌈",
    "line_separators": f"{MARKER} a\u2028b\u2029c\u0085d",
    "not_normalized": f"{MARKER} e\u0301 \u00e9 \ufb01 \u2126",  # NFD, NFC, ligature, Ohm
    "noncharacters": f"{MARKER} \ufdd0\uffff\U0010fffe",
}


def long_line(length: int) -> str:
    """One unbroken line of `length` characters (no spaces to wrap at)."""
    unit = f"{MARKER}-ЖЖЖ-😀-"
    return (unit * (length // len(unit) + 1))[:length]


def oversized(limit: int) -> str:
    """One character more than `limit`."""
    return long_line(limit + 1)


TEXTS: dict[str, str] = {**{f"injection/{k}": v for k, v in INJECTION.items()},
                         **{f"unicode/{k}": v for k, v in UNICODE.items()}}

MUST_REFUSE = {"unicode/nul"}  # refused in every free-text field


def expected_stored(value: str) -> str:
    """What a text field keeps of `value`: the services trim surrounding white space only."""
    return value.strip()


def homoglyphs_of(email: str) -> dict[str, str]:
    """Addresses that look like `email` but are not it (it must hold a, e and o)."""
    local, _, domain = email.partition("@")
    variants = {
        "cyrillic_a": email.replace("a", "а", 1),
        "cyrillic_e": email.replace("e", "е", 1),
        "cyrillic_o": email.replace("o", "о", 1),
        "greek_omicron": email.replace("o", "ο", 1),
        "fullwidth_at": f"{local}＠{domain}",
        "zero_width": f"{local[:2]}\u200b{local[2:]}@{domain}",
        "rtl_override": f"{local}@\u202e{domain}",
        "nul": f"{local}\x00@{domain}",
        "combining": f"{local[:1]}\u0301{local[1:]}@{domain}",
        "trailing_dot": f"{email}.",
        "fullwidth_a": email.replace("a", "ａ", 1),
    }
    return {k: v for k, v in variants.items() if v != email}


FILE_NAMES: dict[str, str] = {
    "parent_dirs": "../../etc/passwd",
    "deep_parent_dirs": "../" * 40 + "tmp/evil.txt",
    "absolute": "/etc/cron.d/evil.txt",
    "windows_absolute": "C:\\Windows\\System32\\drivers\\etc\\hosts",
    "backslash_parent": "..\\..\\..\\boot.ini",
    "unc_path": "\\\\evil.example\\share\\x.txt",
    "nul_inside": "safe.txt\x00.html",
    "windows_device": "CON",
    "windows_device_ext": "nul.txt",
    "very_long": "я" * 400 + ".txt",
    "only_dots": "....",
    "dot": ".",
    "dot_dot": "..",
    "rtl_override": "invoice\u202etxt.exe.txt",
    "html": f'<img src=x onerror=alert("{MARKER}")>.txt',
    "newline": "a\r\nContent-Type: text/html\r\n\r\n.txt",
    "empty": "",
}

WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                   *(f"LPT{i}" for i in range(1, 10))}


def name_problems(shown: str) -> list[str]:
    """Why `shown` is not a bare, harmless file name ([] when it is)."""
    problems = []
    if not shown or shown.strip(". ") == "":
        problems.append("empty or only dots")
    if "/" in shown or "\\" in shown:
        problems.append("contains a path separator")
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in shown):
        problems.append("contains control or format characters")
    if shown.split(".")[0].upper().strip() in WINDOWS_DEVICES:
        problems.append("is a Windows device name")
    if len(shown) > 255:
        problems.append("is longer than 255 characters")
    if shown != shown.strip():
        problems.append("has surrounding white space")
    return problems


# --------------------------------------------------------------------------- contents

PNG_HEADER = b"\x89PNG\r\n\x1a\n"
WINDOWS_EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(56) + b"PE\x00\x00" + bytes(1024)
ELF_EXECUTABLE = b"\x7fELF\x02\x01\x01" + bytes(1024)
HTML_PAGE = (f"<!doctype html><html><body><script>alert('{MARKER}')</script>"
             "</body></html>\n").encode()


def zip_bomb(expanded_mib: int = 1024) -> bytes:
    """A small ZIP (about 1 KiB per expanded MiB) of one file of `expanded_mib` MiB zeros.

    Deflate is fed one MiB of zeros and fully flushed: the output after a full flush
    does not depend on what came before, so one compressed MiB repeats as is.
    """
    mib = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * expanded_mib + b"\x03\x00"  # a final, empty fixed-Huffman block
    crc = 0
    for _ in range(expanded_mib):
        crc = zlib.crc32(mib, crc)
    name, size = b"zeros.bin", expanded_mib * len(mib)
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, crc, len(data), size)
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    central = (b"PK\x01\x02" + struct.pack("<H", 20) + fields
               + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central),
                                         len(local) + len(data), 0)
    return local + data + central + end
