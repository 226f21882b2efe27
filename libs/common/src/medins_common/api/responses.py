"""Responses whose JSON body is already serialised."""

from __future__ import annotations

from fastapi.responses import JSONResponse


class SerialisedJSONResponse(JSONResponse):
    """JSON already serialised (by pydantic, by hand, or as stored): sent as it is, not
    encoded again."""

    def render(self, content: str) -> bytes:
        return content.encode()
