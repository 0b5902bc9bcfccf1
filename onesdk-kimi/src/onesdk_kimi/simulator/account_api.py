"""Endpoints for the model list and the account balance.

`GET /v1/models`, `GET /v1/models/{id}` and `GET /v1/users/me/balance`.
"""

from __future__ import annotations

from .app import Route
from .errors import not_found
from .http_types import Request, Response, json_response
from .models import CATALOGUE, find_model
from .state import SimState


def list_models(_: Request, __: dict[str, str]) -> Response:
    """All catalogue models."""
    return json_response({"object": "list", "data": [model.to_json() for model in CATALOGUE]})


def get_model(_: Request, params: dict[str, str]) -> Response:
    """One model, or 404."""
    model = find_model(params["model_id"])
    if model is None:
        raise not_found(f"Not found the model {params['model_id']} or Permission denied")
    return json_response(model.to_json())


def balance(state: SimState) -> Response:
    """The E10 balance body."""
    data = {
        "available_balance": round(state.balance.available, 5),
        "voucher_balance": round(state.balance.voucher, 5),
        "cash_balance": round(state.balance.cash, 5),
    }
    return json_response({"code": 0, "data": data, "scode": "0x0", "status": True})


def account_routes(state: SimState) -> list[Route]:
    """Routes served by this module."""
    return [
        Route("GET", "/v1/models", list_models),
        Route("GET", "/v1/models/{model_id}", get_model),
        Route("GET", "/v1/users/me/balance", lambda _, __: balance(state)),
    ]
