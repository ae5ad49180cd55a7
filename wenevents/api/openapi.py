"""The OpenAPI 3.1 description of /api/v1/, written from the routes as they are declared
(``operation``) and from the response models (models.py): nothing is described by hand
beside the code."""

import re
from dataclasses import dataclass, field

from pydantic.json_schema import models_json_schema

from wenevents.api import models

REF = "#/components/schemas/{model}"
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    schema: dict
    location: str = "query"


# The views read their bounds from here: what is described is what is checked.
PAGE = Parameter(
    "page",
    "The page, from 1.",
    {"type": "integer", "minimum": 1, "maximum": 10_000, "default": 1},
)
PER_PAGE = Parameter(
    "per_page",
    "How many a page.",
    {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
)


@dataclass(frozen=True)
class Operation:
    rule: str  # Flask's, under /api/v1
    endpoint: str
    summary: str
    response: type
    parameters: tuple = ()
    path_descriptions: dict = field(default_factory=dict)

    @property
    def path(self):
        return _ARGUMENT.sub(r"{\1}", self.rule)


OPERATIONS = []


def operation(rule, summary, response, parameters=(), **path_descriptions):
    """Note a route of the API for its description (the view registers itself with Flask)."""

    def decorate(view):
        OPERATIONS.append(
            Operation(rule, view.__name__, summary, response, tuple(parameters), path_descriptions)
        )
        return view

    return decorate


def document(prefix, version):
    """The OpenAPI document, as a dict ready for JSON."""
    used = {op.response for op in OPERATIONS} | {models.Error}
    keyed, defs = models_json_schema(
        [(model, "serialization") for model in sorted(used, key=lambda m: m.__name__)],
        ref_template=REF,
    )
    schemas = dict(defs.get("$defs", {}))
    paths = {}
    for op in OPERATIONS:
        response_schema = keyed[(op.response, "serialization")]
        parameters = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": op.path_descriptions.get(name, ""),
                "schema": {"type": "string", "minLength": 1},
            }
            for name in _ARGUMENT.findall(op.rule)
        ] + [
            {
                "name": p.name,
                "in": p.location,
                "required": False,
                "description": p.description,
                "schema": p.schema,
            }
            for p in op.parameters
        ]
        error = {"$ref": REF.format(model="Error")}
        responses = {
            "200": {
                "description": "OK",
                "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": {"application/json": {"schema": response_schema}},
            },
            "304": {"description": "Not modified since the ETag in If-None-Match."},
        }
        if op.parameters:
            responses["400"] = _error_response("A parameter is not valid.", error)
        if "{" in op.path:
            responses["404"] = _error_response("Nothing public at this address.", error)
        paths[prefix + op.path] = {
            "get": {
                "operationId": op.endpoint,
                "summary": op.summary,
                "parameters": parameters,
                "responses": responses,
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "wenevents",
            "version": version,
            "description": (
                "Public data of the meeting series: series, meetings, their agenda as "
                "released, networks and public documents. Read only, no authentication; "
                "answers carry an ETag (send If-None-Match for a 304) and may be read from "
                "any origin (CORS)."
            ),
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _error_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}
