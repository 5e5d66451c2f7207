"""The FastAPI application: `api/` (JSON, OpenAPI) and `pages/` (Jinja2 + htmx)."""
