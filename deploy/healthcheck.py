"""Exit 0 when the replica on this host answers ``/_stcore/health`` with ``ok``, else 1 (the image's HEALTHCHECK).

Usage: python deploy/healthcheck.py [BASE_URL]   (default http://127.0.0.1:$PORT, PORT defaulting to 8501)

Standard library only: the runtime image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.request

TIMEOUT_SECONDS = 4


def healthy(base: str) -> bool:
    """True when ``base``/_stcore/health answers 200 with the body ``ok``."""
    try:
        with urllib.request.urlopen(
            f"{base.rstrip('/')}/_stcore/health", timeout=TIMEOUT_SECONDS
        ) as response:
            return response.status == 200 and response.read(16).strip() == b"ok"
    except OSError:
        return False


def main(argv: list[str]) -> int:
    """Check the given base URL (or this host's $PORT); return the exit code."""
    base = argv[0] if argv else f"http://127.0.0.1:{os.environ.get('PORT') or 8501}"
    return 0 if healthy(base) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
