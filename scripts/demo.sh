#!/usr/bin/env bash
# The offline demo: replay the saved pages into a fresh SQLite database, analyse, show the top incidents,
# and write the weekly briefing of the replayed week.
# Every step is an ordinary yuqing command; run them one by one to see each stage.
set -euo pipefail
cd "$(dirname "$0")/.."
export YUQING_DB_URL=${YUQING_DB_URL:-sqlite:///var/demo.db}
case "$YUQING_DB_URL" in sqlite:///var/demo.db) rm -f var/demo.db var/demo.db-wal var/demo.db-shm ;; esac

yuqing=.venv/bin/yuqing
$yuqing replay                                          # fixtures/ → the real Scrapy engine → database
$yuqing analyze --now 2026-11-21T10:00:00+08:00         # relevance, sentiment, events, risk levels; raises alerts
$yuqing alerts dispatch --now 2026-11-21T10:01:00+08:00 # the outbox → the duty officer (console channel offline)
$yuqing alerts list                                     # one open alert per in-district incident
$yuqing report weekly --week 2026-W47 --now 2026-11-21T10:00:00+08:00 --out var/reports  # 舆情周报 docx/html/md
