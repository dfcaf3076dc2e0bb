"""Pydantic models: authored checklist content, enterprise profile, answers."""
