"""Built-in plugins of anbiao, registered without entry points (see DEFAULT_PLUGINS)."""
