#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A hostile MPTCP peer: crafted MPTCP v1 (RFC 8684) packets over raw sockets.

Run in the peer's network namespace against a Linux MPTCP listener (the
device under test, DUT).  Each subcommand opens what it needs as the active
opener, sends its hostile input, watches how the DUT reacts on the wire,
prints one result line of key=value fields and exits 0 when the reaction is
the expected one, 1 otherwise (2 on a usage error).

  join-unknown-token   SYN with MP_JOIN and a random token: expect a RST.
  join-valid           MP_CAPABLE connection, then a second subflow with a
                       correct MP_JOIN handshake: expect it to carry data
                       (the control for join-bad-hmac).
  join-bad-hmac        The same with a wrong HMAC in the MP_JOIN third ACK:
                       expect a RST on that subflow, the first one intact.
  add-addr-flood       --count N ADD_ADDR (ids 1..N, addresses 10.99.x.y),
                       valid truncated HMACs unless --bad-hmac; back to back,
                       or each after the echo of the previous with --paced.
                       Reports the echoes; expects the connection to live.
  rm-addr              RM_ADDR listing --ids (one option): expect the DUT to
                       close the initial subflow when the list holds id 0,
                       to keep it otherwise (or as --expect says).
  mp-prio              MP_PRIO (length 3, backup) and a malformed one (length
                       4, with an address id): expect the connection to live.
  strip                Data with a DSS mapping, then data without any MPTCP
                       option, then FIN: expect it all acknowledged, by plain
                       TCP ACKs once the DUT fell back, and the DUT's FIN.
                       With --resend N, the last N mapped bytes are sent
                       again with their DSN first (an MPTCP-level
                       retransmission): expect a RST, no fallback.

Packets leave through an IPPROTO_RAW socket marked with --mark (SO_MARK), so
that a firewall rule in the peer namespace can drop the RSTs its own kernel
sends to connections it does not know about, but not the tool's RSTs.  They
arrive through an AF_INET/SOCK_RAW/IPPROTO_TCP socket, filtered on the
4-tuple.  No TCP timestamps, SACK or window scaling: MSS and MPTCP only.
"""

import argparse
import hashlib
import hmac
import random
import select
import socket
import struct
import sys
import time

# TCP flags
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

TCPOPT_EOL, TCPOPT_NOP, TCPOPT_MSS, TCPOPT_MPTCP = 0, 1, 2, 30

# MPTCP option subtypes
MP_CAPABLE, MP_JOIN, DSS, ADD_ADDR, RM_ADDR, MP_PRIO, MP_FAIL, \
    MP_FASTCLOSE, MP_TCPRST = range(9)

MPTCP_VERSION = 1
MPC_FLAG_CSUM = 0x80            # A: checksums required
MPC_FLAG_HMAC_SHA256 = 0x01     # H

DSS_ACK, DSS_ACK64, DSS_MAP, DSS_DSN64, DSS_DATA_FIN = 0x01, 0x02, 0x04, 0x08, 0x10

WINDOW = 65535
MSS = 1460
U32 = (1 << 32) - 1
U64 = (1 << 64) - 1


class PeerError(Exception):
    """The exchange could not be carried out (no answer, bad answer)."""


# --- crypto (net/mptcp/crypto.c) ------------------------------------------

def key_sha(key):
    """mptcp_crypto_key_sha(): the token (first 32 bits of SHA-256 of the
    big-endian key) and the IDSN (its last 64 bits)."""
    digest = hashlib.sha256(key.to_bytes(8, "big")).digest()
    return int.from_bytes(digest[:4], "big"), int.from_bytes(digest[24:], "big")


def key_token(key):
    return key_sha(key)[0]


def key_idsn(key):
    return key_sha(key)[1]


def hmac_sha(key1, key2, msg):
    """mptcp_crypto_hmac_sha(): HMAC-SHA256 keyed with key1 || key2, each a
    big-endian u64."""
    key = key1.to_bytes(8, "big") + key2.to_bytes(8, "big")
    return hmac.new(key, msg, hashlib.sha256).digest()


def join_hmac(key1, key2, nonce1, nonce2):
    """subflow_generate_hmac(): the message is nonce1 || nonce2."""
    return hmac_sha(key1, key2, struct.pack("!II", nonce1, nonce2))


def add_addr_hmac(key1, key2, addr_id, addr, port=0):
    """add_addr_generate_hmac(): the message is id || address || port (two
    bytes, zero without a port); the result is the rightmost 64 bits.  key1
    is the key of the host sending the ADD_ADDR."""
    msg = bytes([addr_id]) + socket.inet_aton(addr) + port.to_bytes(2, "big")
    return int.from_bytes(hmac_sha(key1, key2, msg)[-8:], "big")


# --- checksums and packet building ----------------------------------------

def inet_checksum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_checksum(src, dst, segment):
    """The TCP checksum of segment (its checksum field zeroed) over the IPv4
    pseudo header."""
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(segment))
    return inet_checksum(pseudo + segment)


def pad_options(options):
    """NOPs in front of options up to a multiple of 4 bytes (the kernel also
    accepts them anywhere; in front keeps the MPTCP fields aligned as in
    mptcp_write_options())."""
    return bytes([TCPOPT_NOP]) * (-len(options) % 4) + options


def tcp_segment(src, dst, sport, dport, seq, ack, flags, options=b"",
                payload=b"", window=WINDOW):
    options = pad_options(options)
    if 20 + len(options) > 60:
        raise ValueError("TCP options too long")
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & U32,
                         ack & U32 if flags & ACK else 0,
                         (20 + len(options)) // 4 << 4, flags, window, 0, 0)
    segment = header + options + payload
    csum = tcp_checksum(src, dst, segment)
    return segment[:16] + struct.pack("!H", csum) + segment[18:]


def ipv4_packet(src, dst, payload):
    """An IPv4 header with DF, then payload.  With IPPROTO_RAW the kernel
    also fills the identification and recomputes the header checksum."""
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0,
                         0x4000, 64, socket.IPPROTO_TCP, 0,
                         socket.inet_aton(src), socket.inet_aton(dst))
    csum = inet_checksum(header)
    return header[:10] + struct.pack("!H", csum) + header[12:] + payload


# --- option encoding -------------------------------------------------------

def opt_mss(mss=MSS):
    return struct.pack("!BBH", TCPOPT_MSS, 4, mss)


def mptcp_opt(subtype, nibble, body):
    """kind 30, length, subtype in the high nibble of the third byte."""
    return bytes([TCPOPT_MPTCP, 3 + len(body), subtype << 4 | nibble & 0xF]) + body


def opt_mpc_syn():
    return mptcp_opt(MP_CAPABLE, MPTCP_VERSION, bytes([MPC_FLAG_HMAC_SHA256]))


def opt_mpc_ack(sender_key, receiver_key):
    """The third ACK: our key first, then the DUT's."""
    return mptcp_opt(MP_CAPABLE, MPTCP_VERSION,
                     bytes([MPC_FLAG_HMAC_SHA256]) +
                     struct.pack("!QQ", sender_key, receiver_key))


def opt_mpj_syn(token, nonce, addr_id, backup=False):
    return mptcp_opt(MP_JOIN, int(backup), struct.pack("!BII", addr_id, token, nonce))


def opt_mpj_ack(mac):
    assert len(mac) == 20
    return mptcp_opt(MP_JOIN, 0, b"\0" + mac)


def opt_dss(data_ack=None, dsn=None, ssn=0, length=0):
    """DSS with a 64-bit DATA_ACK and/or a 64-bit mapping, no checksum."""
    flags, body = 0, b""
    if data_ack is not None:
        flags |= DSS_ACK | DSS_ACK64
        body += struct.pack("!Q", data_ack & U64)
    if dsn is not None:
        flags |= DSS_MAP | DSS_DSN64
        body += struct.pack("!QIH", dsn & U64, ssn & U32, length)
    return mptcp_opt(DSS, 0, bytes([flags]) + body)


def opt_add_addr(addr_id, addr, ahmac):
    """IPv4 ADD_ADDR without port, echo flag clear, with the truncated HMAC."""
    return mptcp_opt(ADD_ADDR, 0, bytes([addr_id]) + socket.inet_aton(addr) +
                     struct.pack("!Q", ahmac))


def opt_rm_addr(ids):
    return mptcp_opt(RM_ADDR, 0, bytes(ids))


def opt_mp_prio(backup, addr_id=None):
    """MP_PRIO is 3 bytes in RFC 8684; with addr_id it is the 4-byte form of
    RFC 6824."""
    return mptcp_opt(MP_PRIO, int(backup), b"" if addr_id is None else bytes([addr_id]))


# --- parsing ---------------------------------------------------------------

def parse_options(raw):
    """[(kind, body)] for the TCP options in raw, body without kind and
    length; stops at EOL or at a malformed option."""
    options, i = [], 0
    while i < len(raw):
        kind = raw[i]
        if kind == TCPOPT_EOL:
            break
        if kind == TCPOPT_NOP:
            i += 1
            continue
        if i + 1 >= len(raw) or raw[i + 1] < 2 or i + raw[i + 1] > len(raw):
            break
        options.append((kind, raw[i + 2:i + raw[i + 1]]))
        i += raw[i + 1]
    return options


def parse_mptcp(body):
    """(subtype, fields) of an MPTCP option body, as far as this tool needs
    them; fields is empty for what it does not decode."""
    subtype, size, f = body[0] >> 4, len(body) + 2, {}
    try:
        if subtype == MP_CAPABLE:
            f["version"] = body[0] & 0xF
            f["flags"] = body[1]
            if size >= 12:
                f["sender_key"] = int.from_bytes(body[2:10], "big")
        elif subtype == MP_JOIN and size == 16:
            f["backup"] = body[0] & 1
            f["id"] = body[1]
            f["thmac"] = int.from_bytes(body[2:10], "big")
            f["nonce"] = int.from_bytes(body[10:14], "big")
        elif subtype == DSS:
            flags, pos = body[1], 2
            if flags & DSS_ACK:
                n = 8 if flags & DSS_ACK64 else 4
                f["data_ack"] = int.from_bytes(body[pos:pos + n], "big")
                pos += n
            if flags & DSS_MAP:
                n = 8 if flags & DSS_DSN64 else 4
                f["dsn"] = int.from_bytes(body[pos:pos + n], "big")
                f["length"] = int.from_bytes(body[pos + n + 4:pos + n + 6], "big")
            f["data_fin"] = bool(flags & DSS_DATA_FIN)
        elif subtype == ADD_ADDR and size in (8, 10, 16, 18):
            f["echo"] = body[0] & 1
            f["id"] = body[1]
            f["addr"] = socket.inet_ntoa(body[2:6])
        elif subtype == RM_ADDR:
            f["ids"] = list(body[1:])
        elif subtype == MP_TCPRST and size == 4:
            f["reason"] = body[1]
    except IndexError:
        f = {}
    return subtype, f


class Segment:
    """A received TCP segment."""

    def __init__(self, packet):
        ihl = (packet[0] & 0xF) * 4
        total = int.from_bytes(packet[2:4], "big")
        self.src = socket.inet_ntoa(packet[12:16])
        self.dst = socket.inet_ntoa(packet[16:20])
        tcp = packet[ihl:total]
        (self.sport, self.dport, self.seq, self.ack, off, self.flags,
         self.window) = struct.unpack("!HHIIBBH", tcp[:16])
        doff = (off >> 4) * 4
        self.options = parse_options(tcp[20:doff])
        self.payload = tcp[doff:]
        self.mptcp = [parse_mptcp(body) for kind, body in self.options
                      if kind == TCPOPT_MPTCP and body]

    def mp(self, subtype):
        """The fields of the first MPTCP option of that subtype, or None."""
        for sub, fields in self.mptcp:
            if sub == subtype:
                return fields
        return None

    def __str__(self):
        names = "".join(c for bit, c in ((SYN, "S"), (FIN, "F"), (RST, "R"),
                                         (PSH, "P"), (ACK, ".")) if self.flags & bit)
        return f"[{names}] seq {self.seq} ack {self.ack} len {len(self.payload)}"


def seq_after_eq(a, b):
    """a >= b in 32-bit sequence space."""
    return (a - b) & U32 < 1 << 31


# --- the network -----------------------------------------------------------

class RawNet:
    """The raw sockets, and the subflows incoming segments are handed to."""

    def __init__(self, mark):
        self.tx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        if mark:
            self.tx.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_MARK", 36), mark)
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.rx.setblocking(False)
        self.flows = {}

    def send(self, src, dst, segment):
        self.tx.sendto(ipv4_packet(src, dst, segment), (dst, 0))

    def poll(self, timeout):
        """Waits up to timeout for segments, hands what arrived to the
        subflows; False on timeout."""
        readable, _, _ = select.select([self.rx], [], [], max(timeout, 0))
        if not readable:
            return False
        while True:
            try:
                packet = self.rx.recv(65535)
            except BlockingIOError:
                return True
            if len(packet) < 40 or packet[9] != socket.IPPROTO_TCP:
                continue
            seg = Segment(packet)
            flow = self.flows.get((seg.src, seg.sport, seg.dst, seg.dport))
            if flow:
                flow.handle(seg)

    def wait_until(self, condition, timeout):
        """Processes incoming segments until condition() holds (True) or
        timeout seconds passed (False)."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.poll(left)
        return True

    def linger(self, seconds):
        """Processes incoming segments for that long."""
        self.wait_until(lambda: False, seconds)

    def cleanup(self):
        """RST on every subflow still open, from our side."""
        for flow in list(self.flows.values()):
            if flow.state == "established":
                flow.send(RST | ACK)
                flow.state = "closed"


class Subflow:
    """One TCP connection from (src, sport) to (dst, dport); conn is its MPTCP
    connection, if any.  Keeps snd_nxt/rcv_nxt; every received segment goes
    to handle() then to the inbox that wait() reads."""

    def __init__(self, net, conn, src, dst, dport):
        self.net, self.conn = net, conn
        self.src, self.dst, self.dport = src, dst, dport
        self.sport = random.randrange(20000, 60000)
        while (dst, dport, src, self.sport) in net.flows:
            self.sport = random.randrange(20000, 60000)
        self.isn = random.getrandbits(32)
        self.snd_nxt = self.isn
        self.rcv_nxt = 0
        self.state = "new"      # new, syn-sent, established, closed
        self.rst = None         # the RST the DUT sent
        self.fin = False        # the DUT sent its FIN
        self.inbox = []
        net.flows[(dst, dport, src, self.sport)] = self

    def send(self, flags, options=b"", payload=b""):
        self.net.send(self.src, self.dst,
                      tcp_segment(self.src, self.dst, self.sport, self.dport,
                                  self.snd_nxt, self.rcv_nxt, flags, options, payload))
        self.snd_nxt = (self.snd_nxt + len(payload) + bool(flags & (SYN | FIN))) & U32
        if flags & SYN:
            self.state = "syn-sent"

    def handle(self, seg):
        if seg.flags & RST:
            self.rst = seg
            self.state = "closed"
        elif seg.flags & SYN and seg.flags & ACK and self.state == "syn-sent" \
                and seg.ack == self.snd_nxt:
            self.rcv_nxt = (seg.seq + 1) & U32
            self.state = "established"
        elif seg.seq == self.rcv_nxt:
            self.rcv_nxt = (self.rcv_nxt + len(seg.payload)) & U32
            if seg.flags & FIN:
                self.rcv_nxt = (self.rcv_nxt + 1) & U32
                self.fin = True
        if self.conn:
            self.conn.observe(seg)
        self.inbox.append(seg)

    def wait(self, predicate, timeout):
        """The first segment, already received but not yet looked at or
        arriving within timeout, for which predicate holds; None otherwise."""
        found = []

        def check():
            while self.inbox:
                seg = self.inbox.pop(0)
                if predicate(seg):
                    found.append(seg)
                    return True
            return False

        self.net.wait_until(check, timeout)
        return found[0] if found else None

    def wait_acked(self, timeout):
        """The first ACK covering everything sent (or a RST); None if none."""
        return self.wait(lambda s: s.flags & RST or
                         (s.flags & ACK and seq_after_eq(s.ack, self.snd_nxt)), timeout)


class Connection:
    """An MPTCP connection to the DUT, from our side: keys, data sequence
    numbers, subflows, and what the DUT signalled."""

    def __init__(self, net, src, dst, port, timeout):
        self.net, self.src, self.dst, self.port = net, src, dst, port
        self.timeout = timeout
        self.local_key = random.getrandbits(64) or 1
        self.remote_key = None
        self.data_seq = None    # our next DSN
        self.data_ack = None    # the DUT's next DSN (it sends no data)
        self.subflows = []
        self.echoes = set()     # (id, address) of ADD_ADDR echoes received
        self.echo_packets = 0

    def observe(self, seg):
        add = seg.mp(ADD_ADDR)
        if add and add["echo"]:
            self.echoes.add((add["id"], add["addr"]))
            self.echo_packets += 1

    def syn(self, sf, options, what):
        """Sends a SYN with options on sf; returns the SYN-ACK."""
        sf.send(SYN, opt_mss() + options)
        synack = sf.wait(lambda s: s.flags & RST or s.flags & SYN, self.timeout)
        if synack is None:
            raise PeerError(f"no answer to the {what} SYN")
        if synack.flags & RST:
            raise PeerError(f"the {what} SYN was answered with a RST")
        return synack

    def connect(self):
        """The MP_CAPABLE handshake; returns the initial subflow."""
        sf = Subflow(self.net, self, self.src, self.dst, self.port)
        synack = self.syn(sf, opt_mpc_syn(), "MP_CAPABLE")
        mpc = synack.mp(MP_CAPABLE)
        if not mpc or "sender_key" not in mpc:
            raise PeerError("the SYN-ACK carries no MP_CAPABLE key")
        if mpc["flags"] & MPC_FLAG_CSUM:
            raise PeerError("the DUT requires DSS checksums, not supported here")
        self.remote_key = mpc["sender_key"]
        self.data_seq = key_idsn(self.local_key) + 1 & U64
        self.data_ack = key_idsn(self.remote_key) + 1 & U64
        sf.send(ACK, opt_mpc_ack(self.local_key, self.remote_key))
        self.subflows.append(sf)
        return sf

    def send_data(self, sf, payload, mapped=True, flags=PSH | ACK):
        """payload on sf, with a DSS mapping and DATA_ACK, or without any
        MPTCP option."""
        options = b""
        if mapped:
            options = opt_dss(self.data_ack, self.data_seq,
                              (sf.snd_nxt - sf.isn) & U32, len(payload))
            self.data_seq = self.data_seq + len(payload) & U64
        sf.send(flags, options, payload)

    def probe(self, sf, payload=b"probe\n"):
        """Mapped data on sf: True when the DUT acknowledges it."""
        self.send_data(sf, payload)
        seg = sf.wait_acked(self.timeout)
        return seg is not None and not seg.flags & RST

    def join(self, bad_hmac=False, addr_id=1, backup=False):
        """An MP_JOIN subflow; with bad_hmac, the HMAC of the third ACK is
        wrong on purpose.  Returns (subflow, whether the SYN-ACK's truncated
        HMAC was the one expected from the keys and nonces)."""
        sf = Subflow(self.net, self, self.src, self.dst, self.port)
        nonce = random.getrandbits(32)
        synack = self.syn(sf, opt_mpj_syn(key_token(self.remote_key), nonce, addr_id, backup),
                          "MP_JOIN (right token)")
        mpj = synack.mp(MP_JOIN)
        if not mpj:
            raise PeerError("the SYN-ACK carries no MP_JOIN")
        # subflow_req_create_thmac(): the DUT's key and nonce first.
        thmac = join_hmac(self.remote_key, self.local_key, mpj["nonce"], nonce)
        thmac_ok = int.from_bytes(thmac[:8], "big") == mpj["thmac"]
        # subflow_hmac_valid() expects ours first.
        mac = join_hmac(self.local_key, self.remote_key, nonce, mpj["nonce"])[:20]
        if bad_hmac:
            mac = bytes(b ^ 0x5A for b in mac)
        sf.send(ACK, opt_mpj_ack(mac))
        self.subflows.append(sf)
        return sf, thmac_ok


# --- subcommands -----------------------------------------------------------

def establish(net, args, probe=True):
    """An MPTCP connection, checked with a probe unless probe is False."""
    conn = Connection(net, args.src, args.dst, args.port, args.timeout)
    sf = conn.connect()
    if probe and not conn.probe(sf):
        raise PeerError("the new MPTCP connection does not acknowledge data")
    # Give the DUT's application time to accept() the connection: until
    # then its PM cannot create subflows (mptcp_subflow_create_socket()).
    net.linger(0.3)
    return conn, sf


def yes(flag):
    return "yes" if flag else "no"


def cmd_join_unknown_token(net, args):
    sf = Subflow(net, None, args.src, args.dst, args.port)
    token = random.getrandbits(32)
    sf.send(SYN, opt_mss() + opt_mpj_syn(token, random.getrandbits(32), 1))
    seg = sf.wait(lambda s: s.flags & (RST | SYN), args.timeout)
    if seg is None:
        return False, f"token={token:#010x} answer=none"
    if seg.flags & SYN:
        return False, f"token={token:#010x} answer=syn-ack"
    return True, f"token={token:#010x} answer=rst"


def cmd_join(net, args, bad_hmac):
    conn, sf0 = establish(net, args)
    sf, thmac_ok = conn.join(bad_hmac=bad_hmac)
    if bad_hmac:
        seg = sf.wait(lambda s: s.flags & RST, args.timeout)
        joined = seg is None
    else:
        net.linger(0.5)
        joined = sf.rst is None and conn.probe(sf)
    first_ok = conn.probe(sf0)
    ok = thmac_ok and joined != bad_hmac and first_ok
    return ok, (f"synack-thmac-valid={yes(thmac_ok)} join={'ok' if joined else 'rst'} "
                f"initial-subflow={'alive' if first_ok else 'dead'}")


def cmd_add_addr_flood(net, args):
    conn, sf = establish(net, args)
    for i in range(1, args.count + 1):
        addr_id = (i - 1) % 255 + 1
        addr = f"10.99.{i >> 8 & 0xFF}.{i & 0xFF}"
        ahmac = add_addr_hmac(conn.local_key, conn.remote_key, addr_id, addr)
        if args.bad_hmac:
            ahmac ^= 0x5A5A5A5A5A5A5A5A
        sf.send(ACK, opt_add_addr(addr_id, addr, ahmac))
        if args.paced:
            net.wait_until(lambda: (addr_id, addr) in conn.echoes, args.timeout)
            # let the DUT's PM finish with this one (it answers first, then
            # creates the subflow)
            net.linger(0.2)
    net.linger(args.settle)
    alive = conn.probe(sf)
    return alive, (f"sent={args.count} hmac={'bad' if args.bad_hmac else 'valid'} "
                   f"echoed={len(conn.echoes)} echo-packets={conn.echo_packets} "
                   f"alive={yes(alive)}")


def cmd_rm_addr(net, args):
    ids = [int(x) for x in args.ids.split(",")]
    expect = args.expect or ("closed" if 0 in ids else "open")
    conn, sf = establish(net, args)
    sf.send(ACK, opt_rm_addr(ids))
    seg = sf.wait(lambda s: s.flags & (FIN | RST),
                  args.timeout if expect == "closed" else 1.0)
    if seg is not None:
        state = "reset" if seg.flags & RST else "fin"
        if seg.flags & FIN:
            sf.send(ACK, opt_dss(conn.data_ack))
    else:
        state = "open" if conn.probe(sf) else "unresponsive"
    closed = state in ("reset", "fin")
    ok = closed if expect == "closed" else state == "open"
    return ok, f"ids={args.ids} initial-subflow={state} expected={expect}"


def cmd_mp_prio(net, args):
    conn, sf = establish(net, args)
    sf.send(ACK, opt_mp_prio(backup=True))
    sf.send(ACK, opt_mp_prio(backup=True, addr_id=0))
    net.linger(0.3)
    alive = sf.rst is None and not sf.fin and conn.probe(sf)
    return alive, f"sent=prio3,prio4 alive={yes(alive)}"


def cmd_strip(net, args):
    if args.infile:
        with open(args.infile, "rb") as f:
            data = f.read()
    else:
        data = b"".join(b"line %04d without DSS\n" % i for i in range(200))
    head, rest = data[:args.mapped], data[args.mapped:]
    if not rest:
        raise PeerError(f"no data left after the {args.mapped} mapped bytes")
    conn, sf = establish(net, args, probe=False)

    # Mid-connection: some data with a mapping first, as a middlebox
    # stripping options would let through before it starts.
    mapped_ok = conn.probe(sf, head)
    if args.resend:
        # An MPTCP-level retransmission on the same subflow, as
        # __mptcp_push_retrans() makes one: the last bytes again, with
        # their own DSN, as new bytes of the subflow's stream.
        head_end = conn.data_seq
        conn.data_seq = head_end - args.resend & U64
        conn.send_data(sf, head[-args.resend:])
        mapped_ok = mapped_ok and sf.wait_acked(args.timeout) is not None and sf.rst is None
        head += head[-args.resend:]
    acked_dss = []

    def on_ack(seg):
        if seg.flags & ACK and seg.ack != (sf.isn + 1 + len(head)) & U32:
            acked_dss.append(seg.mp(DSS) is not None)
        return seg.flags & RST or seg.flags & ACK and seq_after_eq(seg.ack, sf.snd_nxt)

    for i in range(0, len(rest), args.segment):
        conn.send_data(sf, rest[i:i + args.segment], mapped=False)
    seg = sf.wait(on_ack, args.timeout)
    stripped_ok = seg is not None and not seg.flags & RST
    fallback = stripped_ok and not any(acked_dss)
    if args.resend:
        # The stream no longer maps one to one onto the data sequence:
        # falling back would shift every later byte (RFC 8684, 3.7: the
        # subflow must be reset).
        reset = sf.rst is not None
        return mapped_ok and reset and not stripped_ok, (
            f"mapped={len(head) - args.resend} resent={args.resend} stripped={len(rest)} "
            f"mapped-acked={yes(mapped_ok)} stripped-acked={yes(stripped_ok)} "
            f"plain-tcp-acks={yes(fallback)} reset={yes(reset)}")

    # A plain FIN ends the stream of a fallen back connection; the DUT's
    # application then closes its side.
    sf.send(FIN | ACK)
    fin_acked = sf.wait_acked(args.timeout) is not None and sf.rst is None
    net.wait_until(lambda: sf.fin or sf.rst is not None, args.timeout)
    if sf.fin:
        sf.send(ACK)
        sf.state = "closed"
    ok = mapped_ok and stripped_ok and fallback and fin_acked
    return ok, (f"mapped={len(head)} stripped={len(rest)} mapped-acked={yes(mapped_ok)} "
                f"stripped-acked={yes(stripped_ok)} plain-tcp-acks={yes(fallback)} "
                f"fin-acked={yes(fin_acked)} dut-fin={yes(sf.fin)}")


def source_for(dst):
    """The address the routing table would use towards dst."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((dst, 9))
        return s.getsockname()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    cmds = {}

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--dst", required=True, help="the DUT's address")
        p.add_argument("--port", type=int, required=True, help="the DUT's MPTCP port")
        p.add_argument("--src", help="our address (default: from the routing table)")
        p.add_argument("--mark", type=lambda x: int(x, 0), default=0,
                       help="SO_MARK of the packets sent")
        p.add_argument("--timeout", type=float, default=3.0,
                       help="seconds to wait for each answer")
        cmds[name] = func
        return p

    add("join-unknown-token", cmd_join_unknown_token, "MP_JOIN with a random token")
    add("join-valid", lambda n, a: cmd_join(n, a, False), "a correct MP_JOIN subflow")
    add("join-bad-hmac", lambda n, a: cmd_join(n, a, True), "MP_JOIN with a wrong HMAC")
    p = add("add-addr-flood", cmd_add_addr_flood, "many ADD_ADDR")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--bad-hmac", action="store_true")
    p.add_argument("--paced", action="store_true",
                   help="send each ADD_ADDR after the echo of the previous one")
    p.add_argument("--settle", type=float, default=1.0,
                   help="seconds to collect echoes after the last one")
    p = add("rm-addr", cmd_rm_addr, "RM_ADDR with a list of ids")
    p.add_argument("--ids", required=True, help="comma separated, at most 8")
    p.add_argument("--expect", choices=("open", "closed"),
                   help="the initial subflow's fate (default: closed with id 0)")
    add("mp-prio", cmd_mp_prio, "MP_PRIO, well-formed and malformed")
    p = add("strip", cmd_strip, "data without DSS mid-connection")
    p.add_argument("--in", dest="infile", help="the data (default: built-in text)")
    p.add_argument("--mapped", type=int, default=200,
                   help="bytes sent with a DSS mapping before stripping")
    p.add_argument("--segment", type=int, default=1000, help="bytes per segment")
    p.add_argument("--resend", type=int, default=0,
                   help="resend the last N mapped bytes with their DSN first, "
                        "then expect a reset instead of a fallback")
    args = parser.parse_args()

    if args.cmd == "add-addr-flood" and not 1 <= args.count <= 4096:
        parser.error("--count must be within 1..4096")
    if args.cmd == "strip" and not (1 <= args.mapped and 1 <= args.segment <= 1400):
        # a mapping of length 0 would be an infinite mapping
        parser.error("--mapped must be at least 1, --segment within 1..1400")
    if args.cmd == "strip" and not 0 <= args.resend <= min(args.mapped, 1400):
        parser.error("--resend must be within 0..min(--mapped, 1400)")
    if args.cmd == "rm-addr":
        try:
            ids = [int(x) for x in args.ids.split(",")]
        except ValueError:
            parser.error("--ids: comma separated numbers")
        if not 1 <= len(ids) <= 8 or not all(0 <= i <= 255 for i in ids):
            parser.error("--ids: 1 to 8 ids within 0..255")
    args.src = args.src or source_for(args.dst)

    net = RawNet(args.mark)
    try:
        ok, result = cmds[args.cmd](net, args)
    except PeerError as err:
        ok, result = False, f"error: {err}"
    finally:
        net.cleanup()
    print(f"{args.cmd}: {result}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
