"""The core's one table of its own: the idempotency keys of state-changing posts (see idempotency.py)."""

from __future__ import annotations

from django.db import models


class IdempotencyKey(models.Model):
    """A state-changing request, by the key its form or client sent, and the answer it got.

    Written in the same transaction as the request's effect: a key is either absent (no effect, or the
    effect rolled back) or present with the answer to replay, never one without the other."""

    # "u:<user id>" for a logged-in user, "s:<session key>" or "a:<address>" for anyone else: one user's key
    # never answers another's request
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=64)
    # what the key was first used for (method, path and a digest of the fields): reusing a key for another
    # request is refused, not answered with the first one's answer
    fingerprint = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} → {self.status}"
