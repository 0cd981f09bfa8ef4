"""The web UI as NiceGUI's simulated user runs it (tests/ui/conftest.py): `ui/__main__.py`
without a server, its settings from the TICKETDESK_* environment the fixture sets. Every
test starts on an empty app, which `build` fills again (ui/app.py registers each area's
pages explicitly)."""

import os

from nicegui import ui

from services.common.platform.config import load_settings
from ui.app import build

# Never the default addresses: another TicketDesk may run there.
assert os.environ.get('TICKETDESK_AUTH_ADDRESS'), 'the UI must be pointed at the test stack'
build(load_settings())
ui.run(title='TicketDesk', language='ru', storage_secret='simulated secret', reload=False,
       show=False)
