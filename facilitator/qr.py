"""Join URL and QR images: SVG for pages, text for the terminal."""

from __future__ import annotations

import io
import ipaddress
import socket

import qrcode
import qrcode.image.svg


def lan_address() -> str:
    """This laptop's address on the venue network, for phones to reach it.

    Tries the addresses the host name resolves to, then the interface the system would route
    through (a UDP socket's connect() sends no packet). Falls back to loopback.
    """
    candidates = []
    try:
        candidates += [
            ai[4][0] for ai in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        ]
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed, nothing is sent
            candidates.append(s.getsockname()[0])
    except OSError:
        pass
    for addr in candidates:
        ip = ipaddress.ip_address(addr)
        if not ip.is_loopback and not ip.is_link_local:
            return str(addr)
    return "127.0.0.1"


def join_url(base: str, code: str) -> str:
    return f"{base.rstrip('/')}/j/{code}"


def _qr(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def svg(data: str) -> bytes:
    img = _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


def terminal(data: str) -> str:
    buf = io.StringIO()
    _qr(data).print_ascii(out=buf, invert=True)
    return buf.getvalue()
