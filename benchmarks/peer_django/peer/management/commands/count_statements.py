"""SQL statements per request of the three operations, counted in process (Django's test
client, ``CaptureQueriesContext``); each operation runs twice and the second, warm, run is
counted, with the size of its response body. The answer sets are two lists: batches that change
answers one after the other, and single answers for items of the new assessment."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient


class Command(BaseCommand):
    help = "Count the statements of each operation (plan JSON and answer sets in, JSON out)."

    def add_arguments(self, parser):
        parser.add_argument("plan", type=Path)
        parser.add_argument("sets", type=Path)

    def handle(self, *args, plan, sets, **options):
        seeded = json.loads(plan.read_text(encoding="utf-8"))
        batches, singles = json.loads(sets.read_text(encoding="utf-8"))
        firm = seeded["firms"][0]
        client, reviewer = APIClient(), APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {firm['token']}")
        reviewer.credentials(HTTP_AUTHORIZATION=f"Bearer {seeded['queue'][0]}")
        path = f"/api/compliance-assessments/{firm['assessment']}"

        def save(assessment, sets):
            """Saves of the next answer set, each with the version read before it."""
            answers = iter(sets)

            def prepare():
                url = f"/api/compliance-assessments/{assessment}"
                version = client.get(f"{url}/checklist/").json()["version"]
                body = {"version": version, "answers": next(answers)}
                return lambda: client.patch(f"{url}/answers/", body, format="json")

            return prepare

        operations = {
            "checklist": lambda: lambda: client.get(f"{path}/checklist/"),
            "batch save": save(firm["assessment"], batches),
            "autosave": save(firm["fresh"], singles),
            "reviewer queue": lambda: (
                lambda: reviewer.get("/api/compliance-assessments/?status=in_review")
            ),
        }
        counts = {}
        for name, prepare in operations.items():
            prepare()()
            request = prepare()
            with CaptureQueriesContext(connection) as captured:
                response = request()
            assert response.status_code == 200, (name, response.status_code)
            counts[name] = (len(captured), len(response.content))
        self.stdout.write(json.dumps(counts))
