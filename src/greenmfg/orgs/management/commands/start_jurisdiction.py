"""Start a real deployment: the bureau of a region and its first system administrator (no demo data).

    uv run python manage.py load_reference            # GB/T 2260 regions and GB/T 4754 industries, once
    uv run python manage.py start_jurisdiction --region 320500 --username sz-admin --email admin@example.cn

The one-time password is printed once (only its hash is stored). At the first sign-in the administrator
enrols an authenticator app (TOTP) and sets a password of their own; then they open the security and audit
administrators' accounts, the bureaus under theirs and their staff on the administration page.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from greenmfg.orgs.services import AdminRefused, start_jurisdiction


class Command(BaseCommand):
    help = (
        "Create the bureau of a region (GB/T 2260 code) and its first system administrator, and print how "
        "to sign in. / 为行政区划开设主管部门及其首个系统管理员。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="GB/T 2260 code, e.g. 320500 (苏州市)")
        parser.add_argument(
            "--level",
            default="",
            choices=["", "ministry", "province", "city", "district"],
            help="the bureau's level; by default the region's own (ministry: give --level ministry)",
        )
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--name", default="", help="the bureau's name (default: from the region)")
        parser.add_argument("--display-name", default="", help="the administrator's own name")
        parser.add_argument("--url", default="", help="the platform's address, printed in the instructions")

    def handle(self, *args: object, **options: str) -> None:
        try:
            bureau, user, password = start_jurisdiction(
                region_code=options["region"],
                level=options["level"],
                username=options["username"],
                email=options["email"],
                name=options["name"],
                display_name=options["display_name"],
            )
        except AdminRefused as refused:
            raise CommandError(f"{refused.zh} / {refused.en}") from refused
        url = (options["url"] or "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(
            "\n".join(
                [
                    f"主管部门 / bureau: {bureau.name} ({bureau.get_level_display()}, {bureau.region_id})",
                    f"系统管理员 / system administrator: {user.username}",
                    f"一次性初始密码 / one-time password: {password}",
                    "",
                    f"1. 打开 / open {url}/accounts/login/ 并以上述用户名和一次性密码登录 / "
                    "sign in with them;",
                    "2. 用手机验证器（TOTP）扫码绑定动态口令 / "
                    "enrol an authenticator app (TOTP) by its QR code;",
                    "3. 设置本人密码（一次性密码随即失效）/ "
                    "set your own password (the one-time one stops working);",
                    f"4. 在 {url}/orgs/admin/ 开设安全管理员、审计管理员、下级主管部门及其人员账号 / "
                    "open the security and audit administrators, the bureaus below and their staff.",
                    "",
                    "该密码只显示这一次，平台不保存明文。/ "
                    "The password is shown only once; only its hash is kept.",
                ]
            )
        )
