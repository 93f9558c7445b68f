"""The dashboard's pages: server-rendered, usable without script, every change behind a CSRF check.

No ``from __future__ import annotations``: FastAPI reads the handlers' annotations.

A page needs a session (else it redirects to the login page); a POST needs a session, its
CSRF value and the role the change asks for, else it is refused with 403 and changes nothing.
"""

import datetime as dt
import hmac
import re
import secrets
import sqlite3
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jinja2
import orjson
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from verifier import __version__
from verifier._exceptions import ConfigError, VerifierError
from verifier.report.html import template_environment
from verifier.report.overrides import find_override
from verifier.report.rows import OUTCOME_LABELS
from verifier.service.dashboard import queries
from verifier.service.dashboard.sessions import COOKIE, LOGIN_COOKIE, MAX_SECONDS, Session, Sessions
from verifier.service.db import ACTIVE, Conflict
from verifier.service.desk import STATES, Desk, Flag, overrides_only
from verifier.service.queue import Queue, parse_schedule
from verifier.service.runs import ServiceContext, next_check, read_history
from verifier.service.sources import SourceError, validate_spec
from verifier.service.tokens import Role, create_token

HERE = Path(__file__).parent
#: Nothing but the dashboard's own stylesheet and script may load or run, so a URL, a link's text
#: or a note that carries markup stays text even if escaping were ever missed somewhere.
POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
FLAGS_PER_PAGE = 50
RUNS_PER_PAGE = 30
AUDIT_PER_PAGE = 50
#: Links listed on a run's page per kind; the report has them all.
RUN_LINKS_SHOWN = 100
STATE_LABELS = {
    "open": "Open",
    "false-positive": "False positive",
    "confirmed": "Confirmed",
    "fixed": "Fixed",
    "ignored": "Ignored",
}
ROLES = ("viewer", "editor", "admin")
_REPORT_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')

Field = Annotated[str, Form()]


def _when(epoch: float | None) -> str:
    if epoch is None:
        return ""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _local_path(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@cache
def _environment() -> jinja2.Environment:
    env = template_environment(HERE / "templates")
    env.filters["when"] = _when
    env.globals.update(
        version=__version__,
        outcome_labels=OUTCOME_LABELS,
        state_labels=STATE_LABELS,
        states=STATES,
    )
    return env


def _secure(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # A cited site learns nothing of the dashboard's addresses when an editor follows a link.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response


def _see(location: str) -> Response:
    return _secure(RedirectResponse(location, status_code=303))


class Dashboard:
    def __init__(self, context: ServiceContext, queue: Queue) -> None:
        self.context = context
        self.queue = queue
        self.db = context.db
        self.desk = Desk(context.db)
        self.sessions = Sessions(context.db)

    # Rendering and sessions

    def page(
        self, request: Request, name: str, session: Session | None, *, status: int = 200, **values: Any
    ) -> Response:
        flash = self.sessions.take_flash(session) if session is not None else None
        kind, _, text = (flash or "").partition("\t")
        html = (
            _environment()
            .get_template(name)
            .render(
                who=session,
                csrf=session.csrf if session else "",
                path=request.url.path,
                flash={"kind": kind, "text": text} if flash else None,
                doc=self.document_label,
                **values,
            )
        )
        return _secure(HTMLResponse(html, status_code=status))

    def document_label(self, path: str) -> str:
        """A document as editors know it: relative to the source folder, where it is under it."""
        root = self.context.source_root
        if root is not None and path.startswith(str(root) + "/"):
            return path[len(str(root)) + 1 :]
        return path

    def session(self, request: Request) -> Session | None:
        return self.sessions.find(request.cookies.get(COOKIE))

    def to_login(self, request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _see("/login?" + urlencode({"next": target}))

    def refused(self, request: Request, session: Session | None, why: str) -> Response:
        return self.page(request, "refused.html.j2", session, status=403, heading="Not allowed", why=why)

    def acting(self, request: Request, csrf: str, role: Role = Role.EDITOR) -> Session | Response:
        """The session behind a POST, or the 403 page: no session, a wrong CSRF value, too low a role."""
        session = self.session(request)
        if session is None:
            return self.refused(
                request, None, "Your session has ended. Sign in again, then repeat the change."
            )
        if not session.csrf_ok(csrf):
            return self.refused(
                request,
                session,
                "This form is out of date or did not come from this dashboard. Reload it and try again.",
            )
        if session.role < role:
            return self.refused(
                request, session, f"This needs the {role.label} role; you signed in as {session.role.label}."
            )
        return session

    def tell(self, session: Session, message: str, *, error: bool = False) -> None:
        self.sessions.flash(session, f"{'error' if error else 'ok'}\t{message}")

    def not_found(self, request: Request, session: Session, what: str) -> Response:
        return self.page(
            request,
            "refused.html.j2",
            session,
            status=404,
            heading="Not found",
            why=f"There is no such {what}.",
        )

    # Shared pieces

    def recheck(self, source_id: int, actor: str) -> None:
        """A flag marked fixed: check its source again at once (a run already going will do)."""
        try:
            run_id = self.db.create_run(source_id, force=True, actor=actor)
        except Conflict:
            return
        self.queue.enqueue_run(run_id)

    def flag_view(self, flag: Flag, names: Mapping[int, str]) -> dict[str, Any]:
        latest = self.desk.checks(flag.url, limit=1)
        archive = flag.archive or {}
        return {
            "flag": flag,
            "source": names.get(flag.source_id, f"source {flag.source_id}"),
            "reason": latest[0]["reason"] if latest else None,
            "status": latest[0]["http_status"] if latest else None,
            "archive_url": archive.get("url"),
            "archive_time": archive.get("timestamp"),
        }

    def report(self, run_id: int) -> dict[str, Any] | None:
        path = self.context.paths.report(run_id)
        if not path.is_file():
            return None
        report: dict[str, Any] = orjson.loads(path.read_bytes())
        return report

    def history(self, url: str) -> Any:
        try:
            return read_history(self.context, url)
        except (sqlite3.Error, VerifierError):
            return None  # no run has made the check store's tables yet

    def next_check(self, url: str) -> dt.datetime | None:
        try:
            return next_check(self.context, url)
        except (sqlite3.Error, VerifierError):
            return None


def dashboard_router(context: ServiceContext, queue: Queue) -> APIRouter:
    board = Dashboard(context, queue)
    db = context.db
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        kinds = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}
        if name not in kinds:
            return _secure(Response("not found", status_code=404, media_type="text/plain"))
        response = Response((HERE / "static" / name).read_bytes(), media_type=kinds[name])
        _secure(response)
        response.headers["Cache-Control"] = "no-cache"
        return response

    # Signing in and out

    def login_page(
        request: Request, *, error: str | None = None, status: int = 200, target: str = "/"
    ) -> Response:
        value = secrets.token_urlsafe(24)
        response = board.page(
            request,
            "login.html.j2",
            None,
            status=status,
            error=error,
            login_csrf=value,
            next=_local_path(target),
        )
        response.set_cookie(
            LOGIN_COOKIE,
            value,
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @router.get("/")
    def home(request: Request) -> Response:
        session = board.session(request)
        if session is None:
            return login_page(request)
        counts = queries.flag_counts(db)
        names = queries.source_names(db)
        runs = queries.runs_newest(db, source=None, before=None, limit=5)
        return board.page(
            request,
            "home.html.j2",
            session,
            counts=counts,
            sources=len(names),
            names=names,
            runs=runs,
            active=ACTIVE,
        )

    @router.get("/login")
    def login_form(request: Request, next: str = "/") -> Response:
        if board.session(request) is not None:
            return _see(_local_path(next))
        return login_page(request, target=next)

    @router.post("/login")
    def login(request: Request, token: Field = "", csrf: Field = "", next: Field = "/") -> Response:
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not csrf or not expected or not hmac.compare_digest(csrf.encode(), expected.encode()):
            return board.refused(
                request,
                None,
                "The sign-in form expired or did not come from this dashboard. Reload it and try again.",
            )
        started = board.sessions.start(token) if token.strip() else None
        if started is None:
            return login_page(
                request,
                error="That token is not valid: it may be mistyped or revoked.",
                status=401,
                target=next,
            )
        old = board.session(request)
        if old is not None:
            board.sessions.end(old)
        cookie, _ = started
        response = _see(_local_path(next))
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=MAX_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        response.delete_cookie(LOGIN_COOKIE)
        return response

    @router.post("/logout")
    def logout(request: Request, csrf: Field = "") -> Response:
        session = board.acting(request, csrf, Role.VIEWER)
        if isinstance(session, Response):
            return session
        board.sessions.end(session)
        response = _see("/login")
        response.delete_cookie(COOKIE)
        return response

    # Sources

    def sources_page(
        request: Request, session: Session, *, error: str | None = None, form: Mapping[str, str] | None = None
    ) -> Response:
        sources = db.sources(limit=500)
        latest = {source.id: db.latest_run(source.id) for source in sources}
        return board.page(
            request,
            "sources.html.j2",
            session,
            status=422 if error else 200,
            sources=sources,
            latest=latest,
            error=error,
            form=form or {},
            has_root=context.source_root is not None,
        )

    @router.get("/sources")
    def sources(request: Request) -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        return sources_page(request, session)

    @router.post("/sources")
    def add_source(
        request: Request,
        csrf: Field = "",
        name: Field = "",
        paths: Field = "",
        url: Field = "",
        kind: Field = "html",
        schedule: Field = "",
    ) -> Response:
        session = board.acting(request, csrf)
        if isinstance(session, Response):
            return session
        form = {"name": name, "paths": paths, "url": url, "kind": kind, "schedule": schedule}
        patterns = [line.strip() for line in paths.splitlines() if line.strip()]
        spec: dict[str, Any] = {}
        if patterns:
            spec["paths"] = patterns
        if url.strip():
            spec["url"] = {"href": url.strip(), "kind": kind}
        name = name.strip()
        try:
            if not name:
                raise ConfigError("a source needs a name")
            if len(name) > 200:
                raise ConfigError("a name has at most 200 characters")
            if len(spec) != 1:
                raise ConfigError("give either paths or a page URL, not both and not neither")
            clean = validate_spec(spec, context.source_root)
            if schedule.strip():
                parse_schedule(schedule.strip())
            source_id = db.create_source(name, clean, schedule.strip() or None, session.name)
        except (SourceError, ConfigError, Conflict) as error:
            return sources_page(request, session, error=str(error), form=form)
        board.tell(session, f"Source “{name}” added. Run it now, or wait for its schedule.")
        return _see(f"/sources#source-{source_id}")

    @router.post("/sources/{source_id}/run")
    def run_source(request: Request, source_id: int, csrf: Field = "", force: Field = "") -> Response:
        session = board.acting(request, csrf)
        if isinstance(session, Response):
            return session
        if db.source(source_id) is None:
            return board.not_found(request, session, "source")
        try:
            run_id = db.create_run(source_id, force=bool(force), actor=session.name)
        except Conflict as error:
            board.tell(session, "This source is already being checked; here is that run.")
            return _see(f"/runs/{error.existing}")
        queue.enqueue_run(run_id)
        return _see(f"/runs/{run_id}")

    # Runs

    @router.get("/runs")
    def runs(request: Request, source: str = "", before: str = "") -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        source_id = _int(source)
        items = queries.runs_newest(db, source=source_id, before=_int(before), limit=RUNS_PER_PAGE)
        older = None
        if len(items) == RUNS_PER_PAGE:
            older = "?" + urlencode({k: v for k, v in (("source", source_id), ("before", items[-1].id)) if v})
        return board.page(
            request,
            "runs.html.j2",
            session,
            runs=items,
            names=queries.source_names(db),
            source=source_id,
            older=older,
            active=ACTIVE,
        )

    @router.get("/runs/{run_id}")
    def run_page(request: Request, run_id: int) -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        run = db.run(run_id)
        if run is None:
            return board.not_found(request, session, "run")
        report = board.report(run_id) if run.status == "complete" else None
        attention: list[Any] = []
        overridden: list[Any] = []
        if report is not None:
            for link in report.get("links", []):
                if "override" in link:
                    overridden.append(link)
                elif link["outcome"] in ("dead", "archived"):
                    attention.append(link)
        source = db.source(run.source_id)
        return board.page(
            request,
            "run.html.j2",
            session,
            run=run,
            source=source,
            active=run.status in ACTIVE,
            attention=attention[:RUN_LINKS_SHOWN],
            attention_total=len(attention),
            overridden=overridden[:RUN_LINKS_SHOWN],
            overridden_total=len(overridden),
            has_report=report is not None,
        )

    @router.get("/runs/{run_id}/report.html")
    def run_report(request: Request, run_id: int) -> Response:
        from verifier.report.html import render

        session = board.session(request)
        if session is None:
            return board.to_login(request)
        run = db.run(run_id)
        report = board.report(run_id) if run is not None and run.status == "complete" else None
        if report is None:
            return board.not_found(request, session, "report (the run has not completed)")
        html = render(report, ("dead",))
        response = HTMLResponse(html)
        _secure(response)
        # The report allows exactly its own inline style and script, by hash; it names them itself.
        found = _REPORT_POLICY.search(html)
        response.headers["Content-Security-Policy"] = (
            found.group(1) if found else "default-src 'none'"
        ) + "; frame-ancestors 'none'"
        return response

    @router.post("/runs/{run_id}/cancel")
    def cancel_run(request: Request, run_id: int, csrf: Field = "") -> Response:
        session = board.acting(request, csrf)
        if isinstance(session, Response):
            return session
        if db.run(run_id) is None:
            return board.not_found(request, session, "run")
        if db.cancel_run(run_id, session.name):
            board.tell(session, "Run cancelled: what it had checked is kept.")
        else:
            board.tell(session, "The run had already ended.", error=True)
        return _see(f"/runs/{run_id}")

    # Flags

    @router.get("/flags")
    def flags(
        request: Request,
        state: str = "",
        outcome: str = "",
        source: str = "",
        document: str = "",
        after: str = "",
    ) -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        state = state if state in STATES else ""
        outcome = outcome if outcome in ("dead", "archived") else ""
        source_id = _int(source)
        chosen: dict[str, Any] = {
            "state": state,
            "outcome": outcome,
            "source": source_id,
            "document": document,
        }
        items = board.desk.flags(
            state=state or None,
            outcome=outcome or None,
            source=source_id,
            document=document or None,
            after=_int(after) or 0,
            limit=FLAGS_PER_PAGE,
        )
        names = queries.source_names(db)
        filters = {key: value for key, value in chosen.items() if value not in ("", None)}
        more = None
        if len(items) == FLAGS_PER_PAGE:
            more = "?" + urlencode({**filters, "after": items[-1].id})
        return board.page(
            request,
            "flags.html.j2",
            session,
            cards=[board.flag_view(flag, names) for flag in items],
            chosen=chosen,
            filters=filters,
            filtered=bool(filters),
            names=names,
            documents=queries.flag_documents(db),
            counts=queries.flag_counts(db),
            more=more,
            first=not after,
        )

    @router.post("/flags")
    def move_flags(
        request: Request,
        csrf: Field = "",
        ids: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
        state: Field = "",
        note: Field = "",
        back: Field = "",
    ) -> Response:
        session = board.acting(request, csrf)
        if isinstance(session, Response):
            return session
        back = back if back.startswith("?") else ""
        wanted = [number for number in (_int(value) for value in ids) if number is not None]
        if not wanted:
            board.tell(session, "Select at least one flag first.", error=True)
            return _see("/flags" + back)
        moving = [flag for flag in (board.desk.flag(number) for number in wanted) if flag is not None]
        already = [flag for flag in moving if flag.state == state]
        moving = [flag for flag in moving if flag.state != state]
        try:
            moved = (
                board.desk.move_many(
                    [flag.id for flag in moving], state, note=note.strip() or None, actor=session.name
                )
                if moving
                else []
            )
        except (Conflict, ConfigError) as error:
            board.tell(session, f"Nothing changed: {error}.", error=True)
            return _see("/flags" + back)
        except LookupError:
            board.tell(session, "Nothing changed: a selected flag is gone.", error=True)
            return _see("/flags" + back)
        if state == "fixed":
            for source_id in sorted({flag.source_id for flag in moved}):
                board.recheck(source_id, session.name)
        label = STATE_LABELS.get(state, state).lower()
        message = f"{len(moved)} flag{'' if len(moved) == 1 else 's'} marked {label}."
        if already:
            message += f" {len(already)} already {'was' if len(already) == 1 else 'were'}."
        if state == "fixed" and moved:
            message += " Their sources are being checked again."
        board.tell(session, message)
        return _see("/flags" + back)

    def flag_page(
        request: Request, session: Session, flag_id: int, *, error: str | None = None, note: str = ""
    ) -> Response:
        flag = board.desk.flag(flag_id)
        if flag is None:
            return board.not_found(request, session, "flag")
        names = queries.source_names(db)
        targets = ["open"] if flag.state == "false-positive" else [s for s in STATES if s != flag.state]
        return board.page(
            request,
            "flag.html.j2",
            session,
            status=422 if error else 200,
            card=board.flag_view(flag, names),
            targets=targets,
            error=error,
            note=note,
        )

    @router.get("/flags/{flag_id}")
    def flag(request: Request, flag_id: int) -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        return flag_page(request, session, flag_id)

    @router.post("/flags/{flag_id}")
    def move_flag(
        request: Request,
        flag_id: int,
        csrf: Field = "",
        state: Field = "",
        note: Field = "",
        version: Field = "",
    ) -> Response:
        session = board.acting(request, csrf)
        if isinstance(session, Response):
            return session
        try:
            moved = board.desk.move(
                flag_id, state, note=note.strip() or None, version=_int(version), actor=session.name
            )
        except LookupError:
            return board.not_found(request, session, "flag")
        except (Conflict, ConfigError) as error:
            return flag_page(request, session, flag_id, error=str(error), note=note)
        if state == "fixed":
            board.recheck(moved.source_id, session.name)
        message = f"Marked {STATE_LABELS.get(state, state).lower()}."
        if state == "false-positive":
            message += " Later runs report this link as live, by your override."
        elif state == "fixed":
            message += " Its source is being checked again."
        board.tell(session, message)
        return _see(f"/flags/{flag_id}")

    # A URL's history

    @router.get("/urls")
    def url_history(request: Request, url: str = "") -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        checks = board.desk.checks(url) if url else []
        history = board.history(url) if url else None
        override = find_override(overrides_only(board.desk.overrides()), url) if url else None
        return board.page(
            request,
            "url.html.j2",
            session,
            url=url,
            checks=checks,
            history=history,
            next_due=board.next_check(url) if url else None,
            override=override,
            flags=queries.flags_for_url(db, url) if url else [],
            names=queries.source_names(db),
            found=bool(checks or history),
        )

    # The audit log

    @router.get("/audit")
    def audit(request: Request, before: str = "") -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        items = queries.audit_newest(db, before=_int(before), limit=AUDIT_PER_PAGE)
        for item in items:
            kind, _, key = item["subject"].partition(":")
            item["link"] = {"flag": f"/flags/{key}", "run": f"/runs/{key}", "source": "/sources"}.get(kind)
        older = f"?before={items[-1]['id']}" if len(items) == AUDIT_PER_PAGE else None
        return board.page(request, "audit.html.j2", session, items=items, older=older)

    # Tokens (admin)

    def tokens_page(
        request: Request,
        session: Session,
        *,
        made: tuple[str, str, str] | None = None,
        error: str | None = None,
    ) -> Response:
        return board.page(
            request,
            "tokens.html.j2",
            session,
            status=422 if error else 200,
            tokens=db.tokens(),
            made=made,
            error=error,
            roles=ROLES,
        )

    @router.get("/tokens")
    def tokens(request: Request) -> Response:
        session = board.session(request)
        if session is None:
            return board.to_login(request)
        if not session.is_admin:
            return board.refused(request, session, "Only an admin sees the tokens.")
        return tokens_page(request, session)

    @router.post("/tokens")
    def new_token(request: Request, csrf: Field = "", name: Field = "", role: Field = "viewer") -> Response:
        session = board.acting(request, csrf, Role.ADMIN)
        if isinstance(session, Response):
            return session
        try:
            token = create_token(db, name.strip(), Role.named(role), actor=session.name)
        except ConfigError as error:
            return tokens_page(request, session, error=str(error))
        # Shown on this answer only, never kept: only its digest is stored.
        return tokens_page(request, session, made=(name.strip(), role, token))

    @router.post("/tokens/revoke")
    def revoke_token(request: Request, csrf: Field = "", name: Field = "") -> Response:
        session = board.acting(request, csrf, Role.ADMIN)
        if isinstance(session, Response):
            return session
        if not db.revoke_token(name, session.name):
            board.tell(session, f"No active token named “{name}”.", error=True)
            return _see("/tokens")
        board.sessions.end_for_token(name)
        if name == session.name:
            response = _see("/login")
            response.delete_cookie(COOKIE)
            return response
        board.tell(session, f"Token “{name}” revoked; its sessions have ended.")
        return _see("/tokens")

    return router
