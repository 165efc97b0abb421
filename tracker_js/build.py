"""Build dist/tracker.min.js from src/tracker.js with terser (npm, at build time only).

The first line of the output records the SHA-256 of the source it was built from, so a test can
tell that the committed build is older than the source without node. Run with `make tracker`;
`--check` rebuilds in memory with the installed terser and fails when the committed file differs.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "src" / "tracker.js"
OUTPUT = HERE / "dist" / "tracker.min.js"
TERSER = HERE / "node_modules" / ".bin" / "terser"
TERSER_ARGS = ["--compress", "--mangle", "--comments", "false"]


def header() -> str:
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()
    return f"/* analytics-server tracker; source sha256:{digest} */\n"


def minified() -> str:
    """The build as it should be, from the terser in node_modules."""
    result = subprocess.run(
        [str(TERSER), str(SOURCE), *TERSER_ARGS],
        cwd=HERE,
        check=True,
        capture_output=True,
        text=True,
    )
    return header() + result.stdout.rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if OUTPUT.read_text(encoding="utf-8") != minified():
            sys.stderr.write("dist/tracker.min.js is not the build of src/: run make tracker\n")
            return 1
        return 0
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(minified(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
