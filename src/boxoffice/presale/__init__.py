"""Presale (Verified-Fan style): registration, the code lottery, presale access."""
