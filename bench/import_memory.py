"""Benchmark: memory and time to read an uploaded XLSX, streaming against openpyxl's default mode.

    python bench/import_memory.py [--rows 5000] [--formatted-rows 5000] [--limit-mb 1500]

Generates a workbook the way staff spreadsheets come: `--rows` member rows of 14 columns, then
`--formatted-rows` empty rows that only carry formatting (one formatted cell at column XFD), with
the declared size Excel writes for such a sheet (A1:XFD<last row>). Each way of reading runs in a
fresh child process, so its peak RSS is its own, and every row is read to the end:

- streaming: members/import_reading.py as the import uses it (read-only, declared size ignored,
  rows cut at the header's width);
- read-only, declared size: openpyxl's read-only mode trusting the declared size (the import
  before this change: every row padded to 16,384 cells);
- default: openpyxl.load_workbook() with no options (the whole workbook as objects in memory).

Prints one line per way: peak RSS, growth over the child's RSS before reading, and seconds.
Each child may use at most `--limit-mb` of address space and `--timeout` seconds: openpyxl's
default mode builds a cell object for every declared cell (16,384 a row here) and would otherwise
take the machine's memory; it is then reported as stopped at the limit.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("streaming", "read-only, declared size", "default")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _workbook(path: Path, rows: int, formatted: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(
        ["種別", "姓", "名", "セイ", "メイ", "メールアドレス", "電話番号", "郵便番号"]
        + ["都道府県", "市区町村", "町名番地", "建物名", "ボランティア", "備考"]
    )
    for n in range(rows):
        sheet.append(
            ["個人", "山田", f"花子{n}", "ヤマダ", "ハナコ", f"member{n}@example.jp"]
            + ["090-1234-5678", "352-0011", "", "", f"野火止{n % 9 + 1}-2-3", "", "はい", ""]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    last = rows + 1 + formatted
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                xml = data.decode()
                filler = "".join(
                    f'<row r="{n}"><c r="A{n}" s="0"/><c r="XFD{n}" s="0"/></row>'
                    for n in range(rows + 2, last + 1)
                )
                xml = xml.replace("</sheetData>", filler + "</sheetData>")
                if "<dimension" not in xml:
                    xml = xml.replace("<sheetData", f'<dimension ref="A1:XFD{last}"/><sheetData', 1)
                data = xml.encode()
            target.writestr(item, data)


def _child(mode: str, path: str, limit_mb: int) -> None:
    sys.path.insert(0, str(ROOT))
    from openpyxl import load_workbook

    before = _rss_mb()
    limit = limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    started = time.perf_counter()
    counts = [0, 0]  # rows, cells: kept when the reading runs out of memory half-way
    stopped = False
    try:
        _read(mode, path, load_workbook, counts)
    except MemoryError:
        stopped = True
    result = {
        "before": before,
        "peak": _rss_mb(),
        "seconds": time.perf_counter() - started,
        "rows": counts[0],
        "cells": counts[1],
        "stopped": stopped,
    }
    print(json.dumps(result))


def _read(mode: str, path: str, load_workbook, counts: list) -> None:
    if mode == "streaming":
        from members.import_reading import xlsx_table

        with open(path, "rb") as raw:
            table = xlsx_table(raw)
            for _line, row in table.rows:
                counts[0] += 1
                counts[1] += len(row)
            table.close()
        return
    if mode == "read-only, declared size":
        workbook = load_workbook(path, read_only=True, data_only=True)
    else:
        workbook = load_workbook(path)
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        counts[0] += 1
        counts[1] += len(row)
    if mode != "default":
        workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--formatted-rows", type=int, default=5_000)
    parser.add_argument("--limit-mb", type=int, default=1500)
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child, args.limit_mb)
        return

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "members.xlsx"
        _workbook(path, args.rows, args.formatted_rows)
        size = path.stat().st_size
        print(
            f"workbook: {args.rows:,} member rows + {args.formatted_rows:,} formatted empty rows, "
            f"declared A1:XFD{args.rows + 1 + args.formatted_rows}, {size / 1024:,.0f} KB"
        )
        print(f"{'mode':<26} {'peak RSS':>10} {'growth':>10} {'time':>9} {'rows':>9} {'cells':>14}")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for mode in MODES:
            command = [sys.executable, __file__, "--child", mode, str(path)]
            command += ["--limit-mb", str(args.limit_mb)]
            try:
                done = subprocess.run(  # noqa: S603 - our own script, our own arguments
                    command,
                    capture_output=True,
                    text=True,
                    env=env,
                    check=False,
                    timeout=args.timeout,
                )
            except subprocess.TimeoutExpired:
                print(f"{mode:<26} stopped after {args.timeout} s")
                continue
            if done.returncode:
                print(f"{mode:<26} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            note = f"  stopped: over {args.limit_mb:,} MB" if r["stopped"] else ""
            print(
                f"{mode:<26} {r['peak']:>7.0f} MB {r['peak'] - r['before']:>7.0f} MB "
                f"{r['seconds']:>7.1f} s {r['rows']:>9,} {r['cells']:>14,}{note}"
            )


if __name__ == "__main__":
    main()
