"""Checkpoints are append-only like the events (security LOG-05): on PostgreSQL the same trigger function
rejects UPDATE and DELETE."""

from django.db import migrations

FORWARD = """
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""
BACKWARD = "DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_checkpoint;"


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_event_scheme_checkpoint")]
    operations = [migrations.RunPython(forward, backward)]
