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

The SHA-256 of ``manifest.json`` is printed too: the platform records it on
the case's trace when it seals an export (``case.package_sealed``), so the
platform can confirm that this package is the one it produced.
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


def verify(location: str) -> str:
    package = Package(location)
    manifest, manifest_sha256 = read_manifest(package)
    chain = manifest["chain"]
    if not isinstance(chain, dict):
        raise Broken("manifest.json: 'chain' is not an object")
    events = check_trace(package, chain)
    listed = check_files(package, manifest["files"])
    traced = check_traced_objects(events, manifest)
    case = manifest.get("case") or {}
    case_no = case.get("case_no") if isinstance(case, dict) else None
    return "\n".join(
        [
            f"OK: evidence package of case {case_no}",
            f"  trace: {len(events)} events intact, chain {chain.get('key')}",
            f"  head: seq {chain.get('head_seq')} hash {chain.get('head_hash')}",
            f"  files: {len(listed)} listed, all present with their SHA-256 and size",
            f"  objects named by the trace and matched to the manifest: {traced}",
            f"  manifest.json SHA-256: {manifest_sha256}",
        ]
    )


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
