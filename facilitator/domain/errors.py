"""The one error type of the pure rules: a machine-readable code, translated at the edge."""


class RuleError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class IdentityGone(RuleError):
    """The sender's session or participant no longer exists, or its moderator key changed:
    refused, and the connection is closed."""
