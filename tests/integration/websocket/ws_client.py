#!/usr/bin/python3
"""A scripted WebSocket client for tst_websocket, on Debian's python3-websockets.

    ws_client.py URL ACTIONS_JSON [--ca PEM] [--header "Name: value"]... [--timeout SECONDS]

ACTIONS_JSON is a list of steps, each a list [name, argument...]:
  ["recv"]                  receive one message
  ["recv_until_closed"]     receive messages until the peer closes
  ["send_text", TEXT]       send a text message
  ["send_hex", HEX]         send a binary message
  ["send_random", SIZE]     send SIZE random bytes as one binary message (reports their sha256)
  ["close"]                 close handshake with code 1000
  ["wait_closed", SECONDS]  send nothing and wait for the peer to end the connection

Prints one JSON object on stdout: {"status": 101, "headers": {...}, "steps": [...],
"close_code": ...}. Each received message is reported by type, length and sha256 (and its hex or
text when short). Permessage-deflate and pings are off so the gateway sees exactly these bytes.
Exit codes: 0 done; 2 the handshake was refused (the JSON has the HTTP "status"); 3 anything else
went wrong (the JSON has "error"). A refused handshake still reports the response's headers.
"""

import argparse
import asyncio
import hashlib
import json
import os
import ssl
import sys
import time

import websockets


def describe(message):
    data = message.encode() if isinstance(message, str) else message
    out = {"type": "text" if isinstance(message, str) else "binary", "length": len(data),
           "sha256": hashlib.sha256(data).hexdigest()}
    if len(data) <= 4096:
        out["text" if isinstance(message, str) else "hex"] = message if isinstance(message, str) else data.hex()
    return out


async def run_step(ws, step):
    name, args = step[0], step[1:]
    if name == "recv":
        return {"step": name, "message": describe(await ws.recv())}
    if name == "recv_until_closed":
        messages = []
        try:
            while True:
                messages.append(describe(await ws.recv()))
        except websockets.exceptions.ConnectionClosed:
            pass
        return {"step": name, "messages": messages}
    if name == "send_text":
        await ws.send(args[0])
        return {"step": name}
    if name == "send_hex":
        await ws.send(bytes.fromhex(args[0]))
        return {"step": name}
    if name == "send_random":
        data = os.urandom(int(args[0]))
        await ws.send(data)
        return {"step": name, "sha256": hashlib.sha256(data).hexdigest()}
    if name == "close":
        await ws.close(1000, "done")
        return {"step": name}
    if name == "wait_closed":
        start = time.monotonic()
        try:
            await asyncio.wait_for(ws.wait_closed(), float(args[0]))
            closed = True
        except asyncio.TimeoutError:
            closed = False
        return {"step": name, "closed": closed, "seconds": time.monotonic() - start}
    raise ValueError(f"unknown step {name!r}")


async def session(args, result):
    headers = [tuple(part.strip() for part in h.split(":", 1)) for h in args.header]
    context = None
    if args.url.startswith("wss:"):
        context = ssl.create_default_context(cafile=args.ca)
    async with websockets.connect(args.url, ssl=context, extra_headers=headers, compression=None,
                                  max_size=None, ping_interval=None, open_timeout=5,
                                  close_timeout=5) as ws:
        result["status"] = 101
        result["headers"] = {k.lower(): v for k, v in ws.response_headers.raw_items()}
        for step in json.loads(args.actions):
            result["steps"].append(await run_step(ws, step))
    result["close_code"] = ws.close_code
    result["close_reason"] = ws.close_reason


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("actions")
    parser.add_argument("--ca")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    result = {"steps": []}
    code = 0
    try:
        asyncio.run(asyncio.wait_for(session(args, result), args.timeout))
    except websockets.exceptions.InvalidStatusCode as error:
        result["status"] = error.status_code
        result["headers"] = {k.lower(): v for k, v in error.headers.raw_items()}
        code = 2
    except Exception as error:  # reported, not raised: the test prints it
        result["error"] = f"{type(error).__name__}: {error}"
        code = 3
    print(json.dumps(result), flush=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
