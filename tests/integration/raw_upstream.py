#!/usr/bin/python3
"""A scripted raw HTTP/1.1 upstream for the hardening tests: answers that no well-behaved server
sends, byte for byte, to see what the gateway lets through.

Binds 127.0.0.1 on a free port and prints `port N`; then one JSON line per request head it reads:
`{"path": PATH, "headers": {...}}`. Answers by the request path:
  /ws-right        101 with the right Sec-WebSocket-Accept, then echoes every byte it receives
  /ws-no-accept    101 Upgrade: websocket without Sec-WebSocket-Accept, then echoes
  /ws-wrong-accept 101 with an accept computed from another key, then echoes
  /ws-h2c          101 Upgrade: h2c, then echoes
  /stray           200 "ok"; 20 ms later an unrequested `200 SMUGGLED` on the same connection
  anything else    200 "ok" (keep-alive)
"""

import asyncio
import base64
import hashlib
import json
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def switching(upgrade, accept=None):
    head = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: " + upgrade + b"\r\n"
    if accept is not None:
        head += b"Sec-WebSocket-Accept: " + accept + b"\r\n"
    return head + b"\r\n"


async def echo(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            return
        writer.write(data)
        await writer.drain()


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            print(json.dumps({"path": path, "headers": headers}), flush=True)
            key = headers.get("sec-websocket-key", "").encode()
            if path == "/ws-right":
                writer.write(switching(b"websocket", accept_for(key)))
            elif path == "/ws-no-accept":
                writer.write(switching(b"websocket"))
            elif path == "/ws-wrong-accept":
                writer.write(switching(b"websocket", accept_for(b"x3JJHMbDL1EzLkh9GBhXDw==")))
            elif path == "/ws-h2c":
                writer.write(switching(b"h2c"))
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
                if path == "/stray":
                    await asyncio.sleep(0.02)
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nSMUGGLED")
                    await writer.drain()
                continue
            await writer.drain()
            await echo(reader, writer)
            return
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
