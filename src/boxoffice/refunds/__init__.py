"""Refunds: an organiser refunds an order or cancels a show; a fan asks where allowed."""
