"""Building a Kimi client: key and base URL from config or environment, and config checks."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from onesdk import OneSDK
from onesdk.errors import InvokeConfigError

KEY = "sk-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOONSHOT_API_KEY", raising=False)
    monkeypatch.delenv("MOONSHOT_BASE_URL", raising=False)


# --- the API key ---------------------------------------------------------------------------


def test_missing_key_is_a_config_error_naming_the_env_variable() -> None:
    with pytest.raises(InvokeConfigError, match="MOONSHOT_API_KEY") as caught:
        OneSDK("kimi")
    assert caught.value.provider == "kimi"


def test_empty_key_is_a_config_error() -> None:
    with pytest.raises(InvokeConfigError, match="MOONSHOT_API_KEY"):
        OneSDK("kimi", {"api_key": ""})


def test_key_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", KEY)
    assert OneSDK("kimi").config.api_key == KEY


def test_key_in_config_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_API_KEY", "sk-from-env")
    assert OneSDK("kimi", {"api_key": KEY}).config.api_key == KEY


def test_config_may_be_given_as_keyword_options() -> None:
    client = OneSDK("kimi", api_key=KEY, model="kimi-k2-turbo-preview")
    assert client.config.api_key == KEY
    assert client.model == "kimi-k2-turbo-preview"


def test_keyword_options_win_over_the_config_dict() -> None:
    client = OneSDK("kimi", {"api_key": KEY, "max_retries": 5}, max_retries=1)
    assert client.config.max_retries == 1


def test_config_that_is_not_a_dict_is_a_config_error() -> None:
    with pytest.raises(InvokeConfigError, match="config must be a dict"):
        OneSDK("kimi", KEY)  # type: ignore[arg-type]


# --- the base URL --------------------------------------------------------------------------


def test_default_base_url_is_the_china_endpoint() -> None:
    assert OneSDK("kimi", {"api_key": KEY}).config.base_url == "https://api.moonshot.cn/v1"


def test_base_url_is_read_from_moonshot_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_BASE_URL", "https://api.moonshot.ai/v1")
    assert OneSDK("kimi", {"api_key": KEY}).config.base_url == "https://api.moonshot.ai/v1"


def test_base_url_in_config_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOONSHOT_BASE_URL", "https://api.moonshot.ai/v1")
    client = OneSDK("kimi", {"api_key": KEY, "base_url": "https://api-sg.moonshot.ai/v1"})
    assert client.config.base_url == "https://api-sg.moonshot.ai/v1"


def test_trailing_slash_of_base_url_is_dropped() -> None:
    client = OneSDK("kimi", {"api_key": KEY, "base_url": "https://api.moonshot.ai/v1/"})
    assert client.config.base_url == "https://api.moonshot.ai/v1"


@pytest.mark.parametrize("url", ["api.moonshot.cn/v1", "ftp://api.moonshot.cn/v1", "https://"])
def test_base_url_that_is_not_http_is_a_config_error(url: str) -> None:
    with pytest.raises(InvokeConfigError, match="base_url"):
        OneSDK("kimi", {"api_key": KEY, "base_url": url})


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(InvokeConfigError, match="plain http"):
        OneSDK("kimi", {"api_key": KEY, "base_url": "http://api.moonshot.cn/v1"})


def test_plain_http_to_a_host_named_like_localhost_is_refused() -> None:
    with pytest.raises(InvokeConfigError, match="plain http"):
        OneSDK("kimi", {"api_key": KEY, "base_url": "http://localhost.example.com/v1"})


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9", "http://localhost:8000/v1", "http://[::1]:8000/v1", "http://127.0.0.5"],
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert OneSDK("kimi", {"api_key": KEY, "base_url": url}).config.base_url == url


def test_allow_insecure_http_allows_plain_http_to_a_remote_host() -> None:
    client = OneSDK(
        "kimi", {"api_key": KEY, "base_url": "http://10.1.2.3/v1", "allow_insecure_http": True}
    )
    assert client.config.base_url == "http://10.1.2.3/v1"


# --- other keys ----------------------------------------------------------------------------


def test_unknown_config_key_is_a_config_error_naming_it() -> None:
    with pytest.raises(InvokeConfigError, match="'api_kye'"):
        OneSDK("kimi", {"api_key": KEY, "api_kye": KEY})


def test_unknown_config_key_error_lists_the_valid_keys() -> None:
    with pytest.raises(InvokeConfigError, match=r"valid keys: .*base_url"):
        OneSDK("kimi", {"api_key": KEY, "temperature": 0.3})


@pytest.mark.parametrize("timeout", ["10", True, 0, -1.5, [10]], ids=repr)
def test_bad_timeout_is_a_config_error(timeout: Any) -> None:
    with pytest.raises(InvokeConfigError, match="timeout"):
        OneSDK("kimi", {"api_key": KEY, "timeout": timeout})


def test_timeout_int_is_accepted_as_seconds() -> None:
    assert OneSDK("kimi", {"api_key": KEY, "timeout": 30}).config.timeout == 30.0


@pytest.mark.parametrize("retries", ["2", 1.5, -1, True], ids=repr)
def test_bad_max_retries_is_a_config_error(retries: Any) -> None:
    with pytest.raises(InvokeConfigError, match="max_retries"):
        OneSDK("kimi", {"api_key": KEY, "max_retries": retries})


def test_max_retries_zero_is_accepted() -> None:
    assert OneSDK("kimi", {"api_key": KEY, "max_retries": 0}).config.max_retries == 0


def test_model_that_is_not_a_string_is_a_config_error() -> None:
    with pytest.raises(InvokeConfigError, match="model"):
        OneSDK("kimi", {"api_key": KEY, "model": 3})


def test_default_headers_that_are_not_a_dict_is_a_config_error() -> None:
    with pytest.raises(InvokeConfigError, match="default_headers"):
        OneSDK("kimi", {"api_key": KEY, "default_headers": ["X-A: 1"]})


def test_http_client_of_the_wrong_type_is_a_config_error() -> None:
    with pytest.raises(InvokeConfigError, match="http_client"):
        OneSDK("kimi", {"api_key": KEY, "http_client": object()})


# --- the key never shows -------------------------------------------------------------------


@pytest.fixture
def client() -> OneSDK:
    return OneSDK("kimi", {"api_key": KEY, "base_url": "http://127.0.0.1:9"})


def test_repr_of_the_client_does_not_contain_the_key(client: OneSDK) -> None:
    assert KEY not in repr(client)
    assert "kimi" in repr(client)


def test_repr_of_the_config_does_not_contain_the_key(client: OneSDK) -> None:
    assert KEY not in repr(client.config)
    assert KEY not in str(client.config)


def test_repr_of_the_api_key_value_does_not_show_it(client: OneSDK) -> None:
    assert KEY not in repr(client.config.api_key)


def test_repr_of_the_provider_does_not_contain_the_key(client: OneSDK) -> None:
    assert KEY not in repr(client.provider)


def test_pickled_config_does_not_contain_the_key(client: OneSDK) -> None:
    assert KEY.encode() not in pickle.dumps(client.config)


def test_pickled_config_keeps_the_other_settings(client: OneSDK) -> None:
    clone = pickle.loads(pickle.dumps(client.config))
    assert clone.base_url == client.config.base_url
    assert clone.provider == "kimi"
    assert clone.api_key == ""


def test_pickling_the_client_raises_type_error(client: OneSDK) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)


def test_config_errors_do_not_contain_the_key() -> None:
    with pytest.raises(InvokeConfigError) as caught:
        OneSDK("kimi", {"api_key": KEY, "base_url": "http://api.moonshot.cn/v1"})
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)
