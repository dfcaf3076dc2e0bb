"""DRF model serializers, as CISO Assistant builds its read and write serializers."""

from rest_framework import serializers

from peer.models import ComplianceAssessment, RequirementAssessment, RequirementNode


class RequirementNodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequirementNode
        fields = (
            "id",
            "urn",
            "ref_id",
            "name",
            "description",
            "annotation",
            "typical_evidence",
            "questions",
            "translations",
            "order_id",
            "assessable",
        )


class RequirementAssessmentReadSerializer(serializers.ModelSerializer):
    requirement = RequirementNodeSerializer()

    class Meta:
        model = RequirementAssessment
        exclude = ("folder", "compliance_assessment")


class RequirementAssessmentWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequirementAssessment
        fields = ("id", "status", "result", "score", "is_scored", "observation", "answers")


class ComplianceAssessmentReadSerializer(serializers.ModelSerializer):
    folder = serializers.CharField(source="folder.name")
    reviewers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ComplianceAssessment
        fields = (
            "id",
            "name",
            "folder",
            "status",
            "version",
            "reviewers",
            "min_score",
            "max_score",
            "observation",
            "created_at",
            "updated_at",
        )
