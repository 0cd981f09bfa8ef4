"""Assembles the tickets service: database, Temporal client, the auth and files services,
the use cases and the two servicers on one server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
from temporalio.client import Client

from services.common.client.channels import channel
from services.common.platform.config import Settings
from services.common.platform.temporal import connect as connect_temporal
from services.common.server.authn import remote_resolver
from services.common.server.database import create_engine, keep_statistics, prepare, sessionmaker
from services.common.server.serve import Service
from services.tickets.gateways.attachments import Attachments
from services.tickets.gateways.directory import Directory
from services.tickets.gateways.lifecycle import Lifecycle
from services.tickets.gateways.webhook_runs import WebhookRuns
from services.tickets.internal_servicer import TicketInternalService
from services.tickets.servicer import TicketService, UseCases
from services.tickets.usecases.comments import Comments
from services.tickets.usecases.events import Bell, Events
from services.tickets.usecases.mail_in import MailIn
from services.tickets.usecases.notifications import Notifications
from services.tickets.usecases.outbox import Outbox
from services.tickets.usecases.reconcile import reconcile_in_background
from services.tickets.usecases.records import Records
from services.tickets.usecases.reports import Reports
from services.tickets.usecases.sites import Sites
from services.tickets.usecases.studio import Studio
from services.tickets.usecases.time_entries import TimeEntries
from services.tickets.usecases.tickets import Tickets
from services.tickets.usecases.transitions import Transitions
from services.tickets.usecases.webhooks import Webhooks
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc, tickets_pb2_grpc

NAME = "ticketdesk.tickets.v1.TicketService"
INTERNAL_NAME = "ticketdesk.tickets.v1.TicketInternalService"
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(settings: Settings, temporal: Client | None = None) -> Service:
    """`temporal`: an already connected client (tests with time skipping pass theirs)."""
    engine = create_engine(settings.database_url("tickets"))
    await prepare(engine, MIGRATIONS, settings.migrate_on_start)
    temporal = temporal or await connect_temporal(settings)
    resolver, auth_channel = remote_resolver(settings)
    directory_channel = channel(settings.auth_target)
    service_token = settings.service_token.get_secret_value()
    attachments = Attachments(settings.files_target, service_token)
    directory = Directory(directory_channel, service_token, settings.auth_cache_seconds)
    sessions, lifecycle = sessionmaker(engine), Lifecycle(temporal, settings.task_queue)
    # TICKETDESK_TIMEZONE: the studio's time zone until a manager saves the settings.
    studio = Studio(sessions, settings.timezone)
    events = Bell()  # rung by the records' commits, heard by WatchTicketEvents and webhooks
    webhooks = Webhooks(sessions, directory, WebhookRuns(
        temporal, settings.task_queue, settings.webhook_max_attempts,
        settings.webhook_max_backoff_seconds), events)
    comments = Comments(sessions, lifecycle, attachments, studio)
    tickets = Tickets(sessions, lifecycle, directory, studio)
    mail_in = MailIn(sessions, tickets, comments, directory, attachments,
                     settings.mail_reply_secret.get_secret_value(), settings.support_address)
    public = TicketService(UseCases(
        tickets=tickets,
        transitions=Transitions(sessions, lifecycle),
        comments=comments, sites=Sites(sessions, directory),
        studio=studio, notifications=Notifications(sessions),
        events=Events(sessions, events), webhooks=webhooks, mail_in=mail_in,
        time_entries=TimeEntries(sessions, studio, directory),
        reports=Reports(sessions, studio)))
    records = Records(sessions, Outbox(sessions, events), studio)
    internal = TicketInternalService(records, webhooks, mail_in)

    loop = asyncio.get_running_loop()
    repair = loop.create_task(reconcile_in_background(sessions, lifecycle)) \
        if settings.repair_on_start else None
    resume = loop.create_task(webhooks.resume_all())
    statistics = loop.create_task(keep_statistics(engine))

    def register(server: grpc.aio.Server) -> None:
        tickets_pb2_grpc.add_TicketServiceServicer_to_server(public, server)
        tickets_internal_pb2_grpc.add_TicketInternalServiceServicer_to_server(internal, server)

    async def close() -> None:
        if repair is not None:
            repair.cancel()
        resume.cancel()
        statistics.cancel()
        await auth_channel.close()
        await directory_channel.close()
        await attachments.close()
        await engine.dispose()

    return Service(name=NAME, register=register, resolver=resolver,
                   internal_names=frozenset({INTERNAL_NAME}), on_stop=[close])
