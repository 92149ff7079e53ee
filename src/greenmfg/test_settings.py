"""Settings for the test suite: the real ones, with a fast password hash, tasks run at once, and files
under a temporary directory. The database comes from DATABASE_URL as in production."""

import tempfile
from pathlib import Path

from greenmfg.settings import *  # noqa: F403
from greenmfg.settings import DATABASES, PASSWORD_HASHERS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="greenmfg-media-"))
_KEYS = Path(tempfile.mkdtemp(prefix="greenmfg-keys-"))
SM2_KEY_FILE = _KEYS / "platform-sm2.key"
AUDIT_KEY_FILE = _KEYS / "audit-hmac.key"
AUDIT_CHECKPOINT_FILE = Path(tempfile.mkdtemp(prefix="greenmfg-audit-")) / "checkpoints.jsonl"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
AXES_ENABLED = True

# A file, not the shared-cache in-memory database Django uses by default: shared cache takes table locks
# that ignore the busy timeout, so concurrent requests (live server, racing submits) would fail with
# "database table is locked" instead of queueing as they do in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.mkdtemp(prefix="greenmfg-db-")) / "test.sqlite3")
    }
