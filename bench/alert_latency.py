"""Alert latency: from the end of a replay crawl (its posts committed) to each resulting robot notification received.

What runs: ``yuqing run --replay fixtures/ --exit-after-replay`` in a subprocess on a fresh SQLite database, with
the shipped 天宁区 config whose 企业微信 robot channel points at a local robot — an HTTP server in this process
that answers like WeCom (``{"errcode": 0}``) and records each POST's arrival time (``alerts.allowed_hosts`` gets
127.0.0.1). The daemon is warm: the analysis models and channels load once at start-up, before the first crawl,
and start-up is excluded. Every crawl job records in ``job_runs.details`` two wall-clock marks: ``committed_unix``
(the crawl subprocess has exited, so its posts are committed) and ``after_finished_unix`` (analysis, alert
evaluation and the immediate dispatch are done). A notification belongs to the earliest-committed crawl whose
window [committed, after_finished] contains its arrival (after-crawl steps are serialised, so a later crawl's
messages arrive after the earlier window closes); its latency is arrival − committed.
Bench-only settings: the robot's 20 messages/minute quota is lifted and the 30 s escalation tick is moved out of
the way (3600 s), so what is measured is the pipeline's own path, crawl → analysis → alerts → dispatch.
Baseline: none in the same run; the target is p95 ≤ 1,000 ms (without the immediate dispatch after analysis,
a notification would wait up to the 30 s dispatcher tick).
Last line: ``p50_ms=N p95_ms=N``.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from config import DEFAULT_CONFIG  # noqa: E402
from storage import Database  # noqa: E402
from storage.daemon_models import JobRun  # noqa: E402


class Robot(BaseHTTPRequestHandler):
    """A local 企业微信 robot: records when each message arrives."""

    arrivals: list[float] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        arrived = time.time()
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Robot.arrivals.append(arrived)
        body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Quiet."""


def bench_config(path: Path) -> Path:
    """The shipped config with 127.0.0.1 allowed, no robot quota, and the escalation tick out of the way."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^allowed_hosts = \[", 'allowed_hosts = ["127.0.0.1", ', text, count=1)
    text = re.sub(r"(?m)^rate_limit_per_minute = 20", "rate_limit_per_minute = 100000", text)
    text = re.sub(r"(?m)^alerts_tick_seconds = .*$", "alerts_tick_seconds = 3600", text, count=1)
    path.write_text(text, encoding="utf-8")
    return path


def run_daemon(work: Path, port: int) -> tuple[int, float]:
    env = os.environ | {"PYTHONPATH": str(ROOT),
                        "YUQING_WECOM_WEBHOOK": f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=bench"}
    env.pop("YUQING_DB_URL", None)
    command = [sys.executable, "-m", "yuqing", "--config", str(bench_config(work / "bench.toml")),
               "--db", f"sqlite:///{work / 'yuqing.db'}", "run", "--replay", str(ROOT / "fixtures"),
               "--exit-after-replay"]
    started = time.monotonic()
    with open(work / "daemon.log", "wb") as log:
        code = subprocess.run(command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=log, timeout=900).returncode
    return code, time.monotonic() - started


def crawl_details(work: Path) -> list[dict]:
    """``job_runs.details`` of every crawl that recorded its wall-clock marks."""
    db = Database(f"sqlite:///{work / 'yuqing.db'}")
    try:
        with db.session() as session:
            runs = session.scalars(select(JobRun).where(JobRun.job_id.like("crawl-%"))).all()
            return [run.details for run in runs if "committed_unix" in (run.details or {})]
    finally:
        db.dispose()


def crawl_windows(details: list[dict]) -> list[tuple[float, float]]:
    return sorted((run["committed_unix"], run["after_finished_unix"]) for run in details)


def phases(details: list[dict]) -> str:
    """Where the after-crawl time of the crawls that sent something went: the slowest such crawl's steps."""
    sending = [run for run in details if run.get("sent")]
    if not sending:
        return "no crawl sent a notification"
    slowest = max(sending, key=lambda run: run["after_finished_unix"] - run["committed_unix"])
    return " ".join(f"{key}={slowest.get(key)}" for key in ("analysed", "changed_events", "sent", "analysis_ms",
                                                            "alerts_ms", "dispatch_ms"))


def latencies_ms(arrivals: list[float], windows: list[tuple[float, float]]) -> list[float]:
    found = []
    for arrived in arrivals:
        owner = next((start for start, end in windows if start <= arrived <= end), None)
        if owner is not None:
            found.append((arrived - owner) * 1000)
    return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="yuqing-latency-") as tmp:
        work = Path(tmp)
        code, seconds = run_daemon(work, server.server_address[1])
        server.shutdown()
        if code != 0:
            print((work / "daemon.log").read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
            print(f"yuqing run exited with {code}", file=sys.stderr)
            return 1
        details = crawl_details(work)
    windows = crawl_windows(details)
    measured = latencies_ms(Robot.arrivals, windows)
    if not measured:
        print("no notification arrived during a crawl's after-crawl window", file=sys.stderr)
        return 1
    print(f"crawls={len(windows)} notifications={len(Robot.arrivals)} attributed={len(measured)} "
          f"max_ms={max(measured):.0f} daemon_s={seconds:.1f}")
    print(f"slowest sending crawl: {phases(details)}")
    print(f"p50_ms={percentile(measured, 0.5):.0f} p95_ms={percentile(measured, 0.95):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
