"""TLS for :class:`tests.servers.httpd.LocalServer`: a local CA (trustme) and certificates gone wrong.

``LocalCA.context(kind)`` gives a server-side ``ssl.SSLContext`` whose certificate is
``"valid"`` (for 127.0.0.1 and localhost, issued by the local CA), ``"expired"``,
``"wrong-host"`` (issued for another name) or ``"unknown-issuer"`` (issued by a CA nobody
trusts). ``ca_file`` is the PEM a client should trust (``Settings(ca_bundle=...)``).
"""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import trustme

KINDS = ("valid", "expired", "wrong-host", "unknown-issuer")


class LocalCA:
    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA()
        self._stranger = trustme.CA()
        self.ca_file = folder / "local-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def context(self, kind: str = "valid") -> ssl.SSLContext:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if kind == "valid":
            cert = self.ca.issue_cert("127.0.0.1", "localhost")
        elif kind == "expired":
            cert = self.ca.issue_cert(
                "127.0.0.1",
                "localhost",
                not_before=now - dt.timedelta(days=60),
                not_after=now - dt.timedelta(days=1),
            )
        elif kind == "wrong-host":
            cert = self.ca.issue_cert("wrong.example.org")
        elif kind == "unknown-issuer":
            cert = self._stranger.issue_cert("127.0.0.1", "localhost")
        else:
            raise ValueError(f"unknown certificate kind {kind!r} (choose from {', '.join(KINDS)})")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        return context
