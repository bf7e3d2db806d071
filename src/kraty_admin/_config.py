"""The retry policy, :class:`RetryConfig`; loaded when a program first needs one.

A client without ``retry=`` builds its default policy only when it first has a failed attempt
to decide about (or when ``kraty.retry`` is read): the dataclass costs about 0.5 ms to create.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryConfig:
    """How failed requests are retried.

    ``attempts`` counts every HTTP call, the first included (``attempts=1`` disables retries).
    The delay before retry ``n`` is ``min(initial_delay * 2**(n-1), max_delay)`` scaled by a
    random factor in ``[1 - jitter, 1 + jitter]``; a ``Retry-After`` header replaces it (capped
    at ``max_delay``).
    """

    attempts: int = 4
    initial_delay: float = 0.2
    max_delay: float = 10.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("RetryConfig.attempts must be at least 1")
        if self.initial_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryConfig delays must not be negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError("RetryConfig.jitter must be between 0 and 1")
