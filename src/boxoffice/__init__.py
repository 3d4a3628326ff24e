"""boxoffice: sells the tickets of a mega show fairly, fast, and never twice."""

__version__ = "0.1.0"
