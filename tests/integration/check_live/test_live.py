"""One test per verdict rule, each against a real local server."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from tests.integration.check_live.conftest import check_one, fast_settings
from tests.servers.httpd import LocalServer
from verifier._exceptions import ConfigError
from verifier.check.live.probe import LiveChecker
from verifier.config import HostSettings
from verifier.model import Outcome


async def test_a_working_page_is_live_with_a_single_head(fresh_server: LocalServer) -> None:
    verdict = await check_one(fresh_server.url("/doc/1.html"), soft404_probe=False)
    assert verdict.outcome is Outcome.LIVE
    assert verdict.http_status == 200
    assert verdict.reason == "answered 200 OK"
    assert fresh_server.requests == [("HEAD", "/doc/1.html")]


async def test_head_refused_falls_back_to_get(fresh_server: LocalServer) -> None:
    verdict = await check_one(fresh_server.url("/head-405"), soft404_probe=False)
    assert verdict.outcome is Outcome.LIVE
    assert [m for m, _ in fresh_server.requests] == ["HEAD", "GET"]


async def test_a_pdf_is_live(server: LocalServer) -> None:
    verdict = await check_one(server.url("/pdf"))
    assert verdict.outcome is Outcome.LIVE


async def test_no_content_type_makes_head_suspicious(fresh_server: LocalServer) -> None:
    verdict = await check_one(fresh_server.url("/no-type"), soft404_probe=False)
    assert verdict.outcome is Outcome.LIVE
    assert [m for m, _ in fresh_server.requests] == ["HEAD", "GET"]


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/gone", 410)])
async def test_404_and_410_are_dead(server: LocalServer, path: str, status: int) -> None:
    verdict = await check_one(server.url(path))
    assert verdict.outcome is Outcome.DEAD
    assert verdict.http_status == status


async def test_persistent_500_is_dead_after_retries(fresh_server: LocalServer) -> None:
    verdict = await check_one(fresh_server.url("/500"), retries=2)
    assert verdict.outcome is Outcome.DEAD
    assert verdict.attempts == 3
    assert "persisted" in verdict.reason
    assert fresh_server.count("/500", "GET") == 3


@pytest.mark.parametrize("path", ["/forbidden", "/unauthorized", "/status/451", "/status/402", "/status/407"])
async def test_access_refusals_are_restricted(server: LocalServer, path: str) -> None:
    verdict = await check_one(server.url(path))
    assert verdict.outcome is Outcome.RESTRICTED


@pytest.mark.parametrize("path", ["/cloudflare", "/cloudflare-503"])
async def test_bot_walls_are_restricted_never_retried(fresh_server: LocalServer, path: str) -> None:
    verdict = await check_one(fresh_server.url(path))
    assert verdict.outcome is Outcome.RESTRICTED
    assert verdict.attempts == 1
    assert "Cloudflare challenge" in verdict.reason


async def test_a_200_captcha_wall_is_restricted_not_live() -> None:
    # A site behind a bot wall shows the wall for every address, made-up ones included.
    with LocalServer(mode="botwall") as walled:
        verdict = await check_one(walled.url("/articles/2019/budget"))
    assert verdict.outcome is Outcome.RESTRICTED
    assert "Are you a robot?" in verdict.reason


async def test_503_then_200_is_live_after_a_retry(server: LocalServer) -> None:
    # HEAD 503 and GET 503 make the first try; the retry (straight to GET) gets the 200.
    verdict = await check_one(server.url("/503/twice-a?times=2"))
    assert verdict.outcome is Outcome.LIVE
    assert verdict.attempts == 2
    assert [m for m, p in server.requests if p.startswith("/503/twice-a")] == ["HEAD", "GET", "GET"]


async def test_a_503_on_head_is_checked_again_with_get(server: LocalServer) -> None:
    verdict = await check_one(server.url("/503/once-a"))
    assert verdict.outcome is Outcome.LIVE
    assert verdict.attempts == 1


async def test_always_503_is_unknown_not_dead(fresh_server: LocalServer) -> None:
    verdict = await check_one(fresh_server.url("/503"), retries=2)
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.attempts == 3
    assert "503" in verdict.reason


async def test_persistent_429_is_unknown(server: LocalServer) -> None:
    verdict = await check_one(server.url("/429/always-a?after=0&times=always"), retries=1)
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.http_status == 429
    assert "rate limited" in verdict.reason


async def test_reset_once_recovers_and_always_reset_is_unknown(server: LocalServer) -> None:
    recovered = await check_one(server.url("/reset/once-a"))
    assert recovered.outcome is Outcome.LIVE
    assert recovered.attempts >= 1
    broken = await check_one(server.url("/reset"), retries=1)
    assert broken.outcome is Outcome.UNKNOWN
    assert broken.failure == "connection-reset"
    assert broken.attempts == 2


async def test_a_trickling_body_cannot_hold_a_slot_past_the_deadline(server: LocalServer) -> None:
    started = time.monotonic()
    verdict = await check_one(server.url("/trickle?interval=0.02"), timeout=0.4, retries=0)
    elapsed = time.monotonic() - started
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.failure == "timeout"
    assert elapsed < 1.5


async def test_slow_headers_time_out(server: LocalServer) -> None:
    verdict = await check_one(server.url("/slow?delay=2"), timeout=0.3, retries=0)
    assert verdict.outcome is Outcome.UNKNOWN
    assert verdict.failure == "timeout"


async def test_redirect_chain_is_recorded(server: LocalServer) -> None:
    verdict = await check_one(server.url("/chain/3"))
    assert verdict.outcome is Outcome.LIVE
    assert verdict.redirects == tuple(server.url(f"/chain/{n}") for n in (2, 1, 0))
    assert verdict.final_url == server.url("/chain/0")


async def test_redirect_loop_is_dead(server: LocalServer) -> None:
    verdict = await check_one(server.url("/loop/a"))
    assert verdict.outcome is Outcome.DEAD
    assert verdict.failure == "redirect-loop"
    assert verdict.redirects == (server.url("/loop/b"), server.url("/loop/a"))


async def test_too_many_redirects_is_dead(server: LocalServer) -> None:
    verdict = await check_one(server.url("/chain/6"), max_redirects=5)
    assert verdict.outcome is Outcome.DEAD
    assert verdict.failure == "too-many-redirects"
    assert len(verdict.redirects) == 6
    allowed = await check_one(server.url("/chain/5"), max_redirects=5)
    assert allowed.outcome is Outcome.LIVE


async def test_a_cookie_redirect_to_itself_is_no_loop(server: LocalServer) -> None:
    verdict = await check_one(server.url("/cookie-gate"))
    assert verdict.outcome is Outcome.LIVE


async def test_deep_url_redirected_to_the_home_page_is_dead(server: LocalServer) -> None:
    verdict = await check_one(server.url("/moved-home/2011/report.html"))
    assert verdict.outcome is Outcome.DEAD
    assert "home page" in verdict.reason
    assert verdict.final_url == server.url("/")


async def test_deep_url_redirected_to_a_login_page_is_dead(server: LocalServer) -> None:
    verdict = await check_one(server.url("/moved-login/private/notes"))
    assert verdict.outcome is Outcome.DEAD
    assert "login" in verdict.reason


async def test_parked_domain_is_dead(server: LocalServer) -> None:
    verdict = await check_one(server.url("/parked?head=405"))
    assert verdict.outcome is Outcome.DEAD
    assert "parked" in verdict.reason


async def test_not_found_title_on_a_200_page_is_dead(server: LocalServer) -> None:
    verdict = await check_one(server.url("/html?title=P%C3%A1gina+no+encontrada&head=405"))
    assert verdict.outcome is Outcome.DEAD
    assert "soft 404" in verdict.reason


async def test_accepted_codes_count_as_live(server: LocalServer) -> None:
    verdict = await check_one(server.url("/forbidden"), accept=(403,))
    assert verdict.outcome is Outcome.LIVE


async def test_decompression_bomb_is_read_only_up_to_the_limit(server: LocalServer) -> None:
    tracemalloc.start()
    try:
        verdict = await check_one(server.url("/bomb?mb=64"), max_body_bytes=65_536)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert verdict.outcome is Outcome.LIVE
    assert peak < 8 * 1024 * 1024


async def test_user_agent_and_per_host_headers_are_sent() -> None:
    with LocalServer() as server:
        host = server.hosts[0]
        settings = fast_settings(
            user_agent="probe/9 (+https://example.org/bot)",
            headers={"X-Everyone": "1"},
            hosts={
                f"{host[0]}:{host[1]}": HostSettings(concurrency=1, headers={"Authorization": "Bearer t"})
            },
        )
        async with LiveChecker(settings) as checker:
            await checker.check(server.url("/doc/1.html"))
        seen = server.headers_seen[-1]
    assert seen["user-agent"] == "probe/9 (+https://example.org/bot)"
    assert seen["x-everyone"] == "1"
    assert seen["authorization"] == "Bearer t"


async def test_default_user_agent_names_the_tool(fresh_server: LocalServer) -> None:
    await check_one(fresh_server.url("/doc/2.html"), soft404_probe=False)
    agent = fresh_server.headers_seen[-1]["user-agent"]
    assert agent.startswith("verifier/") and "+http" in agent


async def test_refused_connection_is_dead() -> None:
    with LocalServer() as server:
        url = server.url("/doc/1.html")
    verdict = await check_one(url)
    assert verdict.outcome is Outcome.DEAD
    assert verdict.failure == "connection-refused"


async def test_other_schemes_are_skipped() -> None:
    verdict = await check_one("ftp://example.org/file.txt")
    assert verdict.outcome is Outcome.SKIPPED


async def test_requests_made_counts_every_request(fresh_server: LocalServer) -> None:
    async with LiveChecker(fast_settings(soft404_probe=False)) as checker:
        await checker.check(fresh_server.url("/chain/2"))
        assert checker.requests_made == 3 == len(fresh_server.requests)


@pytest.mark.parametrize("url", ["http://[::1/x", "https://xn--zz.invalid/page"])
async def test_urls_that_cannot_be_requested_are_dead_not_crashes(url: str) -> None:
    verdict = await check_one(url)
    assert verdict.outcome is Outcome.DEAD
    assert verdict.failure == "invalid-url"


async def test_an_unreadable_ca_bundle_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ca-bundle"):
        async with LiveChecker(fast_settings(ca_bundle=str(tmp_path / "missing.pem"))):
            pass


async def test_check_outside_the_context_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError):
        await LiveChecker(fast_settings()).check("http://127.0.0.1:1/")
