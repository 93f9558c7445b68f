"""The HTTP API (``/api/v1``): sources, runs, their reports, tokens and the audit log.

No ``from __future__ import annotations`` here: FastAPI reads the endpoints' annotations, and
the role dependencies are names local to :func:`create_app`.

Every endpoint but ``/healthz`` and the OpenAPI schema needs a bearer token; roles are ordered
viewer < editor < admin. Lists take ``limit`` and ``cursor`` and answer ``{items, next}``.
"""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

import orjson
from fastapi import Depends, FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from verifier import __version__
from verifier._exceptions import ConfigError
from verifier.report.overrides import Override, make_override, overrides_toml
from verifier.service.db import Conflict, Run, Source
from verifier.service.desk import Desk, Flag, overrides_only
from verifier.service.queue import Queue, parse_schedule
from verifier.service.runs import ServiceContext, next_check, read_history, upload_folder
from verifier.service.sources import SourceError, validate_spec
from verifier.service.tokens import Role, create_token, digest

#: Identifiers are SQL integers: anything larger names nothing and must not reach the database.
MAX_ID = 2**63 - 1
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]

#: One uploaded document at most; citations live in documents, not in archives of them.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class Principal(BaseModel):
    name: str
    role: str


class UrlSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    href: str
    kind: Literal["html", "mediawiki"] = "html"
    title: str | None = None
    base: str | None = None


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    schedule: str | None = None
    settings: dict[str, Any] | None = None
    paths: list[str] | None = None
    git: dict[str, Any] | None = None
    url: UrlSpec | None = None


class SourcePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    schedule: str | None = None
    settings: dict[str, Any] | None = None
    paths: list[str] | None = None
    git: dict[str, Any] | None = None
    url: UrlSpec | None = None


class SourceOut(BaseModel):
    id: int
    name: str
    schedule: str | None
    settings: dict[str, Any]
    paths: list[str] | None = None
    git: dict[str, Any] | None = None
    url: dict[str, Any] | None = None
    created: str
    updated: str


class Created(BaseModel):
    id: int


class Progress(BaseModel):
    checked: int
    total: int
    waiting_on: str | None


class RunOut(BaseModel):
    id: int
    source_id: int
    status: Literal["queued", "running", "complete", "failed", "interrupted"]
    queued_at: str
    started_at: str | None
    finished_at: str | None
    progress: Progress
    summary: dict[str, int] | None
    network_down: bool | None
    exit_code: int | None
    error: str | None


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    role: Literal["viewer", "editor", "admin"]


class TokenOut(BaseModel):
    name: str
    role: str
    created: str
    revoked: str | None


class NewToken(BaseModel):
    name: str
    role: str
    token: str


class FlagOut(BaseModel):
    id: int
    source_id: int
    url: str
    outcome: str
    archive: dict[str, Any] | None
    occurrences: list[dict[str, Any]]
    state: Literal["open", "false-positive", "confirmed", "fixed", "ignored"]
    note: str | None
    version: int
    updated: str


class FlagMove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["open", "false-positive", "confirmed", "fixed", "ignored"]
    note: str | None = None
    version: int


class FlagBulk(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(min_length=1, max_length=1000)
    state: Literal["open", "false-positive", "confirmed", "fixed", "ignored"]
    note: str | None = None


class FlagPage(BaseModel):
    items: list[FlagOut]
    next: str | None


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = None
    domain: str | None = None
    outcome: Literal["live", "dead", "restricted"]
    note: str | None = None


class OverrideOut(BaseModel):
    id: int
    url: str | None
    domain: str | None
    outcome: str
    note: str | None
    by: str
    at: str


class OverridePage(BaseModel):
    items: list[OverrideOut]
    next: str | None


class UrlCheck(BaseModel):
    checked_at: str
    outcome: str
    reason: str
    http_status: int | None
    run_id: int


class UrlHistory(BaseModel):
    url: str
    first_seen: str | None
    last_live: str | None
    consecutive_failures: int | None
    #: When the service next checks the URL (its newest check plus its outcome's TTL).
    next_check: str | None = None
    checks: list[UrlCheck]


class SourcePage(BaseModel):
    items: list[SourceOut]
    next: str | None


class RunPage(BaseModel):
    items: list[RunOut]
    next: str | None


class TokenPage(BaseModel):
    items: list[TokenOut]
    next: str | None


class AuditPage(BaseModel):
    items: list[dict[str, Any]]
    next: str | None


def _time(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).isoformat().replace("+00:00", "Z")


def _source_out(source: Source) -> SourceOut:
    spec = source.spec
    return SourceOut(
        id=source.id,
        name=source.name,
        schedule=source.schedule,
        settings=dict(spec.get("settings") or {}),
        paths=spec.get("paths"),
        git=spec.get("git"),
        url=spec.get("url"),
        created=_time(source.created) or "",
        updated=_time(source.updated) or "",
    )


def _run_out(run: Run) -> RunOut:
    return RunOut(
        id=run.id,
        source_id=run.source_id,
        status=run.status,  # type: ignore[arg-type]
        queued_at=_time(run.queued_at) or "",
        started_at=_time(run.started_at),
        finished_at=_time(run.finished_at),
        progress=Progress(checked=run.checked, total=run.total, waiting_on=run.waiting_on),
        summary=dict(run.summary) if run.summary is not None else None,
        network_down=run.network_down,
        exit_code=run.exit_code,
        error=run.error,
    )


def _flag_out(flag: Flag) -> FlagOut:
    return FlagOut(
        id=flag.id,
        source_id=flag.source_id,
        url=flag.url,
        outcome=flag.outcome,
        archive=dict(flag.archive) if flag.archive else None,
        occurrences=flag.occurrences,
        state=flag.state,  # type: ignore[arg-type]
        note=flag.note,
        version=flag.version,
        updated=_time(flag.updated) or "",
    )


def _override_out(override_id: int, override: Override) -> OverrideOut:
    return OverrideOut(
        id=override_id,
        url=override.url,
        domain=override.domain,
        outcome=override.outcome.value,
        note=override.note,
        by=override.by,
        at=override.at,
    )


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str


#: Answers every operation may give besides its own; 422 keeps FastAPI's validation shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "a body that cannot be read"},
    401: {"model": Problem, "description": "no token, or one that is unknown or revoked"},
    403: {"model": Problem, "description": "the token's role is too small"},
    404: {"model": Problem, "description": "no such thing"},
    409: {"model": Problem, "description": "the request clashes with the current state"},
    413: {"model": Problem, "description": "too large"},
}

#: A list's ``cursor``: the ``next`` of an earlier answer.
Cursor = Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")]


class Unprocessable(HTTPException):
    """A request that is well-formed but cannot be done, in the shape FastAPI gives validation
    errors (``detail`` a list of ``{loc, msg, type}``), so that 422 means one thing."""

    def __init__(self, message: str) -> None:
        super().__init__(422, [{"loc": ["body"], "msg": message, "type": "value_error"}])


def _cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        return max(0, int(cursor))
    except ValueError:
        raise Unprocessable("cursor: the value of an earlier answer's 'next'") from None


def _next(items: list[Any], limit: int, key: Callable[[Any], int]) -> str | None:
    return str(key(items[-1])) if len(items) == limit else None


def create_app(context: ServiceContext, queue: Queue) -> FastAPI:
    app = FastAPI(
        title="verifier",
        version=__version__,
        description="Watched sources, scheduled link checks and their reports.",
        docs_url=None,
        redoc_url=None,
        responses=ERROR_RESPONSES,
    )
    db = context.db

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names only the first matching route's methods; a path served by several
            # routes (GET and PATCH of one source) allows all of theirs.
            allowed: set[str] = set()
            for route in app.router.routes:
                match, _ = route.matches(request.scope)
                if match is not Match.NONE:
                    allowed |= getattr(route, "methods", None) or set()
            headers["Allow"] = ", ".join(sorted(allowed))
        return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=headers)

    def principal(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        found = db.token_by_digest(digest(token.strip())) if scheme.lower() == "bearer" and token else None
        if found is None:
            raise HTTPException(401, "a valid bearer token is needed", headers={"WWW-Authenticate": "Bearer"})
        return Principal(name=found.name, role=found.role)

    def needs(role: Role) -> Callable[[Principal], Principal]:
        def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
            if Role.named(who.role) < role:
                raise HTTPException(403, f"this needs the {role.label} role")
            return who

        return check

    Viewer = Annotated[Principal, Depends(needs(Role.VIEWER))]
    Editor = Annotated[Principal, Depends(needs(Role.EDITOR))]
    Admin = Annotated[Principal, Depends(needs(Role.ADMIN))]
    Limit = Annotated[int, Query(ge=1, le=500)]

    def source_or_404(source_id: int) -> Source:
        source = db.source(source_id)
        if source is None:
            raise HTTPException(404, "no such source")
        return source

    def run_or_404(run_id: int) -> Run:
        run = db.run(run_id)
        if run is None:
            raise HTTPException(404, "no such run")
        return run

    def checked_schedule(schedule: str | None) -> str | None:
        if schedule is None:
            return None
        try:
            parse_schedule(schedule)
        except ConfigError as error:
            raise Unprocessable(str(error)) from None
        return schedule

    def checked_spec(body: dict[str, Any]) -> dict[str, Any]:
        try:
            return validate_spec(body, context.source_root)
        except (SourceError, ConfigError) as error:
            raise Unprocessable(str(error)) from None

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.post("/api/v1/sources", status_code=201, response_model=Created, tags=["sources"])
    def create_source(body: SourceIn, who: Editor) -> Created:
        spec = checked_spec(body.model_dump(exclude={"name", "schedule"}, exclude_none=True))
        try:
            source_id = db.create_source(body.name, spec, checked_schedule(body.schedule), who.name)
        except Conflict as error:
            raise HTTPException(409, str(error)) from None
        return Created(id=source_id)

    @app.get("/api/v1/sources", response_model=SourcePage, tags=["sources"])
    def list_sources(who: Viewer, limit: Limit = 50, cursor: Cursor = None) -> SourcePage:
        items = db.sources(after=_cursor(cursor), limit=limit)
        return SourcePage(items=[_source_out(s) for s in items], next=_next(items, limit, lambda s: s.id))

    @app.get("/api/v1/sources/{source_id}", response_model=SourceOut, tags=["sources"])
    def get_source(source_id: Id, who: Viewer) -> SourceOut:
        return _source_out(source_or_404(source_id))

    @app.patch("/api/v1/sources/{source_id}", response_model=SourceOut, tags=["sources"])
    def patch_source(source_id: Id, body: SourcePatch, who: Editor) -> SourceOut:
        source = source_or_404(source_id)
        changes = body.model_dump(exclude_unset=True)
        spec = dict(source.spec)
        if "paths" in changes or "git" in changes or "url" in changes:
            spec.pop("paths", None)
            spec.pop("git", None)
            spec.pop("url", None)
        for key in ("paths", "git", "url", "settings"):
            if key in changes:
                spec[key] = changes[key]
        spec = checked_spec(spec)
        schedule = checked_schedule(changes["schedule"]) if "schedule" in changes else source.schedule
        try:
            db.update_source(
                source_id,
                name=changes.get("name") or source.name,
                spec=spec,
                schedule=schedule,
                actor=who.name,
            )
        except Conflict as error:
            raise HTTPException(409, str(error)) from None
        return _source_out(source_or_404(source_id))

    @app.delete("/api/v1/sources/{source_id}", status_code=204, tags=["sources"])
    def delete_source(source_id: Id, who: Editor) -> Response:
        if not db.delete_source(source_id, who.name):
            raise HTTPException(404, "no such source")
        return Response(status_code=204)

    @app.post("/api/v1/sources/{source_id}/documents", status_code=201, tags=["sources"])
    async def upload_document(
        source_id: Id, who: Editor, file: Annotated[UploadFile, File()]
    ) -> dict[str, str]:
        source_or_404(source_id)
        name = (file.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        if not name or name.startswith("."):
            raise Unprocessable("the upload needs a plain file name")
        data = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"a document may have at most {MAX_UPLOAD_BYTES} bytes")
        folder = upload_folder(context.paths, source_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
        return {"name": name}

    @app.post(
        "/api/v1/sources/{source_id}/runs",
        status_code=202,
        response_model=Created,
        responses={409: {"model": Created, "description": "the run already queued or running"}},
        tags=["runs"],
    )
    def start_run(source_id: Id, who: Editor, force: bool = False) -> Any:
        source_or_404(source_id)
        try:
            run_id = db.create_run(source_id, force=force, actor=who.name)
        except Conflict as error:
            return JSONResponse({"id": error.existing}, status_code=409)
        queue.enqueue_run(run_id)
        return Created(id=run_id)

    @app.get("/api/v1/sources/{source_id}/status", response_model=RunOut, tags=["runs"])
    def source_status(source_id: Id, who: Viewer) -> RunOut:
        source_or_404(source_id)
        run = db.latest_run(source_id)
        if run is None:
            raise HTTPException(404, "this source has not been run")
        return _run_out(run)

    @app.get("/api/v1/runs", response_model=RunPage, tags=["runs"])
    def list_runs(who: Viewer, limit: Limit = 50, cursor: Cursor = None, source: QueryId = None) -> RunPage:
        items = db.runs(source_id=source, after=_cursor(cursor), limit=limit)
        return RunPage(items=[_run_out(r) for r in items], next=_next(items, limit, lambda r: r.id))

    @app.get("/api/v1/runs/{run_id}", response_model=RunOut, tags=["runs"])
    def get_run(run_id: Id, who: Viewer) -> RunOut:
        return _run_out(run_or_404(run_id))

    @app.post("/api/v1/runs/{run_id}/cancel", response_model=RunOut, tags=["runs"])
    def cancel_run(run_id: Id, who: Editor) -> RunOut:
        run_or_404(run_id)
        if not db.cancel_run(run_id, who.name):
            raise HTTPException(409, "the run has ended")
        return _run_out(run_or_404(run_id))

    def finished_report(run_id: int) -> dict[str, Any]:
        run = run_or_404(run_id)
        path = context.paths.report(run_id)
        if run.status != "complete" or not path.is_file():
            raise HTTPException(409, f"no report: the run is {run.status}")
        report: dict[str, Any] = orjson.loads(path.read_bytes())
        return report

    @app.get("/api/v1/runs/{run_id}/report", tags=["runs"])
    def run_report(run_id: Id, who: Viewer) -> Response:
        finished_report(run_id)
        return Response(context.paths.report(run_id).read_bytes(), media_type="application/json")

    @app.get(
        "/api/v1/runs/{run_id}/report.html",
        response_class=Response,
        responses={200: {"content": {"text/html": {}}, "description": "the HTML audit report"}},
        tags=["runs"],
    )
    def run_report_html(run_id: Id, who: Viewer) -> HTMLResponse:
        from verifier.report.html import render

        report = finished_report(run_id)
        return HTMLResponse(render(report, ("dead",)))

    @app.get("/api/v1/tokens", response_model=TokenPage, tags=["tokens"])
    def list_tokens(who: Admin) -> TokenPage:
        items = [
            TokenOut(name=t.name, role=t.role, created=_time(t.created) or "", revoked=_time(t.revoked))
            for t in db.tokens()
        ]
        return TokenPage(items=items, next=None)

    @app.post("/api/v1/tokens", status_code=201, response_model=NewToken, tags=["tokens"])
    def new_token(body: TokenIn, who: Admin) -> NewToken:
        try:
            token = create_token(db, body.name, Role.named(body.role), actor=who.name)
        except ConfigError as error:
            raise HTTPException(409, str(error)) from None
        return NewToken(name=body.name, role=body.role, token=token)

    @app.delete("/api/v1/tokens/{name}", status_code=204, tags=["tokens"])
    def revoke_token(name: str, who: Admin) -> Response:
        if not db.revoke_token(name, who.name):
            raise HTTPException(404, "no such token, or revoked already")
        return Response(status_code=204)

    desk = Desk(db)

    def recheck(source_id: int, actor: str) -> None:
        """A flag marked fixed: check its source again at once (a run already going will do)."""
        try:
            run_id = db.create_run(source_id, force=True, actor=actor)
        except Conflict:
            return
        queue.enqueue_run(run_id)

    @app.get("/api/v1/flags", response_model=FlagPage, tags=["flags"])
    def list_flags(
        who: Viewer,
        limit: Limit = 50,
        cursor: Cursor = None,
        state: Literal["open", "false-positive", "confirmed", "fixed", "ignored"] | None = None,
        outcome: Literal["dead", "archived"] | None = None,
        source: QueryId = None,
        document: str | None = None,
    ) -> FlagPage:
        items = desk.flags(
            state=state, outcome=outcome, source=source, document=document, after=_cursor(cursor), limit=limit
        )
        return FlagPage(items=[_flag_out(f) for f in items], next=_next(items, limit, lambda f: f.id))

    @app.get("/api/v1/flags/{flag_id}", response_model=FlagOut, tags=["flags"])
    def get_flag(flag_id: Id, who: Viewer) -> FlagOut:
        flag = desk.flag(flag_id)
        if flag is None:
            raise HTTPException(404, "no such flag")
        return _flag_out(flag)

    @app.post("/api/v1/flags/{flag_id}", response_model=FlagOut, tags=["flags"])
    def move_flag(flag_id: Id, body: FlagMove, who: Editor) -> FlagOut:
        try:
            flag = desk.move(flag_id, body.state, note=body.note, version=body.version, actor=who.name)
        except LookupError:
            raise HTTPException(404, "no such flag") from None
        except Conflict as error:
            raise HTTPException(409, str(error)) from None
        except ConfigError as error:
            raise Unprocessable(str(error)) from None
        if body.state == "fixed":
            recheck(flag.source_id, who.name)
        return _flag_out(flag)

    @app.post("/api/v1/flags", response_model=FlagPage, tags=["flags"])
    def move_flags(body: FlagBulk, who: Editor) -> FlagPage:
        try:
            flags = desk.move_many(body.ids, body.state, note=body.note, actor=who.name)
        except LookupError as error:
            raise HTTPException(404, f"no flag {error.args[0]}") from None
        except Conflict as error:
            raise HTTPException(409, str(error)) from None
        except ConfigError as error:
            raise Unprocessable(str(error)) from None
        if body.state == "fixed":
            for source_id in sorted({flag.source_id for flag in flags}):
                recheck(source_id, who.name)
        return FlagPage(items=[_flag_out(f) for f in flags], next=None)

    @app.get(
        "/api/v1/overrides",
        response_model=OverridePage,
        responses={200: {"content": {"application/toml": {}}}},
        tags=["overrides"],
    )
    def list_overrides(who: Viewer, format: Literal["json", "toml"] = "json") -> Any:
        entries = desk.overrides()
        if format == "toml":
            return Response(overrides_toml(overrides_only(entries)), media_type="application/toml")
        return OverridePage(items=[_override_out(i, o) for i, o in entries], next=None)

    @app.post("/api/v1/overrides", status_code=201, response_model=OverrideOut, tags=["overrides"])
    def add_override(body: OverrideIn, who: Editor) -> OverrideOut:
        try:
            override = make_override(
                outcome=body.outcome, by=who.name, url=body.url, domain=body.domain, note=body.note
            )
        except ConfigError as error:
            raise Unprocessable(str(error)) from None
        return _override_out(desk.add_override(override, who.name), override)

    @app.delete("/api/v1/overrides/{override_id}", status_code=204, tags=["overrides"])
    def remove_override(override_id: Id, who: Editor) -> Response:
        if not desk.remove_override(override_id, who.name):
            raise HTTPException(404, "no such override")
        return Response(status_code=204)

    @app.get("/api/v1/urls", response_model=UrlHistory, tags=["urls"])
    def url_history(url: str, who: Viewer) -> UrlHistory:
        checks = desk.checks(url)
        history = read_history(context, url)
        if not checks and history is None:
            raise HTTPException(404, "this URL was never checked here")
        return UrlHistory(
            url=url,
            first_seen=_time(history.first_seen.timestamp()) if history else None,
            last_live=_time(history.last_live.timestamp()) if history and history.last_live else None,
            consecutive_failures=history.consecutive_failures if history else None,
            next_check=_time(due.timestamp()) if (due := next_check(context, url)) else None,
            checks=[UrlCheck(**check) for check in checks],
        )

    @app.get("/api/v1/audit", response_model=AuditPage, tags=["audit"])
    def audit(who: Viewer, limit: Limit = 50, cursor: Cursor = None) -> AuditPage:
        items = db.audit(after=_cursor(cursor), limit=limit)
        return AuditPage(items=items, next=_next(items, limit, lambda item: int(item["id"])))

    from verifier.service.dashboard import dashboard_router

    app.include_router(dashboard_router(context, queue))
    return app
