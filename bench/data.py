"""Bulk-loading tickets straight into the tickets database with SQLAlchemy Core."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.tickets import models
from workflows.ticket.rules import Status

TICKETS = models.Ticket.__table__
SITES = models.Site.__table__
BATCH = 5_000
# The word the text search looks for: in about one title in fifty.
RARE_WORD = "калькулятор"
WORDS = ("баннер", "меню", "форма", "страница", "каталог", "корзина", "оплата", "доставка",
         "логотип", "шрифт", "слайдер", "карта", "отзывы", "поиск", "фильтр", "футер",
         "шапка", "кнопка", "ссылка", "картинка", "таблица", "цены", "новости", "блог",
         "почта", "рассылка", "заказ", "счёт", "скидка", "акция", "регистрация", "вход",
         "профиль", "аватар", "видео", "галерея", "контакты", "адрес", "телефон", "валюта",
         "язык", "перевод", "сертификат", "домен", "хостинг", "кэш", "скорость", "мобильная",
         "планшет")
STATUSES = ((Status.QUEUED, 40), (Status.IN_PROGRESS, 25), (Status.NEEDS_INFO, 10),
            (Status.AWAITING_ACCEPTANCE, 10), (Status.DONE, 10), (Status.CANCELLED, 5))
# SLA clocks run in the queue and in work; they pause or stop elsewhere.
SLA_RUNNING = {Status.QUEUED, Status.IN_PROGRESS}


async def site_ids_by_organization(engine: AsyncEngine) -> dict[str, list[str]]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(SITES.c.organization, SITES.c.id))).all()
    found: dict[str, list[str]] = {}
    for organization, site_id in rows:
        found.setdefault(organization, []).append(site_id)
    return found


async def ticket_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(TICKETS))).scalar_one()


async def load(engine: AsyncEngine, sites: dict[str, list[str]], count: int,
               seed: int = 8) -> None:
    """Insert `count` tickets spread evenly over the organizations of `sites`."""
    rng, organizations = random.Random(seed + count), sorted(sites)
    start = datetime.now(UTC) - timedelta(days=365)
    for first in range(0, count, BATCH):
        rows = [ticket_row(rng, organizations[i % len(organizations)], sites, start)
                for i in range(first, min(count, first + BATCH))]
        async with engine.begin() as connection:
            await connection.execute(insert(TICKETS), rows)
    # Fresh planner statistics, as after any bulk import. Without them SQLite sorts the
    # whole open queue for the SLA order (see README, «Benchmarks»).
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE tickets"))


def ticket_row(rng: random.Random, organization: str, sites: dict[str, list[str]],
            start: datetime) -> dict:
    words = rng.sample(WORDS, 3) + ([RARE_WORD] if rng.random() < 0.02 else [])
    title = "Поправить " + " ".join(words)
    description = f"Нужно поправить {', '.join(words)} на сайте. " * 3
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    created = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
    updated = created + timedelta(minutes=rng.randrange(60 * 24 * 14))
    priority = rng.choice(models.PRIORITIES)
    return {
        "organization": organization, "site_id": rng.choice(sites[organization]),
        "title": title, "description": description, "contact_user": "", "contact_name": "",
        "contact_email": "", "contact_phone": "", "desired_date": None, "planned_date": None,
        "priority": priority, "priority_rank": models.PRIORITY_RANK[priority],
        "search_text": models.search_text(title, description), "status": status.value,
        "status_note": "", "assignee": "", "estimate_hours": 0.0, "has_remarks": False,
        "rating": 0, "creator": "users/bench", "request_id": None, "create_time": created,
        "update_time": updated, "version": 1,
        "sla_due_time": (updated + timedelta(hours=rng.randrange(1, 72))
                         if status in SLA_RUNNING else None),
        "sla_breached": False}
