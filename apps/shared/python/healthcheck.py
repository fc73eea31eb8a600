"""Docker HEALTHCHECK for the Python templates: `python healthcheck.py /health`.

Uses only the standard library so images need no curl/wget."""

import os
import sys
import urllib.request

path = sys.argv[1] if len(sys.argv) > 1 else "/health"
url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}{path}"
try:
    with urllib.request.urlopen(url, timeout=4) as resp:  # noqa: S310 (fixed local URL)
        sys.exit(0 if resp.status == 200 else 1)
except Exception as exc:  # any failure means unhealthy
    print(f"unhealthy: {url}: {exc}", file=sys.stderr)
    sys.exit(1)
