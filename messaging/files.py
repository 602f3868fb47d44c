"""What a file really is, what it may be called, and how it is served.

A browser runs the script in HTML, SVG and XML on the origin that serves them, and a file
declared as a picture may be a program. So where a file enters (an agent's upload, a
customer's file from the provider) its declared type is checked against its content, sniffed
with puremagic, and its name is cleaned; and every file goes out with nosniff and a sandbox,
as a download unless it is a picture, a sound, a video or a PDF.
"""

import mimetypes
import re
import unicodedata
from pathlib import PurePosixPath

import puremagic
from django.core.files import File
from django.http import FileResponse
from django.utils.text import get_valid_filename

from messaging.models import Attachment

# Every signature the sniffer knows lies within the first bytes of a file.
SNIFF_BYTES = 64 * 1024
# Shorter signatures ("MZ", "BM") begin ordinary text too: they identify nothing on their own.
MIN_SIGNATURE_BYTES = 3
OCTET_STREAM = "application/octet-stream"
# Declared types that say nothing of the content: the sniffer's answer is taken instead.
GENERIC_TYPES = {"", OCTET_STREAM, "binary/octet-stream"}
# Types a browser renders as active content: script in them runs.
ACTIVE_TYPES = {
    "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
    "text/xsl", "application/xslt+xml", "text/javascript", "application/javascript",
    "application/x-javascript", "text/ecmascript", "application/ecmascript",
    "application/x-shockwave-flash", "multipart/x-mixed-replace",
}  # fmt: skip
# One type under several names.
ALIASES = {
    "image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png",
    "audio/x-wav": "audio/wav", "audio/wave": "audio/wav", "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg", "audio/x-mp3": "audio/mpeg", "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4", "video/x-m4v": "video/mp4", "application/x-pdf": "application/pdf",
    "image/heic": "image/heif", "text/xml": "application/xml",
}  # fmt: skip
# Containers whose bytes cannot tell sound from pictures: an .m4a is an MP4 file.
CONTAINERS = {
    "audio/mp4": "mp4", "video/mp4": "mp4", "application/mp4": "mp4",
    "audio/ogg": "ogg", "video/ogg": "ogg", "application/ogg": "ogg",
    "audio/webm": "webm", "video/webm": "webm", "audio/3gpp": "3gpp", "video/3gpp": "3gpp",
}  # fmt: skip
INLINE_MAJOR_TYPES = {"image", "audio", "video"}
# Characters file systems refuse or that disguise a name; control and format characters
# (bidirectional overrides among them) are dropped too.
RESERVED_CHARACTERS = set('<>:"|?*')
NAME_LIMIT = 150
# What the storage path (100 characters with its folders and a collision suffix) holds.
STORED_STEM_LIMIT = 40
STORED_EXTENSION_LIMIT = 12


class FileTypeRefused(Exception):
    """A file whose content is not what it claims, or that claims a type a browser would run
    without its content showing that it is one."""

    def __init__(self, reason: str, *, code: str):
        super().__init__(reason)
        self.code = code


def content_type_checked(*, declared: str, head: bytes) -> str:
    """The type to keep a file as, judged from its first SNIFF_BYTES bytes: the declared type
    where the content agrees with it, the sniffed type where nothing specific was declared.

    A file the sniffer cannot identify (plain text, many documents) keeps its declared type,
    unless that is a type a browser would run. Raises FileTypeRefused.
    """
    declared = _bare_type(declared)
    matches = _sniffed(head)
    if not matches:
        if declared in ACTIVE_TYPES or declared.endswith("+xml"):
            raise FileTypeRefused(
                f"The file claims to be {declared}, which a browser would run, "
                "but its content could not be recognised as that.",
                code="file_type_unknown",
            )
        return declared or OCTET_STREAM
    best = next((match for match in matches if match.mime_type not in GENERIC_TYPES), matches[0])
    if declared in GENERIC_TYPES:
        return best.mime_type or OCTET_STREAM
    if _agrees(declared, matches):
        return declared
    really = f"{best.mime_type} ({best.name})" if best.mime_type else best.name
    raise FileTypeRefused(
        f"The file claims to be {declared} but is really {really}.", code="file_type_mismatch"
    )


def _bare_type(content_type: str) -> str:
    """A content type without its parameters, in lower case: `audio/ogg; codecs=opus` is
    audio/ogg."""
    return content_type.split(";")[0].strip().lower()


def _sniffed(head: bytes) -> list:
    """The sniffer's candidates, most confident first; none for what it cannot identify.
    Signatures at the end of a file are left out: this is only its head."""
    if not head:
        return []
    try:
        matches = puremagic.magic_string(head)
    except puremagic.PureError:
        return []
    return [
        match
        for match in matches
        if match.offset >= 0 and len(match.byte_match) >= MIN_SIGNATURE_BYTES
    ]


def _agrees(declared: str, matches: list) -> bool:
    """Whether one candidate is the declared type: by name (aliases, shared containers and
    XML dialects counted alike) or by extension, those the declared type goes by or its own
    subtype (the sniffer names some formats by older types or by extension only)."""
    extensions = set(mimetypes.guess_all_extensions(declared, strict=False))
    extensions.add("." + declared.partition("/")[2].removeprefix("x-"))
    family = _family(declared)
    return any(
        _family(match.mime_type) == family or match.extension.lower() in extensions
        for match in matches
    )


def _family(content_type: str) -> str:
    named = ALIASES.get(content_type, content_type)
    if named.endswith("+xml"):  # SVG, XHTML: XML to the sniffer
        return "application/xml"
    return CONTAINERS.get(named, named)


def filename_clean(name: str) -> str:
    """A readable base name, safe to store and to show: the last part of any path, without
    control, format or reserved characters, leading dots, trailing dots or spaces, at most
    NAME_LIMIT characters with its extension kept. "" when nothing readable is left."""
    base = re.split(r"[/\\]", name)[-1]
    base = "".join(
        char
        for char in base
        if unicodedata.category(char)[0] != "C" and char not in RESERVED_CHARACTERS
    )
    base = " ".join(base.split()).lstrip(". ").rstrip(". ")
    if len(base) > NAME_LIMIT:
        suffix = PurePosixPath(base).suffix[:STORED_EXTENSION_LIMIT]
        base = base[: NAME_LIMIT - len(suffix)].rstrip(". ") + suffix
    return base if re.search(r"\w", base) else ""


def default_filename(stem: str, content_type: str) -> str:
    """A name for a file that came without a readable one, with its type's extension."""
    return stem + (mimetypes.guess_extension(content_type) or "")


def storage_name(filename: str) -> str:
    """The name a clean file name is stored under: cut to what the storage path holds (the
    name shown and sent keeps its whole length)."""
    stored = PurePosixPath(get_valid_filename(filename))
    return stored.stem[:STORED_STEM_LIMIT] + stored.suffix[:STORED_EXTENSION_LIMIT]


def inline_safe(content_type: str) -> bool:
    """Whether a browser may show the file in place: pictures (not SVG), sounds, videos, PDF."""
    major, _, minor = content_type.partition("/")
    return content_type == "application/pdf" or (
        major in INLINE_MAJOR_TYPES and not minor.endswith("xml")
    )


def file_response(attachment: Attachment, *, download: bool) -> FileResponse:
    """A message's stored file (`stored_file_response`)."""
    return stored_file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.filename,
        download=download,
    )


def stored_file_response(
    stored: File, *, content_type: str, filename: str = "", download: bool
) -> FileResponse:
    """A stored file: as a download when `download` or when its type is not safe to show in
    place; with nosniff and a sandbox either way, so nothing in it runs on our origin."""
    content_type = content_type or OCTET_STREAM
    response = FileResponse(
        stored.open("rb"),
        as_attachment=download or not inline_safe(content_type),
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
