"""Fault-injection tests against real servers: killed mid-burst, restarted, frozen, cut off from
a phone, stormed by reconnects. Short by default; FACILITATOR_LONG_TESTS=1 for the long form.
Each test prints a one-line "FAULTS <test>: ..." summary (pytest -s) and writes its figures to
test-artifacts/faults/<test>.json."""
