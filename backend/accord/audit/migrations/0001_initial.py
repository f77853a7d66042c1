from django.db import migrations, models
import django.db.models.deletion

import accord.audit.canonical


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="TraceChain",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=120, unique=True, verbose_name="key")),
                ("head_seq", models.PositiveBigIntegerField(default=0, verbose_name="head sequence")),
                ("head_hash", models.CharField(default=accord.audit.canonical.GENESIS_HASH, max_length=64, verbose_name="head hash")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
            ],
            options={"verbose_name": "trace chain", "verbose_name_plural": "trace chains"},
        ),
        migrations.CreateModel(
            name="TraceEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(verbose_name="sequence")),
                ("action", models.CharField(max_length=80, verbose_name="action")),
                ("actor", models.JSONField(verbose_name="actor")),
                ("actor_user_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("payload", models.JSONField(default=dict, verbose_name="payload")),
                ("occurred_at", models.DateTimeField(verbose_name="occurred at")),
                ("prev_hash", models.CharField(max_length=64, verbose_name="previous hash")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
                ("chain", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="events", to="audit.tracechain")),
            ],
            options={
                "verbose_name": "trace event",
                "verbose_name_plural": "trace events",
                "ordering": ["chain_id", "seq"],
                "constraints": [models.UniqueConstraint(fields=("chain", "seq"), name="audit_event_unique_seq")],
            },
        ),
    ]
