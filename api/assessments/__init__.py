"""Self-assessments (自评): answers, the checklist to answer, evidence and the self-assessment's
hazards.
"""
