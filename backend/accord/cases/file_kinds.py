"""Kinds of file in words people read ("a PDF document"), not MIME types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Each accepted MIME type and how the list of accepted files names it.
ACCEPTED_WORDS: Mapping[str, str | Promise] = {
    "application/pdf": gettext_lazy("PDF documents"),
    "image/jpeg": gettext_lazy("JPEG images"),
    "image/png": gettext_lazy("PNG images"),
    "audio/mpeg": gettext_lazy("MP3 audio"),
    "audio/x-wav": gettext_lazy("WAV audio"),
    "audio/wav": gettext_lazy("WAV audio"),
    "video/mp4": gettext_lazy("MP4 video"),
}

# One file, as the page names it ("a Windows program"): the common refusals too.
FILE_WORDS: Mapping[str, str | Promise] = {
    "application/pdf": gettext_lazy("PDF document"),
    "image/jpeg": gettext_lazy("JPEG image"),
    "image/png": gettext_lazy("PNG image"),
    "audio/mpeg": gettext_lazy("MP3 audio"),
    "audio/x-wav": gettext_lazy("WAV audio"),
    "audio/wav": gettext_lazy("WAV audio"),
    "video/mp4": gettext_lazy("MP4 video"),
    "application/x-msdownload": gettext_lazy("Windows program"),
    "application/x-executable": gettext_lazy("program"),
    "application/x-sh": gettext_lazy("shell script"),
    "application/zip": gettext_lazy("ZIP archive"),
    "application/x-rar-compressed": gettext_lazy("RAR archive"),
    "application/x-7z-compressed": gettext_lazy("7-Zip archive"),
    "application/gzip": gettext_lazy("compressed archive"),
    "application/msword": gettext_lazy("Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy(
        "Word document"
    ),
    "application/vnd.ms-excel": gettext_lazy("Excel spreadsheet"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy(
        "Excel spreadsheet"
    ),
    "image/gif": gettext_lazy("GIF image"),
    "image/webp": gettext_lazy("WebP image"),
    "image/heic": gettext_lazy("HEIC photo"),
    "video/quicktime": gettext_lazy("QuickTime video"),
    "video/webm": gettext_lazy("WebM video"),
    "audio/ogg": gettext_lazy("Ogg audio"),
}


def file_kind(mime: str, extension: str = "") -> str:
    """One file's kind in words; a MIME type nobody named falls back to its extension."""
    words = FILE_WORDS.get(mime)
    if words is not None:
        return str(words)
    if extension:
        return _("%(extension)s file") % {"extension": extension.upper()}
    return _("unrecognised kind of file")


def accepted_in_words(mimes: Iterable[str], max_bytes: int) -> str:
    """ "PDF documents, JPEG images, … or MP4 video, up to 20 MB" for the allowed types."""
    allowed = list(mimes)
    # Documents, images, audio, video: in the order above, whatever the setting's order.
    ordered = [m for m in ACCEPTED_WORDS if m in allowed] + [
        m for m in allowed if m not in ACCEPTED_WORDS
    ]
    kinds: list[str] = []
    for mime in ordered:
        words = str(ACCEPTED_WORDS.get(mime, mime))
        if words not in kinds:
            kinds.append(words)
    megabytes = max_bytes / (1024 * 1024)
    if len(kinds) > 1:
        listed = _("%(kinds)s or %(last)s") % {"kinds": _(", ").join(kinds[:-1]), "last": kinds[-1]}
    else:
        listed = kinds[0] if kinds else ""
    return _("%(kinds)s, up to %(mb).0f MB") % {"kinds": listed, "mb": megabytes}
