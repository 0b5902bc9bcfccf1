"""A faithful local simulator of Kimi's (Moonshot AI) HTTP API, standard library only.

`KimiSimulator` serves it on 127.0.0.1 from a background thread; see `simulator.py`.

Faults for testing error paths, per request (header `X-Kimi-Sim-Fault: <name>[;k=v...]`) or
queued (`sim.inject(name, times=N, path=...)`); parameters and details in `faults.py`:
`error` (status, type, message), `rate_limit` (retry_after), `overloaded`, `quota`,
`html_502`, `slow` (delay), `drop`, `disconnect` (after), `truncate` (after),
`malformed_json`, `oversized` (size).
"""

from .simulator import KimiSimulator

__all__ = ["KimiSimulator"]
