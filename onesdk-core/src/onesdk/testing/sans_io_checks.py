"""Checks that send nothing: class attributes, capabilities, request shapes, error mapping.

They call the provider's sans-I/O methods with plain data, as the transport would.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from ..config import check_base_url
from ..errors import InvokeError
from ..openai_compat import OpenAICompatibleProvider
from ..provider import PROTOCOL_VERSION, Call, StreamCall
from .base import ConformanceBase, ConformanceTarget, fail, no_network
from .expectations import (
    ERROR_STATUSES,
    KNOWN_OPERATIONS,
    RETRYABLE_STATUSES,
    error_class_hint,
    implements,
)

__all__ = ["SansIOChecks"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_ENV = re.compile(r"^[A-Z][A-Z0-9_]*$")


class SansIOChecks(ConformanceBase):
    """The provider as plain data: what it declares, the requests it builds, its errors."""

    # --- class attributes -------------------------------------------------------------------

    def test_name_is_a_lowercase_identifier(self) -> None:
        name = self._cls.name
        assert isinstance(name, str) and _NAME.match(name), (
            f"{self._cls.__name__}.name is {name!r}; set name to a lowercase id such as "
            "'echo' (it is the entry-point name users pass to OneSDK)"
        )

    def test_protocol_version_matches_core(self) -> None:
        assert self._cls.protocol_version == PROTOCOL_VERSION, (
            f"protocol_version is {self._cls.protocol_version}, this onesdk-core speaks "
            f"{PROTOCOL_VERSION}; do not set protocol_version yourself, or build for it"
        )

    def test_capabilities_include_generate_and_stream(self) -> None:
        missing = {"generate", "stream_generate"} - set(self._cls.capabilities)
        assert not missing, (
            f"capabilities lacks {sorted(missing)}: every provider offers generate and "
            "stream_generate; add them to capabilities"
        )

    def test_default_base_url_is_usable(self) -> None:
        cls = self._cls
        try:
            check_base_url(cls.default_base_url, cls.name, False)
        except InvokeError as exc:
            fail(f"default_base_url: {exc.message}; set it to your API's https base URL")

    def test_api_key_env_is_an_environment_variable_name(self) -> None:
        env = self._cls.api_key_env
        assert env is None or _ENV.match(env), (
            f"api_key_env is {env!r}; name an upper-case environment variable such as "
            "'ECHO_API_KEY' (or None when the provider needs no key)"
        )

    def test_entry_point_loads_this_class(self) -> None:
        from .. import registry

        name = self._cls.name
        entries = [e for e in registry.provider_entries() if e.name == name]
        if not entries and name in registry.list_providers():
            # Registered in-process (a private provider): that is how OneSDK finds it.
            assert registry.get_provider_class(name) is self._cls, (
                f"OneSDK({name!r}) finds another class than {self._cls!r}; register this one"
            )
            return
        if not entries:
            pytest.skip(
                f"no installed distribution declares {name!r} in the 'onesdk.providers' "
                "entry-point group; install your package (pip install -e .) to check it"
            )
        try:
            loaded = registry.get_provider_class(name)
        except InvokeError as exc:
            fail(f"OneSDK({name!r}) cannot load the provider: {exc.message}")
        assert loaded is self._cls, (
            f"the entry point {name} = {entries[0].value} ({entries[0].distribution}) loads "
            f"{loaded!r}, not {self._cls!r}; point it at 'your_module:{self._cls.__name__}'"
        )

    # --- capability declarations ------------------------------------------------------------

    def test_declared_capabilities_are_implemented(self) -> None:
        provider = self._provider()
        for operation in sorted(self._cls.capabilities):
            assert callable(getattr(provider, operation, None)), (
                f"capabilities declares {operation!r} but the provider has no {operation}() "
                "method; implement it or drop it from capabilities"
            )
            assert implements(provider, operation), (
                f"capabilities declares {operation!r} but {operation}() is the base class "
                "stub that raises NotImplementedError; implement it or drop it"
            )

    def test_implemented_operations_are_declared(self) -> None:
        provider = self._provider()
        for operation in sorted(KNOWN_OPERATIONS - set(self._cls.capabilities)):
            assert not implements(provider, operation), (
                f"the provider implements {operation}() but capabilities omits it, so users "
                f"get InvokeUnsupportedError; add {operation!r} to capabilities"
            )

    # --- requests (sans-I/O) ----------------------------------------------------------------

    def _check_request_body(self, what: str, body: Any, model: str) -> None:
        try:
            json.dumps(body)
        except (TypeError, ValueError) as exc:
            fail(f"{what}: the request JSON is not plain data ({exc}); use dicts, lists, str")
        if self.body_model_key is None and self.body_messages_key is None:
            return
        assert isinstance(body, dict), (
            f"{what}: the request JSON is a {type(body).__name__}; send a JSON object (or set "
            "body_model_key and body_messages_key to None in your conformance class)"
        )
        if self.body_model_key is not None:
            assert body.get(self.body_model_key) == model, (
                f"{what}: body[{self.body_model_key!r}] is {body.get(self.body_model_key)!r}, "
                f"expected the model {model!r}; put the model in the body (or set "
                "body_model_key = None if your API takes it elsewhere)"
            )
        if self.body_messages_key is not None:
            sent = body.get(self.body_messages_key)
            assert isinstance(sent, list) and self.prompt in json.dumps(sent), (
                f"{what}: body[{self.body_messages_key!r}] is {sent!r}, expected a list "
                f"carrying the prompt {self.prompt!r}; convert messages with message_to_wire"
            )

    def _check_request(self, what: str, call: Any, kind: type[Any], operation: str) -> Any:
        assert isinstance(call, kind), (
            f"{what}() returned {type(call).__name__}, expected onesdk.provider."
            f"{kind.__name__}: build the request description, do no I/O"
        )
        assert call.operation == operation, (
            f"{what}(): {kind.__name__}.operation is {call.operation!r}, expected {operation!r}"
        )
        request = call.request
        assert request.method == "POST", (
            f"{what}(): method is {request.method!r}; chat requests are POSTs"
        )
        assert request.path.startswith("/") and "://" not in request.path, (
            f"{what}(): path is {request.path!r}; give a path relative to the base URL such "
            "as '/chat/completions' (the transport adds base_url)"
        )
        return request.json

    def test_generate_builds_a_post_with_model_and_messages(
        self, onesdk_target: ConformanceTarget
    ) -> None:
        provider = self._provider(onesdk_target)
        model = onesdk_target.model
        with no_network("generate()"):
            call = provider.generate(model, self._prepared(provider), {})
        body = self._check_request("generate", call, Call, "generate")
        assert callable(call.parse), "generate(): Call.parse must be a function of a Response"
        self._check_request_body("generate", body, model)

    def test_stream_generate_builds_a_streaming_post(
        self, onesdk_target: ConformanceTarget
    ) -> None:
        provider = self._provider(onesdk_target)
        model = onesdk_target.model
        with no_network("stream_generate()"):
            call = provider.stream_generate(model, self._prepared(provider), {})
        body = self._check_request("stream_generate", call, StreamCall, "stream_generate")
        assert callable(call.parse_event), "stream_generate(): StreamCall needs parse_event"
        self._check_request_body("stream_generate", body, model)
        if isinstance(provider, OpenAICompatibleProvider):
            assert body.get("stream") is True, (
                "stream_generate(): an OpenAI-style stream request needs 'stream': true in "
                "the body; build it with chat_body(..., stream=True)"
            )

    def test_auth_headers_carry_the_key(self) -> None:
        headers = self._provider().auth_headers("sk-conformance")
        assert isinstance(headers, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ), f"auth_headers() returned {headers!r}; return a dict of str to str"
        assert any("sk-conformance" in v for v in headers.values()), (
            f"auth_headers('sk-conformance') returned {headers!r}, which does not carry the key"
        )

    # --- error mapping ----------------------------------------------------------------------

    @pytest.mark.parametrize("status", ERROR_STATUSES)
    def test_parse_error_maps_status_to_error_class(self, status: int) -> None:
        expected = self.expected_errors.get(status)
        if expected is None:
            pytest.skip(f"expected_errors has no class for HTTP {status}")
        body = self.error_body(status)
        error = self._parse_error(status, body)
        if not isinstance(error, expected):
            fail(error_class_hint(self._provider(), status, body, error, expected))
        assert error.provider == self._cls.name, (
            f"parse_error({status}) returned an error with provider={error.provider!r}; "
            "pass provider=self.name when building it"
        )

    @pytest.mark.parametrize("status", ERROR_STATUSES)
    def test_parse_error_survives_a_body_that_is_not_json(self, status: int) -> None:
        expected = self.expected_errors.get(status)
        if expected is None:
            pytest.skip(f"expected_errors has no class for HTTP {status}")
        error = self._parse_error(status, b"<html><body>Bad Gateway</body></html>")
        assert isinstance(error, expected), (
            f"parse_error({status}) of an HTML body returned {type(error).__name__}, expected "
            f"{expected.__name__}: when the body is not your error shape, fall back on the "
            "status (onesdk.openai_compat.error_class_for_status)"
        )

    @pytest.mark.parametrize("status", ERROR_STATUSES)
    def test_parse_error_marks_transient_errors_retryable(self, status: int) -> None:
        if status not in self.expected_errors:
            pytest.skip(f"expected_errors has no class for HTTP {status}")
        error = self._parse_error(status, self.error_body(status))
        transient = status in RETRYABLE_STATUSES
        if error.retryable is transient:
            return
        worth = "worth a retry" if transient else "not worth a retry"
        if type(error).default_retryable is not transient:
            fail(
                f"parse_error({status}) returned {type(error).__name__}, which is "
                f"{'' if error.retryable else 'not '}retryable, but HTTP {status} is {worth}: "
                "fix the class it maps to (see test_parse_error_maps_status_to_error_class)"
            )
        fail(
            f"parse_error({status}) passed retryable={error.retryable}, but HTTP {status} is "
            f"{worth}: leave retryable to the class default (do not pass retryable=...)"
        )
