"""CISO Assistant's assessment models, reduced to what the three operations touch.

As there: a ``Folder`` (domain) per organisation, the framework's ``RequirementNode`` rows, a
``ComplianceAssessment`` with its reviewers, and one ``RequirementAssessment`` row per item,
created with the assessment (status ``to_do``) and updated as the answers come in.
"""

import uuid

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models


class AbstractBaseModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_published = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Folder(AbstractBaseModel):
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="folders")


class RequirementNode(AbstractBaseModel):
    urn = models.CharField(max_length=255, unique=True)
    ref_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    annotation = models.TextField(blank=True)
    typical_evidence = models.TextField(blank=True)
    questions = models.JSONField(default=dict)  # the named deductions
    translations = models.JSONField(default=dict)
    order_id = models.IntegerField()
    assessable = models.BooleanField(default=True)


class ComplianceAssessment(AbstractBaseModel):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        IN_REVIEW = "in_review"
        DONE = "done"

    name = models.CharField(max_length=200)
    folder = models.ForeignKey(Folder, on_delete=models.CASCADE)
    status = models.CharField(max_length=32, choices=Status.choices, db_index=True)
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="reviews")
    version = models.IntegerField(default=1)  # the benchmark's optimistic concurrency
    min_score = models.IntegerField(default=0)
    max_score = models.IntegerField(default=100)
    observation = models.TextField(blank=True)


class RequirementAssessment(AbstractBaseModel):
    class Result(models.TextChoices):
        NOT_ASSESSED = "not_assessed"
        COMPLIANT = "compliant"
        PARTIALLY_COMPLIANT = "partially_compliant"
        NON_COMPLIANT = "non_compliant"
        NOT_APPLICABLE = "not_applicable"

    folder = models.ForeignKey(Folder, on_delete=models.CASCADE)
    compliance_assessment = models.ForeignKey(
        ComplianceAssessment, on_delete=models.CASCADE, related_name="requirement_assessments"
    )
    requirement = models.ForeignKey(RequirementNode, on_delete=models.CASCADE)
    status = models.CharField(max_length=32, default="to_do")
    result = models.CharField(max_length=32, choices=Result.choices, default="not_assessed")
    score = models.IntegerField(null=True)
    is_scored = models.BooleanField(default=False)
    observation = models.TextField(blank=True)
    answers = models.JSONField(default=dict)  # the deductions taken
    selected = models.BooleanField(default=True)


auditlog.register(RequirementAssessment)
