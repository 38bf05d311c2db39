#!/usr/bin/env bash
# Create (or update) the two Python environments:
#   .venv-rasa  Python 3.10, Rasa Open Source 3.6 (requirements-rasa.txt)
#   .venv       Python 3.11, action server, gateway, tests (requirements.txt)
# Each is rebuilt only when its requirements file changed (a stamp holds its hash).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # $1 = version, e.g. 3.10
  local v=$1 candidate
  for candidate in "python$v" "$HOME/.pyenv/versions/$v"*/bin/"python$v" "/usr/local/bin/python$v" "/usr/bin/python$v"; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys' >/dev/null 2>&1; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

setup_venv() {  # $1 = dir, $2 = python version, $3 = requirements file, $4 = hint
  local dir=$1 version=$2 reqs=$3 hint=$4 python stamp want
  want=$(sha256sum "$reqs" | cut -d' ' -f1)
  stamp="$dir/.requirements.sha256"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  if ! python=$(find_python "$version"); then
    echo "error: $hint needs Python $version, which was not found." >&2
    echo "Install it, e.g. with pyenv:  pyenv install $version  (or: apt-get install python$version)" >&2
    exit 1
  fi
  echo "Setting up $dir with $python ($reqs); this takes a few minutes the first time ..."
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  mkdir -p var
  if ! "$dir/bin/python" -m pip install --disable-pip-version-check -q -r "$reqs" >"var/pip-$(basename "$dir").log" 2>&1; then
    grep -v "is ignored: it is neither" "var/pip-$(basename "$dir").log" | tail -n 30 >&2
    echo "error: installing $reqs into $dir failed (full log: var/pip-$(basename "$dir").log)" >&2
    exit 1
  fi
  echo "$want" >"$stamp"
}

setup_venv .venv-rasa 3.10 requirements-rasa.txt "Rasa Open Source 3.6"
setup_venv .venv 3.11 requirements.txt "The action server and gateway"
# Rasa's NLU reads sentence vectors of all-MiniLM-L6-v2 (bot/rasa_features.py) from an
# ONNX export that only .venv, which has torch, can make (skipped when current).
.venv/bin/python -m bot.ops.export_encoder
