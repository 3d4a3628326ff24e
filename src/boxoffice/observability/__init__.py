"""Monitoring and logging: Prometheus metrics, structured logs, request ids."""
