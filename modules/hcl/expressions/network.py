"""IP network functions: ``cidrhost``, ``cidrnetmask``, ``cidrsubnet``, ``cidrsubnets``
(Terraform semantics: the prefix is masked to its network, host numbers may be negative)."""

from __future__ import annotations

import ipaddress
from typing import Any

from albform.modules.hcl.expressions.functions import _fail, _int, _str, register

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _network(text: Any, name: str) -> Network:
    try:
        return ipaddress.ip_network(_str(text, name), strict=False)
    except ValueError:
        raise _fail(name, f"invalid CIDR address {text!r}.") from None


@register("cidrhost", 2)
def _cidrhost(prefix: Any, hostnum: Any) -> str:
    net = _network(prefix, "cidrhost")
    number = _int(hostnum, "cidrhost")
    if number < 0:
        number += net.num_addresses
    if not 0 <= number < net.num_addresses:
        raise _fail("cidrhost", f"prefix {net} has no host number {hostnum}.")
    return str(net.network_address + number)


@register("cidrnetmask", 1)
def _cidrnetmask(prefix: Any) -> str:
    net = _network(prefix, "cidrnetmask")
    if net.version != 4:
        raise _fail("cidrnetmask", "only IPv4 prefixes have a netmask.")
    return str(net.netmask)


def _subnet(net: Network, newbits: int, netnum: int, name: str) -> Network:
    new_prefix = net.prefixlen + newbits
    if newbits < 0 or new_prefix > net.max_prefixlen:
        raise _fail(name, f"insufficient address space to extend prefix of {net.prefixlen} "
                    f"by {newbits}.")
    if not 0 <= netnum < 2 ** newbits:
        raise _fail(name, f"prefix extension of {newbits} does not accommodate a subnet "
                    f"numbered {netnum}.")
    size = 2 ** (net.max_prefixlen - new_prefix)
    base = int(net.network_address) + netnum * size
    return ipaddress.ip_network((base, new_prefix))


@register("cidrsubnet", 3)
def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    net = _network(prefix, "cidrsubnet")
    return str(_subnet(net, _int(newbits, "cidrsubnet"), _int(netnum, "cidrsubnet"),
                       "cidrsubnet"))


@register("cidrsubnets", 1, -1)
def _cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    net = _network(prefix, "cidrsubnets")
    out: list[str] = []
    cursor = int(net.network_address)
    for bits in newbits:
        extra = _int(bits, "cidrsubnets")
        new_prefix = net.prefixlen + extra
        if extra < 1 or new_prefix > net.max_prefixlen:
            raise _fail("cidrsubnets", f"cannot extend prefix {net.prefixlen} by {extra}.")
        size = 2 ** (net.max_prefixlen - new_prefix)
        cursor = (cursor + size - 1) // size * size
        sub = ipaddress.ip_network((cursor, new_prefix))
        if not sub.subnet_of(net):  # type: ignore[arg-type]
            raise _fail("cidrsubnets", f"not enough remaining address space in {net}.")
        out.append(str(sub))
        cursor += size
    return out
