"""A push service for tests (RFC 8030's POST to the subscription's endpoint), and the browser's side of
RFC 8291/8292: it checks the VAPID JWT's signature and decrypts the aes128gcm payload with the keys the
browser generated for the subscription."""

from __future__ import annotations

import base64
import http.server
import json
import threading
import time
from dataclasses import dataclass, field

import http_ece
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class PushService:
    port: int
    received: list[Received] = field(default_factory=list)
    server: http.server.ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.received)

    def stop(self) -> None:
        self.server.shutdown()


def start_push_service() -> PushService:
    service = PushService(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            service.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(201)
            self.send_header("Location", f"/messages/{len(service.received)}")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.server, service.port = server, server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service


def verify_vapid(received: Received, *, public_key: str, audience: str) -> dict:
    """RFC 8292: `Authorization: vapid t=<JWT>, k=<key>`; the JWT is ES256 over the claims, signed by `k`."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme.lower() == "vapid"
    parts = dict(part.strip().split("=", 1) for part in params.split(","))
    assert parts["k"] == public_key, "signed with another key than the one browsers subscribed with"
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(b64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    signature = b64url(signature_b64)
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url(parts["k"]))
    key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises when forged
    claims = json.loads(b64url(claims_b64))
    assert claims["aud"] == audience
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert claims["sub"].startswith(("mailto:", "https:"))
    return claims


def decrypt(received: Received, *, private_jwk: dict, auth: str) -> dict:
    """RFC 8291: what the browser does with a push — ECDH with its private key, the auth secret, aes128gcm."""
    assert received.headers["content-encoding"] == "aes128gcm"
    private = ec.derive_private_key(int.from_bytes(b64url(private_jwk["d"]), "big"), ec.SECP256R1())
    plain = http_ece.decrypt(received.body, private_key=private, auth_secret=b64url(auth), version="aes128gcm")
    return json.loads(plain)
