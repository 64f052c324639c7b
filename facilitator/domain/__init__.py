"""Pure rules of a pitch round: no Flask, no Socket.IO, no database, an injected clock."""

from .errors import RuleError

__all__ = ["RuleError"]
