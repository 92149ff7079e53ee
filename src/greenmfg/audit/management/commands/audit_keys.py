"""Create the audit keys (SM2 signing key, HMAC-SM3 chain key) if missing and show their public parts;
--rotate replaces the SM2 key (the old one stays trusted for verification)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from greenmfg.audit import keys, signing
from greenmfg.audit.services import lock_chain, writing_key


class Command(BaseCommand):
    help = "Create (--init) or rotate (--rotate) the audit keys and print their public parts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--init", action="store_true", help="create missing keys (0600 files)")
        parser.add_argument("--rotate", action="store_true", help="replace the SM2 signing key")
        parser.add_argument(
            "--new-key", action="store_true", help="print a new SM2 key pair as JSON for GREENMFG_SM2_KEY"
        )

    def handle(self, *args: object, **options: object) -> None:
        signing.self_test()
        if options["new_key"]:
            self.stdout.write(keys.generate_sm2_key().as_json())
            return
        if options["rotate"]:
            old, new = keys.rotate_platform_key()
            self.stdout.write(f"rotated SM2 key {old.key_id} → {new.key_id}")
        key = keys.platform_key()
        if options["init"]:
            with transaction.atomic():
                lock_chain()
                writing_key()
        chain = keys.chain_key()
        self.stdout.write(f"SM2 key file: {keys.sm2_key_file()} (key id {key.key_id})")
        self.stdout.write(f"SM2 public key (publish it): {key.public_key.hex()}")
        if chain is None:
            self.stdout.write("audit chain key: not created yet (the first audit event creates it)")
        else:
            self.stdout.write(
                f"audit chain key: {keys.audit_key_file()} (id {chain.key_id}, "
                f"{chain.legacy_events} events before it)"
            )
