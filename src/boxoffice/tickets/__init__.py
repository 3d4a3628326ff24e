"""Ticket states after the sale: listed, void (replaced), refunded; reissue under a new code."""
