"""Build dist/tracker.min.js from src/tracker.js (terser from the npm registry, at build time).

The first line of the output records the SHA-256 of the source it was built from; a test
fails when the committed build is older than the source. Run with `make tracker`.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "src" / "tracker.js"
OUTPUT = HERE / "dist" / "tracker.min.js"


def source_digest() -> str:
    return hashlib.sha256(SOURCE.read_bytes()).hexdigest()


def main() -> None:
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True)
    subprocess.run(["npm", "run", "--silent", "build"], cwd=HERE, check=True)
    body = OUTPUT.read_text(encoding="utf-8")
    header = f"/* analytics-server tracker; source sha256:{source_digest()} */\n"
    OUTPUT.write_text(header + body, encoding="utf-8")


if __name__ == "__main__":
    main()
