"""A show's poster: an image the organiser uploads for the show's hero.

Pure rules: what an acceptable poster is. The image is recognised by its
first bytes (never by the name or the declared type), so only PNG, JPEG and
WebP are ever served back, each with its own content type.
"""

from __future__ import annotations

from boxoffice.errors import InvalidRequest

MAX_POSTER_BYTES = 900_000  # under the request-body limit (1 MiB by default) with the form around it
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def poster_type(data: bytes) -> str:
    """The content type of an acceptable poster, else InvalidRequest."""
    if not data:
        raise InvalidRequest("Choose an image file.", field="poster")
    if len(data) > MAX_POSTER_BYTES:
        raise InvalidRequest("The image is too large: at most 900 KB.", field="poster")
    for magic, content_type in SIGNATURES:
        if data.startswith(magic):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    raise InvalidRequest("Use a PNG, JPEG or WebP image.", field="poster")
