"""What the API request audit keeps of a request: its path, query string and JSON as sent, with secrets
replaced by a marker and the characters the database cannot store written as escapes."""

import json
import re

REDACTED = "[REDACTED]"
MAX_UNPARSED = 10000

# Keys whose values are credentials whatever they hold.
_SECRET_KEY = re.compile(r"token|authori[sz]ation|password|secret|api[_-]?key", re.IGNORECASE)
# An Authorization header value copied into a body.
_SCHEME_VALUE = re.compile(r"\b(Bearer|Token)\s+(token=)?\"?[A-Za-z0-9._~+/=-]{20,}\"?")
# NUL and unpaired surrogates: valid in JSON text, refused by PostgreSQL's jsonb and by UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def audit_text(text: str, secrets) -> str:
    """Text as the audit keeps it: secrets replaced by a marker, unstorable characters as escapes."""
    return _UNSTORABLE.sub(lambda match: f"\\u{ord(match[0]):04x}", _redact(text, secrets))


def _redact(text: str, secrets) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _SCHEME_VALUE.sub(lambda match: f"{match[1]} {REDACTED}", text)


def audit_body(raw: bytes, secrets) -> object:
    """The parsed body ready for a JSON column; text that is not JSON is kept as `{"unparsed": …}`."""
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {"unparsed": audit_text(raw.decode("utf-8", errors="replace")[:MAX_UNPARSED], secrets)}
    return _scrub(parsed, secrets)


def _scrub(value, secrets):
    # Iterative, so that a deeply nested body cannot exhaust the stack.
    root = [value]
    stack = [(root, 0)]
    while stack:
        container, index = stack.pop()
        item = container[index]
        if isinstance(item, dict):
            cleaned = {}
            for key, child in item.items():
                clean_key = audit_text(key, secrets)
                cleaned[clean_key] = REDACTED if _SECRET_KEY.search(key) and child is not None else child
            container[index] = cleaned
            stack.extend((cleaned, key) for key, child in cleaned.items() if child != REDACTED)
        elif isinstance(item, list):
            container[index] = copy = list(item)
            stack.extend((copy, position) for position in range(len(copy)))
        elif isinstance(item, str):
            container[index] = audit_text(item, secrets)
    return root[0]
