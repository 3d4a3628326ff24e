"""`boxoffice bench`: bounded loopback benchmarks that print figures, never pass/fail."""
