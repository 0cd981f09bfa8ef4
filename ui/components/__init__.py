"""The pieces pages are built of: the frame (header, bell, user menu), dialogs, widgets,
uploads and attachments, the ticket card's parts, the queue, the administration's forms.

A component knows the session and the clients (ui/session.py, ui/clients/) and never a
page: what a page hands it (its session, its card) is all it reads.
"""
