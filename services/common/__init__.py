"""Code shared by TicketDesk's processes, by role: `server` (the services only),
`client` (anyone calling a service) and `platform` (every process)."""
