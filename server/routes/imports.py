"""`POST /users/import` (a logbook file, as a job) and `GET /users/import/{id}` (its progress
and report). Formats, mapping and rules: `logbooks/` and `handlers/imports.py`.

The upload is `multipart/form-data`: an optional `format` field (`mountainproject`, `8a`,
`thecrag`, `kaya`, `v7-json`; told from the file when absent), then `file`. Its body has its
own limit (`V7_IMPORT_MAX_BYTES`), checked against `Content-Length` before a byte is read and
while it streams; the general REST body limit does not apply to this path.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from handlers.import_jobs import ImportBusy, ImportJob, status
from logbooks import FormatName
from server.api import Call, Endpoint
from server.errors import ApiError
from server.limits import CLOSE
from server.media.multipart import FormError, boundary_of, read_form

IMPORT_PATH = "/users/import"
FORM_OVERHEAD = 16 * 1024
"""Room in a form's body for its boundaries, part headers and the `format` field."""


class ImportForm(BaseModel):
    """The upload: the fields before the file, as an HTML form sends them."""

    format: FormatName | None = Field(
        default=None, description="the file's format; told from the file when absent"
    )
    file_name: str | None = Field(
        default=None, alias="fileName", description="the file's name, shown back on the job"
    )
    file: bytes = Field(json_schema_extra={"format": "binary"}, description="the exported logbook")


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"An import file may be at most {limit} bytes", headers=CLOSE)


async def start_import(call: Call[Any]) -> JSONResponse:
    services = call.services
    limit = services.settings.import_max_bytes
    declared = call.request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit + FORM_OVERHEAD):
        raise _too_large(limit)
    try:
        boundary = boundary_of(call.request.headers.get("content-type", ""))
    except FormError as error:
        raise ApiError(400, "bad_request", error.message, headers=CLOSE) from None
    received = bytearray()

    async def keep(chunk: bytes) -> None:
        received.extend(chunk)

    try:
        form = await read_form(call.request.stream(), boundary, keep, limit)
    except FormError as error:
        if error.too_large:
            raise _too_large(limit) from None
        raise ApiError(400, "bad_request", error.message, headers=CLOSE) from None
    if not form.has_file:
        raise ApiError(400, "bad_request", "The form has no file")
    fmt = _format(form.fields.get("format"))
    try:
        job = await services.imports.start(
            call.user.user_id, bytes(received), fmt, form.fields.get("fileName")
        )
    except ImportBusy:
        raise ApiError(409, "conflict", "An import is already running; wait for it") from None
    body = job.model_dump(by_alias=True, mode="json", exclude_none=True)
    return JSONResponse(body, status_code=202, headers={"Location": f"{IMPORT_PATH}/{job.id}"})


def _format(value: str | None) -> FormatName | None:
    if not value:
        return None
    try:
        return FormatName(value.strip().lower())
    except ValueError:
        names = ", ".join(each.value for each in FormatName)
        raise ApiError(422, "invalid_entry", f"format: expected one of {names}") from None


async def get_import(call: Call[Any]) -> ImportJob:
    services = call.services
    job = await status(services.table, services.clock, call.user.user_id, call.path("id"))
    if job is None:
        raise ApiError(404, "not_found", "No such import")
    return job


endpoints = [
    Endpoint("POST", IMPORT_PATH, start_import,
             "Import a logbook file (multipart/form-data: optional `format` — mountainproject, "
             "8a, thecrag, kaya, v7-json; told from the file when absent — then `file`, at "
             "most V7_IMPORT_MAX_BYTES). 202 with the job; poll `GET /users/import/{id}`",
             form=ImportForm, response=ImportJob, status=202, tags=("users",),
             errors=(400, 409, 413, 422)),
    Endpoint("GET", f"{IMPORT_PATH}/{{id}}", get_import,
             "An import job: `running` with `processed`/`total`, `done` with its `report` "
             "(rows read, imported, duplicates, refused by line with the reason), or `failed` "
             "with a `message` (nothing of it was kept)",
             response=ImportJob, tags=("users",), errors=(404,)),
]  # fmt: skip
