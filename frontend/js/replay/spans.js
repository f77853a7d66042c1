// Map between session time (the replay's one clock, ms from the session's origin) and a
// final file's own time, through the file's spans: [{start_ms, end_ms, file_start_ms}].
// The file plays its spans back to back; between spans the participant was not recorded.

/** File ms at session ms, or null outside every span. */
export function fileTimeAt(spans, sessionMs) {
  for (const span of spans) {
    if (sessionMs >= span.start_ms && sessionMs < span.end_ms) {
      return span.file_start_ms + (sessionMs - span.start_ms);
    }
  }
  return null;
}

/** Session ms of a file ms, or null past the file's spans. */
export function sessionTimeOf(spans, fileMs) {
  for (const span of spans) {
    const length = span.end_ms - span.start_ms;
    if (fileMs >= span.file_start_ms && fileMs < span.file_start_ms + length) {
      return span.start_ms + (fileMs - span.file_start_ms);
    }
  }
  return null;
}

/** Whether session ms is recorded but left out of this file for the viewer's access (the
 * caucus time of a plenary-only file: [[start_ms, end_ms], ...] in file.excluded). */
export function excludedAt(file, sessionMs) {
  return (file.excluded ?? []).some(([start, end]) => sessionMs >= start && sessionMs < end);
}

/** The first span starting after session ms, or null. */
export function nextSpan(spans, sessionMs) {
  return spans.find((span) => span.start_ms > sessionMs) ?? null;
}

/** The room's composition at session ms: the last one at or before it. */
export function compositionAt(compositions, sessionMs) {
  let found = compositions[0] ?? null;
  for (const composition of compositions) {
    if (composition.at_ms <= sessionMs) found = composition;
    else break;
  }
  return found;
}

/** "m:ss" or "h:mm:ss". */
export function formatClock(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
