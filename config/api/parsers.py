import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class JsonBodyParser(BaseParser):
    """Reads every request body as JSON whatever its declared type (application/json, vnd.api+json, text/x-json).

    Providers' clients differ in the Content-Type they send; a body that is not JSON is a 400.
    """

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if not raw.strip():
            return {}
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as error:  # RecursionError: absurd nesting
            raise ParseError("Malformed JSON body") from error
