"""Commentary Lens: analysis of news commentary as a REST service."""

__version__ = "0.1.0"
