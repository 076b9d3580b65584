"""Hostile input, measured beside ordinary input from the same run.

1. Reading deadline cells: every cell of plans 001 and 002 (the baseline), then single cells of
   20,000 and 35,000 characters made of separators, quarters and labels (refused unread beyond the
   limit), and cells just under the limit (read, in linear time).
2. Peak memory of parsing a plan file, each in its own process: the .docx of plan 001 (the baseline)
   and a .docx that unpacks to 400 MB (refused before anything is unpacked).

    .venv/bin/python bench/bench_hostile.py
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from benchlib import timed  # noqa: E402

from calendars.deadlines import parse_deadline  # noqa: E402
from dondoc.importer import parse_plan_file, write_docx  # noqa: E402

EXAMPLES = ROOT / "examples"
PIECES = ["- ", "và ", "Quý I, ", "Kế hoạch: Quý I/2026. ", "2026 - ", "Tháng 6 và "]

PEAK = """
import resource, sys
from dondoc.importer import ImportFormatError, parse_plan_file
try:
    parse_plan_file(sys.argv[1]); outcome = "read"
except ImportFormatError as exc:
    outcome = "refused: " + str(exc)[:90]
print(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB,", outcome)
"""


def zip_bomb(path: Path, megabytes: int) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    path.write_bytes(buffer.getvalue())
    return path


def peak(path: Path) -> str:
    out = subprocess.run([sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    plans = [parse_plan_file(p) for p in sorted(EXAMPLES.glob("*.txt"))]
    cells = [i.deadline for plan in plans for i in plan.items]
    base, _ = timed(lambda: [parse_deadline(c, plan_start_year=2026, plan_end_year=2030) for c in cells], args.repeat)
    print(f"baseline: all {len(cells)} deadline cells of the example plans: {base * 1000:.1f} ms")
    for length in (1_990, 20_000, 35_000):
        for piece in PIECES:
            cell = (piece * (length // len(piece) + 1))[:length]
            took, d = timed(lambda cell=cell: parse_deadline(cell, plan_start_year=2026, plan_end_year=2030), args.repeat)
            what = "refused unread" if d.problems and "ký tự" in d.problems[0] else f"{len(d.milestones)} mốc"
            print(f"  {length:>6,} chars of {piece!r:26} {took * 1000:8.2f} ms  ({took / base:5.2f}× baseline; {what})")

    with tempfile.TemporaryDirectory() as tmp:
        ordinary = write_docx(plans[0], Path(tmp) / "plan.docx")
        bomb = zip_bomb(Path(tmp) / "bomb.docx", 400)
        print(f"baseline: peak memory parsing {ordinary.name} ({ordinary.stat().st_size:,} B): {peak(ordinary)}")
        print(f"peak memory parsing a .docx of {bomb.stat().st_size:,} B unpacking to 400 MB: {peak(bomb)}")


if __name__ == "__main__":
    main()
