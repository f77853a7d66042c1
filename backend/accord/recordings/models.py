"""Hearing recordings (docs/recording.md): the segments the media worker uploaded, the gaps it
reported, the final files and manifests made from them, and legal holds against deletion.

Every row is written by ``accord.recordings.services`` together with its trace event; the
events, not these mutable rows, are the reference ``accord verify-case`` checks objects against.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.cases.models import Case
from accord.rooms.models import HearingSession, SessionParticipant


class Track(models.TextChoices):
    CAMERA = "camera", _("Camera")
    MICROPHONE = "microphone", _("Microphone")
    SCREEN = "screen", _("Screen share")


class Kind(models.TextChoices):
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio")


class Source(models.TextChoices):
    """What a final file holds: camera and microphone together, or the screen share."""

    AV = "av", _("Camera and microphone")
    SCREEN = "screen", _("Screen share")


class Audience(models.TextChoices):
    """Whom a final file serves: everyone with replay access (all the participant's recorded
    media), or a grant that excludes caucus recordings (the plenary segments only)."""

    ALL = "all", _("Everything recorded")
    PLENARY = "plenary", _("Main room only")


class RecordingSegment(models.Model):
    """One WebM segment of one track, as the media worker wrote and uploaded it."""

    session = models.ForeignKey(
        HearingSession, on_delete=models.PROTECT, related_name="recording_segments"
    )
    participant = models.ForeignKey(
        SessionParticipant, on_delete=models.PROTECT, related_name="recording_segments"
    )
    track = models.CharField(_("track"), max_length=12, choices=Track.choices)
    # The routing group recorded ("plenary" or "caucus-<slug>"): a segment never mixes them.
    group = models.CharField(_("group"), max_length=40, default="plenary")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    codec = models.CharField(_("codec"), max_length=40)
    key = models.CharField(_("object key"), max_length=400, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    started_at = models.DateTimeField(_("first frame at"))
    ended_at = models.DateTimeField(_("last frame at"))
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"))
    media_start = models.BigIntegerField()
    media_end = models.BigIntegerField()
    clock_rate = models.PositiveIntegerField()
    frames = models.PositiveIntegerField()
    keyframe_start = models.BooleanField(default=False)
    index = models.PositiveIntegerField(default=0)
    worker = models.CharField(_("media worker"), max_length=100)
    sync = models.JSONField(default=dict, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording segment")
        verbose_name_plural = _("recording segments")
        ordering = ["session_id", "participant_id", "track", "started_at"]
        indexes = [models.Index(fields=["session", "participant", "track", "started_at"])]

    def __str__(self) -> str:
        return self.key


class RecordingInterruption(models.Model):
    """A gap the worker reports: a crash, a full spool, a codec it cannot record."""

    session = models.ForeignKey(
        HearingSession, on_delete=models.PROTECT, related_name="recording_interruptions"
    )
    participant = models.ForeignKey(
        SessionParticipant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recording_interruptions",
    )
    track = models.CharField(_("track"), max_length=12, blank=True)
    worker = models.CharField(_("media worker"), max_length=100)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("to"))
    reason = models.CharField(_("reason"), max_length=40)
    discarded_bytes = models.PositiveBigIntegerField(default=0)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("recording interruption")
        verbose_name_plural = _("recording interruptions")
        ordering = ["session_id", "started_at"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.reason} {self.started_at:%H:%M:%S}"


class RecordingManifest(models.Model):
    """One finalize of a session: the JSON listing its segments and final files."""

    session = models.ForeignKey(
        HearingSession, on_delete=models.PROTECT, related_name="recording_manifests"
    )
    version = models.PositiveIntegerField(_("version"))
    key = models.CharField(_("object key"), max_length=400)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # SHA-256 over the sorted "key sha256" lines of the segments it lists: a finalize with the
    # same segments makes no new version.
    segments_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording manifest")
        verbose_name_plural = _("recording manifests")
        ordering = ["session_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "version"], name="recordings_manifest_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class RecordingFile(models.Model):
    """A participant's final file of one finalize (version)."""

    session = models.ForeignKey(
        HearingSession, on_delete=models.PROTECT, related_name="recording_files"
    )
    participant = models.ForeignKey(
        SessionParticipant, on_delete=models.PROTECT, related_name="recording_files"
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # "plenary": made from the participant's plenary segments only, besides the "all" file,
    # when they also have caucus segments; served to a grant that excludes caucus recordings.
    audience = models.CharField(
        _("audience"), max_length=8, choices=Audience.choices, default=Audience.ALL
    )
    version = models.PositiveIntegerField(_("version"))
    key = models.CharField(_("object key"), max_length=400)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"))
    # [{"wall_start", "wall_end", "file_start_ms", "duration_ms", "group"}]: file time to wall
    # time.
    spans = models.JSONField(default=list)
    # [[start_ms, end_ms], ...] in file time: when the participant's audio was active.
    speaking = models.JSONField(default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording file")
        verbose_name_plural = _("recording files")
        ordering = ["session_id", "version", "participant_id", "source", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "participant", "source", "audience", "version"],
                name="recordings_file_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class LegalHold(models.Model):
    """While a hold is active (not released), retention deletes none of the case's recordings."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["case_id", "placed_at"]

    def __str__(self) -> str:
        return f"hold on {self.case_id} since {self.placed_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None


class RecordingComposite(models.Model):
    """A grid video of the whole session (every participant's camera and microphone on the
    session's wall-clock timeline), made from one finalize's "all" files as an export, never on
    the live path. The object ``<session>/export/composite.webm`` holds the latest one."""

    session = models.ForeignKey(
        HearingSession, on_delete=models.PROTECT, related_name="recording_composites"
    )
    # The version of the RecordingManifest (finalize) whose files it was made from.
    manifest_version = models.PositiveIntegerField(_("manifest version"))
    key = models.CharField(_("object key"), max_length=400)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    duration_ms = models.PositiveBigIntegerField(_("duration (ms)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recording composite")
        verbose_name_plural = _("recording composites")
        ordering = ["session_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.key} ({self.created_at:%Y-%m-%d %H:%M})"
