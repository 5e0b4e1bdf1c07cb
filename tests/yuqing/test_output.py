"""Command output: JSON Lines are UTF-8 on stdout whatever the locale's encoding; table cells are plain text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from yuqing.output import print_table

ROOT = Path(__file__).resolve().parents[2]


def test_json_lines_are_utf8_in_a_c_locale():
    script = "from yuqing.output import write_jsonl; print('rows:'); write_jsonl([{'place': '\\u5929\\u5b81'}, {'n': 2}])"
    env = os.environ | {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0",
                        "PYTHONIOENCODING": "", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, env=env, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    lines = done.stdout.decode("utf-8").splitlines()
    assert lines[0] == "rows:" and [json.loads(line) for line in lines[1:]] == [{"place": "天宁"}, {"n": 2}]


def test_table_cells_are_plain_text_never_rich_markup(capsys):
    print_table("预警", [("title", "事件"), ("reason", "原因")],
                [{"title": "[/bold] 天宁 火灾 [link=http://evil.example]点我[/link]", "reason": "[x] 原因"}])
    shown = capsys.readouterr().out
    assert "[/bold] 天宁 火灾 [link=http://evil.example]点我[/link]" in shown and "[x] 原因" in shown
    assert "\x1b]8;" not in shown  # no terminal hyperlink
