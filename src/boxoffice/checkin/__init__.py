"""Check-in at the gate: rotating (TOTP-style) ticket codes, the static code when rotation is off, the offline export."""
