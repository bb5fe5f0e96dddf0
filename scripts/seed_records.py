"""Fills a local D1 database (SQLite under wrangler's --persist-to) with login records for
the benchmarks: `python3 scripts/seed_records.py PERSIST_DIR ORG_ID APP_ID USERS TOTAL HEAVY_USER`.

Writes TOTAL records spread over USERS users of one organization, a tenth of them
failures, one per minute going back from now; HEAVY_USER gets a tenth of all of them.
"""
import collections
import glob
import os
import random
import sqlite3
import sys
import time

persist, org, app, users, total, heavy = sys.argv[1:7]
users, total = int(users), int(total)
dbs = [p for p in glob.glob(os.path.join(persist, "v3", "d1", "**", "*.sqlite"), recursive=True)
       if "metadata" not in p]
if len(dbs) != 1:
    sys.exit(f"expected one local D1 database under {persist}, found {dbs}")
con = sqlite3.connect(dbs[0])
now = int(time.time() * 1000)
rng = random.Random(7)
uas = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
]

totals = collections.Counter()


def rows():
    for i in range(total):
        t = now - (total - i) * 60_000
        user = heavy if i % 10 == 0 else f"user-{rng.randrange(users):06d}"
        ok = rng.random() > 0.1
        outcome = "success" if ok else "failure"
        # record_totals (migration 0019): each record counts under four keys.
        for u in ("", user):
            for a in ("", app):
                totals[(org, u, a, outcome)] += 1
        yield (org, app, t, outcome, "password", None if ok else "bad_password",
               user, f"{user}@example.com", None, f"198.51.100.{i % 250}", "US", "Texas", "Austin",
               "America/Chicago", uas[i % 3], None, None, None, 7922, 30267153, -97743060, "[]")

con.execute("PRAGMA synchronous = OFF")
con.executemany(
    "INSERT INTO login_records (organization_id, application_id, created_at, outcome, method, failure_reason, "
    "user_id, login_id, session_id, ip, country, region, city, timezone, user_agent, device_name, device_type, "
    "device_description, asn, latitude_e6, longitude_e6, flags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    rows(),
)
con.executemany(
    "INSERT INTO record_totals (organization_id, user_id, application_id, outcome, n) VALUES (?,?,?,?,?) "
    "ON CONFLICT (organization_id, user_id, application_id, outcome) DO UPDATE SET n = n + excluded.n",
    [(*k, v) for k, v in totals.items()],
)
con.commit()
con.execute("ANALYZE")
con.close()
