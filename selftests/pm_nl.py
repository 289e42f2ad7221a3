#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Raw requests to the MPTCP path-manager netlink family ("mptcp_pm"), for
inputs `ip mptcp` will not send: a wrong or missing address family,
missing address data, unknown flag bits.

  pm_nl.py add [--family N|none] [--id N] [--addr4 A|none] [--flags N]
  pm_nl.py limits [--subflows N] [--add-addr-accepted N]

Prints "ok", or the error name and the kernel's extack message
("EINVAL: missing family"), and exits 0 only on success.
"""

import argparse
import errno
import os
import socket
import struct
import sys

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLM_F_REQUEST = 0x1
NLM_F_ACK = 0x4
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 0x2
NLMSGERR_ATTR_MSG = 1
NLA_F_NESTED = 0x8000
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2

# include/uapi/linux/mptcp_pm.h
MPTCP_PM_CMD_ADD_ADDR = 1
MPTCP_PM_CMD_SET_LIMITS = 5
MPTCP_PM_ATTR_ADDR = 1
MPTCP_PM_ATTR_RCV_ADD_ADDRS = 2
MPTCP_PM_ATTR_SUBFLOWS = 3
MPTCP_PM_ADDR_ATTR_FAMILY = 1
MPTCP_PM_ADDR_ATTR_ID = 2
MPTCP_PM_ADDR_ATTR_ADDR4 = 3
MPTCP_PM_ADDR_ATTR_FLAGS = 6


def attr(kind, payload):
    """One netlink attribute, padded to 4 bytes."""
    raw = struct.pack("HH", 4 + len(payload), kind) + payload
    return raw + b"\0" * (-len(raw) % 4)


def attrs(buf):
    """(type, payload) of each attribute in buf."""
    while len(buf) >= 4:
        length, kind = struct.unpack_from("HH", buf)
        if length < 4:
            break
        yield kind & ~NLA_F_NESTED, buf[4:length]
        buf = buf[(length + 3) & ~3:]


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0

    def request(self, family, cmd, payload):
        """Sends one request; returns (0, None) or (errno, extack message),
        and the payloads of the replies."""
        self.seq += 1
        body = struct.pack("BBH", cmd, 1, 0) + payload
        hdr = struct.pack("IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK, self.seq, 0)
        self.sock.send(hdr + body)
        replies = []
        while True:
            data = self.sock.recv(65536)
            while len(data) >= 16:
                length, kind, flags, seq, _ = struct.unpack_from("IHHII", data)
                msg, data = data[:length], data[(length + 3) & ~3:]
                if seq != self.seq:
                    continue
                if kind != NLMSG_ERROR:
                    replies.append(msg[20:])
                    continue
                err = -struct.unpack_from("i", msg, 16)[0]
                text = None
                if flags & NLM_F_ACK_TLVS:
                    # error code, then the request's header (capped)
                    for k, v in attrs(msg[16 + 4 + 16:]):
                        if k == NLMSGERR_ATTR_MSG:
                            text = v.rstrip(b"\0").decode()
                return err, text, replies

    def family_id(self, name):
        err, text, replies = self.request(
            GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if err:
            sys.exit(f"pm_nl: no genetlink family {name}: {os.strerror(err)}")
        for k, v in attrs(replies[0]):
            if k == CTRL_ATTR_FAMILY_ID:
                return struct.unpack("H", v[:2])[0]
        sys.exit(f"pm_nl: no id for {name}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add")
    a.add_argument("--family", default=str(socket.AF_INET))
    a.add_argument("--id", type=int)
    a.add_argument("--addr4", default="10.0.9.1")
    a.add_argument("--flags", type=lambda s: int(s, 0))
    lim = sub.add_parser("limits")
    lim.add_argument("--subflows", type=int)
    lim.add_argument("--add-addr-accepted", type=int)
    args = p.parse_args()

    genl = Genl()
    fam = genl.family_id("mptcp_pm")
    if args.cmd == "add":
        nested = b""
        if args.family != "none":
            nested += attr(MPTCP_PM_ADDR_ATTR_FAMILY, struct.pack("H", int(args.family)))
        if args.id is not None:
            nested += attr(MPTCP_PM_ADDR_ATTR_ID, struct.pack("B", args.id))
        if args.addr4 != "none":
            nested += attr(MPTCP_PM_ADDR_ATTR_ADDR4, socket.inet_aton(args.addr4))
        if args.flags is not None:
            nested += attr(MPTCP_PM_ADDR_ATTR_FLAGS, struct.pack("I", args.flags))
        payload = struct.pack("HH", 4 + len(nested), MPTCP_PM_ATTR_ADDR | NLA_F_NESTED) + nested
        err, text, _ = genl.request(fam, MPTCP_PM_CMD_ADD_ADDR, payload)
    else:
        payload = b""
        if args.add_addr_accepted is not None:
            payload += attr(MPTCP_PM_ATTR_RCV_ADD_ADDRS, struct.pack("I", args.add_addr_accepted))
        if args.subflows is not None:
            payload += attr(MPTCP_PM_ATTR_SUBFLOWS, struct.pack("I", args.subflows))
        err, text, _ = genl.request(fam, MPTCP_PM_CMD_SET_LIMITS, payload)

    if err == 0:
        print("ok")
        return 0
    print(f"{errno.errorcode.get(err, str(err))}: {text or ''}".rstrip(": "))
    return 1


if __name__ == "__main__":
    sys.exit(main())
