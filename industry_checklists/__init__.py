"""Bundled checklist packs (data only): one folder per pack with checklist.yaml and cases/."""
