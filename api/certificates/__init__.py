"""Certificates (证书): public verification."""
