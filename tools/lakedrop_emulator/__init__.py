"""lakedrop.delivery's embedded two-account AWS emulator (dev/test only; not in the built collection)."""
