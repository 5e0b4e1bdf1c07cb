"""The parts of ``yuqing run`` below the APScheduler wiring in ``scheduler.py``: lock, clock, heartbeat, jobs."""
