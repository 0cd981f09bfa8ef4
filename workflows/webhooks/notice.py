"""Telling the studio's managers that TicketDesk turned a webhook off: an e-mail to each
active manager, in their language, with the last failure and where to turn it on."""

from __future__ import annotations

import structlog

from services.common.client.channels import bearer
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from workflows.notify import texts
from workflows.notify.mailer import Mailer, compose, mail_domain, message_id

log = structlog.get_logger()
INTEGRATIONS_PATH = "/admin/integrations"


class Managers:
    def __init__(self, auth: auth_pb2_grpc.AuthServiceStub, service_token: str, mailer: Mailer,
                 mail_from: str, public_url: str):
        self._auth, self._metadata, self._mailer = auth, bearer(service_token), mailer
        self._from, self._domain = mail_from, mail_domain(mail_from)
        self._link = public_url.rstrip("/") + INTEGRATIONS_PATH

    @classmethod
    def from_settings(cls, settings, auth: auth_pb2_grpc.AuthServiceStub, mailer: Mailer):
        return cls(auth, settings.service_token.get_secret_value(), mailer,
                   settings.mail_from, settings.web_url)

    async def webhook_off(self, event_id: str, name: str, url: str, reason: str) -> int:
        """E-mails every active manager; `event_id` makes a repeated call's Message-IDs
        the same (a duplicate the receiver recognises). Answers how many were written."""
        messages = []
        for manager in await self._managers():
            mail = texts.webhook_off(manager, name, url, reason, self._link)
            try:
                messages.append(compose(
                    mail_from=self._from, to_name=manager.full_name, to_address=manager.email,
                    subject=mail.subject, body=mail.body, language=mail.language,
                    message_id=message_id(event_id, manager.name, self._domain),
                    headers={"X-TicketDesk-Notice": "webhook_disabled"}))
            except ValueError as bad:
                log.warning("webhook.bad_manager_address", user=manager.name, error=str(bad))
        await self._mailer.send_all(messages)
        return len(messages)

    async def _managers(self) -> list[auth_pb2.User]:
        found, token = [], ""
        while True:
            page = await self._auth.ListUsers(auth_pb2.ListUsersRequest(
                role=auth_pb2.ROLE_MANAGER, page_size=200, page_token=token),
                metadata=self._metadata, timeout=10)
            found += [u for u in page.users if u.active and u.email]
            if not (token := page.next_page_token):
                return found
