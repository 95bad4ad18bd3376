"""A small fake of the BigQuery REST API and Google's OAuth token endpoint, for tests.

The real service is out of reach here. This serves what google-cloud-bigquery (and so
``%%bigquery`` and pandas-gbq) calls: jobs.insert, jobs.get, jobs.query, getQueryResults,
tables.get and tabledata.list under ``/bigquery/v2``, plus ``POST /token`` for the two
ways to get an access token: a service account's signed JWT (the signature is checked
against the account's public key) and an OAuth refresh token. Every BigQuery call needs
a token it issued. Queries run on SQLite over a few tables (``demo.names``), so results
are computed, not canned. ``GET /_fake/log`` tells who ran which query on which project.

Standard library plus ``cryptography`` only: tests run it inside a sandboxed runtime
(on the runtime's own loopback) or in the test process.

    python fake_bigquery.py CONFIG.json PORT    # prints "ready <port>" when listening
CONFIG: {"service_accounts": {email: public_key_pem},
         "oauth_clients": {client_id: {"secret": s, "refresh_token": t}}}
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import sqlite3
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROWS = [("ada", 36, 1.5), ("grace", 85, 2.25), ("alan", 41, 3.0), ("edsger", 72, 0.5)]
_TABLE = re.compile(r"`(?:[\w-]+\.)?(\w+)\.(\w+)`")


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Fake:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.tokens: dict[str, str] = {}  # access token -> who it was issued to
        self.jobs: dict[str, dict[str, Any]] = {}
        self.log: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE TABLE demo_names (name TEXT, n INTEGER, score REAL)")
        self.db.executemany("INSERT INTO demo_names VALUES (?, ?, ?)", ROWS)

    # --- OAuth ---------------------------------------------------------------

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = form.get("grant_type", "")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            who = self._check_jwt(form.get("assertion", ""))
        elif grant == "refresh_token":
            client = self.config.get("oauth_clients", {}).get(form.get("client_id", ""))
            ok = client is not None and client["secret"] == form.get("client_secret")
            who = (
                form["client_id"]
                if ok and client["refresh_token"] == form.get("refresh_token")
                else None
            )
        else:
            who = None
        if who is None:
            return 400, {"error": "invalid_grant", "error_description": "bad credentials"}
        token = "fake-" + secrets.token_urlsafe(16)
        self.tokens[token] = who
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def _check_jwt(self, jwt: str) -> str | None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            head, body, sig = jwt.split(".")
            claims = json.loads(_b64(body))
            pem = self.config.get("service_accounts", {}).get(claims.get("iss"))
            if pem is None:
                return None
            key: Any = serialization.load_pem_public_key(pem.encode())
            key.verify(_b64(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, InvalidSignature):
            return None
        return str(claims["iss"])

    # --- BigQuery --------------------------------------------------------------

    def run_query(self, who: str, project: str, sql: str, job_id: str) -> dict[str, Any]:
        with self.lock:
            cursor = self.db.execute(_TABLE.sub(r"\1_\2", sql))
            rows = cursor.fetchall()
            names = [d[0] for d in cursor.description or []]
        fields = []
        for i, name in enumerate(names):
            sample = next((r[i] for r in rows if r[i] is not None), None)
            kind = {int: "INTEGER", float: "FLOAT", bool: "BOOLEAN"}.get(type(sample), "STRING")
            fields.append({"name": name, "type": kind, "mode": "NULLABLE"})
        job = {
            "project": project,
            "job_id": job_id,
            "sql": sql,
            "schema": {"fields": fields},
            "rows": [{"f": [{"v": None if v is None else str(v)} for v in r]} for r in rows],
        }
        self.jobs[job_id] = job
        self.log.append({"who": who, "project": project, "query": sql})
        return job

    def job_resource(self, job: dict[str, Any]) -> dict[str, Any]:
        ref = {"projectId": job["project"], "jobId": job["job_id"], "location": "US"}
        dest = {
            "projectId": job["project"],
            "datasetId": "_fake",
            "tableId": "anon_" + job["job_id"],
        }
        return {
            "kind": "bigquery#job",
            "id": f"{job['project']}:US.{job['job_id']}",
            "jobReference": ref,
            "configuration": {
                "jobType": "QUERY",
                "query": {"query": job["sql"], "destinationTable": dest},
            },
            "status": {"state": "DONE"},
            "statistics": {
                "creationTime": "0",
                "startTime": "0",
                "endTime": "0",
                "query": {"statementType": "SELECT", "totalBytesProcessed": "0"},
            },
        }

    def page(self, job: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        start = int(query.get("pageToken") or query.get("startIndex") or 0)
        limit = int(query.get("maxResults", 1000))
        rows = job["rows"][start : start + limit]
        out: dict[str, Any] = {"totalRows": str(len(job["rows"])), "schema": job["schema"]}
        if rows or limit:
            out["rows"] = rows
        if start + limit < len(job["rows"]):
            out["pageToken"] = str(start + limit)
        return out


def handler(fake: Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _who(self) -> str | None:
            auth = self.headers.get("Authorization", "")
            return (
                fake.tokens.get(auth.removeprefix("Bearer "))
                if auth.startswith("Bearer ")
                else None
            )

        def _route(self, method: str) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            path = url.path
            if method == "POST" and path == "/token":
                form = dict(urllib.parse.parse_qsl(self._body().decode()))
                return self._send(*fake.token(form))
            if path == "/_fake/log":
                return self._send(200, fake.log)
            who = self._who()
            if who is None:
                return self._send(401, {"error": {"code": 401, "message": "no valid token"}})
            m = re.fullmatch(r"/bigquery/v2/projects/([\w-]+)/(.*)", path)
            if not m:
                return self._send(404, {"error": {"code": 404, "message": path}})
            project, rest = m.groups()
            body = json.loads(self._body() or b"{}") if method == "POST" else {}
            if method == "POST" and rest == "jobs":
                job_id = body.get("jobReference", {}).get("jobId") or secrets.token_hex(8)
                sql = body["configuration"]["query"]["query"]
                return self._send(200, fake.job_resource(fake.run_query(who, project, sql, job_id)))
            if method == "POST" and rest == "queries":
                job = fake.run_query(who, project, body["query"], secrets.token_hex(8))
                ref = fake.job_resource(job)["jobReference"]
                out = {"kind": "bigquery#queryResponse", "jobReference": ref, "jobComplete": True}
                return self._send(
                    200, {**out, **fake.page(job, {"maxResults": body.get("maxResults", 1000)})}
                )
            m = re.fullmatch(r"(jobs|queries)/([\w-]+)", rest)
            if method == "GET" and m and m.group(2) in fake.jobs:
                job = fake.jobs[m.group(2)]
                if m.group(1) == "jobs":
                    return self._send(200, fake.job_resource(job))
                ref = fake.job_resource(job)["jobReference"]
                out = {
                    "kind": "bigquery#getQueryResultsResponse",
                    "jobReference": ref,
                    "jobComplete": True,
                }
                return self._send(200, {**out, **fake.page(job, query)})
            m = re.fullmatch(r"datasets/_fake/tables/anon_([\w-]+)(/data)?", rest)
            if method == "GET" and m and m.group(1) in fake.jobs:
                job = fake.jobs[m.group(1)]
                if m.group(2):
                    return self._send(200, fake.page(job, query))
                table = {
                    "projectId": project,
                    "datasetId": "_fake",
                    "tableId": "anon_" + m.group(1),
                }
                return self._send(
                    200,
                    {
                        "kind": "bigquery#table",
                        "tableReference": table,
                        "schema": job["schema"],
                        "numRows": str(len(job["rows"])),
                        "type": "TABLE",
                    },
                )
            return self._send(404, {"error": {"code": 404, "message": f"{method} {path}"}})

        def do_GET(self) -> None:
            self._route("GET")

        def do_POST(self) -> None:
            self._route("POST")

    return Handler


def serve(config: dict[str, Any], port: int = 0) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler(Fake(config)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        cfg = json.load(f)
    srv = serve(cfg, int(sys.argv[2]))
    print("ready", srv.server_address[1], flush=True)
    threading.Event().wait()
