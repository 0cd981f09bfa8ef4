"""How much each scenario does: the full run and the quick one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    name: str
    organizations: int  # the tickets of scenario 3 are spread over these
    creates: int        # per side, 16 concurrent callers
    single_creates: int  # per side, one caller
    transitions: int    # per side, one after another
    comments: int       # per side, one after another
    file_mib: tuple[int, ...]  # one upload and download row per size
    file_rounds: int
    tickets: tuple[int, ...]  # the scale curve; scenario 3 runs at the last size
    lists: int          # ListTickets calls per case and side
    scale_creates: int  # CreateTicket calls per size and side
    web_tickets: int
    web_comments: int
    web_clients: int
    web_rounds: int
    stack_clients: int     # scenario 7: the `make run` stack under load
    stack_developers: int
    stack_seconds: float
    report_tickets: int    # scenario 9: the reports page over this many tickets
    report_entries: int    # and this many time entries
    report_rounds: int


FULL = Sizes("full", organizations=50, creates=320, single_creates=60, transitions=120,
             comments=120, file_mib=(20, 200), file_rounds=5,
             tickets=(1_000, 10_000, 100_000, 1_000_000), lists=150, scale_creates=60,
             web_tickets=200, web_comments=100, web_clients=50, web_rounds=10,
             stack_clients=50, stack_developers=10, stack_seconds=60.0,
             report_tickets=1_000_000, report_entries=200_000, report_rounds=20)
QUICK = Sizes("quick", organizations=3, creates=32, single_creates=8, transitions=12,
              comments=12, file_mib=(4,), file_rounds=2, tickets=(200, 1_000, 3_000),
              lists=20, scale_creates=8, web_tickets=20, web_comments=10, web_clients=3,
              web_rounds=2, stack_clients=5, stack_developers=2, stack_seconds=10.0,
              report_tickets=3_000, report_entries=1_000, report_rounds=3)
