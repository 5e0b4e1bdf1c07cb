#!/usr/bin/env bash
# Set up yuqing on a fresh Debian/Ubuntu machine or clone: system packages where we can, then a venv.
# Usage: scripts/setup.sh            (idempotent; safe to run again)
set -euo pipefail
cd "$(dirname "$0")/.."

# CJK fonts for the report charts (fonts-noto-cjk). Needs root/sudo; skipped with a warning otherwise.
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|Noto Serif CJK\|WenQuanYi"; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
    if $SUDO true 2>/dev/null; then
      $SUDO apt-get update -qq >/dev/null || true
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fontconfig >/dev/null \
        || echo "warning: could not install fonts-noto-cjk; report charts will warn about missing CJK glyphs" >&2
    else
      echo "warning: no root: install fonts-noto-cjk yourself for Chinese chart labels" >&2
    fi
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "yuqing installed in .venv (run: .venv/bin/yuqing --help)"
