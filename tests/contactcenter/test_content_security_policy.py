"""Every page carries a Content-Security-Policy: scripts only from this site or with the page's
nonce (the import map), no inline styles, connections to this site and its websocket. HSTS is
sent when configured. What a real browser makes of it: tests/e2e/test_content_security_policy.py.
"""

import re

import pytest

from tests.factories import AgentFactory, SupervisorFactory

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    """The policy's directives by name."""
    directives = response["Content-Security-Policy"].split(";")
    return {name: values for name, *values in (d.split() for d in directives if d.strip())}


def test_the_login_page_allows_its_import_map_by_nonce_and_no_other_inline_script(client):
    # when
    response = client.get("/login/")
    # then
    directives = policy(response)
    [nonce] = re.findall(r'<script type="importmap" nonce="([^"]+)">', response.content.decode())
    assert directives["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_each_page_gets_a_nonce_of_its_own(client):
    first, second = policy(client.get("/login/")), policy(client.get("/login/"))
    assert first["script-src"] != second["script-src"]


def test_htmx_puts_no_style_element_of_its_own_in_the_page(client):
    page = client.get("/login/").content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in page


def test_the_workspace_may_open_its_websocket_on_its_own_host(client):
    client.force_login(AgentFactory().user)
    plain, secure = client.get("/"), client.get("/", secure=True)
    assert policy(plain)["connect-src"] == ["'self'", "ws://testserver"]
    assert policy(secure)["connect-src"] == ["'self'", "wss://testserver"]


def test_the_admin_and_the_api_docs_carry_the_policy(client):
    # given
    client.force_login(SupervisorFactory(is_superuser=True))
    # when
    admin = client.get("/admin/")
    docs = client.get("/api/docs/")
    # then: the docs' own script comes from a URL, their inline style with the nonce
    assert "script-src" in policy(admin)
    [nonce] = re.findall(r"'nonce-([^']+)'", " ".join(policy(docs)["style-src"]))
    assert f'<style nonce="{nonce}">' in docs.content.decode()
    assert "<script>" not in docs.content.decode()
    assert docs.status_code == admin.status_code == 200


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get("/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_no_hsts_by_default(client):
    assert "Strict-Transport-Security" not in client.get("/login/", secure=True)
