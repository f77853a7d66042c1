"""The media worker: a separate process (no Django configured) hosting the rooms' SFU.

`python -m media_worker` registers in Redis with a heartbeat carrying its load, listens on the
channel-layer channel `media-worker.<MEDIA_WORKER_ID>` for the web's `room.*` messages and
answers each participant's consumer (docs/rooms-protocol.md). What it shares with the web
(channel names, message and HTTP body types, heartbeat key, the WebM writer) is the contract
package `media_contract`; nothing of the web or Django is imported here (lint-imports).
Modules, outside in:

- `main`: the process (heartbeat + message loop); `channel`: the channel layer link;
  `registry`, `config`: heartbeat entry and environment;
- `sfu`: rooms on this worker, one message at a time per room (`media_contract.messages`:
  the wire shapes);
- `room`: routing groups and which publisher feeds which slot of whom;
- `participant`: one RTCPeerConnection in the protocol's m-line layout (`layout`);
- `forward_track`: a receive slot's bounded queue of encoded frames; `frames`: keyframe
  detection; `keyframes`: throttled requests to a publisher;
- `aiortc_hooks`: every use of aiortc internals (tapping encoded frames before its decoder);
- `recorder`, `clock`: segments of the same encoded frames (`media_contract.webm`);
  `spool`, `uploader`, `registrar`: to S3 and registered with the web over HTTP.
"""
