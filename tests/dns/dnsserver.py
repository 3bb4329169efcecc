"""A real authoritative DNS server for tests: zone files on loopback UDP and TCP, faults, query counts.

    server = DnsServer.from_directory(ZONES_DIR).start()   # port 0: an ephemeral port
    server.fault("delay", seconds=0.05)                      # every answer 50 ms late
    server.fault("timeout", name="healthy.test", rdtype="MX")  # never answer that question
    server.count("healthy.test", "MX")                       # questions received for it
    server.stop()

The answers themselves come from dnsauthority.Authority (zone files, RFC 1034/2308 semantics).
"""

from __future__ import annotations

import asyncio
import struct
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
from dnsauthority import ZONES_DIR, Authority

FAULT_KINDS = ("delay", "timeout", "servfail", "refused", "nxdomain", "truncate")


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected misbehaviour; name/rdtype None match every question."""

    kind: str
    name: dns.name.Name | None = None
    rdtype: dns.rdatatype.RdataType | None = None
    seconds: float = 0.0

    def matches(self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> bool:
        """True when the fault applies to this question."""
        return (self.name is None or self.name == qname) and (self.rdtype is None or self.rdtype == rdtype)


@dataclass(frozen=True, slots=True)
class Arrival:
    """One question as the server received it."""

    name: str  # lower case, no final dot
    rdtype: str
    transport: str  # "udp" or "tcp"
    answered_before: int  # replies the server had sent when it arrived


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True).lower()


class DnsServer:
    """The authority served on one loopback port over UDP and TCP from a background thread."""

    def __init__(self, authority: Authority, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.authority = authority
        self.host = host
        self.port = port
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._counts: Counter[tuple[dns.name.Name, dns.rdatatype.RdataType, str]] = Counter()
        self._arrivals: list[Arrival] = []
        self._answered = 0  # replies sent since the last reset
        self._generation = 0  # resets so far
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._closers: list[object] = []
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    def from_directory(cls, directory: Path = ZONES_DIR, **options: object) -> DnsServer:
        """A server for every zone file of a directory (tests/zones by default)."""
        return cls(Authority.from_directory(directory), **options)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ lifecycle
    @property
    def address(self) -> tuple[str, int]:
        """(host, port) to give a resolver."""
        return (self.host, self.port)

    def start(self) -> DnsServer:
        """Bind UDP and TCP on the same port and serve from a daemon thread; returns self."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._bind())
            except BaseException as exc:  # reported to start()'s caller, not lost in the thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="test-dns-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close the sockets and end the thread."""
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop = self._thread = None

    def __enter__(self) -> DnsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _bind(self) -> None:
        loop = asyncio.get_running_loop()
        # UDP takes an ephemeral port first; TCP must get the same number, so retry on a clash.
        for _ in range(50):
            udp, _protocol = await loop.create_datagram_endpoint(
                lambda: _Udp(self), local_addr=(self.host, self.port)
            )
            port = udp.get_extra_info("sockname")[1]
            try:
                tcp = await asyncio.start_server(self._serve_tcp, self.host, port)
            except OSError:
                udp.close()
                if self.port:
                    raise
                continue
            self.port = port
            self._closers = [udp, tcp]
            return
        raise OSError("no port free for both UDP and TCP")

    async def _close(self) -> None:
        udp, tcp = self._closers
        udp.close()  # type: ignore[attr-defined]
        tcp.close()  # type: ignore[attr-defined]
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ------------------------------------------------------------------ faults and counters
    def fault(
        self, kind: str, *, name: str | None = None, rdtype: str | None = None, seconds: float = 0.0
    ) -> None:
        """Add a fault: delay (seconds), timeout, servfail, refused, nxdomain or truncate (UDP only)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        fault = Fault(
            kind=kind,
            name=dns.name.from_text(name) if name is not None else None,
            rdtype=dns.rdatatype.from_text(rdtype) if rdtype is not None else None,
            seconds=seconds,
        )
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def reset_counts(self) -> None:
        """Forget the questions received so far."""
        with self._lock:
            self._counts.clear()
            self._arrivals.clear()
            self._answered = 0
            self._generation += 1

    @property
    def queries(self) -> int:
        """Questions received over UDP and TCP since the last reset."""
        return self.count()

    def count(
        self, name: str | None = None, rdtype: str | None = None, *, transport: str | None = None
    ) -> int:
        """Questions received for a name and/or type and/or transport ('udp', 'tcp')."""
        qname = dns.name.from_text(name) if name is not None else None
        qtype = dns.rdatatype.from_text(rdtype) if rdtype is not None else None
        with self._lock:
            return sum(
                n
                for (got_name, got_type, got_transport), n in self._counts.items()
                if (qname is None or got_name == qname)
                and (qtype is None or got_type == qtype)
                and (transport is None or got_transport == transport)
            )

    def questions(self) -> Counter[tuple[str, str]]:
        """Questions received per (name without final dot, type text), both transports."""
        with self._lock:
            out: Counter[tuple[str, str]] = Counter()
            for (name, rdtype, _transport), n in self._counts.items():
                out[(_text(name), dns.rdatatype.to_text(rdtype))] += n
            return out

    def arrivals(self) -> list[Arrival]:
        """Every question received since the last reset, in order, with the replies sent before it."""
        with self._lock:
            return list(self._arrivals)

    def rounds(self) -> int:
        """Round trips a client needed: each wave of questions sent after the same number of replies.

        A client that asks everything it can at once and waits for all answers produces waves
        [0, 0, 0, 5, 5]: two rounds. One asking one question at a time makes as many rounds as
        questions. No clock is involved, so the figure does not depend on machine load.
        """
        return len({a.answered_before for a in self.arrivals()})

    # ------------------------------------------------------------------ serving
    async def answer(self, wire: bytes, transport: str) -> bytes | None:
        """The reply to one query's wire form, after faults; None to stay silent."""
        try:
            query = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            return None  # not a DNS message: a real server drops it too
        if query.question:
            question = query.question[0]
            key = (question.name.canonicalize(), question.rdtype)
        else:
            key = (dns.name.root, dns.rdatatype.NONE)
        with self._lock:
            generation = self._generation
            self._counts[(*key, transport)] += 1
            self._arrivals.append(
                Arrival(_text(key[0]), dns.rdatatype.to_text(key[1]), transport, self._answered)
            )
            faults = [f for f in self._faults if f.matches(*key)]
        reply = await self._reply(query, transport, faults)
        with self._lock:
            # A reply to a question from before the last reset (a slow one) belongs to another test.
            if reply is not None and generation == self._generation:
                self._answered += 1
        return reply

    async def _reply(self, query: dns.message.Message, transport: str, faults: list[Fault]) -> bytes | None:
        kinds = {f.kind for f in faults}
        delay = max((f.seconds for f in faults if f.kind == "delay"), default=0.0)
        if delay:
            await asyncio.sleep(delay)
        if "timeout" in kinds:
            return None
        for kind, rcode in (
            ("servfail", dns.rcode.SERVFAIL),
            ("refused", dns.rcode.REFUSED),
            ("nxdomain", dns.rcode.NXDOMAIN),  # a broken or hijacking resolver: "nothing exists"
        ):
            if kind in kinds:
                response = dns.message.make_response(query)
                response.set_rcode(rcode)
                return response.to_wire()
        response = self.authority.respond(query)
        if transport == "tcp":
            return response.to_wire(max_size=65535)  # else dnspython caps it at the EDNS payload
        limit = max(512, query.payload) if query.edns >= 0 else 512
        if "truncate" not in kinds:
            try:
                return response.to_wire(max_size=limit)
            except dns.exception.TooBig:
                pass
        truncated = dns.message.make_response(query)
        truncated.flags |= dns.flags.TC | (response.flags & dns.flags.AA)
        return truncated.to_wire()

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # so stop() can end a connection held open by a timeout fault
        task.add_done_callback(self._tasks.discard)
        try:
            while True:
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                reply = await self.answer(await reader.readexactly(size), "tcp")
                if reply is not None:
                    writer.write(struct.pack("!H", len(reply)) + reply)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except asyncio.CancelledError:
            # stop() cancels open connections; asyncio's stream callback would report a cancelled
            # handler task as an error, so the handler ends normally instead.
            pass
        finally:
            writer.close()


class _Udp(asyncio.DatagramProtocol):
    """Hands each datagram to the server in its own task, so delays overlap like a real server's."""

    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server._spawn(self._reply(data, addr))

    async def _reply(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = await self.server.answer(data, "udp")
        if reply is not None and self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(reply, addr)
