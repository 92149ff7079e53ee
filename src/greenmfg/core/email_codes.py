"""One-time e-mail codes: how a member of the public proves the address behind an objection (publication)
or a report (supervision) before it counts.

Both flows are the same: the row is stored unverified with only the keyed digest of a six-digit code and
its expiry; the code goes to the address; the person types it back within OBJECTION_CODE_MINUTES, with at
most OBJECTION_CODE_ATTEMPTS wrong tries, after which (or once the code lapses) the row lapses. This
module is that flow; each caller keeps its own statuses, audit events and wording of what was received."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac


class HoldsCode(Protocol):
    """A row verified by an e-mail code (publication.Objection, supervision.Report)."""

    public_id: UUID
    code_digest: str
    code_expires_at: datetime | None
    code_attempts: int
    verified_at: datetime | None


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def minutes() -> int:
    return int(settings.OBJECTION_CODE_MINUTES)


def expiry() -> datetime:
    return timezone.now() + timedelta(minutes=minutes())


def digest(purpose: str, row: HoldsCode, code: str) -> str:
    """The keyed digest stored instead of the code: bound to the purpose and the row's public id, so a
    digest copied to another row or flow never matches."""
    return salted_hmac(f"greenmfg.{purpose}-code", f"{row.public_id}:{code}", algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Noun:
    """How the e-mail and the refusals name what is verified: 异议/objection, 举报/report."""

    zh: str
    en: str


def send_code(to: str, code: str, noun: Noun, *, received_zh: str, received_en: str) -> None:
    """Mail the code. Raises whatever the mail backend raises: the caller lapses the row and tells the
    person to submit again (the server's own error is for the log)."""
    valid = minutes()
    send_mail(
        f"{noun.zh}验证码 / {noun.en} verification code: {code}",
        f"{received_zh}\n"
        f"验证码：{code}（{valid} 分钟内有效）。输入验证码后，{noun.zh}方予受理。\n"
        f"如非本人操作，请忽略本邮件。\n\n"
        f"{received_en} Code: {code}, valid for {valid} minutes; the {noun.en} counts once you enter it. "
        f"If this was not you, ignore this e-mail.",
        None,
        [to],
    )


@dataclass(frozen=True)
class Verdict:
    """What a typed code did: verified, wrong (tries left), or lapsed (expired or too many wrong tries);
    `message` is the (zh, en) refusal for the last two."""

    verified: bool = False
    lapsed: bool = False
    message: tuple[str, str] | None = None


def check_code(purpose: str, row: HoldsCode, code: str, noun: Noun, *, again_zh: str) -> Verdict:
    """Check `code` against a locked, unverified row and update the row's code fields (the caller saves
    them with its status): a wrong code counts an attempt; verified or lapsed, the digest is cleared.
    `again_zh` tells how to try again after a lapse (e.g. 如仍需举报，请重新提交)."""
    now = timezone.now()
    if row.code_expires_at is None or now > row.code_expires_at:
        row.code_digest = ""
        return Verdict(
            lapsed=True,
            message=(
                f"验证码已过期，{noun.zh}已失效；{again_zh}。",
                f"the code has expired and the {noun.en} has lapsed",
            ),
        )
    if not constant_time_compare(digest(purpose, row, code.strip()), row.code_digest):
        row.code_attempts += 1
        left = int(settings.OBJECTION_CODE_ATTEMPTS) - row.code_attempts
        if left > 0:
            return Verdict(
                message=(f"验证码不正确，还可尝试 {left} 次。", f"wrong code: {left} attempt(s) left")
            )
        row.code_digest = ""
        return Verdict(
            lapsed=True,
            message=(
                f"验证码错误次数过多，{noun.zh}已失效。",
                f"too many wrong codes: the {noun.en} has lapsed",
            ),
        )
    row.code_digest, row.verified_at = "", now
    return Verdict(verified=True)
