"""v2 participants: the same flat representation as v1."""

from participants.api.v1 import ParticipantSerializer

__all__ = ["ParticipantSerializer"]
