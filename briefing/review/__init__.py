"""Review: approve a built edition and report where each client stands."""
