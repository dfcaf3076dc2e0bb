"""Every bound the service puts on input, in one place (listed in docs/api.md).

Bodies: ``anbiao.api.kernel.bodies`` checks a JSON body's size and nesting before decoding it.
Text: the rule of ``anbiao.core.models.text`` (control and bidi characters refused) with the
maximum lengths below, as annotated types the request models use, so that the OpenAPI document
states every limit. Numbers: whatever reaches a database column or an SQL ``OFFSET`` fits a
32-bit integer. Lists: at most as many entries as named here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

from anbiao.core.models._base import not_bool
from anbiao.core.models.answers import Answer
from anbiao.core.models.text import (
    DEDUCTION_TIMES_MAX,
    DEDUCTIONS_MAX,
    KEY_MAX,
    NAME_MAX,
    NOTE_MAX,
    REFERENCE_MAX,
    REFERENCES_MAX,
    Key,
    Text,
    text_problem,
)

# --- bodies ---------------------------------------------------------------------------------------
JSON_BYTES_MAX = 2 * 1024 * 1024
"""A JSON request body, in bytes (uploads are multipart and bounded by ``MAX_UPLOAD_BYTES``)."""
JSON_DEPTH_MAX = 32
"""Nesting of arrays and objects in a JSON body (the deepest real body has 5 levels)."""

# --- numbers --------------------------------------------------------------------------------------
INT_MAX = 2**31 - 1
"""Any integer stored or used in SQL: versions, offsets (a 32-bit column holds it everywhere)."""
PAGE_MAX = 500
"""Rows in one page of a list (``limit``)."""

# --- text -----------------------------------------------------------------------------------------
REASON_MAX = 4000
"""A reason: return, reject, revoke, withdraw, conclude, a publicity objection."""
FINDING_MAX = 4000
"""A reviewer's finding."""
LOCATION_MAX = 200
"""Where on site a finding was made."""
MEASURES_MAX = 4000
"""A hazard's rectification measures (整改措施)."""
RESOURCES_MAX = 2000
"""The resources or funds a hazard's rectification needs (所需资源/资金)."""
OWNER_MAX = 100
"""A person's name: the contact who signs up, a hazard's owner (责任人)."""
ELEMENT_MAX = 32
"""An element code such as 5.5.3."""
PASSWORD_MAX = 200
EMAIL_MAX = 254
_NOT_IN_EMAIL = "@\\x00-\\x20\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069"
EMAIL_PATTERN = f"^[^{_NOT_IN_EMAIL}]+@[^{_NOT_IN_EMAIL}]+$"
"""An e-mail address: no spaces, controls or bidi characters, one @."""

# --- lists ----------------------------------------------------------------------------------------
BATCH_MAX = 1000
"""Answers saved in one request, items reopened by one return."""
REVIEWERS_MAX = 20
"""Reviewers named in one assignment."""
FINDING_REFERENCES_MAX = 20
"""Evidence references of one finding."""
HAZARD_REFERENCES_MAX = 50
"""Evidence lines of one hazard's rectification."""

Note = Text(NOTE_MAX, multiline=True, description=f"At most {NOTE_MAX} characters.")
Reason = Text(REASON_MAX, multiline=True, description=f"At most {REASON_MAX} characters.")
FindingText = Text(FINDING_MAX, multiline=True, required=True)
Measures = Text(MEASURES_MAX, multiline=True)
Resources = Text(RESOURCES_MAX, multiline=True)
Location = Text(LOCATION_MAX)
PersonName = Text(OWNER_MAX)
RequiredPersonName = Text(OWNER_MAX, required=True)
OrganisationName = Text(NAME_MAX)
Reference = Text(REFERENCE_MAX)
ElementCode = Text(ELEMENT_MAX)
Batch = Annotated[dict[Key, Answer | None], Field(max_length=BATCH_MAX)]
"""Answers by item id, ``null`` clearing one; at most ``BATCH_MAX``."""
Version = Annotated[
    int, Field(ge=0, le=INT_MAX, description="The version as read."), BeforeValidator(not_bool)
]

__all__ = [
    "BATCH_MAX",
    "DEDUCTIONS_MAX",
    "DEDUCTION_TIMES_MAX",
    "ELEMENT_MAX",
    "EMAIL_MAX",
    "EMAIL_PATTERN",
    "FINDING_MAX",
    "FINDING_REFERENCES_MAX",
    "HAZARD_REFERENCES_MAX",
    "INT_MAX",
    "JSON_BYTES_MAX",
    "JSON_DEPTH_MAX",
    "KEY_MAX",
    "LOCATION_MAX",
    "MEASURES_MAX",
    "NAME_MAX",
    "NOTE_MAX",
    "OWNER_MAX",
    "PAGE_MAX",
    "PASSWORD_MAX",
    "REASON_MAX",
    "REFERENCES_MAX",
    "REFERENCE_MAX",
    "RESOURCES_MAX",
    "REVIEWERS_MAX",
    "Batch",
    "ElementCode",
    "FindingText",
    "Key",
    "Location",
    "Measures",
    "Note",
    "OrganisationName",
    "PersonName",
    "Reason",
    "Reference",
    "RequiredPersonName",
    "Resources",
    "Version",
    "text_problem",
]
