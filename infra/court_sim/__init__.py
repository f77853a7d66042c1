"""A stand-in for a court's system (docs/court-simulator.md), standard library only.

It plays the court's side of the court API (docs/court-api.md): a client that signs requests
to Accord (``client.CourtClient``), and a server (``server.CourtSimulator``) that receives and
verifies Accord's signed callbacks and serves the materials an entrustment names. It imports
nothing of Accord or Django, so that it checks the scheme as a court's own implementation would.
Run ``python -m infra.court_sim --help``.
"""

from __future__ import annotations
