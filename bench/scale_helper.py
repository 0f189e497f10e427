#!/usr/bin/env python3
"""Helper of bench/scale.sh (Python 3 standard library only).

  scale_helper.py hold --port P --count N --mode http|ws [--path /] [--sources 127.0.0.2,...]
                  [--per-process K] [--connect-timeout S] [--max-hold S]
      Opens N connections to 127.0.0.1:P, spread over ceil(N / K) child processes and over the
      source addresses (bind before connect), sends one request on each (http: GET, ws: a WebSocket
      upgrade), reads the whole answer (http: 200 with its body, ws: 101) and then keeps every
      connection open and idle. Prints one line when all are set up:
          ready OK FAILED SECONDS [reason=count ...]
      and holds them until SIGTERM/SIGINT, or --max-hold seconds, whichever comes first. Closing
      sends RST (SO_LINGER 0) so no TIME_WAIT is left behind on the client addresses.

  scale_helper.py ws-upstream --port P [--body TEXT] [--max-run S]
      A WebSocket upstream on 127.0.0.1:P: completes every upgrade (101 with the right
      Sec-WebSocket-Accept) and then holds the connection idle, discarding whatever arrives;
      a request without Upgrade gets 200 with TEXT. Runs until SIGTERM or --max-run seconds.

Every wait is bounded: connecting and reading the answers by --connect-timeout (overall), holding
by --max-hold; children exit when their parent goes away (their stdin is a pipe from it).
"""

import argparse
import base64
import collections
import errno
import hashlib
import os
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
WS_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="  # any 16 bytes, base64; the same for every connection is fine
WS_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455 section 1.3: the accept value of that key


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def request_bytes(mode, path):
    if mode == "ws":
        return (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Key: " + WS_KEY + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\nUser-Agent: gatehouse-scale\r\n\r\n"


class Conn:
    __slots__ = ("sock", "state", "buf", "need")

    def __init__(self, sock):
        self.sock = sock
        self.state = "connecting"
        self.buf = b""
        self.need = -1  # total bytes of head + body once the head is parsed


def complete_answer(conn, mode):
    """None while incomplete; else (ok, reason)."""
    if conn.need < 0:
        end = conn.buf.find(b"\r\n\r\n")
        if end < 0:
            return None if len(conn.buf) < 65536 else (False, "head-too-long")
        head = conn.buf[:end].decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        status = parts[1] if len(parts) > 1 else "?"
        if mode == "ws":
            if status != "101":
                return (False, "status-" + status)
            accepted = any(line.lower().startswith("sec-websocket-accept:") and line.split(":", 1)[1].strip() == WS_ACCEPT
                           for line in lines[1:])
            return (True, "") if accepted else (False, "bad-sec-websocket-accept")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            elif name.strip().lower() == "transfer-encoding":
                return (False, "chunked-answer")
        conn.need = end + 4 + length
        if status != "200":
            return (False, "status-" + status)
    if len(conn.buf) >= conn.need:
        return (True, "")
    return None


def hold_child(args):
    """Opens args.count connections, prints 'ready OK FAILED reasons', holds them."""
    raise_nofile()
    sources = args.sources.split(",")
    req = request_bytes(args.mode, args.path)
    sel = selectors.DefaultSelector()
    sel.register(sys.stdin.fileno(), selectors.EVENT_READ, None)  # EOF = the parent is gone
    held = []
    failures = collections.Counter()
    pending = 0
    started = 0
    done = 0
    deadline = time.monotonic() + args.connect_timeout
    inflight_max = args.inflight

    def fail(conn, why):
        nonlocal pending, done
        failures[why] += 1
        try:
            sel.unregister(conn.sock)
        except (KeyError, ValueError):
            pass
        conn.sock.close()
        pending -= 1
        done += 1

    while done < args.count and time.monotonic() < deadline:
        while started < args.count and pending < inflight_max:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.bind((sources[(args.offset + started) % len(sources)], 0))
                err = s.connect_ex(("127.0.0.1", args.port))
            except OSError as e:
                s.close()
                failures["bind-" + errno.errorcode.get(e.errno, str(e.errno))] += 1
                started += 1
                done += 1
                continue
            started += 1
            conn = Conn(s)
            pending += 1
            if err not in (0, errno.EINPROGRESS):
                fail(conn, "connect-" + errno.errorcode.get(err, str(err)))
                continue
            sel.register(s, selectors.EVENT_WRITE, conn)
        for key, _ in sel.select(timeout=0.2):
            conn = key.data
            if conn is None:
                if not os.read(sys.stdin.fileno(), 4096):
                    sys.exit(0)
                continue
            if conn.state == "connecting":
                err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(conn, "connect-" + errno.errorcode.get(err, str(err)))
                    continue
                try:
                    conn.sock.send(req)  # a few hundred bytes: fits the empty send buffer
                except OSError as e:
                    fail(conn, "send-" + errno.errorcode.get(e.errno, str(e.errno)))
                    continue
                conn.state = "reading"
                sel.modify(conn.sock, selectors.EVENT_READ, conn)
                continue
            try:
                data = conn.sock.recv(65536)
            except OSError as e:
                fail(conn, "recv-" + errno.errorcode.get(e.errno, str(e.errno)))
                continue
            if not data:
                fail(conn, "closed-before-answer")
                continue
            conn.buf += data
            result = complete_answer(conn, args.mode)
            if result is None:
                continue
            ok, why = result
            if not ok:
                fail(conn, why)
                continue
            sel.unregister(conn.sock)
            conn.buf = b""
            held.append(conn.sock)
            pending -= 1
            done += 1
    if done < args.count:
        failures["timeout"] += args.count - done
    reasons = " ".join("%s=%d" % kv for kv in sorted(failures.items()))
    print("ready %d %d %s" % (len(held), args.count - len(held), reasons), flush=True)
    # Hold: nothing to do but notice the parent going away, or the time bound.
    for key in list(sel.get_map().values()):
        if key.data is not None:
            try:
                sel.unregister(key.fileobj)
            except (KeyError, ValueError):
                pass
            key.fileobj.close()
    hold_until = time.monotonic() + args.max_hold
    while time.monotonic() < hold_until:
        if sel.select(timeout=1.0):
            if not os.read(sys.stdin.fileno(), 4096):
                break
    linger = struct.pack("ii", 1, 0)  # close with RST: no TIME_WAIT left on the client addresses
    for s in held:
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        except OSError:
            pass
        s.close()


def hold_parent(args):
    soft = raise_nofile()
    per = min(args.per_process, max(1, soft - 64))
    nproc = (args.count + per - 1) // per
    sources = args.sources.split(",")
    children = []
    stop = {"flag": False}

    def on_signal(signum, frame):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    t0 = time.monotonic()
    left = args.count
    for i in range(nproc):
        n = min(per, left)
        left -= n
        cmd = [sys.executable, os.path.abspath(__file__), "hold-child", "--port", str(args.port), "--count", str(n),
               "--mode", args.mode, "--path", args.path, "--sources", ",".join(sources),
               "--offset", str(i), "--connect-timeout", str(args.connect_timeout),
               "--max-hold", str(args.max_hold), "--inflight", str(args.inflight)]
        children.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    ok = failed = 0
    reasons = collections.Counter()
    for child in children:
        line = child.stdout.readline().split()  # bounded: each child gives up after --connect-timeout
        if len(line) < 3 or line[0] != "ready":
            failed += 1
            reasons["child-failed"] += 1
            continue
        ok += int(line[1])
        failed += int(line[2])
        for item in line[3:]:
            k, _, v = item.partition("=")
            reasons[k] += int(v)
    elapsed = time.monotonic() - t0
    print("ready %d %d %.2f %d %s" % (ok, failed, elapsed, nproc,
                                      " ".join("%s=%d" % kv for kv in sorted(reasons.items()))), flush=True)
    hold_until = time.monotonic() + args.max_hold
    while not stop["flag"] and time.monotonic() < hold_until:
        time.sleep(0.2)
    for child in children:
        try:
            child.stdin.close()  # EOF: the child closes its sockets and exits
        except OSError:
            pass
    end = time.monotonic() + 10
    for child in children:
        try:
            child.wait(timeout=max(0.1, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def ws_upstream(args):
    raise_nofile()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", args.port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ, None)
    stop = {"flag": False}

    def on_signal(signum, frame):
        stop["flag"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    body = args.body.encode()
    bufs = {}
    until = time.monotonic() + args.max_run
    while not stop["flag"] and time.monotonic() < until:
        for key, _ in sel.select(timeout=0.5):
            if key.data is None:
                while True:
                    try:
                        s, _ = lsock.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:  # EMFILE and friends: try again on the next round
                        break
                    s.setblocking(False)
                    bufs[s] = b""
                    sel.register(s, selectors.EVENT_READ, "conn")
                continue
            s = key.fileobj
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(s)
                bufs.pop(s, None)
                s.close()
                continue
            if bufs.get(s) is None:
                continue  # an upgraded connection: discard what arrives
            bufs[s] += data
            end = bufs[s].find(b"\r\n\r\n")
            if end < 0:
                continue
            head = bufs[s][:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            key_hdr = headers.get("sec-websocket-key")
            if headers.get("upgrade", "").lower() == "websocket" and key_hdr:
                accept = base64.b64encode(hashlib.sha1(key_hdr.encode() + WS_GUID).digest())
                s.send(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
                bufs[s] = None
            else:
                s.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
                       + body)
                bufs[s] = bufs[s][end + 4:]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("hold", "hold-child"):
        h = sub.add_parser(name)
        h.add_argument("--port", type=int, required=True)
        h.add_argument("--count", type=int, required=True)
        h.add_argument("--mode", choices=("http", "ws"), default="http")
        h.add_argument("--path", default="/")
        h.add_argument("--sources", default=",".join("127.0.0.%d" % i for i in range(2, 10)))
        h.add_argument("--per-process", type=int, default=5000)
        h.add_argument("--connect-timeout", type=float, default=60)
        h.add_argument("--max-hold", type=float, default=600)
        h.add_argument("--inflight", type=int, default=64)
        h.add_argument("--offset", type=int, default=0)
    w = sub.add_parser("ws-upstream")
    w.add_argument("--port", type=int, required=True)
    w.add_argument("--body", default='{"ok":true}')
    w.add_argument("--max-run", type=float, default=1800)
    args = p.parse_args()
    if args.cmd == "hold":
        hold_parent(args)
    elif args.cmd == "hold-child":
        hold_child(args)
    else:
        ws_upstream(args)


if __name__ == "__main__":
    main()
