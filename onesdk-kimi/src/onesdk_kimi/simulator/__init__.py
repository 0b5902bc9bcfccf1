"""A faithful local simulator of Kimi's (Moonshot AI) HTTP API, standard library only.

`KimiSimulator` serves it on 127.0.0.1 from a background thread; see `simulator.py`.
"""

from .simulator import KimiSimulator

__all__ = ["KimiSimulator"]
