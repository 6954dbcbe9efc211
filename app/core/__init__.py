"""Infrastructure: settings, the database engine, logging, metrics and the search index.

Nothing here knows the layers that use it (checked by lint-imports).
"""
