"""What every channel is: a name and one ``send(message, to)`` that delivers or raises :class:`DeliveryError`."""

from __future__ import annotations

from abc import ABC, abstractmethod

from alerts.message import Message


class DeliveryError(Exception):
    """A message was not delivered. ``retryable``: the same channel may work later (after ``retry_after`` s).

    The reason never contains a key, token, password or secret URL.
    """

    def __init__(self, reason: str, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"DeliveryError({self.reason!r}, retryable={self.retryable}, retry_after={self.retry_after})"


class Channel(ABC):
    """One configured way of delivering alert messages (``[channels.<name>]``)."""

    name: str

    @abstractmethod
    def send(self, message: Message, to: str) -> None:
        """Deliver ``message`` to ``to`` (mailbox, user id, mobile; '' where the channel has no addressee)."""
