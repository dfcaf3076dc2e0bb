"""anbiao.api — the review-application web service (Litestar)."""
