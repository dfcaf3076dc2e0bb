"""Seed the peer with the sizes of anbiao's load test; write the wrk plans' ids and tokens.

Input (JSON, made by ``benchmarks/peer.py``): the composed checklist's items as requirement
nodes, the number of firms and reviewers, the answers every firm gives. Per firm: a user, its
folder and a token; one assessment in review (answered, two reviewers) and one in progress
(answered) and one new (every row ``to_do``: the autosave answers them one by one), each with one
requirement assessment row per item, as CISO Assistant creates them with the assessment.
"""

import json
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from knox.models import AuthToken

from peer.models import ComplianceAssessment, Folder, RequirementAssessment, RequirementNode
from peer.views import RESULTS


def rows(assessment, folder, nodes, answers):
    """The assessment's rows, answered as ``answers`` says (none: ``to_do``)."""
    return [
        RequirementAssessment(
            folder=folder,
            compliance_assessment=assessment,
            requirement=node,
            **(
                {
                    "status": "done",
                    "result": RESULTS[answers[node.urn]["status"]],
                    "answers": {"deductions": answers[node.urn].get("deductions", [])},
                }
                if answers
                else {}
            ),
        )
        for node in nodes
    ]


class Command(BaseCommand):
    help = "Seed the peer (spec JSON in, plan JSON out)."

    def add_arguments(self, parser):
        parser.add_argument("spec", type=Path)
        parser.add_argument("out", type=Path)

    @transaction.atomic
    def handle(self, *args, spec, out, **options):
        data = json.loads(spec.read_text(encoding="utf-8"))
        nodes = RequirementNode.objects.bulk_create(
            RequirementNode(order_id=n, **node) for n, node in enumerate(data["nodes"])
        )
        reviewers = [User.objects.create_user(f"r{n}") for n in range(data["reviewers"])]
        queue = [AuthToken.objects.create(user)[1] for user in reviewers]
        firms = []
        for n in range(data["firms"]):
            user = User.objects.create_user(f"firm{n}")
            folder = Folder.objects.create(name=f"基准企业{n}")
            folder.members.add(user)
            review, work, fresh = ComplianceAssessment.objects.bulk_create(
                [
                    ComplianceAssessment(name="自评", folder=folder, status="in_review"),
                    ComplianceAssessment(name="自评", folder=folder, status="in_progress"),
                    ComplianceAssessment(name="自评", folder=folder, status="in_progress"),
                ]
            )
            review.reviewers.add(reviewers[n % len(reviewers)], reviewers[(n + 1) % len(reviewers)])
            RequirementAssessment.objects.bulk_create(
                rows(review, folder, nodes, data["answers"])
                + rows(work, folder, nodes, data["answers"])
                + rows(fresh, folder, nodes, {}),
                batch_size=1000,
            )
            token = AuthToken.objects.create(user)[1]
            firms.append({"assessment": str(work.id), "fresh": str(fresh.id), "token": token})
        out.write_text(json.dumps({"firms": firms, "queue": queue}), encoding="utf-8")
