"""Self-assessments (自评): answers, the checklist to answer, evidence, the self-assessment's hazards."""
