"""Reading an id someone typed: ASCII digits that fit a database integer, or nothing."""

MAX_ID = 2**63 - 1


def plain_id(text: str) -> int | None:
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
