"""What a fan is told after the sale: offers, transfers, resale sold, refunds."""
