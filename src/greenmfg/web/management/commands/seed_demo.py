from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from greenmfg.web.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo world (fictitious organisations in real regions) and print one login per role."

    def handle(self, *args: object, **options: object) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "生产模式（GREENMFG_ENV=production）不能创建演示账号：其密码已公开。"
                " / production mode: the demo accounts have a published password."
            )
        logins = seed_demo()
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）/ demo logins (password {DEMO_PASSWORD}):")
        for login in logins:
            extra = f"  动态口令密钥 TOTP secret: {login.totp_secret}" if login.totp_secret else ""
            self.stdout.write(f"  {login.username:<16} {login.role:<10} {login.organisation}{extra}")
        self.stdout.write("  当前动态口令 / current code: uv run python manage.py demo_otp <username>")
