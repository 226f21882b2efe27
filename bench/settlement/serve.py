"""One HTTP server process of the settlement benchmark: uvicorn (uvloop, httptools), no access
log, serving the TCP listening socket it inherits.

Not ``uvicorn --fd``: uvicorn wraps that descriptor as a Unix socket, so the event loop does
not set TCP_NODELAY on the connections it accepts, and an answer written in two parts (head,
then body) waits for the client's delayed acknowledgement, about 40 ms on Linux. The socket
made here from the descriptor reads its real family, TCP, and the loop treats it as such.

Usage: ``python serve.py APP FD`` (APP as uvicorn takes it, ``module:attribute``).
"""

from __future__ import annotations

import socket
import sys

import uvicorn


def main(app: str, fd: int) -> None:
    listening = socket.socket(fileno=fd)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_keep_alive=60)
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
