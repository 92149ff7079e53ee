"""Copy the front-end files the platform serves from node_modules (installed by `npm ci` from
package-lock.json) into build/vendor, which Django's static files include."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "htmx/htmx.min.js": "node_modules/htmx.org/dist/htmx.min.js",
    "echarts/echarts.min.js": "node_modules/echarts/dist/echarts.min.js",
}


def main() -> int:
    for target, source in FILES.items():
        src = ROOT / source
        if not src.is_file():
            print(f"missing {source}: run `npm ci` first", file=sys.stderr)
            return 1
        dest = ROOT / "build" / "vendor" / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
