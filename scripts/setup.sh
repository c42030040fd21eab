#!/usr/bin/env bash
# Creates .venv/ in the repository root and installs HEROES into it.
#   scripts/setup.sh         the platform
#   scripts/setup.sh --dev   the platform and everything the tests need (Chromium included)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" - <<'PY' || { echo "HEROES needs Python 3.11 or newer." >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

if ! "$PYTHON" -c "import venv, ensurepip" >/dev/null 2>&1; then
  echo "Installing python3-venv (Debian package)..."
  as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv
fi

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true

if [ "${1:-}" = "--dev" ]; then
  .venv/bin/pip install -q -e '.[dev]'
  FFMPEG_DEV="libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libavdevice-dev libavfilter-dev libswresample-dev"
  missing=""
  command -v chromium >/dev/null 2>&1 || missing="chromium"
  # the training certificates print names in any alphabet with DejaVu (Latin-1 only without it)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
  # shellcheck disable=SC2086
  dpkg -s $FFMPEG_DEV >/dev/null 2>&1 || missing="$missing $FFMPEG_DEV pkg-config"
  if [ -n "$missing" ]; then
    echo "Installing Debian packages for the tests:$missing"
    # shellcheck disable=SC2086
    as_root apt-get update -qq && as_root apt-get install -y -qq $missing >/dev/null
  fi
  # axe-core for the training tool's accessibility checks in the browser tests (test-only, not served by the app)
  if command -v npm >/dev/null 2>&1; then
    (cd tests/training && npm install --no-audit --no-fund --silent) \
      || echo "warning: npm could not install axe-core; the training browser tests will fail" >&2
  else
    echo "warning: npm is missing (apt-get install npm); the training browser tests need axe-core" >&2
  fi
  # Meta's reference vPDQ, to check ours against it; it builds only against Debian's FFmpeg.
  .venv/bin/python -c "import vpdq" 2>/dev/null || .venv/bin/pip install -q vpdq \
    || echo "warning: the reference vpdq package did not build; its comparison test will be skipped" >&2
else
  .venv/bin/pip install -q -e .
fi
# RIMA's PDF transcripts are set in DejaVu Sans (Latin, Greek, Cyrillic, Arabic and Hebrew glyphs).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || { as_root apt-get update -qq \
  && as_root apt-get install -y -qq fonts-dejavu-core >/dev/null; } \
  || echo "warning: fonts-dejavu-core missing; heroes rima report cannot write PDF" >&2
# FCA's tests build ext4 images with mke2fs -d; OCR (--ocr, images and scanned PDF pages) uses Tesseract
# with English and Spanish (a Tesseract without the Spanish data counts as missing).
command -v mke2fs >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx spa || { as_root apt-get update -qq \
  && as_root apt-get install -y -qq e2fsprogs tesseract-ocr tesseract-ocr-spa >/dev/null; } \
  || echo "warning: e2fsprogs or tesseract-ocr missing; FCA image tests skip and --ocr finds no text" >&2
echo "HEROES installed in .venv/"
