"""`make bench`: TicketDesk measured against raw baselines in the same run (issue #8)."""
