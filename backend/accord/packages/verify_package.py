#!/usr/bin/env python3
"""Check an Accord evidence package without trusting Accord.

Usage::

    python3 verify.py [package.zip | package_directory]

With no argument the directory holding this script is checked (run it inside an
unpacked package). Only Python's standard library is used, so the script can be
read in full and run on any computer with Python 3.10 or newer.

What is checked, in this order; the first thing that does not hold is printed
and the exit status is 1. When everything holds a summary is printed and the
exit status is 0.

1. ``trace.jsonl``: one event per line. Each line is the hashed body of the
   event (``chain``, ``seq``, ``action``, ``actor``, ``payload``,
   ``occurred_at``) plus ``prev_hash`` and ``hash``. The sequence numbers run
   1, 2, 3, ... without gaps; each event's ``prev_hash`` is the previous
   event's ``hash`` (64 zeros for the first); and each ``hash`` is
   ``sha256(prev_hash + canonical_json(body))`` where canonical JSON sorts
   keys, has no whitespace between tokens and writes non-ASCII characters as
   UTF-8. The last event is the chain head stated in ``manifest.json``.
2. Every file listed in ``manifest.json`` is present with the stated size and
   SHA-256, and every file in the package is listed (except ``manifest.json``
   and ``verify.py`` themselves).
3. Every object the trace names by key with a SHA-256 (uploaded documents,
   recording segments and finalized recordings) and that the manifest lists
   has the hash the trace recorded (the latest event naming it counts).

4. Every timestamp token in ``anchors/`` (listed in ``anchors/index.json``) is
   an RFC 3161 ``TimeStampToken`` whose message imprint is the SHA-256 hash of
   the event at the sequence number it is filed under: the hash this package's
   own trace gives that event. A timestamp authority signed that hash at the
   token's time, so a trace rewritten before a stamped point (even with every
   hash recomputed) fails here. The token is read with a small DER reader of
   the standard library; its *signature* is not checked here (that needs
   cryptography the standard library does not have): for each token the
   ``openssl ts -verify`` command that checks it against the authority's
   certificates in ``certificates/`` is printed. Run them inside the unpacked
   package.

The SHA-256 of ``manifest.json`` is printed too: the platform records it on
the case's trace when it seals an export (``case.package_sealed``), so the
platform can confirm that this package is the one it produced.

Sealed PDF documents carry their organization's PAdES signature; this script
checks their SHA-256 like every file, and a standard PDF validator checks the
seal itself against ``certificates/ca.pem`` (see the README for courts).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from collections.abc import Iterator
from typing import IO, Any

GENESIS_HASH = "0" * 64
BODY_FIELDS = ("chain", "seq", "action", "actor", "payload", "occurred_at")
SELF_FILES = frozenset({"manifest.json", "verify.py"})
CHUNK = 1024 * 1024


class Broken(Exception):
    """The first failure, named precisely."""


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def _reject_float(text: str) -> Any:
    raise ValueError(f"floating-point number {text} (the trace holds integers only)")


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


class Package:
    """A zip file or a directory, read the same way."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._zip: zipfile.ZipFile | None = None
        if os.path.isdir(location):
            self._root = os.path.abspath(location)
        elif zipfile.is_zipfile(location):
            self._zip = zipfile.ZipFile(location)
            self._root = ""
        else:
            raise Broken(f"{location}: neither a directory nor a zip file")

    def names(self) -> list[str]:
        if self._zip is not None:
            names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
            seen: set[str] = set()
            for name in names:
                if name in seen:
                    raise Broken(f"{name}: appears twice in the zip file")
                seen.add(name)
            return names
        found = []
        for directory, _dirs, files in os.walk(self._root):
            for file_name in files:
                full = os.path.join(directory, file_name)
                found.append(os.path.relpath(full, self._root).replace(os.sep, "/"))
        return [name for name in found if "__pycache__/" not in name]

    def open(self, name: str) -> IO[bytes]:
        if self._zip is not None:
            try:
                return self._zip.open(name)
            except KeyError:
                raise Broken(
                    f"{name}: listed in the manifest but missing from the package"
                ) from None
        path = os.path.join(self._root, *name.split("/"))
        if not os.path.isfile(path):
            raise Broken(f"{name}: listed in the manifest but missing from the package")
        return open(path, "rb")

    def read(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def hash(self, name: str) -> tuple[int, str]:
        digest = hashlib.sha256()
        size = 0
        with self.open(name) as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return size, digest.hexdigest()


def read_manifest(package: Package) -> tuple[dict[str, Any], str]:
    if "manifest.json" not in package.names():
        raise Broken("manifest.json: missing from the package")
    raw = package.read("manifest.json")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Broken(f"manifest.json: not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise Broken("manifest.json: not a JSON object")
    for name in ("chain", "files"):
        if name not in manifest:
            raise Broken(f"manifest.json: no {name!r} entry")
    return manifest, hashlib.sha256(raw).hexdigest()


def trace_lines(package: Package, trace_name: str) -> Iterator[tuple[int, str]]:
    with package.open(trace_name) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\n")
            except UnicodeDecodeError:
                raise Broken(f"{trace_name} line {number}: not UTF-8") from None
            if line.strip():
                yield number, line


def check_trace(package: Package, chain: dict[str, Any]) -> list[dict[str, Any]]:
    """Re-compute the chain; return its events (bodies with hashes)."""
    trace_name = str(chain.get("file", "trace.jsonl"))
    chain_key = chain.get("key")
    prev_hash = GENESIS_HASH
    expected_seq = 1
    events: list[dict[str, Any]] = []
    for number, line in trace_lines(package, trace_name):
        where = f"{trace_name} line {number}"
        try:
            event = json.loads(line, parse_float=_reject_float, parse_constant=_reject_constant)
        except ValueError as exc:
            raise Broken(f"{where}: not a valid event ({exc})") from None
        if not isinstance(event, dict):
            raise Broken(f"{where}: not a JSON object")
        seq = event.get("seq")
        where = f"{where} (event seq {seq})"
        expected_keys = {*BODY_FIELDS, "prev_hash", "hash"}
        if set(event) != expected_keys:
            extra = sorted(set(event) - expected_keys)
            missing = sorted(expected_keys - set(event))
            raise Broken(f"{where}: fields differ (missing {missing}, unexpected {extra})")
        if seq != expected_seq:
            raise Broken(
                f"{where}: seq: expected seq {expected_seq}, found {seq} "
                f"(an event is missing, added or out of order)"
            )
        if event["chain"] != chain_key:
            raise Broken(
                f"{where}: chain: {event['chain']!r}, the manifest names chain {chain_key!r}"
            )
        if event["prev_hash"] != prev_hash:
            raise Broken(
                f"{where}: prev_hash: {event['prev_hash']} does not match the previous "
                f"event's hash {prev_hash}"
            )
        body = {name: event[name] for name in BODY_FIELDS}
        recomputed = chain_hash(prev_hash, body)
        if recomputed != event["hash"]:
            raise Broken(
                f"{where}: hash: stated {event['hash']}, recomputed {recomputed} "
                f"(the content of the event was changed; action {event['action']!r})"
            )
        events.append(event)
        prev_hash = recomputed
        expected_seq += 1
    head_seq, head_hash = chain.get("head_seq"), chain.get("head_hash")
    if head_seq != len(events) or head_hash != prev_hash:
        raise Broken(
            f"{trace_name}: chain head: the manifest states seq {head_seq} hash {head_hash}, "
            f"the events end at seq {len(events)} hash {prev_hash}"
        )
    return events


def check_files(package: Package, files: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(files, list):
        raise Broken("manifest.json: 'files' is not a list")
    listed: dict[str, dict[str, Any]] = {}
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise Broken(f"manifest.json: malformed file entry {entry!r}")
        path = entry["path"]
        if path in listed:
            raise Broken(f"{path}: listed twice in the manifest")
        listed[path] = entry
    present = package.names()
    for path, entry in listed.items():
        size, digest = package.hash(path)
        if digest != entry.get("sha256"):
            raise Broken(f"{path}: SHA-256 expected {entry.get('sha256')}, actual {digest}")
        if size != entry.get("size"):
            raise Broken(f"{path}: size expected {entry.get('size')} bytes, actual {size}")
    for path in sorted(present):
        if path not in listed and path not in SELF_FILES:
            raise Broken(f"{path}: in the package but not listed in the manifest")
    return listed


def _named_objects(value: Any, found: dict[str, str]) -> None:
    """Every ``{"key": ..., "sha256": ...}`` (or ``"manifest_key"``, as ``recording.finalized``
    names its recording manifest) inside a payload, at any depth."""
    if isinstance(value, dict):
        digest = value.get("sha256")
        for name in ("key", "manifest_key"):
            key = value.get(name)
            if isinstance(key, str) and isinstance(digest, str):
                found[key] = digest
        for item in value.values():
            _named_objects(item, found)
    elif isinstance(value, list):
        for item in value:
            _named_objects(item, found)


def check_traced_objects(events: list[dict[str, Any]], manifest: dict[str, Any]) -> int:
    """Objects the manifest lists by storage key must carry the hash the trace gave them."""
    by_key: dict[str, dict[str, Any]] = {}
    for section in ("documents", "recordings"):
        for entry in manifest.get(section) or []:
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                by_key[entry["key"]] = entry
    latest: dict[str, tuple[int, str]] = {}
    for event in events:
        found: dict[str, str] = {}
        _named_objects(event["payload"], found)
        for key, digest in found.items():
            latest[key] = (event["seq"], digest)
    checked = 0
    for key, (seq, digest) in sorted(latest.items(), key=lambda item: item[1][0]):
        entry = by_key.get(key)
        if entry is None:
            continue
        checked += 1
        if entry.get("sha256") != digest:
            raise Broken(
                f"event seq {seq}: payload sha256 of {key} is {digest}, the manifest lists "
                f"{entry.get('path')} with {entry.get('sha256')}"
            )
    return checked


# --- A minimal DER reader, enough for RFC 3161 tokens -------------------------

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_TST_INFO = "1.2.840.113549.1.9.16.1.4"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
TAG_INTEGER, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, TAG_SET = 0x02, 0x04, 0x06, 0x30, 0x31
TAG_GENERALIZED_TIME = 0x18
TAG_CONTEXT_0 = 0xA0  # [0] EXPLICIT, constructed


class Der:
    """One TLV: its tag byte and the slice of ``data`` holding its contents."""

    def __init__(self, data: bytes, tag: int, start: int, end: int) -> None:
        self.data, self.tag, self.start, self.end = data, tag, start, end

    @property
    def content(self) -> bytes:
        return self.data[self.start : self.end]

    def children(self) -> list[Der]:
        found = []
        position = self.start
        while position < self.end:
            child = read_der(self.data, position, self.end)
            found.append(child)
            position = child.end
        return found

    def expect(self, tag: int, what: str) -> Der:
        if self.tag != tag:
            raise ValueError(f"{what}: tag 0x{self.tag:02x}, expected 0x{tag:02x}")
        return self


def read_der(data: bytes, position: int = 0, limit: int | None = None) -> Der:
    limit = len(data) if limit is None else limit
    if position + 2 > limit:
        raise ValueError("truncated")
    tag = data[position]
    if tag & 0x1F == 0x1F:
        raise ValueError("high tag numbers do not occur in a timestamp token")
    first = data[position + 1]
    position += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or position + count > limit:
            raise ValueError("not a definite DER length")
        length = int.from_bytes(data[position : position + count], "big")
        position += count
    if position + length > limit:
        raise ValueError("truncated")
    return Der(data, tag, position, position + length)


def oid_text(node: Der) -> str:
    raw = node.expect(TAG_OID, "object identifier").content
    if not raw:
        raise ValueError("empty object identifier")
    numbers: list[int] = []
    value = 0
    for byte in raw:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            numbers.append(value)
            value = 0
    first = numbers[0]
    head = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    return ".".join(str(n) for n in [*head, *numbers[1:]])


def read_tst_info(token: bytes) -> tuple[str, bytes, str]:
    """(hash algorithm OID, hashed message, genTime) of a DER ``TimeStampToken``."""
    content_info = read_der(token).expect(TAG_SEQUENCE, "ContentInfo").children()
    if len(content_info) != 2 or oid_text(content_info[0]) != OID_SIGNED_DATA:
        raise ValueError("not a CMS SignedData")
    [signed_data] = content_info[1].expect(TAG_CONTEXT_0, "content").children()
    fields = signed_data.expect(TAG_SEQUENCE, "SignedData").children()
    encap = fields[2].expect(TAG_SEQUENCE, "EncapsulatedContentInfo").children()
    if len(encap) != 2 or oid_text(encap[0]) != OID_TST_INFO:
        raise ValueError("the SignedData does not hold a TSTInfo")
    [octets] = encap[1].expect(TAG_CONTEXT_0, "eContent").children()
    octets.expect(TAG_OCTET_STRING, "eContent")
    tst_info = read_der(octets.content).expect(TAG_SEQUENCE, "TSTInfo").children()
    imprint = tst_info[2].expect(TAG_SEQUENCE, "MessageImprint").children()
    algorithm = oid_text(imprint[0].expect(TAG_SEQUENCE, "AlgorithmIdentifier").children()[0])
    hashed = imprint[1].expect(TAG_OCTET_STRING, "hashedMessage").content
    gen_time = tst_info[4].expect(TAG_GENERALIZED_TIME, "genTime").content.decode("ascii")
    return algorithm, hashed, gen_time


def check_anchors(
    package: Package, manifest: dict[str, Any], events: list[dict[str, Any]], listed: set[str]
) -> list[tuple[int, str, str, str]]:
    """Each token stamps the package's hash of the event at its seq.

    Returns (seq, hash, genTime, file) per token."""
    anchors = manifest.get("anchors")
    if not anchors:
        return []
    index_name = anchors.get("index") if isinstance(anchors, dict) else None
    if not isinstance(index_name, str) or index_name not in listed:
        raise Broken("manifest.json: 'anchors' names no listed index file")
    try:
        index = json.loads(package.read(index_name).decode("utf-8"))
        entries = index["anchors"]
        if not isinstance(entries, list):
            raise TypeError("not a list")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise Broken(f"{index_name}: not a valid anchor index ({exc})") from None
    checked = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise Broken(f"{index_name}: malformed entry {entry!r}")
        seq, file_name = entry.get("seq"), entry.get("file")
        where = f"{index_name}: anchor at seq {seq}"
        if not isinstance(seq, int) or not 1 <= seq <= len(events):
            raise Broken(f"{where}: the package's trace has no event {seq}")
        if not isinstance(file_name, str) or file_name not in listed:
            raise Broken(f"{where}: its token file {file_name!r} is not listed in the manifest")
        event_hash = events[seq - 1]["hash"]
        try:
            algorithm, hashed, gen_time = read_tst_info(package.read(file_name))
        except (ValueError, IndexError) as exc:
            raise Broken(f"{file_name}: not an RFC 3161 timestamp token ({exc})") from None
        if algorithm != OID_SHA256:
            raise Broken(f"{file_name}: stamps a digest of algorithm {algorithm}, not SHA-256")
        if hashed.hex() != event_hash:
            raise Broken(
                f"{file_name}: the timestamp of {gen_time} stamps {hashed.hex()}, but event "
                f"seq {seq} of trace.jsonl has hash {event_hash}: the trace up to seq {seq} "
                "is not the one the timestamp authority saw"
            )
        if entry.get("head_hash") != event_hash:
            raise Broken(
                f"{where}: the index states head {entry.get('head_hash')}, event seq {seq} "
                f"has hash {event_hash}"
            )
        checked.append((seq, event_hash, gen_time, file_name))
    return checked


def openssl_command(seq: int, event_hash: str, file_name: str) -> str:
    return (
        f"openssl ts -verify -token_in -in {file_name} -digest {event_hash} "
        "-CAfile certificates/ca.pem -untrusted certificates/tsa.pem"
    )


def verify(location: str) -> str:
    package = Package(location)
    manifest, manifest_sha256 = read_manifest(package)
    chain = manifest["chain"]
    if not isinstance(chain, dict):
        raise Broken("manifest.json: 'chain' is not an object")
    events = check_trace(package, chain)
    listed = check_files(package, manifest["files"])
    traced = check_traced_objects(events, manifest)
    anchors = check_anchors(package, manifest, events, set(listed))
    case = manifest.get("case") or {}
    case_no = case.get("case_no") if isinstance(case, dict) else None
    lines = [
        f"OK: evidence package of case {case_no}",
        f"  trace: {len(events)} events intact, chain {chain.get('key')}",
        f"  head: seq {chain.get('head_seq')} hash {chain.get('head_hash')}",
        f"  files: {len(listed)} listed, all present with their SHA-256 and size",
        f"  objects named by the trace and matched to the manifest: {traced}",
    ]
    if anchors:
        last_seq, _hash, last_time, _file = anchors[-1]
        lines += [
            f"  timestamps: {len(anchors)} tokens stamp the trace's hash at their seq "
            f"(latest: seq {last_seq} at {last_time})",
            "  check each authority's signature with OpenSSL, inside the unpacked package:",
            *(f"    {openssl_command(seq, h, name)}" for seq, h, _t, name in anchors),
        ]
    else:
        lines.append("  timestamps: none in this package")
    lines.append(f"  manifest.json SHA-256: {manifest_sha256}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in {"-h", "--help"}):
        print(__doc__)
        return 2
    location = argv[1] if len(argv) == 2 else os.path.dirname(os.path.abspath(__file__))
    try:
        print(verify(location))
    except Broken as failure:
        print(f"FAILED: {failure}")
        return 1
    except (OSError, zipfile.BadZipFile) as exc:
        print(f"FAILED: cannot read {location}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
