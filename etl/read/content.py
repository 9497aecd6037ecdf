"""What a file's bytes say it is (zip, OLE, PDF, HTML ...) and its text decoded, for every reader."""

from __future__ import annotations

import re

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_MAGIC = b"%PDF"


def _content_kind(head: bytes) -> str:
    """What the first bytes of a file say it is: 'empty', 'zip', 'ole', 'pdf', 'html', 'xml-spreadsheet'
    (Excel 2003 XML) or 'other'."""
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(_PDF_MAGIC):
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml-spreadsheet"
    if start.startswith((b"<!doctype html", b"<html", b"<table")) or (
        start.startswith(b"<") and b"<html" in head.lower()
    ):
        return "html"
    return "other"


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_like_text(text: str) -> bool:
    """True if decoded text has no control characters other than tab and line breaks."""
    return _CONTROL_CHARS.search(text) is None


_KIND_NAMES = {
    "pdf": "en PDF-fil",
    "html": "en webside (HTML)",
    "zip": "en zip-fil, men ikke en Excel-projektmappe",
    "empty": "tom (0 byte)",
    "xml-spreadsheet": "et regneark i det gamle XML-format (Excel 2003)",
}


def _decode(data: bytes) -> tuple[str, bytes] | None:
    """(text, the same as UTF-8 bytes) of a CSV file in UTF-8 (with or without BOM), UTF-16 or
    Windows-1252; None if the file is binary."""
    if data.startswith(b"\xef\xbb\xbf"):
        raw = data[3:]
        try:
            return raw.decode("utf-8"), raw
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            return text, text.encode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        return text, text.encode("utf-8")
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            text = data.decode("utf-16-le", errors="replace")
        elif even > len(head) // 4 and odd == 0:
            text = data.decode("utf-16-be", errors="replace")
        else:
            return None
        return text, text.encode("utf-8")
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return text, text.encode("utf-8")
