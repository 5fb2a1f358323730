"""The QR code shown beside a ticket on screen: the link to its live status page, as SVG."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
from qrcode.image.svg import SvgPathImage

# M recovers from a smudged or glare-struck screen photo; the URL stays a small version.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
QUIET_ZONE_MODULES = 4  # what scanners expect around the code


def status_url(public_base_url: str, status_token: str) -> str:
    """The same link the server puts in the issued ticket and the printed QR code."""
    return f"{public_base_url.rstrip('/')}/t/{status_token}"


def qr_svg(data: str) -> bytes:
    """An SVG QR code of `data`, sized by the page (it carries a viewBox)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE_MODULES)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()
