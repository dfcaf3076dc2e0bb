"""Database models (SQLAlchemy 2 + advanced-alchemy), shared by every slice: accounts,
enterprises, assessments, applications and their states, reviewer assignments, hazards,
certificates, evidence, findings and the append-only audit trail."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase
from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column


class Role(StrEnum):
    enterprise = "enterprise"  # 企业用户
    reviewer = "reviewer"  # 评审员
    admin = "admin"  # 主管部门 (scoped to a region prefix)


class User(UUIDv7AuditBase):
    """An account; enterprise users are bound to one enterprise, admins to a region prefix."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    enterprise_id: Mapped[UUID | None] = mapped_column(ForeignKey("enterprise.id"), default=None)
    region_prefix: Mapped[str] = mapped_column(String(6), default="")  # admin scope / reviewer home
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)  # reviewer: industries, hazards
    employer: Mapped[str] = mapped_column(String(200), default="")  # reviewer's employer
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class Enterprise(UUIDv7AuditBase):
    """A registered firm and its current profile (the core ``Profile`` as JSON)."""

    __tablename__ = "enterprise"

    uscc: Mapped[str] = mapped_column(String(18), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(6), index=True)
    industry: Mapped[str] = mapped_column(String(64), index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    consultant: Mapped[str] = mapped_column(String(200), default="")  # 咨询机构, for conflicts
    version: Mapped[int] = mapped_column(Integer, default=1)


class Assessment(UUIDv7AuditBase):
    """A self-assessment (自评): pinned to a composition, answers saved in versioned batches."""

    __tablename__ = "assessment"

    enterprise_id: Mapped[UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)  # snapshot the checklist was composed for
    fingerprint: Mapped[str] = mapped_column(String(80))
    packs: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Application(UUIDv7AuditBase):
    """A review application (评审申请) moving through ``anbiao.api.applications.workflow``."""

    __tablename__ = "application"

    enterprise_id: Mapped[UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    assessment_id: Mapped[UUID] = mapped_column(ForeignKey("assessment.id"), index=True)
    region: Mapped[str] = mapped_column(String(6), index=True)
    industry: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(32), index=True)
    cycle: Mapped[int] = mapped_column(Integer, default=1)  # review round
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)  # frozen at submission
    fingerprint: Mapped[str] = mapped_column(String(80))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # frozen self-assessment answers
    self_result: Mapped[dict[str, Any]] = mapped_column(JSON)
    review_result: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    reasons: Mapped[str] = mapped_column(Text, default="")  # last return / rejection reason
    reopened_items: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_on: Mapped[date | None] = mapped_column(Date, default=None)
    due_on: Mapped[date | None] = mapped_column(Date, default=None)  # deadline of current state
    version: Mapped[int] = mapped_column(Integer, default=1)


class Assignment(UUIDv7AuditBase):
    """A reviewer assigned to one review cycle of an application, with their item scores."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id", "cycle"),)

    application_id: Mapped[UUID] = mapped_column(ForeignKey("application.id"), index=True)
    reviewer_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # reviewer's item scores


class Hazard(UUIDv7AuditBase):
    """A hazard (隐患) with its closed loop: owner, measures, deadline, evidence, verification; a
    row of the action plan (整改计划) with the resources it needs."""

    __tablename__ = "hazard"

    enterprise_id: Mapped[UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    application_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("application.id"), default=None, index=True
    )
    item_id: Mapped[str] = mapped_column(String(96))
    source: Mapped[str] = mapped_column(String(16))  # self | review
    level: Mapped[str] = mapped_column(String(16))  # general | major
    # not indexed: a save moves hazards in place (PostgreSQL HOT updates; migration 0007)
    state: Mapped[str] = mapped_column(String(16), default="open")
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(100), default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(Date, default=None)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    verified_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    resources: Mapped[str] = mapped_column(Text, default="")  # 所需资源/资金 (action plan)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Certificate(UUIDv7AuditBase):
    """A numbered certificate (证书) with a validity period; can expire or be revoked."""

    __tablename__ = "certificate"

    number: Mapped[str] = mapped_column(String(40), unique=True, index=True)
    application_id: Mapped[UUID] = mapped_column(ForeignKey("application.id"), index=True)
    enterprise_id: Mapped[UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    grade: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid")  # valid | revoked
    revoked_reason: Mapped[str] = mapped_column(Text, default="")


class Event(UUIDv7AuditBase):
    """Audit trail: one append-only row per state change, answer change and decision."""

    __tablename__ = "event"

    enterprise_id: Mapped[UUID | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    application_id: Mapped[UUID | None] = mapped_column(ForeignKey("application.id"), index=True)
    actor_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    action: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)


class Evidence(UUIDv7AuditBase):
    """An evidence file (证据材料) for one checklist item of a self-assessment.

    The bytes live in the evidence storage (``anbiao.api.kernel.storage``) under ``storage_key``,
    content-addressed by SHA-256 within the enterprise; the row keeps what was sniffed.
    """

    __tablename__ = "evidence"

    enterprise_id: Mapped[UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    assessment_id: Mapped[UUID] = mapped_column(ForeignKey("assessment.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(96), index=True)
    filename: Mapped[str] = mapped_column(String(255))  # sanitised, extension fits the type
    content_type: Mapped[str] = mapped_column(String(128))  # sniffed, never the client's
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"), default=None)


class Finding(UUIDv7AuditBase):
    """A reviewer's finding (评审发现的问题) in one review round, optionally tied to an item or
    element. It is not yet a hazard: when the review concludes it is raised as one (``hazard_id``)
    and goes through the hazard closed loop; until then its author may withdraw it."""

    __tablename__ = "finding"

    application_id: Mapped[UUID] = mapped_column(ForeignKey("application.id"), index=True)
    enterprise_id: Mapped[UUID] = mapped_column(ForeignKey("enterprise.id"), index=True)
    cycle: Mapped[int] = mapped_column(Integer)  # the review round it was found in
    author_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    item_id: Mapped[str] = mapped_column(String(96), default="")  # "" = not tied to an item
    element: Mapped[str] = mapped_column(String(32), default="")  # element code, e.g. 5.5.3
    text: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))  # general | major
    location: Mapped[str] = mapped_column(String(200), default="")
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)  # photo / evidence references
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | withdrawn | raised
    hazard_id: Mapped[UUID | None] = mapped_column(ForeignKey("hazard.id"), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)


class FindingPhoto(UUIDv7AuditBase):
    """A photo taken on site and attached to a finding by its reviewer. The bytes live in the
    file storage under ``storage_key`` (``findings/<enterprise id>/<sha256>``); who may see it
    is who may see the finding's application."""

    __tablename__ = "finding_photo"

    finding_id: Mapped[UUID] = mapped_column(ForeignKey("finding.id"), index=True)
    application_id: Mapped[UUID] = mapped_column(ForeignKey("application.id"), index=True)
    enterprise_id: Mapped[UUID] = mapped_column(ForeignKey("enterprise.id"))
    filename: Mapped[str] = mapped_column(String(255))  # sanitised, extension fits the type
    content_type: Mapped[str] = mapped_column(String(128))  # sniffed: JPEG, PNG or WebP
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), index=True)
    uploaded_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))


class State(StrEnum):
    draft = "draft"  # 草稿
    submitted = "submitted"  # 已提交
    returned = "returned"  # 退回补正
    withdrawn = "withdrawn"  # 已撤回
    accepted = "accepted"  # 已受理
    under_review = "under_review"  # 评审中
    rectification = "rectification"  # 整改中
    reviewed_pass = "reviewed_pass"  # 评审通过
    reviewed_fail = "reviewed_fail"  # 评审不通过
    publicity = "publicity"  # 公示中
    certified = "certified"  # 已发证
    rejected = "rejected"  # 不予通过
    expired = "expired"  # 已过期
    revoked = "revoked"  # 已撤销


TERMINAL = frozenset({State.withdrawn, State.rejected, State.expired, State.revoked})
