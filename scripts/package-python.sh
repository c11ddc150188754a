#!/usr/bin/env bash
# Builds the Python wheel and sdist into dist/python without reaching the Python package index.
#
# jsii-pacmak's own Python build pip-installs setuptools/build/twine from the index. Instead, generate the
# Python sources only, then build them with the system interpreter's setuptools and wheel (Debian packages).
# The generated pyproject.toml pins a newer setuptools as build requirement; --no-build-isolation makes pip
# use the installed one rather than fetch it (setup.py only calls setuptools.setup, which setuptools >= 61 builds).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-/usr/bin/python3}"
OUT_DIR="dist/python"

if ! "$PYTHON" -c 'import setuptools, wheel, pip' >/dev/null 2>&1; then
  echo "package-python: $PYTHON with pip, setuptools and wheel is required to build the Python package." >&2
  echo "package-python: install them with: apt-get install -y --no-install-recommends python3-pip python3-setuptools python3-wheel" >&2
  echo "package-python: (or set PYTHON to an interpreter that has pip, setuptools and wheel)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "package-python: generating Python sources with jsii-pacmak"
jsii-pacmak -v --target python --code-only --outdir "$work"
src="$work/python"
if [[ ! -f "$src/setup.py" ]]; then
  echo "package-python: jsii-pacmak did not write $src/setup.py" >&2
  exit 1
fi

rm -rf "$OUT_DIR"
mkdir -p "$OUT_DIR"
out="$(cd "$OUT_DIR" && pwd)"

echo "package-python: building the wheel"
"$PYTHON" -m pip wheel --no-index --no-build-isolation --no-deps --disable-pip-version-check -w "$out" "$src"

echo "package-python: building the sdist"
(cd "$src" && "$PYTHON" -W ignore setup.py -q sdist -d "$out")

echo "package-python: wrote"
ls -l "$out"
