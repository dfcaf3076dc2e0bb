"""The shared kernel of the service: models, database session, access rules, errors, audit
trail, listing, uploads and storage, i18n and page helpers. It imports no slice."""
