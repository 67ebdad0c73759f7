"""Users, roles, sign-in, tokens, CSRF, limits and writes through the web (issue 14), on a real
database file: the 401/403 matrix walks every route of the app (`route_walk`) for an anonymous
caller, a reader, a researcher and an admin."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import ROOT, SAMPLE_ID
from corroborate import Library
from corroborate.cli import main
from corroborate.settings import Settings
from corroborate.users import AuthError, Caller, Users
from corroborate.web import auth, write_routes
from corroborate.web.app import create_app
from route_walk import app_routes

ROLES = ["reader", "researcher", "admin"]
PASSWORD = "correct horse battery staple"
TEXT_DOC = ROOT / "tests" / "fixtures" / "text" / "page-with-footnotes.txt"
HTML = {"Accept": "text/html"}
SETUP = Caller("test setup", "admin")

# The role each route needs beyond its default (GET: reader; any write: researcher).
NEEDS = {("GET", "/api/log"): "admin", ("GET", "/upload"): "researcher",
         # a caseworker's own saved searches: any signed-in user writes them
         ("POST", "/api/searches"): "reader", ("DELETE", "/api/searches/{search_id}"): "reader",
         ("POST", "/searches"): "reader", ("POST", "/searches/{search_id}/delete"): "reader",
         # a ToR to check the report against: a read, whatever the method
         ("POST", "/api/reports/{report_id}/tor"): "reader", ("POST", "/reports/{report_id}/tor"): "reader"}
PUBLIC = {("GET", "/api/health"), ("GET", "/signin")}
# tested on their own, not in the matrix: sign-in/out below, the feed's token in test_alerts.py
ON_THEIR_OWN = {("POST", "/signin"), ("POST", "/signout"), ("GET", "/searches/{search_id}/feed.atom")}


@pytest.fixture(scope="module")
def site(sample_db_master, tmp_path_factory):
    db = tmp_path_factory.mktemp("auth") / "sample.db"
    shutil.copy(sample_db_master, db)
    with Library(db) as lib:
        users = Users(lib.store)
        tokens = {role: users.add(f"{role}1", role, SETUP)["token"] for role in ROLES}
        for role in ROLES:
            users.set_password(f"{role}1", PASSWORD, SETUP)
        dplf = next(s["id"] for s in lib.sources() if s["author"] == "DPLF")
    app = create_app(Settings(db=str(db), embeddings=False))
    return {"app": app, "db": db, "tokens": tokens, "dplf": dplf}


def bearer(site, role: str | None) -> dict:
    return {"Authorization": f"Bearer {site['tokens'][role]}"} if role else {}


def _request(client: TestClient, site, method: str, path: str, headers: dict):
    values = {"report_id": SAMPLE_ID, "source_id": site["dplf"], "job_id": "no-such-job",
              "case_id": "999999", "item": "1",  # no such case: every case route answers 404, 400 or 422
              "search_id": "1"}
    if method == "DELETE" or path.endswith("/delete"):
        values["report_id"] = "no-such-report"  # the matrix must not delete the sample
    url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
    if not url.startswith("/api/"):
        headers = {**headers, **HTML}
    kwargs: dict = {"headers": headers}
    if path in ("/api/reports", "/upload") and method == "POST":
        kwargs["files"] = {"file": ("note.txt", TEXT_DOC.read_bytes(), "text/plain")}
    elif method in ("PATCH", "PUT"):
        kwargs["json"] = {"title": "Peru – Country Focus"} if method == "PATCH" else {"confidential": False}
    elif path.endswith("/tor") and method == "POST" and path.startswith("/api/"):
        kwargs["content"] = b"Overview\n    - Freedom of movement\n"
        kwargs["headers"] = {**headers, "Content-Type": "text/plain; charset=utf-8"}
    elif path.endswith("/tor") and method == "POST":
        kwargs["data"] = {"terms": "Overview\n    - Freedom of movement\n"}
    elif path.endswith("/metadata"):
        kwargs["data"] = {"title": "Peru – Country Focus"}
    elif path.endswith("/confidential"):
        kwargs["data"] = {"confidential": "0"}
    params = {"/api/search": {"q": "police"}, "/api/ask": {"q": "How many police stations?"},
              "/api/compile": {"q": "How many police stations?"}}.get(path, {})
    return client.request(method, url, params=params, follow_redirects=False, **kwargs)


def test_every_route_for_anonymous_reader_researcher_and_admin(site):
    client = TestClient(site["app"])
    routes = [r for r in app_routes(site["app"]) if r not in ON_THEIR_OWN]
    assert len(routes) >= 35
    for method, path in routes:
        # case files are every user's own work product: a reader writes them too
        needed = NEEDS.get((method, path), "reader" if method == "GET" or "/cases" in path else "researcher")
        for role in [None, *ROLES]:
            r = _request(client, site, method, path, bearer(site, role))
            where = f"{method} {path} as {role or 'anonymous'}: {r.status_code} {r.text[:200]}"
            if (method, path) in PUBLIC:
                assert r.status_code == 200, where
            elif role is None and path.startswith("/api/") or role is None and path.startswith("/docs"):
                assert r.status_code in (401, 303), where
            elif role is None:
                assert r.status_code == 303 and r.headers["location"].startswith("/signin?next="), where
            elif ROLES.index(role) < ROLES.index(needed):
                assert r.status_code == 403, where
            else:
                assert r.status_code < 500 and r.status_code not in (401, 403), where
    # the researcher's and admin's uploads went in (their jobs run in the background)
    deadline = time.monotonic() + 120
    while not all(j.done for j in write_routes.JOBS.jobs.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
    with Library(site["db"], caller=SETUP) as lib:
        assert "note" in {r["id"] for r in lib.reports()}
        actions = [e["action"] for e in lib.audit_log(1000)]
    # researcher and admin, each through the API and a form: every write is logged
    assert actions.count("metadata") == actions.count("not-confidential") == 4
    statuses = sorted(j.files[0].status for j in write_routes.JOBS.jobs.values())
    assert statuses == ["added", "unchanged", "unchanged", "unchanged"]  # the same bytes, stored once
    # one ingest of the sample (the fixture), one of the note; "unchanged" wrote nothing
    assert actions.count("ingest") == 2 and "delete" not in actions  # deletes hit no report


def test_api_answers_401_json_and_pages_redirect_to_sign_in(site):
    client = TestClient(site["app"])
    r = client.get("/api/reports")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert "API token" in r.json()["detail"]
    r = client.get("/search?q=police", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin?next=/search%3Fq%3Dpolice"
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/static/app.js").status_code == 200


# --- bad input: each a clear error and nothing written -------------------------------------


def _log_size(site) -> int:
    with Library(site["db"], caller=SETUP) as lib:
        return len(lib.audit_log(10_000))


def _sign_in(client: TestClient, name: str, password: str = PASSWORD, next_: str = "/"):
    client.get("/signin")  # sets the CSRF cookie
    csrf = client.cookies.get(auth.CSRF_COOKIE)
    return client.post("/signin", data={"name": name, "password": password, "next": next_, "csrf": csrf},
                       headers=HTML, follow_redirects=False)


def test_wrong_password_is_refused_and_writes_nothing(site):
    client = TestClient(site["app"])
    before = _log_size(site)
    r = _sign_in(client, "reader1", "not the password")
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    assert auth.SESSION_COOKIE not in client.cookies
    r = _sign_in(client, "nobody", PASSWORD)
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    assert _log_size(site) == before


def test_sign_in_is_rate_limited(site):
    client = TestClient(site["app"])
    for _ in range(auth.SIGNIN_FAILURES):
        assert _sign_in(client, "admin1", "wrong password!").status_code == 401
    r = _sign_in(client, "admin1", PASSWORD)  # even the right password waits now
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "Too many" in r.text
    auth.ATTEMPTS.clear(("testclient", "admin1"))


def test_expired_and_revoked_tokens_are_refused(site):
    client = TestClient(site["app"])
    with Library(site["db"]) as lib:
        users = Users(lib.store)
        expired = users.add("expired1", "reader", SETUP, days=0)["token"]
        old = users.add("rotated1", "reader", SETUP)["token"]
        new = users.rotate_token("rotated1", SETUP)["token"]
    r = client.get("/api/reports", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    r = client.get("/api/reports", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    assert client.get("/api/reports", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    r = client.get("/api/reports", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401 and "Bearer" in r.json()["detail"]
    # a bad token is refused even on a public route: a client must learn its token is wrong
    assert client.get("/api/health", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_sign_in_session_csrf_and_sign_out(site, tmp_path):
    client = TestClient(site["app"])
    r = _sign_in(client, "researcher1", next_="/reports/" + SAMPLE_ID)
    assert r.status_code == 303 and r.headers["location"] == f"/reports/{SAMPLE_ID}"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    page = client.get(f"/reports/{SAMPLE_ID}", headers=HTML)
    assert page.status_code == 200 and "researcher1" in page.text and 'action="/signout"' in page.text
    assert f'action="/reports/{SAMPLE_ID}/delete"' in page.text
    # a cross-site form post carries the session cookie but not the CSRF token
    before = _log_size(site)
    for data in ({}, {"csrf": "forged"}):
        r = client.post(f"/reports/{SAMPLE_ID}/metadata", data={"title": "Hacked", **data},
                        headers=HTML, follow_redirects=False)
        assert r.status_code == 403 and "CSRF" in r.text
    with Library(site["db"]) as lib:
        assert lib.report(SAMPLE_ID).title == "Peru – Country Focus"
    assert _log_size(site) == before
    # the same form with its token goes through, and the log says who did it
    csrf = client.cookies.get(auth.CSRF_COOKIE)
    r = client.post(f"/reports/{SAMPLE_ID}/metadata", headers=HTML, follow_redirects=False,
                    data={"title": "Peru – Country Focus", "published": "2023-09", "csrf": csrf})
    assert r.status_code == 303
    admin = bearer(site, "admin")
    entry = client.get("/api/log", headers=admin).json()["log"][0]
    assert (entry["user"], entry["action"], entry["target"]) == ("researcher1", "metadata", SAMPLE_ID)
    # sign out: the session is over, the old cookie is worth nothing
    session = client.cookies.get(auth.SESSION_COOKIE)
    r = client.post("/signout", data={"csrf": csrf}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    stale = TestClient(site["app"], cookies={auth.SESSION_COOKIE: session})
    r = stale.get("/api/reports")
    assert r.status_code == 401 and "session has ended" in r.json()["detail"]


def test_reader_pages_offer_no_upload_or_delete(site):
    client = TestClient(site["app"])
    assert _sign_in(client, "reader1").status_code == 303
    home = client.get("/", headers=HTML).text
    reader = client.get(f"/reports/{SAMPLE_ID}", headers=HTML).text
    source = client.get(f"/sources/{site['dplf']}", headers=HTML).text
    assert "reader1" in home and 'href="/upload"' not in home
    assert "/delete" not in reader and "/metadata" not in reader and "/confidential" not in source
    assert client.get("/upload", headers=HTML).status_code == 403


def test_uploads_are_checked_before_anything_is_stored(site, monkeypatch):
    client = TestClient(site["app"])
    headers = bearer(site, "researcher")
    before = len(client.get("/api/reports", headers=headers).json()["reports"])
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    r = client.post("/api/reports", headers=headers, files={"file": ("photo.pdf", png, "application/pdf")})
    assert r.status_code == 415 and "photo.pdf: not a document" in r.json()["detail"]
    r = client.post("/api/reports", headers=headers, files=[])
    assert r.status_code in (400, 422)
    monkeypatch.setattr(auth, "MAX_UPLOAD", 4000)
    monkeypatch.setattr(write_routes, "MAX_UPLOAD", 4000)
    big = TEXT_DOC.read_bytes() * 20
    r = client.post("/api/reports", headers=headers, files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    r = client.patch(f"/api/reports/{SAMPLE_ID}", headers=headers, json={"title": "x" * 2_000_000})
    assert r.status_code == 413
    r = client.patch(f"/api/reports/{SAMPLE_ID}", headers=headers, json={"published": "last spring"})
    assert r.status_code == 400 and "use a date like" in r.json()["detail"]
    assert len(client.get("/api/reports", headers=headers).json()["reports"]) == before


def test_a_zip_that_is_no_word_document_fails_its_job_and_stores_nothing(site):
    client = TestClient(site["app"])
    headers = bearer(site, "researcher")
    before = {r["id"] for r in client.get("/api/reports", headers=headers).json()["reports"]}
    fake = b"PK\x03\x04" + b"\x00" * 200
    r = client.post("/api/reports", headers=headers,
                    files=[("file", ("fake.docx", fake, "application/octet-stream")),
                           ("file", ("good.txt", TEXT_DOC.read_bytes() + b"\nAnother line.\n", "text/plain"))])
    assert r.status_code == 202
    job = _wait(client, r.json()["status_url"], headers)
    failed, good = job["files"]
    assert failed["status"] == "failed" and failed["error"].startswith("fake.docx:") and failed["report_id"] is None
    assert good["status"] == "added" and good["report_id"] == "good"
    after = {r["id"] for r in client.get("/api/reports", headers=headers).json()["reports"]}
    assert after - before == {"good"}
    # a reader cannot watch someone else's job
    assert client.get(r.json()["status_url"], headers=bearer(site, "reader")).status_code == 404


def _wait(client, url: str, headers: dict) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(url, headers=headers).json()
        if job["done"]:
            return job
        time.sleep(0.2)
    raise AssertionError(f"upload job {url} did not finish")


def test_researcher_uploads_then_readers_find_it(site):
    client = TestClient(site["app"])
    data = TEXT_DOC.read_bytes().replace(b"presidential republic", b"presidential zanzibarian republic")
    r = client.post("/api/reports", headers=bearer(site, "researcher"),
                    files={"file": ("zanzibar.txt", data, "text/plain")})
    job = _wait(client, r.json()["status_url"], bearer(site, "researcher"))
    assert job["files"][0]["status"] == "added", job
    hits = client.get("/api/search", params={"q": "zanzibarian", "mode": "lexical"},
                      headers=bearer(site, "reader")).json()["results"]
    assert [h["report_id"] for h in hits] == ["zanzibar"]


def test_security_headers_and_no_inline_script():
    client = TestClient(create_app(Settings(db=":memory:", embeddings=False)))
    for url in ("/", "/api/health", "/signin"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    templates = Path(auth.__file__).parent / "templates"
    for path in templates.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path.name
        assert not re.search(r"\son[a-z]+\s*=", text), path.name


# --- the command line ----------------------------------------------------------------------


def cli(db, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--db", str(db), *args], input=input, catch_exceptions=False)


def test_cli_users_tokens_passwords_and_log(tmp_path):
    db = tmp_path / "users.db"
    res = cli(db, "user", "add", "ana", "--role", "researcher", "--json")
    assert res.exit_code == 0
    created = json.loads(res.output)
    assert created["name"] == "ana" and created["role"] == "researcher" and len(created["token"]) >= 40
    assert cli(db, "user", "add", "ana", "--role", "reader").exit_code == 1
    assert "already exists" in cli(db, "user", "add", "ana", "--role", "reader").output
    res = cli(db, "user", "password", "ana", input="short\nshort\n")
    assert res.exit_code == 1 and "at least 10" in res.output
    assert cli(db, "user", "password", "ana", input=f"{PASSWORD}\n{PASSWORD}\n").exit_code == 0
    rotated = json.loads(cli(db, "user", "token", "ana", "--json").output)["token"]
    listed = json.loads(cli(db, "user", "list", "--json").output)["users"]
    assert [(u["name"], u["role"], u["has_password"]) for u in listed] == [("ana", "researcher", True)]
    assert "token" not in json.dumps(listed).replace("token_expires", "")
    with Library(db) as lib:
        users = Users(lib.store)
        assert users.by_token(rotated).name == "ana"
        with pytest.raises(AuthError):
            users.by_token(created["token"])
        assert users.check_password("ana", PASSWORD).role == "researcher"
        stored = lib.store.conn.execute("SELECT password_hash, token_hash FROM users").fetchone()
        assert stored[0].startswith("$argon2id$") and PASSWORD not in stored[0] and rotated not in stored[1]
    assert cli(db, "user", "remove", "ana").exit_code == 0
    assert cli(db, "user", "remove", "ana").exit_code == 1
    log = json.loads(cli(db, "log", "--json").output)["log"]
    assert [e["action"] for e in log] == ["user.remove", "user.token", "user.password", "user.add"]
    assert all("(command line)" in e["user"] for e in log)


def test_cli_writes_are_logged_and_serve_refuses_an_open_network_host(sample_db):
    assert cli(sample_db, "report", "set", SAMPLE_ID, "--publisher", "EUAA").exit_code == 0
    res = cli(sample_db, "report", "set", SAMPLE_ID, "--date", "Sept 2023")
    assert res.exit_code == 1 and "use a date like" in res.output
    log = json.loads(cli(sample_db, "log", "--json").output)["log"]
    assert log[0]["action"] == "metadata" and "publisher='EUAA'" in log[0]["detail"]
    res = cli(sample_db, "serve", "--host", "0.0.0.0", "--port", "8779")
    assert res.exit_code == 1 and "no users" in res.output
    assert "acts as a researcher" in cli(sample_db, "--help").output
