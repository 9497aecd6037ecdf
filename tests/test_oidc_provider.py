"""The test OIDC provider behaves as Streamlit needs: prompt=select_account is accepted, and the id_token
(signed with the provider's published key) carries email, name and the groups the roles are mapped from.

An authorization-code flow without a browser, through the provider's own login form; the id_token is
checked with joserfc (Authlib's JOSE library).
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.browser.appserver import free_port
from tests.oidc_provider import ACCOUNTS, Account, OidcProvider, running_provider

pytestmark = pytest.mark.oidc

REDIRECT_URI = "http://localhost:9/oauth2callback"  # never called: the flow stops at the redirect


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory):
    with running_provider(free_port(), [REDIRECT_URI], tmp_path_factory.mktemp("oidc")) as running:
        yield running


def _log_in(provider: OidcProvider, account: Account, password: str) -> tuple[httpx.Response, httpx.Client]:
    """Start a login as Streamlit does and submit the provider's form; the last response of the flow."""
    metadata = httpx.get(provider.metadata_url).json()
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "prompt": "select_account",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
    }
    client = httpx.Client()
    response = client.get(f"{metadata['authorization_endpoint']}?{urlencode(params)}")
    while response.is_redirect:
        response = client.get(urljoin(str(response.url), response.headers["location"]))
    assert response.status_code == 200 and 'name="login"' in response.text, response.text[:500]
    action = urljoin(str(response.url), re.search(r'action="([^"]+/login)"', response.text).group(1))
    response = client.post(action, data={"login": account.login, "password": password})
    while response.is_redirect and not response.headers["location"].startswith(REDIRECT_URI):
        response = client.get(urljoin(str(response.url), response.headers["location"]))
    return response, client


def test_the_id_token_carries_email_name_and_groups(provider: OidcProvider) -> None:
    metadata = httpx.get(provider.metadata_url).json()
    for account in ACCOUNTS:
        response, client = _log_in(provider, account, account.password)
        location = response.headers["location"]
        assert location.startswith(REDIRECT_URI), location
        code = parse_qs(urlsplit(location).query)["code"][0]
        token = httpx.post(
            metadata["token_endpoint"],
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
            auth=(provider.client_id, provider.client_secret),
        ).json()
        client.close()
        keys = KeySet.import_key_set(httpx.get(metadata["jwks_uri"]).json())
        claims = jwt.decode(token["id_token"], keys).claims
        assert claims["iss"] == provider.issuer and claims["aud"] == provider.client_id
        assert (claims["sub"], claims["email"], claims["name"], claims["groups"]) == (
            account.sub,
            account.email,
            account.name,
            list(account.groups),
        )


def test_a_wrong_password_is_refused_in_danish(provider: OidcProvider) -> None:
    response, client = _log_in(provider, ACCOUNTS[0], "forkert")
    client.close()
    assert response.status_code == 200
    assert "Forkert brugernavn eller adgangskode." in response.text
