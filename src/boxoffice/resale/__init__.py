"""Face-value resale: list a ticket at no more than the organiser's cap; a buyer reserves and pays; the seller is refunded."""
