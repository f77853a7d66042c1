"""Read-only admin pages: recordings change only through ``accord.recordings.services``
(each change is a trace event), never by editing rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accord.recordings.models import (
    LegalHold,
    RecordingComposite,
    RecordingFile,
    RecordingInterruption,
    RecordingManifest,
    RecordingSegment,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # unsubscripted: not generic at runtime
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RecordingSegment)
class RecordingSegmentAdmin(ReadOnlyAdmin):
    list_display = ("key", "track", "size", "started_at", "worker", "deleted_at")
    list_filter = ("track", "kind")
    search_fields = ("key", "sha256")


@admin.register(RecordingInterruption)
class RecordingInterruptionAdmin(ReadOnlyAdmin):
    list_display = ("session", "participant", "track", "reason", "started_at", "ended_at")
    list_filter = ("reason",)


@admin.register(RecordingManifest)
class RecordingManifestAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "size", "created_at", "deleted_at")


@admin.register(RecordingFile)
class RecordingFileAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "source", "audience", "duration_ms", "size", "deleted_at")


@admin.register(RecordingComposite)
class RecordingCompositeAdmin(ReadOnlyAdmin):
    list_display = ("key", "manifest_version", "duration_ms", "size", "created_at", "deleted_at")


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ("case", "placed_by", "placed_at", "released_by", "released_at")
