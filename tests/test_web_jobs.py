"""Ingest as a background job: the POST answers at once with a job id, one writer runs
the jobs in order, the job's state and per-stage progress can be read while it runs, and
the new articles are in their stories when it is done."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.testclient import TestClient

import newsweave
from newsweave.web import create_app
from newsweave.web.jobs import IngestJobs
from web_support import TOKEN_INGEST, TOKEN_READ, private_copy

TOKENS = {TOKEN_INGEST: frozenset({"ingest", "read"}), TOKEN_READ: frozenset({"read"})}
AUTH = {"Authorization": f"Bearer {TOKEN_INGEST}"}
TEXT = ("Harbour crane collapses in Port Velda\n\nA harbour crane collapsed in Port Velda on "
        "Friday, injuring two workers, the port authority said. Cranes at the harbour were "
        "inspected last spring, the authority added.")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private copy of the shared store: this module writes to it."""
    return private_copy(tmp_path_factory.mktemp("jobs"), "copy")


@pytest.fixture(scope="module")
def client(db: str):
    with TestClient(create_app(db, TOKENS)) as c:
        yield c


def _finish(client: TestClient, url: str) -> dict:
    for _ in range(600):
        job = client.get(url).json()["job"]
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {url} did not finish")


def test_ingest_returns_a_job_at_once_and_reports_progress(db, client):
    r = client.post("/api/v1/ingest", content=TEXT, headers=AUTH)
    assert r.status_code == 202, r.text
    job = r.json()["job"]
    assert job["state"] in ("queued", "running", "done") and len(job["id"]) >= 20
    assert r.headers["location"] == job["status_url"] == f"/api/v1/ingest/{job['id']}"
    done = _finish(client, job["status_url"])
    assert done["state"] == "done", done
    assert done["counts"] == {"new": 1, "known": 0, "rejected": 0}
    phases = {p["phase"]: p for p in done["phases"]}
    assert phases["read"] == {"phase": "read", "done": 1, "total": 1}
    # every analysis stage reported, each ending with all its articles done
    with newsweave.open(db) as engine:
        stages = [stage.name for stage in engine.stages]
    assert list(phases) == ["read", *stages], phases
    assert all(p["done"] == p["total"] for p in phases.values())
    new = done["report"]["new"][0]
    story = int(done["report"]["stories"][str(new)])
    with newsweave.open(db) as engine:
        assert new in engine.story_articles(story)
    listed = client.get("/api/v1/stories?size=200").json()["stories"]
    assert any(s["id"] == story for s in listed)
    page = client.get(done["page_url"]).text
    assert "1 new, 0 already known, 0 rejected" in page
    assert f'href="/stories/{story}"' in page and 'http-equiv="refresh"' not in page
    again = _finish(client, client.post("/api/v1/ingest", content=TEXT, headers=AUTH
                                        ).json()["job"]["status_url"])
    assert again["counts"] == {"new": 0, "known": 1, "rejected": 0}


def test_the_page_of_a_running_job_reloads_itself(client):
    r = client.post("/ingest", data={"token": TOKEN_INGEST, "text": TEXT + " Again."},
                    headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ingest/")
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    assert "<script" not in page.text
    if "Ingest: done" not in page.text:
        assert '<meta http-equiv="refresh" content="2">' in page.text
    _finish(client, "/api/v1" + r.headers["location"])


def test_job_access_and_bad_requests(client):
    assert client.get("/api/v1/ingest/not-a-job").status_code == 404
    assert client.get("/ingest/not-a-job").status_code == 404
    assert client.post("/api/v1/ingest", content=TEXT).status_code == 401
    assert client.post("/api/v1/ingest", content=TEXT, headers={
        "Authorization": f"Bearer {TOKEN_READ}"}).status_code == 403
    assert client.post("/api/v1/ingest", content=TEXT, headers={
        **AUTH, "Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.post("/api/v1/ingest", content="  ", headers=AUTH).status_code == 400
    assert client.post("/api/v1/ingest?wait=maybe", content=TEXT,
                       headers=AUTH).status_code == 400


def test_jobs_run_one_at_a_time_in_order_and_survive_a_failure():
    running, seen, order = threading.Lock(), [], []

    def ingest(text, source, outlet, progress, stored):
        assert running.acquire(blocking=False), "two ingests ran at once"
        try:
            stored({"new": [1], "known": [], "rejected": [], "stories": {}})
            progress("read", 1, 1)
            time.sleep(0.05)
            order.append(text)
            if text == "bad":
                raise RuntimeError("boom")
            return {"new": [1], "known": [], "rejected": [], "stories": {}}
        finally:
            seen.append(source)
            running.release()

    jobs = IngestJobs(ingest)
    try:
        ids = [jobs.submit(t, f"s{n}", None).id for n, t in enumerate(["a", "bad", "c", "d"])]
        finished = [jobs.wait(i, 10) for i in ids]
        assert order == ["a", "bad", "c", "d"]
        assert [j.state for j in finished if j] == ["done", "failed", "done", "done"]
        assert finished[1] and "RuntimeError" in (finished[1].error or "")
        assert finished[0] and finished[0].to_dict()["counts"]["new"] == 1
    finally:
        jobs.stop()


def test_counts_are_known_while_the_stages_still_run():
    stored_now, release = threading.Event(), threading.Event()

    def ingest(text, source, outlet, progress, stored):
        stored({"new": [5, 6], "known": [2], "rejected": [], "stories": {}})
        progress("read", 1, 1)
        progress("reuse", 0, 2)
        stored_now.set()
        release.wait(10)
        progress("reuse", 2, 2)
        return {"new": [5, 6], "known": [2], "rejected": [], "stories": {"5": 1}}

    jobs = IngestJobs(ingest)
    try:
        job = jobs.submit("text", "s", None)
        assert stored_now.wait(10)
        running = jobs.get(job.id)
        assert running is not None
        seen = running.to_dict()
        assert seen["state"] == "running" and seen["phase"] == "reuse"
        assert seen["counts"] == {"new": 2, "known": 1, "rejected": 0}
        assert seen["phases"][-1] == {"phase": "reuse", "done": 0, "total": 2}
        release.set()
        done = jobs.wait(job.id, 10)
        assert done is not None and done.state == "done"
        assert done.to_dict()["phases"][-1]["done"] == 2
    finally:
        release.set()
        jobs.stop()


def test_the_status_page_of_a_running_job_refreshes_and_shows_its_stages():
    from newsweave.web.app import _templates
    from newsweave.web.jobs import Job

    job = Job("abc", "<b>upload.txt</b>", state="running", started=time.time(),
              phase="reuse", phases={"read": {"done": 1, "total": 1},
                                     "reuse": {"done": 3, "total": 8}},
              report={"new": [4], "known": [], "rejected": [], "stories": {}})
    html = _templates().get_template("ingest_job.html").render(request_path="/ingest/abc",
                                                                 job=job.to_dict())
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Running (reuse)" in html and "<td>3</td><td>8</td>" in html
    assert "1 new, 0 already known, 0 rejected" in html
    assert "<b>upload" not in html and "&lt;b&gt;upload.txt&lt;/b&gt;" in html
    done = Job("abc", "x", state="done", started=1.0, finished=2.0,
               report={"new": [4], "known": [], "rejected": [], "stories": {"4": 9}})
    html = _templates().get_template("ingest_job.html").render(request_path="/ingest/abc",
                                                                 job=done.to_dict())
    assert "http-equiv" not in html and 'href="/stories/9"' in html


def test_a_restart_keeps_job_records_and_marks_unfinished_ones_interrupted(db, client):
    from newsweave.store.jobs import JobTables

    done = _finish(client, client.post("/api/v1/ingest", content=TEXT + " Later.",
                                       headers=AUTH).json()["job"]["status_url"])
    assert done["state"] == "done"
    # what a server killed in the middle of an ingest leaves in the store
    with newsweave.open(db) as engine:
        JobTables(engine.store).save([
            {"id": "killed-while-running-000", "source": "big.jsonl", "state": "running",
             "created": time.time() - 60, "started": time.time() - 50, "phase": "reuse",
             "phases": {"read": {"done": 1, "total": 1}}, "report": None},
            {"id": "killed-while-queued-0000", "source": "next.jsonl", "state": "queued",
             "created": time.time() - 40}])
    with TestClient(create_app(db, TOKENS)) as restarted:
        kept = restarted.get(done["status_url"]).json()["job"]
        assert kept["state"] == "done" and kept["counts"] == done["counts"]
        assert kept["report"]["new"] == done["report"]["new"]
        for job_id in ("killed-while-running-000", "killed-while-queued-0000"):
            job = restarted.get(f"/api/v1/ingest/{job_id}").json()["job"]
            assert job["state"] == "interrupted" and "server stopped" in job["error"]
            assert job["finished"] is not None
        page = restarted.get("/ingest/killed-while-running-000").text
        assert "Interrupted" in page and "http-equiv" not in page
        assert "reuse" in page  # its last saved progress


def test_a_running_job_saves_its_progress_while_it_runs():
    saved: list[list[dict]] = []
    release = threading.Event()

    def ingest(text, source, outlet, progress, stored):
        progress("read", 1, 1)
        release.wait(10)
        return {"new": [], "known": [], "rejected": [], "stories": {}}

    jobs = IngestJobs(ingest, persist=lambda records: saved.append(records))
    try:
        job = jobs.submit("text", "s", None)
        for _ in range(100):
            if any(r["state"] == "running" for batch in saved for r in batch):
                break
            time.sleep(0.05)
        assert [r["id"] for batch in saved for r in batch if r["state"] == "running"] == [job.id]
        release.set()
        assert (jobs.wait(job.id, 10) or job).state == "done"
        assert saved[-1][-1]["state"] == "done" and saved[-1][-1]["id"] == job.id
    finally:
        release.set()
        jobs.stop()


def test_ingest_runs_in_a_worker_process_and_a_killed_one_is_reported(db):
    """The ingest runs in its own process (the server only relays its progress); killing
    that process in the middle of a job ends the job interrupted, saying so, and the next
    job starts a new process and completes, its article in its story."""
    import os
    import signal

    with TestClient(create_app(db, TOKENS)) as fresh:
        worker = fresh.app.state.ingest_process
        url = fresh.post("/api/v1/ingest", content=TEXT + " Killed.",
                         headers=AUTH).json()["job"]["status_url"]
        pid = None
        for _ in range(3000):  # the first job of a new process loads the stages' models
            job = fresh.get(url).json()["job"]
            pid = worker.pid
            if job["state"] == "running" and pid is not None:
                break
            assert job["state"] in ("queued", "running"), job
            time.sleep(0.01)
        assert pid is not None and pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
        for _ in range(600):
            job = fresh.get(url).json()["job"]
            if job["state"] != "running":
                break
            time.sleep(0.05)
        assert job["state"] == "interrupted", job
        assert "SIGKILL" in job["error"] and "ingest process ended" in job["error"]
        page = fresh.get(job["page_url"]).text
        assert "Interrupted" in page and "http-equiv" not in page
        text = TEXT.replace("Friday", "Saturday") + " After the restart."
        done = _finish(fresh, fresh.post("/api/v1/ingest", content=text,
                                         headers=AUTH).json()["job"]["status_url"])
        assert done["state"] == "done" and done["counts"]["new"] == 1, done
        assert worker.pid not in (None, pid, os.getpid())
        new = done["report"]["new"][0]
        story = int(done["report"]["stories"][str(new)])
        shown = fresh.get(f"/api/v1/stories/{story}").json()
        assert new in [a["id"] for s in shown["sources"] for a in s["articles"]]
    # the record of the killed job is kept in the store for the next server too
    with TestClient(create_app(db, TOKENS)) as later:
        assert later.get(url).json()["job"]["state"] == "interrupted"
