"""The Tailwind classes of the web UI as one style sheet compiled ahead (static/tailwind.css),
in place of NiceGUI's in-browser Tailwind: that compiler was about 50-90 ms of every page's
load in Chromium (its script, then restyling the page as Vue added classes; bench/webui.py,
bench/reports.py). NiceGUI's maintainers advise the same for production.

`make css` compiles it again (`python -m ui.styles`: Node.js's npm, the Tailwind that
NiceGUI bundles) from the classes in ui/ and in NiceGUI's own elements;
tests/ui/test_styles.py fails while a class used in ui/ is missing from it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

from . import routes

SHEET = Path(__file__).parent / 'static' / 'tailwind.css'
TAILWIND = '4.1.13'  # the version of NiceGUI 3.18's in-browser Tailwind
YEAR = 365 * 24 * 60 * 60
# What NiceGUI's page declares for Tailwind (its index.html), and where the classes are.
SOURCE = '''@import "tailwindcss" source(none);
@custom-variant dark (&:where(body.body--dark, body.body--dark *));
@source "{ui}";
@source "{nicegui}";
@source not "{nicegui}/static";
'''


def install() -> None:
    """Serves the sheet (cached for a year: its address changes with its content) and links
    it from every page; `ui.run(tailwind=False)` then leaves the compiler out."""
    from nicegui import app, ui

    version = hashlib.sha256(SHEET.read_bytes()).hexdigest()[:12]
    app.add_static_file(local_file=SHEET, url_path=routes.STYLE_SHEET, max_cache_age=YEAR)
    ui.add_head_html(f'<link rel="stylesheet" href="{routes.STYLE_SHEET}?v={version}">',
                     shared=True)


def build() -> None:
    """Compiles the sheet again from the classes used now."""
    import nicegui

    source = SOURCE.format(ui=Path(__file__).parent, nicegui=Path(nicegui.__file__).parent)
    with tempfile.TemporaryDirectory() as work:  # `@import "tailwindcss"` resolves here
        given = Path(work) / 'input.css'
        given.write_text(source)
        subprocess.run(['npm', 'install', '--silent', '--no-save', '--prefix', work,
                        f'tailwindcss@{TAILWIND}', f'@tailwindcss/cli@{TAILWIND}'], check=True)
        subprocess.run([str(Path(work) / 'node_modules' / '.bin' / 'tailwindcss'),
                        '--input', str(given), '--output', str(SHEET), '--minify'], check=True)
    print(f'{SHEET}: {SHEET.stat().st_size:,} bytes', file=sys.stderr)


if __name__ == '__main__':
    build()
