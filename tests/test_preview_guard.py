"""Only the preview's user can drive it: Host, secret, same-origin JSON, capped bodies."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from .preview_server import CLIENT, TOKEN, app_in_thread, state, until, view

# One worker runs this module (its module fixture starts a preview and waits for its first build):
# a module fixture is made once per worker that runs a test of it.
pytestmark = pytest.mark.xdist_group("preview-guard")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from .conftest import copy_project

    root = copy_project(tmp_path_factory.mktemp("guard") / "project")
    with app_in_thread(root) as url:
        until(lambda: state(url)["number"] >= 1, 300, "no first build", 0.2)
        yield url


def ask(
    base: str,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    secret: bool = True,
) -> tuple[int, dict[str, str], bytes]:
    """One request with exactly these headers (Host included); (status, headers, body)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    sent = {"Host": f"127.0.0.1:{port}"} | (headers or {})
    if secret:
        path += ("&" if "?" in path else "?") + f"token={TOKEN}"
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in sent.items():
        connection.putheader(name, value)
    if body is not None and "Transfer-Encoding" not in sent:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders()
    if body is not None and "Transfer-Encoding" in sent:  # chunked: no length announced
        for start in range(0, len(body), 8192):
            chunk = body[start : start + 8192]
            connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        connection.send(b"0\r\n\r\n")
    elif body is not None:
        connection.send(body)
    response = connection.getresponse()
    answer = (response.status, dict(response.getheaders()), response.read())
    connection.close()
    return answer


def select(base: str, body: bytes, **headers: str) -> tuple[int, dict[str, str], bytes]:
    origin = {"Origin": base, "Content-Type": "application/json"}
    return ask(base, "POST", "/select", origin | headers, body)


def test_a_foreign_host_is_refused_even_with_the_secret(base: str) -> None:
    """DNS rebinding: a page of attacker.example resolving to 127.0.0.1 reads nothing."""
    port = base.rsplit(":", 1)[1]
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.nip.io:{port}"):
        status, _, body = ask(base, "GET", "/state", {"Host": host})
        assert status == 400 and b"127.0.0.1 and localhost" in body, host
        assert ask(base, "GET", "/image/pdf/1/1.png", {"Host": host})[0] == 400
    for host in (f"localhost:{port}", f"[::1]:{port}", f"127.0.0.1:{port}"):
        assert ask(base, "GET", "/state", {"Host": host})[0] == 200, host


def test_the_secret_is_needed_on_every_request_and_a_first_visit_sets_a_cookie(
    base: str,
) -> None:
    for path in ("/", "/state", "/choices", "/events", "/image/pdf/1/1.png"):
        status, _, body = ask(base, "GET", path, secret=False)
        assert status == 403 and b"?token=" in body, path
    assert ask(base, "GET", "/state?token=wrong-secret", secret=False)[0] == 403
    status, headers, _ = ask(base, "GET", "/")
    assert status == 200
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    name_value = cookie.split(";", 1)[0]
    assert ask(base, "GET", "/state", {"Cookie": name_value}, secret=False)[0] == 200
    png = ask(base, "GET", "/image/pdf/1/1.png", {"Cookie": name_value}, secret=False)
    assert png[0] == 200 and png[2].startswith(b"\x89PNG")
    auth = {"Authorization": f"token {TOKEN}"}
    assert ask(base, "GET", "/state", auth, secret=False)[0] == 200


def test_a_cross_site_post_cannot_switch_the_client(base: str) -> None:
    body = json.dumps({"client": "nordlys-travel", "theme": ""}).encode()
    plain = {"Content-Type": "text/plain", "Origin": "http://attacker.example"}
    assert ask(base, "POST", "/select", plain, body)[0] == 403  # a "simple" cross-site request
    assert select(base, body, Origin="http://attacker.example")[0] == 403
    assert select(base, body, Origin="null")[0] == 403
    no_origin = {"Content-Type": "application/json"}
    assert ask(base, "POST", "/select", no_origin, body)[0] == 403
    assert select(base, body, **{"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert (
        ask(base, "POST", "/select", {"Origin": base, "Content-Type": "text/plain"}, body)[0] == 415
    )
    assert state(base)["client"] == CLIENT  # nothing switched


def test_an_oversized_or_malformed_body_is_refused(base: str) -> None:
    big = b'{"client": "' + b"x" * 400_000 + b'"}'
    status, _, reply = select(base, big)
    assert status == 413 and b"4096 bytes" in reply
    status, _, reply = select(base, big, **{"Transfer-Encoding": "chunked"})  # no length given
    assert status == 413
    assert select(base, b"not json")[0] == 400
    assert select(base, b"[1, 2]")[0] == 400
    assert select(base, b'{"client": 5}')[0] == 400
    status, _, reply = select(base, json.dumps({"client": f"{CLIENT}.zh-CN"}).encode())
    assert status == 400 and b"unknown client" in reply
    assert select(base, json.dumps({"client": CLIENT, "theme": "../x"}).encode())[0] == 400
    assert state(base)["client"] == CLIENT


def test_only_the_pages_own_routes_are_served_and_a_missing_page_is_a_404(base: str) -> None:
    snapshot = state(base)
    pages = view(snapshot, "pdf")["count"]
    for path in ("/../../etc/passwd", "/image/pdf/1/..%2F..%2Fetc%2Fpasswd.png", "/data/x.png",
                 "/image/pdf/x/1.png", "/templates/default/theme.yaml", "/image/pdf/999/1.png",
                 f"/image/pdf/1/{pages + 1}.png", "/image/pdf/1/0.png", "/image/nothing/1/1.png",
                 "/image/pdf/1/99999999999999999999999.png"):  # fmt: skip
        status, _, body = ask(base, "GET", path)
        assert status in (404, 405), path
        assert b"Traceback" not in body


def test_the_client_menu_offers_clients_only(base: str) -> None:
    status, _, body = ask(base, "GET", "/choices")
    offered = json.loads(body)
    assert status == 200 and CLIENT in offered["clients"]
    assert not [c for c in offered["clients"] if "." in c]
    assert offered["themes"] == ["default", "meridian"] and "zh-CN" in offered["langs"]


def test_a_chosen_address_is_accepted_as_host_but_never_a_name_or_any_address() -> None:
    """`--host 192.0.2.7` also answers to that address (an address cannot be rebound);
    `--host 0.0.0.0` adds nothing; names other than localhost are always refused."""
    from briefing.preview.app import _address
    from briefing.preview.guard import LOOPBACK, Guard

    assert _address("0.0.0.0") == _address("::") == _address("example.org") == frozenset()
    guard = Guard(None, TOKEN, LOOPBACK | _address("192.0.2.7"))
    scope = {"method": "GET", "query_string": f"token={TOKEN}".encode()}
    assert guard.refusal(scope, {"host": "192.0.2.7:8800"}) is None
    assert guard.refusal(scope, {"host": "localhost:8800"}) is None
    assert guard.refusal(scope, {"host": "example.org:8800"})[0] == 400
    assert guard.refusal(scope, {"host": "192.0.2.8:8800"})[0] == 400
    assert guard.refusal(scope, {})[0] == 400


def test_the_preview_and_smtp_agree_on_what_is_this_machine() -> None:
    """One loopback rule (settings.is_loopback): the preview once warned that 127.0.0.2 or
    ::ffff:127.0.0.1 was reachable by others while SMTP called them local."""
    import inspect

    from briefing.preview import app
    from briefing.settings import is_loopback

    for host in ("localhost", "127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.5", "::ffff:192.168.1.5", "example.com", ""):
        assert not is_loopback(host), host
    assert "not is_loopback(host)" in inspect.getsource(app)  # the warning uses the rule
