"""Transfer: a holder gives a ticket to another account; new code, old one void."""
