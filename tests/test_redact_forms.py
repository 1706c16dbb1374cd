"""Secrets in the forms platforms echo them: JSON-escaped, percent-encoded, in OAuth query or
form keys, as a URL's user, in libpq connection strings and in Authorization headers."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from toolkit.core.redact import redact, register

SLASHED = "tok/with\"quote-é-Ω-9876"
SPACED = "pass word@home+42"


def test_a_json_escaped_secret_is_masked() -> None:
    register([SLASHED])
    ascii_body = json.dumps({"error": f"bad token {SLASHED}"})
    raw_body = json.dumps({"error": f"bad token {SLASHED}"}, ensure_ascii=False)
    php_body = raw_body.replace("/", "\\/")
    upper_body = ascii_body.replace("\\u00e9", "\\u00E9").replace("\\u03a9", "\\u03A9")
    for body in (ascii_body, raw_body, php_body, upper_body):
        out = redact(body)
        assert "9876" not in out and "***" in out, out


def test_a_percent_encoded_secret_is_masked() -> None:
    register([SPACED])
    for form in (quote(SPACED, safe=""), quote(SPACED), quote_plus(SPACED),
                 quote(SPACED, safe="").lower()):
        out = redact(f"POST /token body=grant_type=password&x={form}&y=1")
        assert "home" not in out, out


@pytest.mark.parametrize("key", ["client_secret", "refresh_token", "oauth_token",
                                 "oauth_token_secret", "app_password", "access_token",
                                 "id_token", "code", "token", "password"])
def test_oauth_query_and_form_keys_are_masked(key: str) -> None:
    for text in (f"https://h.example/cb?state=1&{key}=Zq81xVw&b=2",
                 f"https://h.example/cb#{key}=Zq81xVw&b=2",
                 f"grant_type=authorization_code&{key}=Zq81xVw",
                 f"{key}=Zq81xVw&grant_type=refresh_token"):
        out = redact(text)
        assert "Zq81xVw" not in out and f"{key}=***" in out, out


def test_ordinary_words_after_code_or_key_are_left() -> None:
    assert redact("HTTP status code=500 from the API") == "HTTP status code=500 from the API"
    assert redact("duplicate key=campaign_id") == "duplicate key=campaign_id"
    out = redact("body: client_secret=Zq81xVw password=Zq81xVw")
    assert out == "body: client_secret=*** password=***"


def test_a_token_as_the_url_user_is_masked_and_passwords_still_are() -> None:
    assert redact("clone https://ghp_Abc123Def456@github.com/o/r failed") == \
        "clone https://***@github.com/o/r failed"
    assert redact("mailto://me:p@ss@gmail.com?to=x") == "mailto://me:***@gmail.com?to=x"
    assert redact("postgresql://u:pw-12345@h/db") == "postgresql://u:***@h/db"
    assert redact("postgresql://campaign@/db?host=/tmp") == "postgresql://campaign@/db?host=/tmp"


def test_libpq_keyword_strings_are_masked() -> None:
    out = redact("connection to host=db password=Sup3rS3cret user=x failed")
    assert out == "connection to host=db password=*** user=x failed"
    out = redact("host=db password='a b c\\' d' user=x")
    assert out == "host=db password=*** user=x"


def test_a_percent_encoded_store_password_is_masked_in_both_forms() -> None:
    from toolkit.core.redact import url_password
    register([url_password("postgresql://u:p%40ss-word9@h/db")])
    assert redact("auth failed for p%40ss-word9") == "auth failed for ***"
    assert redact("auth failed for p@ss-word9") == "auth failed for ***"


@pytest.mark.parametrize("header", [
    "Authorization: Bearer eyJhbGciOi.J9xx-yy_zz",
    "{'Authorization': 'Bearer eyJhbGciOi.J9xx-yy_zz'}",
    "Authorization: Basic dXNlcjpwYXNzd29yZA==",
    "authorization=Token eyJhbGciOi.J9xx",
    "sent header Bearer eyJhbGciOi.J9xx-yy_zz",
])
def test_authorization_header_values_are_masked(header: str) -> None:
    out = redact(f"401 Unauthorized; request had {header} end")
    assert "eyJhbGciOi" not in out and "dXNlcjpw" not in out and "***" in out, out


def test_ordinary_words_after_basic_are_left() -> None:
    assert redact("HTTP Basic authentication required") == "HTTP Basic authentication required"


def test_a_channel_url_registers_its_token_parts() -> None:
    from toolkit.core.redact import register_url

    register_url("discord://1183452/Wh0okT0kenXYZ-abc")
    register_url("tgram://123456:AAbbCCdd-token/9876543")
    out = redact("discord said 401 for 1183452 Wh0okT0kenXYZ-abc; telegram 123456:AAbbCCdd-token")
    assert "Wh0ok" not in out and "1183452" not in out and "AAbbCCdd" not in out, out
    register_url("json://127.0.0.1:8080/webhooks")
    assert redact("posting to 127.0.0.1 webhooks") == "posting to 127.0.0.1 webhooks"
