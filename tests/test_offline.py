"""The suite runs offline: a network connection attempt fails inside any test."""
import socket
import urllib.request

import pytest
from conftest import NetworkBlocked


def test_a_connection_attempt_fails():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("pypi.org", 443), timeout=1)
    with pytest.raises(NetworkBlocked):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("127.0.0.1", 9))
    with pytest.raises(Exception):  # urllib goes through create_connection
        urllib.request.urlopen("https://example.org", timeout=1)
