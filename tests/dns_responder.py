"""A real DNS server on loopback for tests: answers A/AAAA/NS/CNAME for configured names,
NXDOMAIN for everything else (UDP and TCP, via dnspython's wire format)."""

from __future__ import annotations

import socket
import socketserver
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class Zone:
    def __init__(self, records: dict[tuple[str, str], list[str]]):
        # {("www.demo.gov.cn.", "A"): ["127.0.0.1"], …}; names are absolute
        self.records = {(name.lower().rstrip(".") + ".", rdtype): values for (name, rdtype), values in records.items()}
        self.queries: list[tuple[str, str]] = []

    def answer(self, wire: bytes) -> bytes:
        request = dns.message.from_wire(wire)
        response = dns.message.make_response(request)
        response.flags |= dns.flags.AA
        question = request.question[0]
        name = question.name.to_text().lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        known = {n for n, _ in self.records}
        if name not in known:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response.to_wire()
        target = name
        cname = self.records.get((name, "CNAME"))
        if cname and rdtype != "CNAME":
            response.answer.append(dns.rrset.from_text(name, 60, "IN", "CNAME", cname[0]))
            target = cname[0].lower()
        values = self.records.get((target, rdtype), [])
        if values:
            response.answer.append(dns.rrset.from_text(target, 60, "IN", rdtype, *values))
        elif target != name:
            response.answer = []  # a CNAME to a name without this type: answer nothing
        return response.to_wire()


class _UDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(self.server.zone.answer(data), self.client_address)


class _TCP(socketserver.BaseRequestHandler):
    def handle(self):
        length = int.from_bytes(self.request.recv(2), "big")
        reply = self.server.zone.answer(self.request.recv(length))
        self.request.sendall(len(reply).to_bytes(2, "big") + reply)


class DNSResponder:
    """with DNSResponder(zone) as (host, port): … — serves until the block ends."""

    def __init__(self, zone: Zone, host: str = "127.0.0.1"):
        self.zone = zone
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        udp_cls = type("UDPServer", (socketserver.ThreadingUDPServer,), {"address_family": family, "daemon_threads": True})
        self.udp = udp_cls((host, 0), _UDP)
        tcp_cls = type("TCPServer", (socketserver.ThreadingTCPServer,), {"address_family": family, "daemon_threads": True, "allow_reuse_address": True})
        try:
            self.tcp = tcp_cls((host, self.udp.server_address[1]), _TCP)
        except OSError:
            self.tcp = None
        for server in filter(None, (self.udp, self.tcp)):
            server.zone = zone
        self.threads = []

    def __enter__(self):
        for server in filter(None, (self.udp, self.tcp)):
            t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            t.start()
            self.threads.append(t)
        return self.udp.server_address[0], self.udp.server_address[1]

    def __exit__(self, *exc):
        for server in filter(None, (self.udp, self.tcp)):
            server.shutdown()
            server.server_close()
        for t in self.threads:
            t.join(timeout=5)
