"""The answering half of the test DNS server: authoritative responses from zone files, no sockets.

Answers follow RFC 1034/2308: AA set, CNAMEs chased inside the served zones, NODATA and NXDOMAIN
with the zone's SOA in the authority section (TTL = min(SOA TTL, SOA MINIMUM)), REFUSED outside.
The root zone (root.zone) answers for the root name only, for the checker's control query: names
outside the test zones stay REFUSED, as from a server that is not theirs.
"""

from __future__ import annotations

from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

ZONES_DIR = Path(__file__).parent / "zones"
_MAX_CHAIN = 8  # CNAME hops followed inside the served zones


class Authority:
    """Answers questions from a set of zones: pure, no sockets."""

    def __init__(self, zones: list[dns.zone.Zone]) -> None:
        self.zones = {zone.origin: zone for zone in zones}

    @classmethod
    def from_directory(cls, directory: Path) -> Authority:
        """Every *.zone file of a directory; each file names its origin with $ORIGIN."""
        return cls([dns.zone.from_file(str(p), relativize=False) for p in sorted(directory.glob("*.zone"))])

    def zone_for(self, name: dns.name.Name) -> dns.zone.Zone | None:
        """The closest enclosing served zone of a name (the root zone only for the root itself)."""
        if name == dns.name.root:
            return self.zones.get(name)
        while True:
            if name in self.zones and name != dns.name.root:
                return self.zones[name]
            try:
                name = name.parent()
            except dns.name.NoParent:
                return None

    def respond(self, query: dns.message.Message) -> dns.message.Message:
        """The authoritative response to a query message."""
        response = dns.message.make_response(query)
        if query.opcode() != dns.opcode.QUERY:
            response.set_rcode(dns.rcode.NOTIMP)
            return response
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        name, rdtype = question.name, question.rdtype
        zone = self.zone_for(name)
        if zone is None or question.rdclass != dns.rdataclass.IN:
            response.set_rcode(dns.rcode.REFUSED)
            return response
        response.flags |= dns.flags.AA
        for _ in range(_MAX_CHAIN):
            node = zone.get_node(name)
            if node is None:
                if not self._has_descendants(zone, name):  # an empty non-terminal exists: NODATA
                    response.set_rcode(dns.rcode.NXDOMAIN)
                response.authority.append(self._negative_soa(zone))
                return response
            rdataset = node.get_rdataset(dns.rdataclass.IN, rdtype)
            if rdataset is not None:
                response.answer.append(dns.rrset.from_rdata_list(name, rdataset.ttl, list(rdataset)))
                return response
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None or rdtype == dns.rdatatype.CNAME:
                response.authority.append(self._negative_soa(zone))
                return response
            response.answer.append(dns.rrset.from_rdata_list(name, cname.ttl, list(cname)))
            name = cname[0].target
            zone = self.zone_for(name)
            if zone is None:  # the alias leaves our zones: the client carries on elsewhere
                return response
        response.set_rcode(dns.rcode.SERVFAIL)
        return response

    @staticmethod
    def _has_descendants(zone: dns.zone.Zone, name: dns.name.Name) -> bool:
        return any(other != name and other.is_subdomain(name) for other in zone.nodes)

    @staticmethod
    def _negative_soa(zone: dns.zone.Zone) -> dns.rrset.RRset:
        # RFC 2308 section 3: the SOA's TTL is the minimum of its own TTL and its MINIMUM field.
        soa = zone.get_rdataset(zone.origin, dns.rdatatype.SOA)
        assert soa is not None, f"zone {zone.origin} has no SOA"
        return dns.rrset.from_rdata_list(zone.origin, min(soa.ttl, soa[0].minimum), list(soa))
