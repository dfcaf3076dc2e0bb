"""The review-application state machine (评审申请流程), enforced on the server.

Every transition names the role that may take it. An illegal action raises
:class:`IllegalTransition`, which the API turns into 409 naming the allowed actions.
"""

from __future__ import annotations

from enum import StrEnum

from anbiao.api.kernel.errors import Conflict
from anbiao.api.kernel.models import Role, State
from anbiao.core.errors import Message


class Action(StrEnum):
    submit = "submit"
    withdraw = "withdraw"
    accept = "accept"
    return_ = "return"
    assign = "assign"
    conclude_pass = "conclude_pass"
    conclude_rectify = "conclude_rectify"
    conclude_fail = "conclude_fail"
    submit_rectification = "submit_rectification"
    approve = "approve"
    record_objection = "record_objection"  # 公示异议: recorded, the state stays
    reject = "reject"
    certify = "certify"
    revoke = "revoke"
    expire = "expire"


# The reviewer's conclusions (评审结论): they score the review's assignments.
CONCLUSIONS = frozenset({Action.conclude_pass, Action.conclude_rectify, Action.conclude_fail})

S, A = State, Action
TRANSITIONS: dict[tuple[State, Action], tuple[State, Role]] = {
    (S.draft, A.submit): (S.submitted, Role.enterprise),
    (S.returned, A.submit): (S.submitted, Role.enterprise),
    (S.draft, A.withdraw): (S.withdrawn, Role.enterprise),
    (S.submitted, A.withdraw): (S.withdrawn, Role.enterprise),
    (S.returned, A.withdraw): (S.withdrawn, Role.enterprise),
    (S.submitted, A.accept): (S.accepted, Role.admin),
    (S.submitted, A.return_): (S.returned, Role.admin),
    (S.accepted, A.assign): (S.under_review, Role.admin),
    (S.under_review, A.conclude_pass): (S.reviewed_pass, Role.reviewer),
    (S.under_review, A.conclude_rectify): (S.rectification, Role.reviewer),
    (S.under_review, A.conclude_fail): (S.reviewed_fail, Role.reviewer),
    (S.rectification, A.submit_rectification): (S.under_review, Role.enterprise),
    (S.reviewed_pass, A.approve): (S.publicity, Role.admin),
    (S.reviewed_pass, A.reject): (S.rejected, Role.admin),
    (S.reviewed_fail, A.reject): (S.rejected, Role.admin),
    (S.reviewed_fail, A.return_): (S.returned, Role.admin),
    (S.publicity, A.record_objection): (S.publicity, Role.admin),
    (S.publicity, A.certify): (S.certified, Role.admin),
    (S.publicity, A.reject): (S.rejected, Role.admin),
    (S.certified, A.revoke): (S.revoked, Role.admin),
    (S.certified, A.expire): (S.expired, Role.admin),
}


class IllegalTransition(Conflict):
    """An action that the application's state (or the actor's role) does not allow."""

    def __init__(self, state: State, action: str, allowed: list[str]) -> None:
        self.state, self.action, self.allowed = state, action, allowed
        facts = {"state": state.value, "action": action, "allowed_actions": allowed}
        super().__init__(Message("application.action_not_allowed", facts))


def allowed_actions(state: State, role: Role | None = None) -> list[str]:
    """Actions possible from ``state`` (for ``role``, when given), in a stable order."""
    return [a.value for (s, a), (_, r) in TRANSITIONS.items() if s is state and role in (None, r)]


def next_state(state: State, action: Action | str, role: Role) -> State:
    """The state after ``action``; raises :class:`IllegalTransition` when not allowed."""
    try:
        target, needed = TRANSITIONS[(state, Action(action))]
    except (KeyError, ValueError):
        raise IllegalTransition(state, str(action), allowed_actions(state, role)) from None
    if needed is not role:
        raise IllegalTransition(state, str(action), allowed_actions(state, role))
    return target
