"""Vouchers an organiser creates in bulk: discounts (applied to an order) and
access (entered like a presale code, they open the presale)."""
