"""Enterprises (企业): registration, the profile and its checks."""
