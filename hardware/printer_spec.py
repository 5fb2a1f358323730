"""Printer SPEC strings from kiosk configuration, and the python-escpos printer each one names."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import cast

from escpos.capabilities import CAPABILITIES
from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import CupsPrinter, Dummy, File, Network, Serial, Usb

from hardware.printer_errors import PrinterUnavailable
from hardware.simulated_printer import PRINTER_STATES, PrinterState, SimulatedPrinter

ACCEPTED_FORMS = (
    "usb:VID:PID (hex, e.g. usb:0416:5011), serial:DEVICE:BAUD (e.g. serial:/dev/ttyS0:9600), "
    "network:HOST[:PORT] (port 9100 if omitted), file:PATH (e.g. file:/dev/usb/lp0), "
    "cups:NAME, dummy, simulated[:" + "|".join(PRINTER_STATES) + "]"
)
DEFAULT_NETWORK_PORT = 9100
# Network printers answer status queries in milliseconds; python-escpos's default of
# 60 s would freeze the kiosk for a minute when a printer is switched off.
NETWORK_TIMEOUT_SECONDS = 5.0
SERIAL_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class UsbSpec:
    vendor_id: int
    product_id: int


@dataclass(frozen=True)
class SerialSpec:
    device: str
    baudrate: int


@dataclass(frozen=True)
class NetworkSpec:
    host: str
    port: int = DEFAULT_NETWORK_PORT


@dataclass(frozen=True)
class FileSpec:
    path: str


@dataclass(frozen=True)
class CupsSpec:
    name: str


@dataclass(frozen=True)
class DummySpec:
    pass


@dataclass(frozen=True)
class SimulatedSpec:
    state: PrinterState = "ok"


PrinterSpec = UsbSpec | SerialSpec | NetworkSpec | FileSpec | CupsSpec | DummySpec | SimulatedSpec


def parse_printer_spec(text: str) -> PrinterSpec:
    """Parse a SPEC such as "usb:0416:5011" or "network:10.0.0.7:9100"; ValueError if malformed."""
    kind, _, rest = text.strip().partition(":")
    try:
        spec = _parse(kind.lower(), rest)
    except ValueError as error:
        message = f"bad printer spec {text!r} ({error}); accepted: {ACCEPTED_FORMS}"
        raise ValueError(message) from None
    if spec is None:
        raise ValueError(f"bad printer spec {text!r}; accepted: {ACCEPTED_FORMS}")
    return spec


def _parse(kind: str, rest: str) -> PrinterSpec | None:
    if kind == "usb":
        vendor, _, product = rest.partition(":")
        return UsbSpec(_usb_id(vendor), _usb_id(product))
    if kind == "serial":
        device, _, baudrate = rest.rpartition(":")
        if not device or not baudrate.isdigit() or int(baudrate) == 0:
            raise ValueError("serial needs DEVICE:BAUD")
        return SerialSpec(device, int(baudrate))
    if kind == "network":
        host, _, port = rest.partition(":")
        if not host or (port and not port.isdigit()) or ":" in port:
            raise ValueError("network needs HOST or HOST:PORT")
        number = int(port) if port else DEFAULT_NETWORK_PORT
        if not 0 < number < 65536:
            raise ValueError(f"port {number} is out of range")
        return NetworkSpec(host, number)
    if kind == "file" and rest:
        return FileSpec(rest)
    if kind == "cups" and rest:
        return CupsSpec(rest)
    if kind == "dummy" and not rest:
        return DummySpec()
    if kind == "simulated":
        state = rest or "ok"
        if state not in PRINTER_STATES:
            raise ValueError(f"unknown simulated state {state!r}")
        return SimulatedSpec(cast(PrinterState, state))
    return None


def _usb_id(text: str) -> int:
    digits = text.lower().removeprefix("0x")
    if not 1 <= len(digits) <= 4 or any(c not in "0123456789abcdef" for c in digits):
        raise ValueError(f"USB id {text!r} is not 1-4 hex digits")
    return int(digits, 16)


def create_printer(spec: PrinterSpec, escpos_profile: str) -> Escpos:
    """Build the python-escpos printer for `spec`, without connecting to it.

    Raises PrinterUnavailable when the backend's optional library (pyusb, pyserial,
    pycups) is missing, ValueError for a profile python-escpos does not know.
    """
    if escpos_profile not in CAPABILITIES["profiles"]:
        raise ValueError(f"python-escpos has no printer profile {escpos_profile!r}")
    match spec:
        case UsbSpec(vendor_id, product_id):
            _require_library(Usb, "usb", "pyusb")
            return Usb(vendor_id, product_id, profile=escpos_profile)
        case SerialSpec(device, baudrate):
            _require_library(Serial, "serial", "pyserial")
            return Serial(device, baudrate, timeout=SERIAL_TIMEOUT_SECONDS, profile=escpos_profile)
        case NetworkSpec(host, port):
            return _Network(host, port, timeout=NETWORK_TIMEOUT_SECONDS, profile=escpos_profile)
        case FileSpec(path):
            return File(path, profile=escpos_profile)
        case CupsSpec(name):
            _require_library(CupsPrinter, "cups", "pycups")
            return CupsPrinter(name, profile=escpos_profile)
        case DummySpec():
            return Dummy(profile=escpos_profile)
        case SimulatedSpec(state):
            return SimulatedPrinter(state, profile=escpos_profile)


def _require_library(printer_class: type[Escpos], extra: str, library: str) -> None:
    # Checked before construction: without the library these classes raise from
    # __init__ (serial, cups) or from __del__ at garbage collection (usb).
    if not printer_class.is_usable():
        raise PrinterUnavailable(
            f"{extra} printers need {library}: pip install 'python-escpos[{extra}]'"
        )


class _Network(Network):  # type: ignore[misc]  # python-escpos ships no type information
    """python-escpos's Network printer, minus the socket it leaks when connecting fails."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            self.device = None
            raise DeviceNotFoundError(
                f"could not connect to {self.host}:{self.port}: {error}"
            ) from error
        self.device = connection
