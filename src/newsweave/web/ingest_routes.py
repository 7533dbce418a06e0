"""The ingest endpoints: a form, an upload or a plain body becomes an ingest job.

Only a request with a token of the ingest scope, and never a cross-site one, may ingest.
The jobs run one at a time in a worker process (:mod:`newsweave.web.ingest_proc`); their
records are written by the one thread with a writable engine
(:meth:`newsweave.web.engines.Engines.writer`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from newsweave.errors import NotFoundError
from newsweave.store.jobs import KEPT as STORED_JOBS
from newsweave.store.jobs import JobTables
from newsweave.web.engines import Engines
from newsweave.web.ingest_proc import IngestProcess
from newsweave.web.jobs import IngestJobs, Job, QueueFull
from newsweave.web.paging import BadRequest, choice

MAX_UPLOAD = 5_000_000


class IngestEndpoints:
    """The ingest job queue of one app and its endpoints (the pages and the API's)."""

    def __init__(self, db: str, engines: Engines, keys: dict[str, frozenset[str]],
                 page: Callable[..., Response], *, nice: int, wait: float) -> None:
        """``keys`` maps bearer tokens to scopes; ``page`` renders a template;
        ``nice``: the niceness the worker process adds to its own; ``wait``: seconds
        ``?wait=true`` waits for the job."""
        self.engines = engines
        self.keys = keys
        self.page = page
        self.wait = wait
        # the ingests themselves run in a worker process (see newsweave.web.ingest_proc)
        self.worker = IngestProcess(db, nice)
        self.jobs = IngestJobs(
            self.worker.run,
            persist=lambda records: JobTables(engines.writer().store).save(records),
            lookup=lambda job_id: JobTables(engines.get().store).get(job_id))

    def _authorise(self, request: Request, form_token: str | None = None) -> None:
        from newsweave.web.auth import cross_site, scopes_of

        h = request.headers
        if cross_site(h.get("sec-fetch-site"), h.get("origin"), h.get("host"),
                      request.url.scheme):
            raise HTTPException(403, "cross-site requests may not change anything here")
        header = h.get("authorization") or (f"Bearer {form_token}" if form_token else None)
        scopes = scopes_of(header, self.keys)
        if scopes is None:
            raise HTTPException(401, "ingesting needs a token with the ingest scope "
                                     "(Authorization: Bearer TOKEN; see serve --tokens)")
        if "ingest" not in scopes:
            raise HTTPException(403, "this token may not ingest (it lacks the ingest scope)")

    @staticmethod
    async def _read_ingest(request: Request) -> tuple[str, str, str | None, str | None]:
        """(text, source name, outlet, form token) from a form, an upload or a plain body."""
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_UPLOAD:
            raise HTTPException(413, f"upload larger than {MAX_UPLOAD:,} bytes")
        kind = request.headers.get("content-type", "")
        if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            async with request.form(max_files=1, max_fields=10,
                                    max_part_size=MAX_UPLOAD) as form:
                upload = form.get("file")
                text, source = str(form.get("text") or ""), "<pasted text>"
                if upload is not None and not isinstance(upload, str) and upload.filename:
                    data = await upload.read(MAX_UPLOAD + 1)
                    if len(data) > MAX_UPLOAD:
                        raise HTTPException(413, f"upload larger than {MAX_UPLOAD:,} bytes")
                    text, source = data.decode("utf-8", "replace"), Path(upload.filename).name
                return (text, source, str(form.get("outlet") or "") or None,
                        str(form.get("token") or "") or None)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPLOAD:
                raise HTTPException(413, f"upload larger than {MAX_UPLOAD:,} bytes")
        return body.decode("utf-8", "replace"), "<posted text>", \
            request.query_params.get("outlet") or None, None

    def _submit(self, text: str, source: str, outlet: str | None) -> Job:
        if not self.engines.writable:
            raise HTTPException(503, "this server has the store open read-only "
                                     "(the file cannot be written): nothing can be ingested")
        if not text.strip():
            raise BadRequest("nothing to ingest: send a file or some text")
        try:
            return self.jobs.submit(text, source, outlet)
        except QueueFull as exc:
            raise HTTPException(503, str(exc)) from exc

    def _job(self, request: Request) -> Job:
        found = self.jobs.get(request.path_params["job"])
        if found is None:
            raise NotFoundError("no such ingest job (the store keeps the records of the "
                                f"last {STORED_JOBS} jobs)")
        return found

    async def ingest_api(self, request: Request) -> Response:
        from starlette.concurrency import run_in_threadpool

        self._authorise(request)
        wait = choice(request.query_params.get("wait"), "wait", ("false", "true"))
        text, source, outlet, _ = await self._read_ingest(request)
        job = self._submit(text, source, outlet)
        if wait == "true":  # a script that wants the whole answer in one request
            done = await run_in_threadpool(self.jobs.wait, job.id, self.wait) or job
            if done.finished_state:
                status = 200 if done.state == "done" else 500
                return JSONResponse({"ok": done.state == "done", **(done.report or {}),
                                     "job": done.to_dict()}, status_code=status)
            job = done
        return JSONResponse({"ok": True, "job": job.to_dict()}, status_code=202,
                            headers={"Location": f"/api/v1/ingest/{job.id}"})

    def ingest_job_api(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "job": self._job(request).to_dict()})

    def ingest_job_page(self, request: Request) -> Response:
        return self.page(request, "ingest_job.html", job=self._job(request).to_dict())

    async def ingest_page(self, request: Request) -> Response:
        from starlette.responses import RedirectResponse

        if request.method == "GET":
            return self.page(request, "ingest.html", error=None)
        text, source, outlet, token = await self._read_ingest(request)
        self._authorise(request, token)
        job = self._submit(text, source, outlet)
        # 303: the browser GETs the job's status page (a reload never posts again)
        return RedirectResponse(f"/ingest/{job.id}", status_code=303)

    def stop(self) -> None:
        """Stop the worker process (a job still running ends interrupted, and is saved
        so), then the job queue."""
        self.worker.stop()
        self.jobs.stop()
