"""The logic between routes (or the worker) and repositories: ingest, annotate, query."""
