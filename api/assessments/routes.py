"""Self-assessments (自评): read with the live result, the composed checklist, save answers."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.serialization import encode_json
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from anbiao.api.accounts.security import requires
from anbiao.api.assessments.plan import ActionPlanOut, action_plan
from anbiao.api.assessments.saving import save_answers, save_view
from anbiao.api.assessments.schemas import AnswersPatch, AssessmentOut, SaveOut
from anbiao.api.assessments.service import assessment_view, create_assessment
from anbiao.api.kernel import i18n
from anbiao.api.kernel.access import assessment_profile, get_assessment, get_enterprise
from anbiao.api.kernel.db import ONE_WRITE, read_connection
from anbiao.api.kernel.listing import FormatQuery, Limit, Offset, listing, page
from anbiao.api.kernel.models import Assessment, Role, User
from anbiao.api.kernel.schemas import Page
from anbiao.core.compose import ComposedChecklist, ComposedElement
from anbiao.core.engine import Engine


def _elements(
    composed: ComposedChecklist, elements: tuple[ComposedElement, ...], lang: str
) -> list[dict[str, Any]]:
    out = []
    for element in elements:
        items = []
        for item_id in element.items:
            item = composed.items[item_id].item
            items.append(
                {
                    "id": item.id,
                    "requirement": item.requirement.get(lang),
                    "guidance": item.guidance.get(lang) if item.guidance else None,
                    "evidence": item.evidence.get(lang) if item.evidence else None,
                    "max_score": item.max_score,
                    "na_allowed": item.na_allowed,
                    "veto": item.veto is not None,
                    "major_hazard": item.major_hazard,
                    "deductions": [
                        {
                            "id": d.id,
                            "reason": d.reason.get(lang),
                            "points": d.points,
                            "repeatable": d.repeatable,
                        }
                        for d in item.deductions
                    ],
                }
            )
        out.append(
            {
                "code": element.code,
                "title": element.title.get(lang),
                "items": items,
                "elements": _elements(composed, element.elements, lang),
            }
        )
    return out


@dataclass(frozen=True, slots=True)
class EncodedChecklist:
    """A checklist as sent: its JSON bytes, the same gzip-compressed (about a quarter of the
    size, for the phones), and the entity tag naming each representation."""

    body: bytes
    etag: str
    gzipped: bytes
    gzip_etag: str


_CHECKLISTS: dict[tuple[str, str], EncodedChecklist] = {}  # (fingerprint, lang) → encoded


def _checklist(composed: ComposedChecklist, lang: str) -> EncodedChecklist:
    """The checklist to answer, built, encoded and compressed once per composition and
    language: the fingerprint covers the packs' digests and the items, so an equal key means
    equal content."""
    lang = "en" if lang == "en" else "zh-CN"  # every other value reads Chinese
    key = (composed.fingerprint, lang)
    if (found := _CHECKLISTS.get(key)) is None:
        if len(_CHECKLISTS) >= 256:
            _CHECKLISTS.clear()
        body = encode_json(
            {
                "fingerprint": composed.fingerprint,
                "packs": [{"id": p.id, "version": p.version} for p in composed.packs],
                "elements": _elements(composed, composed.elements, lang),
            }
        )
        tag = f"{composed.fingerprint}-{lang}"
        gzipped = gzip.compress(body, mtime=0)
        found = EncodedChecklist(body, f'"{tag}"', gzipped, f'"{tag}-gzip"')
        _CHECKLISTS[key] = found
    return found


def _accepts_gzip(accept_encoding: str | None) -> bool:
    """RFC 9110 §12.5.3: ``gzip`` (or ``*``) listed with a quality above zero."""
    for coding in (accept_encoding or "").split(","):
        name, *params = (p.strip() for p in coding.split(";"))
        if name.lower() not in ("gzip", "*"):
            continue
        q = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
        try:
            if float(q) > 0:
                return True
        except ValueError:
            continue
    return False


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: ``*`` or any listed tag (weak comparison)."""
    if not if_none_match:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


class AssessmentController(Controller):
    path = "/api/v1/assessments"
    tags = ("assessments",)
    guards = (requires(Role.enterprise, Role.admin),)

    @get("/{assessment_id:uuid}", operation_id="getAssessment")
    async def get_one(
        self,
        request: Request[User, Any, Any],
        assessment_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> AssessmentOut:
        """Answers, version and the live result (score, hazards, what raises the grade)."""
        assessment = await get_assessment(db_session, request.user, assessment_id)
        return AssessmentOut.model_validate(assessment_view(engine, assessment))

    @get("/{assessment_id:uuid}/action-plan", operation_id="getActionPlan")
    async def action_plan(
        self,
        request: Request[User, Any, Any],
        assessment_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> ActionPlanOut:
        """整改计划: the hazards of this self-assessment's items (self-assessment and review),
        major first, overdue first, then by deadline, each with measures, owner, deadline,
        resources, state, version and a suggested measure; texts in ``Accept-Language``."""
        assessment = await get_assessment(db_session, request.user, assessment_id)
        composed = engine.profile_of(assessment.profile)[1]
        rows = await action_plan(
            db_session,
            assessment,
            composed,
            lang=i18n.accepted(request),
            today=request.app.state.clock(),
            user=request.user,
        )
        return ActionPlanOut.model_validate({"assessment_id": assessment.id, "items": rows})

    @get(
        "/{assessment_id:uuid}/checklist",
        operation_id="getAssessmentChecklist",
        responses={
            304: ResponseSpec(
                None, description="Not modified: the checklist named by If-None-Match is current"
            )
        },
    )
    async def checklist(
        self,
        request: Request[User, Any, Any],
        assessment_id: FromPath[UUID],
        engine: NamedDependency[Engine],
        lang: FromQuery[str] = "zh-CN",
    ) -> Response[dict[str, Any]]:
        """The composed checklist to answer: elements, items, deductions, N/A rules.

        Its ``ETag`` names the composition, language and encoding: send it back in
        ``If-None-Match`` and an unchanged checklist is answered 304 without a body. A client
        that accepts gzip gets it compressed once per composition (about a quarter the size)."""
        async with read_connection(request) as connection:
            profile = await assessment_profile(connection, request.user, assessment_id)
        found = _checklist(engine.stored_profile(profile)[1], lang)
        gzipped = _accepts_gzip(request.headers.get("accept-encoding"))
        etag = found.gzip_etag if gzipped else found.etag
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
        # Response[Any]: the body is sent as encoded JSON bytes (or empty for 304); the declared
        # Response[dict[str, Any]] is the shape the OpenAPI schema documents.
        if _matches(request.headers.get("if-none-match"), etag):
            return Response[Any](None, status_code=304, headers=headers)
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        body = found.gzipped if gzipped else found.body
        return Response[Any](body, media_type=MediaType.JSON, headers=headers)

    @patch(
        "/{assessment_id:uuid}/answers",
        operation_id="saveAnswers",
        guards=[requires(Role.enterprise)],
    )
    async def save_answers(
        self,
        request: Request[User, Any, Any],
        assessment_id: FromPath[UUID],
        data: JSONBody[AnswersPatch],
        db_connection: NamedDependency[AsyncConnection],
        engine: NamedDependency[Engine],
    ) -> Response[SaveOut]:
        """Save a batch of answers; answers the new version, the saved items' outcome, the
        totals and the hazards moved (the full result stays at ``GET``). A stale version gets
        409 with the current state."""
        saved = await save_answers(db_connection, engine, request.user, assessment_id, data)
        # built to SaveOut's shape from validated parts and encoded as is: validating it into
        # the model and serialising that again cost 0.1 ms of a 50-answer save (schemathesis
        # checks the answer against the documented schema)
        return Response[Any](save_view(saved))


class EnterpriseAssessmentController(Controller):
    """An enterprise's self-assessments, under its path."""

    path = "/api/v1/enterprises"
    tags = ("enterprises",)

    @post(
        "/{enterprise_id:uuid}/assessments",
        operation_id="createAssessment",
        guards=[requires(Role.enterprise)],
        status_code=201,
        opt={ONE_WRITE: lambda params: True},  # the assessment and its audit event
    )
    async def create_assessment(
        self,
        request: Request[User, Any, Any],
        enterprise_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
    ) -> AssessmentOut:
        """Start a self-assessment: composes the checklist and pins its versions."""
        enterprise = await get_enterprise(db_session, request.user, enterprise_id)
        assessment = await create_assessment(db_session, engine, request.user, enterprise)
        return AssessmentOut.model_validate(assessment_view(engine, assessment))

    @get(
        "/{enterprise_id:uuid}/assessments",
        operation_id="listAssessments",
        guards=[requires(Role.enterprise, Role.admin)],
    )
    async def list_assessments(
        self,
        request: Request[User, Any, Any],
        enterprise_id: FromPath[UUID],
        db_session: NamedDependency[AsyncSession],
        engine: NamedDependency[Engine],
        limit: Limit = 50,
        offset: Offset = 0,
        fmt: FormatQuery = "json",
    ) -> Page[AssessmentOut]:
        enterprise = await get_enterprise(db_session, request.user, enterprise_id)
        query = (
            select(Assessment)
            .where(Assessment.enterprise_id == enterprise.id)
            .order_by(Assessment.id.desc())
        )
        data = await page(db_session, query, limit, offset, lambda a: assessment_view(engine, a))
        return listing(data, Page[AssessmentOut], fmt, "assessments")
