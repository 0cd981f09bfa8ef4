"""How TicketDesk's processes call the services: channels, stubs, bearer metadata and the
errors they answer. No server code: the web UI and the worker import only this and
`platform`."""
