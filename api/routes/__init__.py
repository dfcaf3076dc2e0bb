"""Route handlers of the JSON API, one module per resource."""
