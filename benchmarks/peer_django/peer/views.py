"""The three operations: checklist with answers, a batch of answers saved, the reviewer queue.

Every lookup is scoped to the caller (a member of the assessment's folder, or one of its
reviewers), so a foreign assessment is not found (404), as in anbiao.
"""

from django.db import transaction
from django.db.models import F
from django.shortcuts import get_object_or_404
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from peer.models import ComplianceAssessment, RequirementAssessment
from peer.serializers import (
    ComplianceAssessmentReadSerializer,
    RequirementAssessmentReadSerializer,
    RequirementAssessmentWriteSerializer,
)

RESULTS = {
    "compliant": "compliant",
    "partial": "partially_compliant",
    "non_compliant": "non_compliant",
    "na": "not_applicable",
}


def own_assessment(request, pk):
    return get_object_or_404(ComplianceAssessment, pk=pk, folder__members=request.user)


class Checklist(APIView):
    """``GET``: the assessment with its requirement assessments and their requirements."""

    def get(self, request, pk):
        assessment = own_assessment(request, pk)
        rows = (
            RequirementAssessment.objects.filter(compliance_assessment=assessment)
            .select_related("requirement")
            .order_by("requirement__order_id")
        )
        return Response(
            {
                "id": str(assessment.id),
                "version": assessment.version,
                "name": assessment.name,
                "requirement_assessments": RequirementAssessmentReadSerializer(
                    rows, many=True
                ).data,
            }
        )


class SaveAnswers(APIView):
    """``PATCH {"version": v, "answers": {urn: answer}}``: each row through its serializer (and
    auditlog's change record), in one transaction; 409 when ``version`` is stale."""

    def patch(self, request, pk):
        answers = request.data["answers"]
        with transaction.atomic():
            assessment = own_assessment(request, pk)
            bumped = ComplianceAssessment.objects.filter(
                pk=assessment.pk, version=request.data["version"]
            ).update(version=F("version") + 1)
            if not bumped:
                return Response(
                    {"id": str(assessment.id), "version": assessment.version},
                    status=status.HTTP_409_CONFLICT,
                )
            rows = RequirementAssessment.objects.filter(
                compliance_assessment=assessment, requirement__urn__in=list(answers)
            ).select_related("requirement")
            saved = []
            for row in rows:
                answer = answers[row.requirement.urn]
                serializer = RequirementAssessmentWriteSerializer(
                    row,
                    data={
                        "status": "done",
                        "result": RESULTS[answer["status"]],
                        "is_scored": False,
                        "answers": {"deductions": answer.get("deductions", [])},
                    },
                    partial=True,
                )
                serializer.is_valid(raise_exception=True)
                serializer.save()
                saved.append(serializer.data)
        return Response(
            {
                "id": str(assessment.id),
                "version": assessment.version + 1,
                "requirement_assessments": saved,
            }
        )


class AssessmentDetail(generics.RetrieveAPIView):
    """``GET``: the assessment alone (the benchmark reads its ``version`` here)."""

    serializer_class = ComplianceAssessmentReadSerializer

    def get_queryset(self):
        return ComplianceAssessment.objects.filter(folder__members=self.request.user)


class ReviewQueue(generics.ListAPIView):
    """``GET ?status=in_review``: the caller's review assignments, a page at a time."""

    serializer_class = ComplianceAssessmentReadSerializer

    def get_queryset(self):
        return (
            ComplianceAssessment.objects.filter(
                reviewers=self.request.user,
                status=self.request.query_params.get("status", "in_review"),
            )
            .select_related("folder")
            .prefetch_related("reviewers")
            .order_by("-updated_at")
        )
