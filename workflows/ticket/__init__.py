"""The ticket lifecycle: one durable TicketWorkflow per ticket."""
