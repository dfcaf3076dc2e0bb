"""Browser UI: server-rendered pages (Jinja + htmx), cookie sessions with CSRF, reports."""
