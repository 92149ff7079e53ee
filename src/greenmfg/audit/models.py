from django.conf import settings
from django.db import models


class Event(models.Model):
    """One state change or security event: append-only and chained (each hash covers the previous).

    ``scheme`` names how ``hash`` was made: ``hmac-sm3:<key id>`` (every field, keyed with the audit
    key held outside the database), or empty for events written before the chain had a key (plain SM3
    over every field but ``actor_name``)."""

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    role = models.CharField(max_length=32, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    success = models.BooleanField(default=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    scheme = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}#{self.object_id}"


class Checkpoint(models.Model):
    """A signed tree head of the audit log (C2SP tlog-checkpoint): the RFC 6962 Merkle root, with SM3, of
    the first ``tree_size`` events in id order. Append-only like the events; each one is also appended
    to the checkpoint file outside the database (``AUDIT_CHECKPOINT_FILE``)."""

    created_at = models.DateTimeField()
    origin = models.CharField(max_length=200)
    tree_size = models.BigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(null=True)
    note = models.TextField()  # the signed note: text, blank line, signature line
    key_id = models.CharField(max_length=16)
    # the tree's right edge at this size ([[width, hash], …]): the next checkpoint starts from it
    frontier = models.JSONField(default=list)

    class Meta:
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"{self.origin} @{self.tree_size}"
