"""What every channel is: a name and one ``send(message, to)`` that delivers or raises :class:`DeliveryError`."""

from __future__ import annotations

from abc import ABC, abstractmethod

from alerts.message import Message


class DeliveryError(Exception):
    """A message was not confirmed delivered. ``retryable``: the same channel may work later (after
    ``retry_after`` s). ``maybe_delivered``: the whole request went out but no answer came back (a timeout or a
    dropped connection after sending), so the endpoint may well have shown it: sending again may repeat it.

    The reason never contains a key, token, password or secret URL.
    """

    def __init__(self, reason: str, retryable: bool = True, retry_after: float | None = None,
                 maybe_delivered: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after
        self.maybe_delivered = maybe_delivered

    def __repr__(self) -> str:
        return (f"DeliveryError({self.reason!r}, retryable={self.retryable}, retry_after={self.retry_after}, "
                f"maybe_delivered={self.maybe_delivered})")


class Channel(ABC):
    """One configured way of delivering alert messages (``[channels.<name>]``)."""

    name: str

    @abstractmethod
    def send(self, message: Message, to: str) -> None:
        """Deliver ``message`` to ``to`` (mailbox, user id, mobile; '' where the channel has no addressee)."""
