#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Requests to the MPTCP path-manager netlink family ("mptcp_pm") that `ip
mptcp` will not send: a wrong or missing address family, missing address
data, unknown flag bits.  Spoken through the kernel's own YNL library and
spec (tools/net/ynl, Documentation/netlink/specs/mptcp_pm.yaml in the
kernel tree named by --ksrc, default $KSRC): the spec asks for none of
these attributes, so YNL sends what it is given and nothing else.

  pm_nl.py add [--family N|none] [--id N] [--addr4 A|none] [--flags N]
  pm_nl.py limits [--subflows N] [--add-addr-accepted N]

Prints "ok", or the error name and the kernel's extack message
("EINVAL: missing family"), and exits 0 only on success.
"""

import argparse
import errno
import ipaddress
import os
import socket
import sys


def ynl_family(ksrc):
    """The family as YNL speaks it, and YNL's error type."""
    sys.path.insert(0, os.path.join(ksrc, "tools/net/ynl/pyynl"))
    from lib import NlError, YnlFamily  # pylint: disable=import-outside-toplevel

    spec = os.path.join(ksrc, "Documentation/netlink/specs/mptcp_pm.yaml")
    # No schema check: that would need jsonschema, and the spec is the
    # kernel's own, from the tree the guest runs.
    return YnlFamily(spec, schema=""), NlError


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ksrc", default=os.environ.get("KSRC"))
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
    if not args.ksrc:
        sys.exit("pm_nl: no kernel tree: pass --ksrc or set KSRC")

    ynl, NlError = ynl_family(args.ksrc)  # pylint: disable=invalid-name

    if args.cmd == "add":
        addr = {}
        if args.family != "none":
            addr["family"] = int(args.family)
        if args.id is not None:
            addr["id"] = args.id
        if args.addr4 != "none":
            addr["addr4"] = int(ipaddress.IPv4Address(args.addr4))
        if args.flags is not None:
            addr["flags"] = args.flags
        op, vals = "add-addr", {"addr": addr}
    else:
        vals = {}
        if args.add_addr_accepted is not None:
            vals["rcv-add-addrs"] = args.add_addr_accepted
        if args.subflows is not None:
            vals["subflows"] = args.subflows
        op = "set-limits"

    try:
        ynl.do(op, vals)
    except NlError as err:
        text = (err.nl_msg.extack or {}).get("msg", "")
        print(f"{errno.errorcode.get(err.error, str(err.error))}: {text}".rstrip(": "))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
