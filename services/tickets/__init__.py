"""The tickets service: sites, tickets, comments and history (the ticket store)."""
