"""The web UI as NiceGUI's simulated user runs it (tests/ui/conftest.py): `ui/__main__.py`
without a server, its settings from the TICKETDESK_* environment the fixture sets."""

import os
import sys

from nicegui import ui

from services.common.platform.config import load_settings
from ui.app import build

# Importing a page module registers its page. Every test starts on an empty app, so the
# page modules imported before (by another test, or by the helper tests) are imported anew.
for name in [n for n in sys.modules if n == 'ui.pages' or n.startswith('ui.pages.')]:
    del sys.modules[name]

# Never the default addresses: another TicketDesk may run there.
assert os.environ.get('TICKETDESK_AUTH_ADDRESS'), 'the UI must be pointed at the test stack'
build(load_settings())
ui.run(title='TicketDesk', language='ru', storage_secret='simulated secret', reload=False,
       show=False)
