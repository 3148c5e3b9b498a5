"""A small WSGI toolkit shared by the sandboxes: request, responses, a path router and a server.

Standard library only, so that a sandbox starts anywhere Python runs.
"""

from __future__ import annotations

import json
import re
import socketserver
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

MAX_BODY = 64 * 1024 * 1024


class HttpError(Exception):
    """Raised by handlers to answer with an error response."""

    def __init__(self, status: int, payload: Any = None):
        super().__init__(status)
        self.status = status
        self.payload = payload if payload is not None else {"error": HTTPStatus(status).phrase}


@dataclass
class UploadedFile:
    """One file part of a multipart form."""

    filename: str
    content_type: str
    content: bytes


class Request:
    """The parts of a WSGI request the sandboxes use."""

    def __init__(self, environ: dict[str, Any]):
        self.environ = environ
        self.method: str = environ["REQUEST_METHOD"].upper()
        # wsgiref hands over PATH_INFO percent-decoded as latin-1; clients encode paths as UTF-8.
        raw_path: str = environ.get("PATH_INFO", "/")
        self.path: str = raw_path.encode("latin-1").decode("utf-8", "replace")
        self.query_string: str = environ.get("QUERY_STRING", "")
        self.query: dict[str, str] = {
            key: values[0]
            for key, values in urllib.parse.parse_qs(
                self.query_string, keep_blank_values=True
            ).items()
        }
        self.params: dict[str, str] = {}
        self._body: bytes | None = None

    def header(self, name: str, default: str = "") -> str:
        """A request header by its HTTP name, e.g. ``Authorization``."""
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return self.environ.get(key, default) or default
        return self.environ.get(f"HTTP_{key}", default)

    @property
    def base_url(self) -> str:
        """Scheme and host the client used to reach us, without a trailing slash."""
        host = self.header("Host") or (
            f"{self.environ['SERVER_NAME']}:{self.environ['SERVER_PORT']}"
        )
        return f"{self.environ.get('wsgi.url_scheme', 'http')}://{host}"

    @property
    def body(self) -> bytes:
        """The raw request body."""
        if self._body is None:
            try:
                length = int(self.environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > MAX_BODY:
                raise HttpError(413)
            self._body = self.environ["wsgi.input"].read(length) if length > 0 else b""
        return self._body

    def json(self) -> Any:
        """The body parsed as JSON; a 400 when it is not JSON."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise HttpError(400, {"error": "invalid JSON", "message": str(exc)}) from exc

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object (an empty body counts as ``{}``)."""
        data = self.json()
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise HttpError(400, {"error": "expected a JSON object"})
        return data

    def form(self) -> tuple[dict[str, str], dict[str, UploadedFile]]:
        """Fields and files of a url-encoded or multipart form body."""
        content_type = self.header("Content-Type")
        if content_type.startswith("multipart/form-data"):
            return _parse_multipart(content_type, self.body)
        parsed = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in parsed.items()}, {}


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            if filename or payload:
                files[name] = UploadedFile(filename, part.get_content_type(), payload)
        else:
            fields[name] = payload.decode(part.get_content_charset() or "utf-8", "replace")
    return fields, files


@dataclass
class Response:
    """A complete response; ``body`` is sent as one chunk."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header_list(self) -> list[tuple[str, str]]:
        """All headers, Content-Type and Content-Length included unless already set."""
        names = {name.lower() for name, _ in self.headers}
        headers = list(self.headers)
        if "content-type" not in names and (self.body or self.status >= 300):
            headers.append(("Content-Type", self.content_type))
        if "content-length" not in names:
            headers.append(("Content-Length", str(len(self.body))))
        return headers


def json_response(
    data: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """A JSON response."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, "application/json", list(headers))


def text_response(text: str, status: int = 200, content_type: str = "text/plain") -> Response:
    """A plain-text (or other textual) response in UTF-8."""
    return Response(status, text.encode(), f"{content_type}; charset=utf-8")


def html_response(html: str, status: int = 200) -> Response:
    """An HTML page."""
    return text_response(html, status, "text/html")


def redirect(location: str, status: int = 302) -> Response:
    """A redirect to ``location``."""
    return Response(status, b"", headers=[("Location", location)])


Handler = Callable[[Request], Response]


@dataclass
class Route:
    """A method plus a path pattern such as ``/api/v1/{scheme}/{id}``."""

    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str]

    @property
    def label(self) -> str:
        """The route as counted in statistics: method and pattern, placeholders without regex."""
        return self.method + " " + _PLACEHOLDER.sub(r"{\1}", self.pattern)


_PLACEHOLDER = re.compile(r"\{(\w+)(?::([^}]+))?\}")


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Turn ``/a/{name}/{rest:.+}`` into a regex; a bare placeholder matches one path segment."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER.finditer(pattern):
        parts.append(re.escape(pattern[position : match.start()]))
        parts.append(f"(?P<{match.group(1)}>{match.group(2) or '[^/]+'})")
        position = match.end()
    parts.append(re.escape(pattern[position:]))
    return re.compile("^" + "".join(parts) + "$")


class Router:
    """Routes matched in the order they were added."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` on ``pattern``."""
        self.routes.append(Route(method.upper(), pattern, handler, compile_pattern(pattern)))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route and path parameters for a request; HttpError 404 or 405 otherwise."""
        allowed = False
        for route in self.routes:
            found = route.regex.match(path)
            if found:
                if route.method == method or (method == "HEAD" and route.method == "GET"):
                    return route, found.groupdict()
                allowed = True
        raise HttpError(405 if allowed else 404)


def error_response(exc: HttpError) -> Response:
    """The response for an HttpError: JSON unless the payload is already a Response."""
    if isinstance(exc.payload, Response):
        return exc.payload
    return json_response(exc.payload, exc.status)


def to_wsgi(
    handle: Callable[[Request], Response],
) -> Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]:
    """Wrap a Request → Response function as a WSGI application."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        request = Request(environ)
        try:
            response = handle(request)
        except HttpError as exc:
            response = error_response(exc)
        status = f"{response.status} {_phrase(response.status)}"
        start_response(status, response.header_list())
        return [b""] if request.method == "HEAD" else [response.body]

    return application


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Stay silent: a sandbox serving thousands of requests must not flood the console."""


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """A WSGI server answering each connection in its own daemon thread."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def server_bind(self) -> None:
        """Bind without the reverse DNS lookup HTTPServer does for ``server_name``."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)
        self.setup_environ()

    @property
    def url(self) -> str:
        """The server's root URL, ending with a slash."""
        return f"http://{self.server_name}:{self.server_port}/"


def serve(app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0) -> ThreadingWSGIServer:
    """Bind ``app`` on host:port (0 picks a free port) and serve it from a daemon thread.

    The bound port is ``server.server_port``; stop with ``server.shutdown()`` then
    ``server.server_close()``.
    """
    server = ThreadingWSGIServer((host, port), _QuietHandler)
    server.set_app(app)
    thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{port}", daemon=True)
    thread.start()
    return server
