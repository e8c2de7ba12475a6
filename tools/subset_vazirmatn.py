"""Make the Persian web font smaller: Vazirmatn cut down to the characters the app writes.

Usage: python tools/subset_vazirmatn.py   (needs fontTools: pip install fonttools==4.68.0)

Reads static/vendor/vazirmatn/Vazirmatn[wght].woff2 (the npm package's file, kept as it came)
and writes Vazirmatn-WCC[wght].woff2 next to it with only: Basic Latin, the Arabic block
(U+0600–06FF, Persian letters and digits), the Arabic presentation forms (U+FB50–FDFF,
U+FE70–FEFF), ZWNJ/ZWJ and the bidi marks, and common punctuation and symbols (guillemets,
dashes, ellipsis, ‰, €, −, ×). Every OpenType feature and the weight axis (100–900) stay, so
shaping and bold text are unchanged. Then points vazirmatn.css at the new file with a content
hash in its URL, so browsers may keep it for a year. The SIL Open Font License allows this;
the licence (OFL.txt) and the authors (AUTHORS.txt) stay beside the font.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "static" / "vendor" / "vazirmatn"
SOURCE = FOLDER / "Vazirmatn[wght].woff2"
TARGET = FOLDER / "Vazirmatn-WCC[wght].woff2"
UNICODES = ",".join([
    "U+0000-007F", "U+00A0", "U+00AB", "U+00BB", "U+00D7",        # Basic Latin, nbsp, « », ×
    "U+0600-06FF", "U+FB50-FDFF", "U+FE70-FEFF",                  # Arabic, presentation forms
    "U+200C-200F", "U+202A-202E", "U+2066-2069",                  # ZWNJ, ZWJ, LRM/RLM, bidi
    "U+2010-2027", "U+2030", "U+2039", "U+203A", "U+20AC", "U+2212", "U+25CC",
])
CSS = """/* Vazirmatn v33.0.3 (npm "vazirmatn"), variable font, weights 100-900, cut down to Latin,
   Arabic and Persian by tools/subset_vazirmatn.py (all features and the weight axis kept).
   SIL Open Font License 1.1, see OFL.txt. Vendored for offline use. */
@font-face {
  font-family: 'Vazirmatn';
  src: url('./Vazirmatn-WCC[wght].woff2?v=%s') format('woff2');
  font-weight: 100 900;
  font-style: normal;
  font-display: swap;
}
"""


def main() -> None:
    subprocess.run([sys.executable, "-m", "fontTools.subset", str(SOURCE), f"--unicodes={UNICODES}",
                    "--layout-features=*", "--flavor=woff2", f"--output-file={TARGET}"], check=True)
    digest = hashlib.sha256(TARGET.read_bytes()).hexdigest()[:12]
    (FOLDER / "vazirmatn.css").write_text(CSS % digest, encoding="utf-8")
    print(f"{TARGET.name}: {TARGET.stat().st_size:,} bytes (from {SOURCE.stat().st_size:,})")


if __name__ == "__main__":
    main()
