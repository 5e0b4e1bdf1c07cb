"""`yuqing run --replay`: a malformed fixture manifest is one clear line before the daemon starts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from yuqing.cli import cli


def test_a_malformed_manifest_stops_the_replay_daemon_with_one_line(tmp_path: Path):
    fixtures = tmp_path / "fixtures"
    (fixtures / "weibo").mkdir(parents=True)
    (fixtures / "weibo" / "manifest.json").write_text('{"rounds": {"1": {"captured_at": 5}}}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'y.db'}", "run", "--replay", str(fixtures),
                                      "--exit-after-replay"])
    assert result.exit_code == 1, result.output
    assert "fixture manifest" in result.output and "malformed" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
