"""Loaded by every Python process started with this folder on PYTHONPATH (launcher and
Beam workers alike): refuses any socket connection that leaves the machine and logs it.

Beam's runner talks to its workers over gRPC on loopback, so loopback stays allowed.
"""

import ipaddress
import os
import socket

_LOG = os.environ.get("NETWORK_GUARD_LOG")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _is_local(address) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name that would need DNS: not local


def _refuse(address):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {address!r}\n")
    raise OSError(f"network guard: connection to {address!r} refused")


def _guarded_connect(self, address):
    if not _is_local(address):
        _refuse(address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _is_local(address):
        _refuse(address)
    return _connect_ex(self, address)


_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost", "") and not _is_local((host, 0)):
        _refuse((host, "dns"))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect
socket.socket.connect_ex = _guarded_connect_ex
socket.getaddrinfo = _guarded_getaddrinfo
