"""The status table of docs/PRODUCT.md, checked cell by cell."""

from __future__ import annotations

import itertools

import pytest

from workflows.ticket.rules import Action, Status, TransitionRejected, allowed_actions, decide

S, A = Status, Action
# (action, from, role) -> to, straight from docs/PRODUCT.md's table.
ALLOWED = {
    (A.START_WORK, S.QUEUED, "developer"): S.IN_PROGRESS,
    (A.RETURN_TO_QUEUE, S.IN_PROGRESS, "developer"): S.QUEUED,
    (A.ASK_CLARIFICATION, S.QUEUED, "developer"): S.NEEDS_INFO,
    (A.ASK_CLARIFICATION, S.IN_PROGRESS, "developer"): S.NEEDS_INFO,
    (A.ANSWER, S.NEEDS_INFO, "client"): S.IN_PROGRESS,  # with previous=in_progress
    (A.CONTINUE_WITHOUT_ANSWER, S.NEEDS_INFO, "developer"): S.IN_PROGRESS,
    (A.SUBMIT_FOR_ACCEPTANCE, S.IN_PROGRESS, "developer"): S.AWAITING_ACCEPTANCE,
    (A.ACCEPT, S.AWAITING_ACCEPTANCE, "client"): S.DONE,
    (A.TAKE_BACK, S.AWAITING_ACCEPTANCE, "developer"): S.IN_PROGRESS,
    **{(A.WITHDRAW, s, "client"): S.CANCELLED for s in S if s.is_open},
    **{(A.CLOSE, s, "developer"): S.CANCELLED for s in S if s.is_open},
}
# A manager does everything a developer does.
ALLOWED |= {(a, s, "manager"): t for (a, s, r), t in ALLOWED.items() if r == "developer"}


@pytest.mark.parametrize("action,status,role",
                         list(itertools.product(A, S, ("client", "developer", "manager"))))
def test_every_cell_of_the_table(action, status, role):
    kwargs = {"text": "причина", "previous": S.IN_PROGRESS}
    expected = ALLOWED.get((action, status, role))
    if expected is None:
        with pytest.raises(TransitionRejected):
            decide(status, action, role, **kwargs)
        assert action not in allowed_actions(status, role)
    else:
        assert decide(status, action, role, **kwargs) == expected
        assert action in allowed_actions(status, role)


@pytest.mark.parametrize("action", [A.ASK_CLARIFICATION, A.SUBMIT_FOR_ACCEPTANCE, A.CLOSE])
def test_required_text(action):
    source = S.IN_PROGRESS
    with pytest.raises(TransitionRejected) as rejected:
        decide(source, action, "developer", text="   ")
    assert rejected.value.reason == "TEXT_REQUIRED"


def test_answer_returns_to_the_status_before_the_question():
    assert decide(S.NEEDS_INFO, A.ANSWER, "client", previous=S.QUEUED) == S.QUEUED
    assert decide(S.NEEDS_INFO, A.ANSWER, "client", previous=S.IN_PROGRESS) == S.IN_PROGRESS


def test_take_back_to_queue_and_not_elsewhere():
    assert decide(S.AWAITING_ACCEPTANCE, A.TAKE_BACK, "developer", target=S.QUEUED) == S.QUEUED
    with pytest.raises(TransitionRejected) as rejected:
        decide(S.AWAITING_ACCEPTANCE, A.TAKE_BACK, "developer", target=S.DONE)
    assert rejected.value.reason == "INVALID_TARGET"


def test_rating_bounds():
    assert decide(S.AWAITING_ACCEPTANCE, A.ACCEPT, "client", rating=5) == S.DONE
    with pytest.raises(TransitionRejected):
        decide(S.AWAITING_ACCEPTANCE, A.ACCEPT, "client", rating=6)
