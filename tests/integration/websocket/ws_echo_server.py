#!/usr/bin/python3
"""A WebSocket echo upstream for tst_websocket, on Debian's python3-websockets.

Binds 127.0.0.1 on a free port and prints `port N` on stdout. For every HTTP request it gets (a
handshake, whether it succeeds or not) it prints one JSON line `{"request": PATH, "headers":
{...}}`, so the test can tell whether the gateway let a request through at all.

Behaviour per connection:
  /push?n=N   sends N text messages ("push 1" .. "push N") unprompted, then closes with 1000.
  /push?n=N&size=S  the same with binary messages of S bytes, message i filled with byte i % 256.
  any other   sends the greeting text "hello from upstream", then echoes every message (text as
              text, binary as binary) until the client closes.
permessage-deflate is off (compression=None) so the bytes on the wire are the message bytes.
"""

import asyncio
import json
import sys
from urllib.parse import parse_qs, urlsplit

import websockets

GREETING = "hello from upstream"


def log(obj):
    print(json.dumps(obj), flush=True)


async def process_request(path, request_headers):
    log({"request": path, "headers": {k.lower(): v for k, v in request_headers.raw_items()}})
    return None  # carry on with the handshake


async def handler(ws, path=None):
    path = ws.path if path is None else path
    url = urlsplit(path)
    if url.path == "/push" or url.path.endswith("/push"):
        query = parse_qs(url.query)
        n = int(query.get("n", ["1"])[0])
        size = int(query.get("size", ["0"])[0])
        for i in range(1, n + 1):
            # send() waits while the connection's buffers are full: this is where back-pressure
            # from the gateway stops the upstream.
            await ws.send(bytes([i % 256]) * size if size else f"push {i}")
        await ws.close(1000, "pushed")
        return
    await ws.send(GREETING)
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.exceptions.ConnectionClosed:
        pass


async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, compression=None, max_size=None,
                                ping_interval=None, process_request=process_request) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.Future()  # until killed


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
