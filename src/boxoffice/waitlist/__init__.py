"""The waiting list after sold out: returned tickets offered in order, as holds reserved for a fan."""
