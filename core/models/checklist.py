"""Checklist content models (标准化清单), authored in YAML and validated strictly.

A *pack* is one versioned file: the base checklist, an industry pack, a hazard module or an
overlay. Composition (``anbiao.core.compose``) merges packs into the checklist one enterprise
answers. Cross-field rules the JSON Schema cannot express live in ``anbiao.core.lint``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from anbiao.core.models._base import ContentModel, ItemId, LocalizedText, Slug
from anbiao.core.size_class import SizeClass

SCHEMA_VERSION = 1

ElementCode = Annotated[
    str,
    StringConstraints(pattern=r"^\d+(\.\d+)*$"),
    Field(description="Element number, e.g. '5.4' (一级) or '5.4.1' (二级)."),
]
RegionPrefix = Annotated[
    str,
    StringConstraints(pattern=r"^\d{2}(\d{2}(\d{2})?)?$"),
    Field(description="A region code prefix: province '35', city '3501' or county '350102'."),
]
Percentage = Annotated[float, Field(ge=0, le=100)]


class Confidence(StrEnum):
    confirmed = "confirmed"
    unconfirmed = "unconfirmed"  # legal wording not verified against the official text


class Reference(ContentModel):
    """A normative reference: a document declared in the pack's ``basis`` and a clause in it."""

    doc: Slug = Field(description="Id of a document in this pack's `basis` list.")
    clause: str | None = Field(default=None, description="Article / clause, e.g. '第十一条(三)'.")
    note: LocalizedText | None = Field(
        default=None,
        description="Where the cited text differs from the earlier text the pack drew on, e.g. "
        "the 2023 order against the 2017 list.",
    )


class BasisDocument(ContentModel):
    """A normative document (依据) the pack cites."""

    id: Slug
    code: str | None = Field(default=None, description="Official number, e.g. 'GB/T 33000-2016'.")
    title: LocalizedText


class Condition(ContentModel):
    """A predicate on the enterprise profile; every field given must hold (AND)."""

    industries: list[Slug] | None = Field(default=None, description="Industry is one of these.")
    hazards_any: list[Slug] | None = Field(
        default=None, description="The profile has at least one of these hazard flags."
    )
    hazards_all: list[Slug] | None = Field(
        default=None, description="The profile has all of these hazard flags."
    )
    size_classes: list[Annotated[SizeClass, Field(strict=False)]] | None = Field(
        default=None, description="Size class is one of these."
    )
    regions: list[RegionPrefix] | None = Field(
        default=None, description="Region code starts with one of these prefixes."
    )
    employees_min: int | None = Field(
        default=None, ge=0, description="At least this many employees."
    )
    employees_max: int | None = Field(
        default=None, ge=0, description="At most this many employees."
    )
    any_of: list[Condition] | None = Field(
        default=None, description="At least one of these conditions holds."
    )
    not_: Condition | None = Field(default=None, alias="not", description="This condition fails.")


class Deduction(ContentModel):
    """A named deduction (扣分项): a reason and its points; an item's deductions stop at zero."""

    id: Slug
    reason: LocalizedText
    points: int = Field(gt=0, description="Points deducted each time the reason is chosen.")
    repeatable: bool = Field(
        default=False, description="May be chosen several times (每处/每人/每项 扣分)."
    )


class Item(ContentModel):
    """One line to answer (考评内容)."""

    id: ItemId
    requirement: LocalizedText = Field(description="What must be true, as a reviewer checks it.")
    guidance: LocalizedText | None = Field(default=None, description="How to meet it (考评说明).")
    evidence: LocalizedText | None = Field(
        default=None, description="What the reviewer looks at: records, sites, documents."
    )
    max_score: int = Field(gt=0, description="Full points of the item (标准分值).")
    deductions: list[Deduction] = Field(default=[], description="Named deductions.")
    veto: Reference | None = Field(
        default=None,
        description="否决项: the legal reference that makes non-compliance fail the assessment.",
    )
    major_hazard: bool = Field(
        default=False,
        description="The requirement mirrors a major-hazard criterion (重大事故隐患, 令第10号).",
    )
    protective_device: bool = Field(
        default=False,
        description="Concerns a monitoring, alarm or protection device; its failure is itself a "
        "major hazard (令第10号 第十四条).",
    )
    na_allowed: bool = Field(default=False, description="May be answered 不涉及 (N/A).")
    applies_if: Condition | None = Field(
        default=None, description="Only composed for profiles meeting this condition."
    )
    basis: list[Reference] = Field(min_length=1, description="Where the requirement comes from.")
    confidence: Confidence = Field(
        default=Confidence.confirmed,
        strict=False,  # YAML gives the value as a string
        description=(
            "'unconfirmed' when the legal wording was not verified against the official text."
        ),
    )


class Element(ContentModel):
    """An element (要素): 一级 holding 二级 elements, which hold items."""

    code: ElementCode
    title: LocalizedText
    elements: list[Element] = []
    items: list[Item] = []


class GradeBand(ContentModel):
    """A score band (等级), reached at ``min_percentage`` and above."""

    id: Slug
    title: LocalizedText
    min_percentage: Percentage


class Eligibility(ContentModel):
    """Preconditions for applying for review besides the score (申请条件)."""

    apply_percentage: Percentage = Field(description="Minimum self-assessment percentage to apply.")
    max_deaths_12m: int | None = Field(
        default=0, ge=0, description="Most deaths allowed in the last 12 months (null: no limit)."
    )
    max_serious_injuries_12m: int | None = Field(
        default=None,
        ge=0,
        description="Most seriously injured allowed in 12 months (null: no limit).",
    )
    max_direct_loss_10k_12m: int | None = Field(
        default=None,
        ge=0,
        description="Most direct loss (万元) allowed in 12 months (null: no limit).",
    )


class Scoring(ContentModel):
    """How the composed checklist is scored."""

    full_marks: int = Field(gt=0, description="Sum of the base pack's item scores (informative).")
    bands: list[GradeBand] = Field(
        min_length=1, description="Ascending bands; the first band's minimum is the pass threshold."
    )
    decimals: int = Field(
        default=1, ge=0, le=3, description="Decimals of the percentage (half up)."
    )
    eligibility: Eligibility


class ScoringChange(ContentModel):
    """An overlay's change to the scoring rules; unset fields keep their value."""

    bands: list[GradeBand] | None = Field(default=None, min_length=1)
    decimals: int | None = Field(default=None, ge=0, le=3)
    eligibility: Eligibility | None = None


class ProcedureRules(ContentModel):
    """Region procedure settings used by the review service; the values are configuration."""

    acceptance_working_days: int | None = Field(default=None, gt=0, description="受理 deadline.")
    review_working_days: int | None = Field(default=None, gt=0, description="评审 deadline.")
    rectification_working_days: int | None = Field(default=None, gt=0, description="整改 deadline.")
    publicity_working_days: int | None = Field(default=None, gt=0, description="公示 period.")
    certificate_validity_years: int | None = Field(default=None, gt=0)
    assumptions: LocalizedText | None = Field(
        default=None, description="Which values are assumptions to be confirmed locally."
    )


class ItemChange(ContentModel):
    """An overlay's change to one item of another pack; unset fields keep their value."""

    item: ItemId
    max_score: int | None = Field(default=None, gt=0)
    deductions: list[Deduction] | None = None
    veto: Reference | None = None
    na_allowed: bool | None = None
    requirement: LocalizedText | None = None
    reason: LocalizedText = Field(description="Why the region changes the item.")


class Exclusion(ContentModel):
    """An overlay's removal of one item of another pack."""

    item: ItemId
    reason: LocalizedText


class _Pack(ContentModel):
    schema_: str | None = Field(default=None, alias="$schema", description="Editor hint; ignored.")
    schema_version: Literal[1] = Field(description="Version of this file format.")
    id: Slug
    version: Annotated[str, StringConstraints(pattern=r"^\d+(\.\d+){1,2}$")] = Field(
        description="Content version, e.g. '2026.1'."
    )
    title: LocalizedText
    description: LocalizedText | None = None
    basis: list[BasisDocument] = Field(min_length=1, description="Normative documents (依据).")
    elements: list[Element] = []


class BaseChecklist(_Pack):
    """The base checklist every enterprise answers; owns the scoring rules."""

    kind: Literal["base"]
    scoring: Scoring


class ModulePack(_Pack):
    """An industry pack (行业) or hazard module (专项), composed when ``applies_to`` holds."""

    kind: Literal["industry", "hazard_module"]
    applies_to: Condition


class Overlay(_Pack):
    """A tailoring of other packs (地方细则): adds, changes or excludes items by id."""

    kind: Literal["overlay"]
    applies_to: Condition
    targets: list[Slug] = Field(min_length=1, description="Ids of the packs it tailors.")
    scoring: ScoringChange | None = None
    modify: list[ItemChange] = []
    exclude: list[Exclusion] = []
    procedure: ProcedureRules | None = None


Checklist = Annotated[BaseChecklist | ModulePack | Overlay, Field(discriminator="kind")]


def iter_items(
    elements: Sequence[Element], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Item]]:
    """Yield ``(element_codes, item)`` depth-first over an element tree."""
    for element in elements:
        codes = (*path, element.code)
        for item in element.items:
            yield codes, item
        yield from iter_items(element.elements, codes)
