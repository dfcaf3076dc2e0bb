"""Hypothesis stateful test of the application state machine, through the API.

Random sequences of actions by random roles never reach an undefined state, never lose an
answer, match a model of the workflow, and the audit trail replays to the final state.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from litestar.testing import TestClient
from support_api import (
    Api,
    Clock,
    answer_all,
    fresh_database,
    make_app,
    setup_authority,
    start,
)

from anbiao.api.applications.workflow import TRANSITIONS, Action
from anbiao.api.kernel.models import Role, State
from anbiao.core.engine import Engine

ENGINE = Engine.from_plugins(load_entrypoints=False)
ACTORS = {Role.enterprise: "ent@fz.cn", Role.admin: "admin@fz.gov", Role.reviewer: "r1@experts.cn"}
PAYLOAD = {"reason": "理由 / reason", "items": ["base.5-1-1.01"]}
REACHED: set[State] = set()


class Workflow(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.clock = Clock()
        url = fresh_database(Path(self.folder.name), f"stateful_{os.getpid()}")
        self.client = TestClient(make_app(url, ENGINE, self.clock)).__enter__()
        self.api = Api(self.client, self.clock)
        setup_authority(self.api)
        _, assessment = start(self.api)
        saved = answer_all(self.api, "ent@fz.cn", assessment)
        self.answers = saved["answers"]
        self.app = self.api.call(
            "POST", f"/api/v1/assessments/{assessment['id']}/applications", "ent@fz.cn", expect=201
        )
        self.model = State.draft
        candidates = self.api.call(
            "GET", f"/api/v1/applications/{self.app['id']}/candidates", "admin@fz.gov"
        )
        self.reviewers = [c["id"] for c in candidates if not c["conflicts"]][:2]

    def teardown(self) -> None:
        self.client.__exit__(None, None, None)
        self.folder.cleanup()

    @rule(action=st.sampled_from(list(Action)), role=st.sampled_from(list(Role)))
    def take(self, action: Action, role: Role) -> None:
        body = {**PAYLOAD, "reviewer_ids": self.reviewers}
        r = self.client.post(
            f"/api/v1/applications/{self.app['id']}/actions/{action.value}",
            headers=self.api.login(ACTORS[role]),
            json={"version": self.app["version"], **body},
        )
        legal = TRANSITIONS.get((self.model, action))
        if legal is None or legal[1] is not role:
            # illegal for the state, or the wrong role: refused, nothing changes
            assert r.status_code in (404, 409), r.text
            if r.status_code == 409 and "allowed_actions" in r.json():
                assert action.value not in r.json()["allowed_actions"]
            return
        if r.status_code == 200:
            self.app = r.json()
            self.model = legal[0]
        else:  # a rule of the target state refused (e.g. publicity not over): state unchanged
            assert r.status_code in (409, 422), r.text

    @rule(data=st.data())
    def take_a_legal_action(self, data: st.DataObject) -> None:
        """Bias towards progress so that deep states (certified, revoked) are reached; the ends
        (withdrawn, rejected) and returns come from the random rule above."""
        legal = [
            (a, r)
            for (s, a), (t, r) in TRANSITIONS.items()
            if s is self.model and t not in (State.withdrawn, State.rejected, State.returned)
        ]
        if legal:
            action, role = data.draw(st.sampled_from(legal))
            if action in (Action.certify, Action.expire):
                self.time_passes(30 if action is Action.certify else 1200)
            self.take(action, role)

    @precondition(lambda self: self.model is State.under_review)
    @rule(level=st.sampled_from(["general", "major"]))
    def record_a_finding(self, level: str) -> None:
        """A reviewer records a finding during the review and withdraws it again at once: the
        workflow goes on unchanged (findings that stay are in tests/api/test_findings.py)."""
        path = f"/api/v1/applications/{self.app['id']}/findings"
        finding = self.api.call(
            "POST",
            path,
            ACTORS[Role.reviewer],
            expect=201,
            json={"text": "评审发现的问题", "level": level},
        )
        self.api.call(
            "POST",
            f"{path}/{finding['id']}/withdraw",
            ACTORS[Role.reviewer],
            json={"version": finding["version"]},
        )

    @rule(days=st.sampled_from([1, 15, 400, 1200]))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days)

    @invariant()
    def matches_the_model(self) -> None:
        REACHED.add(self.model)
        current = self.api.call("GET", f"/api/v1/applications/{self.app['id']}", "admin@fz.gov")
        assert State(current["state"]) is self.model  # never an undefined state
        assert current["reviewers"] == self.app["reviewers"]  # the action's answer named them

    @invariant()
    def answers_are_never_lost(self) -> None:
        app_id = self.app["id"]
        events = self.api.call(
            "GET", f"/api/v1/applications/{app_id}/events", "admin@fz.gov", params={"limit": 500}
        )["items"]
        state = None
        for e in events:  # the audit trail replays to the final state
            if e["before"] and "state" in e["before"]:
                assert e["before"]["state"] == state
            state = (e["after"] or {}).get("state", state)
        assert state == self.model.value
        assessment = self.api.call(
            "GET", f"/api/v1/assessments/{self.app['assessment_id']}", "ent@fz.cn"
        )
        assert assessment["answers"] == self.answers


def test_random_action_sequences():
    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=15,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # the runs went deep: every state of the happy path and the ends after it were exercised
    assert {State.under_review, State.publicity, State.certified} <= REACHED
    assert REACHED & {State.revoked, State.expired} and REACHED & {State.withdrawn, State.rejected}
