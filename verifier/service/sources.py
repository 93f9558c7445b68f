"""What a source is, and the documents it holds at the start of a run.

A source is files under the service's ``--source-root`` (globs, never outside it), files of a
git repository's checkout (:mod:`.git`), a web page (HTML, or a MediaWiki page fetched raw as
wikitext), or documents uploaded to it.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from verifier._exceptions import ConfigError
from verifier.config import Settings, _from_mapping
from verifier.model import Document, Format, InputProblem

#: What a source may set for itself; everything else comes from the service's settings.
SOURCE_SETTINGS = frozenset({"include", "exclude", "hosts", "fail-on", "fail_on"})
#: Bytes of one fetched page at most: a citation page, not a download.
MAX_PAGE_BYTES = 20 * 1024 * 1024


class SourceError(ConfigError):
    """A source that cannot be what it says (a 422 in the API)."""


def validate_spec(spec: Mapping[str, Any], source_root: Path | None) -> dict[str, Any]:
    """The stored form of a source's what-to-read: exactly one of paths, git, url; settings checked."""
    kinds = [key for key in ("paths", "git", "url") if spec.get(key) is not None]
    if len(kinds) != 1:
        raise SourceError("give exactly one of paths, git or url")
    kind = kinds[0]
    clean: dict[str, Any] = {}
    if kind == "git":
        from verifier.service.git import validate_git

        clean["git"] = validate_git(spec["git"])
    elif kind == "paths":
        if source_root is None:
            raise SourceError("path sources need the service started with --source-root")
        patterns = spec["paths"]
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
            raise SourceError("paths: a non-empty list of globs")
        for pattern in patterns:
            if os.path.isabs(pattern) or ".." in Path(pattern).parts:
                raise SourceError(f"paths: {pattern!r} must stay inside the source root")
        clean["paths"] = list(patterns)
    else:
        url = spec["url"]
        if not isinstance(url, Mapping) or not isinstance(url.get("href"), str):
            raise SourceError("url: an object with href")
        href = url["href"]
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError("url.href: an http or https address")
        page_kind = url.get("kind", "html")
        if page_kind not in ("html", "mediawiki"):
            raise SourceError("url.kind: html or mediawiki")
        clean["url"] = {"href": href, "kind": page_kind}
        for optional in ("title", "base"):
            if url.get(optional) is not None:
                if not isinstance(url[optional], str):
                    raise SourceError(f"url.{optional}: text")
                clean["url"][optional] = url[optional]
    settings = spec.get("settings") or {}
    if not isinstance(settings, Mapping):
        raise SourceError("settings: an object")
    unknown = sorted(set(settings) - SOURCE_SETTINGS)
    if unknown:
        raise SourceError(
            f"settings: a source may set only include, exclude, hosts and fail-on, not {unknown}"
        )
    _from_mapping(settings, "settings")  # the same checks as a config file
    clean["settings"] = dict(settings)
    return clean


def source_settings(base: Settings, spec: Mapping[str, Any]) -> Settings:
    """The service's settings with what the source sets for itself."""
    own = _from_mapping(spec.get("settings") or {}, "settings")
    return dataclasses.replace(base, **own) if own else base


def _inside(root: Path, path: Path) -> bool:
    resolved = path.resolve()
    return resolved == root or root in resolved.parents


def path_documents(patterns: list[str], source_root: Path) -> tuple[list[str], list[InputProblem]]:
    """The files the globs name, each resolved inside ``source_root`` (symbolic links that
    lead out of it are refused)."""
    root = source_root.resolve()
    files: list[str] = []
    problems: list[InputProblem] = []
    for pattern in patterns:
        matches = sorted(glob.glob(str(root / pattern), recursive=True))
        if not matches:
            problems.append(InputProblem(pattern, None, "no files match this pattern", "warning"))
        for match in matches:
            candidate = Path(match)
            if not _inside(root, candidate):
                problems.append(InputProblem(match, None, "leads outside the source root; skipped"))
                continue
            if candidate.is_file() and match not in files:
                files.append(match)
            elif candidate.is_dir():
                for walked in sorted(candidate.rglob("*")):
                    hidden = any(part.startswith(".") for part in walked.relative_to(root).parts)
                    if walked.is_file() and not hidden and _inside(root, walked) and str(walked) not in files:
                        files.append(str(walked))
    return files, problems


def raw_address(url: Mapping[str, Any]) -> str:
    """Where a page is fetched: itself for HTML; ``index.php?title=…&action=raw`` for MediaWiki."""
    href: str = url["href"]
    if url.get("kind") != "mediawiki":
        return href
    parts = urlsplit(href)
    title = url.get("title")
    if not title:
        path = parts.path
        title = path.split("/wiki/", 1)[1] if "/wiki/" in path else path.rsplit("/", 1)[-1]
    base = url.get("base") or urlunsplit((parts.scheme, parts.netloc, "/w/index.php", "", ""))
    return f"{base}?title={quote(title, safe=':/()')}&action=raw"


async def fetch_page(
    url: Mapping[str, Any], settings: Settings
) -> tuple[Document | None, list[InputProblem]]:
    """The page a URL source names, read as HTML or wikitext, through the probe's own transport
    (so ``--resolve`` and ``--ca-bundle`` hold for it as for every check)."""
    import httpx

    from verifier.check.http.h11transport import H11Transport
    from verifier.check.http.transport import parse_resolve, tls_context
    from verifier.extract import extract_bytes
    from verifier.service.netguard import address_policy

    address = raw_address(url)
    policy = address_policy(settings)
    # Redirects are followed by the client, each hop connected through the guarded transport.
    transport = H11Transport(
        ssl_context=tls_context(settings),
        resolve=parse_resolve(settings.resolve),
        address_policy=policy.allows if policy is not None else None,
    )
    body = bytearray()
    try:
        async with (
            httpx.AsyncClient(
                transport=transport,
                timeout=settings.timeout,
                follow_redirects=True,
                headers={"User-Agent": settings.user_agent},
            ) as client,
            client.stream("GET", address) as response,
        ):
            if response.status_code != 200:
                problem = f"fetching {address} answered {response.status_code}"
                return None, [InputProblem(url["href"], None, problem)]
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > MAX_PAGE_BYTES:
                    return None, [InputProblem(url["href"], None, f"larger than {MAX_PAGE_BYTES} bytes")]
    except httpx.HTTPError as error:
        return None, [InputProblem(url["href"], None, f"cannot fetch {address}: {error}")]
    fmt = Format.WIKITEXT if url.get("kind") == "mediawiki" else Format.HTML
    return extract_bytes(bytes(body), url["href"], fmt=fmt)
