"""In-process provider registration and lookup by name."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from onesdk import OneSDK, list_providers, register_provider, unregister_provider
from onesdk.errors import InvokeConfigError, InvokeUnsupportedError
from onesdk.provider import PROTOCOL_VERSION, Call, Provider, Request, Response
from onesdk.registry import get_provider_class
from onesdk.types import ChatResponse, Message


class EchoProvider(Provider):
    """A minimal provider: enough to be found, configured and to build a request."""

    name = "echo-test-provider"
    default_base_url = "https://echo.invalid/v1"

    def generate(
        self, model: str, messages: Sequence[Message], params: Mapping[str, Any]
    ) -> Call[ChatResponse]:
        body = {"model": model, "messages": [m.to_dict() for m in messages], **params}
        return Call("generate", Request("POST", "/echo", json=body), self._parse)

    @staticmethod
    def _parse(response: Response) -> ChatResponse:
        return ChatResponse.model_validate(response.json())


@pytest.fixture
def echo() -> Iterator[type[EchoProvider]]:
    register_provider(EchoProvider)
    yield EchoProvider
    unregister_provider(EchoProvider.name)


def test_registered_provider_is_listed(echo: type[EchoProvider]) -> None:
    assert echo.name in list_providers()


def test_registered_provider_is_found_by_name(echo: type[EchoProvider]) -> None:
    client = OneSDK(echo.name, {"api_key": "k"})
    assert isinstance(client.provider, EchoProvider)
    assert client.provider_name == echo.name


def test_registered_provider_uses_its_default_base_url(echo: type[EchoProvider]) -> None:
    assert OneSDK(echo.name, {"api_key": "k"}).config.base_url == "https://echo.invalid/v1"


def test_provider_class_can_be_passed_directly() -> None:
    assert isinstance(OneSDK(EchoProvider, {"api_key": "k"}).provider, EchoProvider)


def test_unregistered_provider_is_gone(echo: type[EchoProvider]) -> None:
    unregister_provider(echo.name)
    assert echo.name not in list_providers()
    with pytest.raises(InvokeConfigError, match="unknown provider"):
        OneSDK(echo.name, {"api_key": "k"})


def test_registering_the_same_class_twice_is_harmless(echo: type[EchoProvider]) -> None:
    register_provider(echo)
    assert get_provider_class(echo.name) is echo


def test_registering_another_class_under_a_taken_name_is_refused(
    echo: type[EchoProvider],
) -> None:
    impostor = type("Impostor", (EchoProvider,), {})
    with pytest.raises(InvokeConfigError, match="already registered"):
        register_provider(impostor)


def test_replace_true_overrides_a_registration(echo: type[EchoProvider]) -> None:
    newer = type("Newer", (EchoProvider,), {})
    register_provider(newer, replace=True)
    assert get_provider_class(echo.name) is newer


def test_registering_a_non_class_raises_config_error() -> None:
    with pytest.raises(InvokeConfigError, match=r"not a subclass of onesdk\.Provider"):
        register_provider("kimi")  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [int, dict, object], ids=lambda c: c.__name__)
def test_registering_a_class_that_is_not_a_provider_raises_config_error(cls: type) -> None:
    with pytest.raises(InvokeConfigError, match=r"not a subclass of onesdk\.Provider"):
        register_provider(cls)  # type: ignore[arg-type]


def test_registering_a_provider_without_a_name_is_refused() -> None:
    nameless = type("Nameless", (Provider,), {})
    with pytest.raises(InvokeConfigError, match="sets no name"):
        register_provider(nameless)


def test_protocol_version_mismatch_is_refused_with_both_versions_named() -> None:
    future = type(
        "FutureProvider",
        (EchoProvider,),
        {"name": "future-test-provider", "protocol_version": PROTOCOL_VERSION + 1},
    )
    with pytest.raises(InvokeConfigError) as caught:
        register_provider(future)
    message = str(caught.value)
    assert "future-test-provider" in message
    assert f"protocol {PROTOCOL_VERSION + 1}" in message
    assert f"speaks {PROTOCOL_VERSION}" in message
    assert "future-test-provider" not in list_providers()


def test_unknown_provider_error_lists_the_available_ones(echo: type[EchoProvider]) -> None:
    with pytest.raises(InvokeConfigError) as caught:
        OneSDK("no-such-provider", {"api_key": "k"})
    message = str(caught.value)
    assert "'no-such-provider'" in message
    assert "available:" in message
    assert echo.name in message


def test_empty_provider_name_is_a_config_error() -> None:
    with pytest.raises(InvokeConfigError, match="provider name"):
        OneSDK("", {"api_key": "k"})


def test_operation_outside_capabilities_is_unsupported(echo: type[EchoProvider]) -> None:
    client = OneSDK(echo.name, {"api_key": "k"})
    with pytest.raises(InvokeUnsupportedError) as caught:
        client.invoke("no_such_operation")
    assert caught.value.provider == echo.name
    assert "no_such_operation" in str(caught.value)
    assert echo.name in str(caught.value)
