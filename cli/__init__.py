"""The `ticketdesk` command line: `ticketdesk dev` runs the whole system locally."""
