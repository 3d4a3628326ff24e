"""The waiting room: a fair line in front of the hold path."""
