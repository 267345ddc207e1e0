#!/usr/bin/env bash
# The NAT test network of docs/connectivity.md, built from scratch in network namespaces this
# script creates (all named ${KITH_NETNS_PREFIX:-kithnt}-<role>) and removes again. Needs root,
# iproute2, iptables and conntrack.
#
#   "internet" 11.0.0.0/24: a bridge in <p>-inet with
#     relay 11.0.0.10 (kith relay + STUN), pa 11.0.0.11, pb 11.0.0.12 (public hosts),
#     r1 11.0.0.1, r2 11.0.0.2 (cone-like NAT: MASQUERADE keeps ports),
#     r3 11.0.0.3 (symmetric NAT: MASQUERADE --random-fully)
#   homes: h1 10.1.0.2 behind r1, h2 10.2.0.2 behind r2, h3 10.3.0.2 behind r3
#   (KITH_NET_SHARED=1: a second device h4 10.1.0.3 on h1's LAN, a bridge in r1)
# Routers: stateful firewall, only replies come in from the WAN. No namespace has a default
# route out of the test network (hosts' default route is their router; routers and public hosts
# have none), so nothing here can reach the host's networks or the real internet.
# 11.0.0.0/24 is used because libp2p treats RFC 5737 TEST-NET ranges as private addresses.
#
# With KITH_NET_UPNP=1 the home routers r1 and r2 also run miniupnpd (port mapping on request);
# KITH_NET_PMP_ONLY names those of them that answer NAT-PMP only (no UPnP IGD).
#
# Usage: net.sh up | down | loss <router> <percent> | cut <router> | heal <router> | flush
set -euo pipefail
P=${KITH_NETNS_PREFIX:-kithnt}
# The topology variant (test/netns/variants.ts generates these; the defaults are the original
# network above):
PUB=${KITH_NET_PUB:-11.0.0}              # /24 of the "internet" (11.0.0 or TEST-NET-3 203.0.113)
read -r -a LANS <<<"${KITH_NET_LANS:-10.1.0 10.2.0 10.3.0}" # /24 of the homes h1 h2 h3
# drop: routers drop unsolicited packets to themselves; open: they accept them (and answer ICMP
# port unreachable). One word for every router, or one per router: r1 r2 r3 [cg].
read -r -a INPUTS <<<"${KITH_NET_INPUT:-drop}"
CGNAT=${KITH_NET_CGNAT:-0}               # 1: r1 sits behind a carrier-grade NAT cg (100.64.0.0/24)
V6=${KITH_NET_V6:-0}                     # 1: the internet is dual-stack (2001:db8:11::/64) and
                                         # two more public hosts q1, q2 have IPv6 only
HOPS=${KITH_NET_HOPS:-1}                 # 1: routers on the internet reach each other through a
                                         # core router (<pub>.254), one hop as on the internet
                                         # (a TTL-limited packet dies there: holepunch prime)
UPNP=${KITH_NET_UPNP:-0}                 # 1: r1 and r2 run miniupnpd (UPnP IGD 2 + NAT-PMP) on
                                         # their LAN, iptables backend
read -r -a PMP_ONLY <<<"${KITH_NET_PMP_ONLY:-}" # of r1 r2: miniupnpd speaks NAT-PMP only there
SHARED=${KITH_NET_SHARED:-0}             # 1: a second device h4 on h1's LAN (<lan>.3), both
                                         # behind r1, which does not hairpin (no netfilter NAT
                                         # can send a LAN packet to a dynamic mapping back in)
UPNP_DIR=${TMPDIR:-/tmp}/$P-miniupnpd    # its configurations and pid files (removed by down)
# miniupnpd-iptables writes its rules through libiptc, i.e. into the legacy xtables, while
# `iptables` is iptables-nft here: with miniupnpd every router rule goes to the legacy tables, so
# its DNAT and forward rules sit in the same chains as ours.
IPT=iptables
[ "$UPNP" = 1 ] && IPT=iptables-legacy
ROLES=(inet relay pa pb r1 r2 r3 h1 h2 h3)
[ "$CGNAT" = 1 ] && ROLES+=(cg cgnet)
[ "$HOPS" = 1 ] && ROLES+=(core)
[ "$V6" = 1 ] && ROLES+=(q1 q2)
[ "$SHARED" = 1 ] && ROLES+=(h4)

ns() { echo "$P-$1"; }
x() { ip netns exec "$(ns "$1")" "${@:2}"; }

down() {
  for n in $(ip netns list | awk '{print $1}' | grep "^$P-" || true); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$n" 2>/dev/null || true
  done
  rm -rf "$UPNP_DIR"
}

# upnp <router> <lan /24 prefix>: miniupnpd on the router's LAN side. The test writes its
# configuration (WAN veth outside, LAN veth inside, mappings only for the LAN's own hosts to
# themselves: secure_mode) and the iptables chains it fills (iptables_init.sh's, made here:
# MINIUPNPD in nat PREROUTING and filter FORWARD, MINIUPNPD-POSTROUTING in nat POSTROUTING).
# The daemon forks into the router's namespace; down() kills it with the namespace's pids.
upnp() {
  local r=$1 lan=$2 conf="$UPNP_DIR/$1.conf" igd=yes
  for o in "${PMP_ONLY[@]}"; do [ "$o" = "$r" ] && igd=no; done
  x "$r" "$IPT" -t nat -N MINIUPNPD
  x "$r" "$IPT" -t nat -A PREROUTING -i wan -j MINIUPNPD
  x "$r" "$IPT" -t nat -N MINIUPNPD-POSTROUTING
  x "$r" "$IPT" -t nat -I POSTROUTING -o wan -j MINIUPNPD-POSTROUTING
  x "$r" "$IPT" -t mangle -N MINIUPNPD
  x "$r" "$IPT" -t mangle -A PREROUTING -i wan -j MINIUPNPD
  x "$r" "$IPT" -N MINIUPNPD
  x "$r" "$IPT" -A FORWARD -i wan -o lan -j MINIUPNPD
  mkdir -p "$UPNP_DIR"
  cat >"$conf" <<CONF
ext_ifname=wan
listening_ip=lan
http_port=0
enable_natpmp=yes
enable_upnp=$igd
secure_mode=yes
system_uptime=yes
notify_interval=60
clean_ruleset_interval=600
uuid=$(cat /proc/sys/kernel/random/uuid)
allow 1024-65535 $lan.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
CONF
  x "$r" /usr/sbin/miniupnpd -f "$conf" -P "$UPNP_DIR/$r.pid"
}

# public <role> <ip>: a host on the internet bridge.
public() {
  ip link add eth0 netns "$(ns "$1")" type veth peer name "p-$1" netns "$(ns inet)"
  x inet ip link set "p-$1" master br0 up
  x "$1" ip addr add "$2/24" dev eth0
  x "$1" ip link set eth0 up
}

# public6 <role> <ip6>: a host on the internet bridge with an IPv6 address only (none on a
# dual-stack host: call public first). nodad: usable at once, no duplicate address detection.
public6() {
  if ! x "$1" ip link show eth0 >/dev/null 2>&1; then
    ip link add eth0 netns "$(ns "$1")" type veth peer name "p-$1" netns "$(ns inet)"
    x inet ip link set "p-$1" master br0 up
    x "$1" ip link set eth0 up
  fi
  x "$1" ip -6 addr add "$2/64" dev eth0 nodad
}

# nat <router> <wan ip> <wan bridge ns> <lan if> <lan /24 prefix> <symmetric 0|1> [gateway]:
# a NAT router's WAN side on <wan bridge ns>'s br0 and its NAT, firewall and fault chain.
nat() {
  local r=$1 wan=$2 br=$3 lanif=$4 lan=$5 sym=$6 gw=${7:-}
  ip link add wan netns "$(ns "$r")" type veth peer name "p-$r" netns "$(ns "$br")"
  x "$br" ip link set "p-$r" master br0 up
  if [ "$br" = inet ] && [ "$HOPS" = 1 ]; then
    # On the internet the router's neighbours are reached through the core router, not on-link
    # (the public hosts still answer it directly: asymmetric, as routes often are).
    x "$r" ip addr add "$wan/32" dev wan
    x "$r" ip link set wan up
    x "$r" ip route add "$PUB.254/32" dev wan
    x "$r" ip route add "$PUB.0/24" via "$PUB.254" dev wan
    x "$r" sysctl -qw net.ipv4.conf.all.accept_redirects=0
  else
    x "$r" ip addr add "$wan/24" dev wan
    x "$r" ip link set wan up
  fi
  [ -n "$gw" ] && x "$r" ip route add default via "$gw"
  x "$r" sysctl -qw net.ipv4.ip_forward=1
  local random=()
  [ "$sym" = 1 ] && random=(--random-fully)
  x "$r" "$IPT" -t nat -A POSTROUTING -s "$lan.0/24" -o wan -j MASQUERADE "${random[@]}"
  x "$r" "$IPT" -P FORWARD DROP
  x "$r" "$IPT" -A FORWARD -i "$lanif" -o wan -j ACCEPT
  x "$r" "$IPT" -A FORWARD -i wan -o "$lanif" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  local input=${INPUTS[0]}
  case $r in r2) input=${INPUTS[1]:-$input} ;; r3) input=${INPUTS[2]:-$input} ;; cg) input=${INPUTS[3]:-$input} ;; esac
  if [ "$input" = drop ]; then
    x "$r" "$IPT" -P INPUT DROP
    x "$r" "$IPT" -A INPUT -i lo -j ACCEPT
    x "$r" "$IPT" -A INPUT -i "$lanif" -j ACCEPT
    x "$r" "$IPT" -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  fi
  # Loss and cuts go into their own chain, consulted first (see loss / cut).
  x "$r" "$IPT" -N KITH_FAULT
  x "$r" "$IPT" -I FORWARD 1 -j KITH_FAULT
}

# lanhost <router> <host role> <ip> <gateway>: a host on the router's LAN bridge.
lanhost() {
  ip link add "l-$2" netns "$(ns "$1")" type veth peer name eth0 netns "$(ns "$2")"
  x "$1" ip link set "l-$2" master lan up
  x "$2" ip addr add "$3/24" dev eth0
  x "$2" ip link set eth0 up
  x "$2" ip route add default via "$4"
}

# router <role> <wan ip> <lan /24 prefix> <host role> <symmetric 0|1> [wan bridge ns] [gateway]
# The LAN is one veth to the host, or in a SHARED network r1's a bridge `lan` with h1 and h4.
router() {
  local r=$1 wan=$2 lan=$3 h=$4 sym=$5 br=${6:-inet} gw=${7:-}
  if [ "$SHARED" = 1 ] && [ "$r" = r1 ]; then
    x "$r" ip link add lan type bridge
    x "$r" ip addr add "$lan.1/24" dev lan
    x "$r" ip link set lan up
    lanhost "$r" "$h" "$lan.2" "$lan.1"
    lanhost r1 h4 "$lan.3" "$lan.1"
    # Frames between the two devices cross the bridge; with br_netfilter they also cross the
    # FORWARD chain (policy DROP below): a home router's LAN switch lets them through.
    x "$r" "$IPT" -A FORWARD -i lan -o lan -j ACCEPT
  else
    ip link add lan netns "$(ns "$r")" type veth peer name eth0 netns "$(ns "$h")"
    x "$r" ip addr add "$lan.1/24" dev lan
    x "$r" ip link set lan up
    x "$h" ip addr add "$lan.2/24" dev eth0
    x "$h" ip link set eth0 up
    x "$h" ip route add default via "$lan.1"
  fi
  nat "$r" "$wan" "$br" lan "$lan" "$sym" "$gw"
}

up() {
  down
  for r in "${ROLES[@]}"; do
    ip netns add "$(ns "$r")"
    x "$r" ip link set lo up
  done
  x inet ip link add br0 type bridge
  x inet ip link set br0 up
  public relay "$PUB.10"
  public pa "$PUB.11"
  public pb "$PUB.12"
  if [ "$HOPS" = 1 ]; then
    # The core router: forwards between the routers on the same segment (one TTL hop), sends no
    # redirects (they would teach the routers the on-link path).
    public core "$PUB.254"
    x core sysctl -qw net.ipv4.ip_forward=1
    x core sysctl -qw net.ipv4.conf.all.send_redirects=0
    x core sysctl -qw net.ipv4.conf.eth0.send_redirects=0
  fi
  if [ "$V6" = 1 ]; then
    public6 relay 2001:db8:11::10
    public6 pa 2001:db8:11::11
    public6 pb 2001:db8:11::12
    public6 q1 2001:db8:11::21
    public6 q2 2001:db8:11::22
  fi
  if [ "$CGNAT" = 1 ]; then
    # The carrier's NAT: its customers' routers on 100.64.0.0/24 (RFC 6598), a port-preserving
    # MASQUERADE to the internet; r1 behind it is a double NAT.
    x cgnet ip link add br0 type bridge
    x cgnet ip link set br0 up
    ip link add cust netns "$(ns cg)" type veth peer name p-cg netns "$(ns cgnet)"
    x cgnet ip link set p-cg master br0 up
    x cg ip addr add 100.64.0.1/24 dev cust
    x cg ip link set cust up
    nat cg "$PUB.4" inet cust 100.64.0 0
    router r1 100.64.0.2 "${LANS[0]}" h1 0 cgnet 100.64.0.1
  else
    router r1 "$PUB.1" "${LANS[0]}" h1 0
  fi
  router r2 "$PUB.2" "${LANS[1]}" h2 0
  router r3 "$PUB.3" "${LANS[2]}" h3 1
  if [ "$UPNP" = 1 ]; then
    upnp r1 "${LANS[0]}"
    upnp r2 "${LANS[1]}"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  # loss <router> <percent>: drop that share of forwarded packets, both directions
  # (tc netem is missing here: iptables statistic instead; NOTES.md).
  loss)
    x "$2" "$IPT" -F KITH_FAULT
    x "$2" "$IPT" -A KITH_FAULT -m statistic --mode random --probability "$(awk "BEGIN{print $3/100}")" -j DROP
    ;;
  cut) x "$2" "$IPT" -F KITH_FAULT && x "$2" "$IPT" -A KITH_FAULT -j DROP ;;
  heal) x "$2" "$IPT" -F KITH_FAULT ;;
  # flush: forget NAT mappings and neighbours between cases.
  flush)
    for r in r1 r2 r3 $([ "$CGNAT" = 1 ] && echo cg); do
      x "$r" conntrack -F >/dev/null 2>&1 || true
      x "$r" ip neigh flush all || true
    done
    ;;
  *)
    echo "usage: $0 up|down|loss <router> <percent>|cut <router>|heal <router>|flush" >&2
    exit 2
    ;;
esac
