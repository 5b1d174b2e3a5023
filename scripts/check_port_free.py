"""Exits non-zero, saying so, when HOST:PORT is already taken: `make run` asks before it migrates and seeds."""

import socket
import sys


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As the server will: a port left in TIME_WAIT by a stopped server counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def main(host: str, port: str) -> int:
    if port_is_free(host, int(port)):
        return 0
    print(
        f"Port {port} on {host} is already in use (another `make run` or `make serve`?). "
        f"Stop that server, or choose another port: make run PORT={int(port) + 1}",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
