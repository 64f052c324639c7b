"""Fault-injection tests: real servers killed, stopped, cut off and stormed (see README)."""
