"""The domain: what Kraty Local's operations mean, with no knowledge of HTTP."""
