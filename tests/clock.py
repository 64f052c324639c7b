"""The one fake clock of the tests: epoch milliseconds that move only when a test says so
(principle 2, docs/architecture.md: time is injected, so tests never sleep for it)."""


class FakeClock:
    def __init__(self, start: int = 1_800_000_000_000):
        self.now = start

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += int(seconds * 1000)
