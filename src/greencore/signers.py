"""Who signs a bureau's decisions (签发): the separate signer role of issue 12.

A bureau's staff prepare and review (审核人员); the decisions the bureau makes in its own name before the
public are confirmed by the person who signs them (签发人员): opening a publicity notice (公示), publishing
the announcement that grants titles (公布、授予称号) and revoking a title (撤销称号). A signer reviews too,
so a bureau with one signer and no separate reviewer still works (ADR 0011).

The application workflow table (workflow/application.yaml) names the signer on its own transitions; the
decisions outside the table (a revocation) are listed here. `SIGNED_DECISIONS` is the one list the platform
asks, and a test holds the table to it.
"""

from __future__ import annotations

from dataclasses import dataclass

REVIEWER = "reviewer"
SIGNER = "signer"
# the roles that review for a bureau: a signer is a reviewer who also signs
REVIEWING_ROLES = (REVIEWER, SIGNER)


@dataclass(frozen=True)
class SignedDecision:
    id: str
    zh: str
    en: str


SIGNED_DECISIONS: dict[str, SignedDecision] = {
    d.id: d
    for d in (
        SignedDecision("open_publicity", "发布公示", "open a publicity notice"),
        SignedDecision("publish", "公布名单、授予称号", "publish the announcement granting titles"),
        SignedDecision("revoke_title", "撤销称号", "revoke a title"),
    )
}


def needs_signer(decision: str) -> bool:
    """Whether the bureau's signer alone may take `decision`."""
    return decision in SIGNED_DECISIONS


def may_decide(role: str, decision: str) -> bool:
    """Whether a bureau's member in `role` may take `decision`: a signed decision the signer's alone,
    any other a reviewer's or a signer's."""
    if needs_signer(decision):
        return role == SIGNER
    return role in REVIEWING_ROLES
