"""Harvesters reach the network only through the guarded session: bounded, polite, fenced in."""

import pytest

from harvesters.http import FetchError, HttpClient, Limits


class Recording(HttpClient):
    """The guarded client, its waits between attempts recorded instead of slept."""

    def __init__(self, allowed_hosts: set[str], limits: Limits | None = None):
        super().__init__(allowed_hosts, limits)
        self.waits: list[float] = []
        self.session.sleep = self.waits.append


def client(server, **limits) -> Recording:
    return Recording({"127.0.0.1"}, Limits(**{"timeout": 5, "backoff": 0, **limits}))


def test_a_plain_get_returns_body_and_sends_our_user_agent(server):
    url = server.serve("/feed.ttl", "hello", Content_Type="text/turtle; charset=utf-8")
    fetched = client(server).get(url)
    assert (fetched.status, fetched.text(), fetched.content_type) == (200, "hello", "text/turtle")
    assert server.requests[-1].headers["User-Agent"].startswith("helsekatalog-harvester/")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/"])
def test_other_schemes_are_refused(server, url):
    with pytest.raises(FetchError, match="only http and https"):
        client(server).get(url)


def test_hosts_not_allowed_for_the_source_are_refused(server):
    with pytest.raises(FetchError, match="not allowed for this source"):
        client(server).get("http://localhost:1/")


def test_a_redirect_to_another_host_is_refused(server):
    url = server.serve("/moved", "", 302, Location="http://169.254.169.254/latest/meta-data")
    with pytest.raises(FetchError, match="'169.254.169.254', which is not allowed"):
        client(server).get(url)


def test_a_redirect_to_a_file_url_is_refused(server):
    url = server.serve("/moved", "", 302, Location="file:///etc/passwd")
    with pytest.raises(FetchError, match="only http and https"):
        client(server).get(url)


def test_a_redirect_loop_is_detected(server):
    server.serve("/a", "", 302, Location="/b")
    url = server.serve("/b", "", 302, Location="/a")
    with pytest.raises(FetchError, match="redirect loop"):
        client(server).get(url)


def test_redirects_within_the_source_are_followed(server):
    server.serve("/new", "moved here")
    url = server.serve("/old", "", 301, Location="/new")
    assert client(server).get(url).text() == "moved here"


def test_an_oversized_body_is_cut_off_with_a_clear_message(server):
    url = server.serve("/big", b"x" * 200_000)
    with pytest.raises(FetchError, match="over the limit of 100,000"):
        client(server, max_bytes=100_000).get(url)


def test_retry_after_is_honoured_then_the_request_succeeds(server):
    url = server.serve("/busy", "slow down", 429, Retry_After="2")
    c = client(server)
    original = c.session.sleep

    def recover(seconds):
        original(seconds)
        server.serve("/busy", "ok now")

    c.session.sleep = recover
    assert c.get(url).text() == "ok now"
    assert c.waits == [2.0]


def test_a_retry_after_longer_than_we_wait_fails_the_request(server):
    url = server.serve("/busy", "", 429, Retry_After="3600")
    with pytest.raises(FetchError, match="wait 3600 s"):
        client(server).get(url)


def test_server_errors_are_retried_with_backoff_then_reported(server):
    url = server.serve("/down", "", 503)
    c = client(server, retries=2, backoff=0.5)
    with pytest.raises(FetchError, match="answered 503"):
        c.get(url)
    assert c.waits == [0.5, 1.0]
    assert len([r for r in server.requests if r.path == "/down"]) == 3


def test_latin1_bytes_declared_as_utf8_are_an_error_not_mojibake(server):
    url = server.serve("/latin1", "fødselsvekt".encode("latin-1"), Content_Type="text/turtle; charset=utf-8")
    with pytest.raises(FetchError, match="not valid utf-8"):
        client(server).get(url).text()


def test_conditional_get_sends_validators(server):
    url = server.serve("/feed", "", 304)
    fetched = client(server).get(url, etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert fetched.not_modified
    assert server.requests[-1].headers["If-None-Match"] == '"v1"'
