"""Command output: JSON Lines are UTF-8 on stdout whatever the locale's encoding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_json_lines_are_utf8_in_a_c_locale():
    script = "from yuqing.output import write_jsonl; print('rows:'); write_jsonl([{'place': '\\u5929\\u5b81'}, {'n': 2}])"
    env = os.environ | {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                        "PYTHONIOENCODING": "", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0] == "rows:" and [json.loads(line) for line in lines[1:]] == [{"place": "天宁"}, {"n": 2}]
