"""The media worker: a separate process (no Django) that will host the SFU and the recorder.

For now it registers itself in Redis and heartbeats, so that the web can tell it is alive and,
later, place rooms on the least loaded worker. Run with `python -m media_worker`.
"""
