"""Storage: table definitions and the few portable query helpers shared by services."""
