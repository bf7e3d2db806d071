"""A tiny HTTP/1.1 server that answers every request with the same 200 JSON; for client benchmarks.

Run as ``python -m benchmarks._fixed_server``: it listens on a free loopback port, prints the
port on stdout and serves keep-alive connections until killed. Raw asyncio, no framework, so
its own cost is small and constant, and it runs in its own process, out of the client's CPU time.
"""

from __future__ import annotations

import asyncio

BODY = b'{"data":{"balance":1,"economyKey":"gold","externalPlayerId":"p1","applied":true}}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"x-request-id: req_fixed\r\ncontent-length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.lower().split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            writer.write(RESPONSE)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve() -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve())
