"""The seam between the web (`backend/accord`) and the media worker (`media_worker`).

Both sides import this package; it imports neither of them, nor Django (import-linter
contracts in pyproject.toml fail the build otherwise). It holds everything the two processes
must agree on, so that a change to the contract is one change here:

- `names`: the channel-layer channel a worker listens on (`media-worker.<worker id>`);
- `messages`: the typed channel-layer messages, web → worker (`room.*`) and worker → web
  (`media.*`), and the check the worker runs on each message it receives;
- `registration`: the internal HTTP endpoints the worker calls on the web (paths, typed JSON
  bodies and answers, error codes, the segment key) and the validation the web runs on each
  body it receives;
- `heartbeat`: the worker's liveness key in Redis and the JSON status it holds;
- `webm`: the WebM writer the worker records segments with and the web's finalize muxes with;
- `sse`: the server-side encryption both ask of the object store (`S3_SSE`).

docs/rooms-protocol.md and docs/recording.md describe the protocol in words; this package is
its code. Standard library only.
"""
