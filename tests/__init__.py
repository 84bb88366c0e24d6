"""Loyalty Lens tests (a regular package, so no installed package named ``tests`` shadows it)."""
