"""First pages of the Word and Excel documents as PNG (issue 14), kept beside the PDFs' renderings under
test-results/documents/ for a person to look at: Chinese glyphs, tables inside the page, the chart.

LibreOffice (headless) prints the file to PDF as a bureau's office suite would, with the file's own page
setup (A4, landscape, repeated header rows), and pdftoppm draws its first page. scripts/install_system.sh
installs LibreOffice; where it is missing no PNG is drawn and a warning says so (the test's assertions on
the file's XML and cells run either way).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

SHOTS = Path(__file__).resolve().parents[1] / "test-results" / "documents"
# one LibreOffice profile per test process (parallel workers must not share one)
PROFILE = Path(tempfile.gettempdir()) / f"greenmfg-lo-profile-{os.getpid()}"


def office_png(content: bytes, name: str, suffix: str) -> Path | None:
    """Keep the file as test-results/documents/<name>.<suffix> and its first page as <name>.png; the
    PNG's path, or None where LibreOffice is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    SHOTS.mkdir(parents=True, exist_ok=True)
    source = SHOTS / f"{name}.{suffix}"
    source.write_bytes(content)
    if soffice is None:
        warnings.warn(f"LibreOffice not installed: no PNG of {source.name}", stacklevel=2)
        return None
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={PROFILE.as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                work,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = Path(work) / f"{name}.pdf"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-png",
                "-singlefile",
                str(pdf),
                str(SHOTS / name),
            ],
            check=True,
        )
    png = SHOTS / f"{name}.png"
    assert png.stat().st_size > 0, f"第一页 PNG：{png.name}"
    return png
