#!/bin/sh
# Make a one-machine Slurm cluster on a Debian/Ubuntu host, idempotently, for the lab's Slurm
# test (tests/engines/test_slurm.py) and for trying examples/engines/slurm-array.sh: install
# slurm-wlm and munge when missing, start munged (as the munge user), slurmctld and slurmd
# directly (no systemd), with a slurm.conf generated for this host, and wait (bounded) until
# every node is idle (or already running jobs). Run as root: sudo containers/start-slurm.sh
#
#   SLURM_NODES  nodes on this host, each with its own slurmd (default 2; 1 for one node)
#   WAIT_S       how long to wait for the daemons and the nodes (default 60)
#
# What Debian's Slurm 22.05 needs without systemd or cgroups: ProctrackType=proctrack/linuxproc,
# TaskPlugin=task/none and no cgroup.conf (`CgroupPlugin=disabled` is unknown to 22.05 and stops
# slurmd). Several slurmd on one host work here: each node has its own name (`slurmd -N`),
# port, spool folder and pid file; the host's CPUs and memory are split between them.
set -eu
NODES="${SLURM_NODES:-2}"
WAIT_S="${WAIT_S:-60}"
CONF=/etc/slurm/slurm.conf
LOGS=/var/log/slurm
FIRST_PORT=6818

if [ "$(id -u)" != 0 ]; then
    echo "start-slurm.sh: run as root (sudo containers/start-slurm.sh)" >&2; exit 1
fi
case "$NODES" in
    [1-9]) ;;
    *) echo "start-slurm.sh: SLURM_NODES=$NODES: use 1 to 9" >&2; exit 2 ;;
esac

sh "$(dirname "$0")/apt-missing.sh" munged=munge slurmctld=slurm-wlm

wait_for() {  # wait_for WHAT COMMAND...: until COMMAND succeeds, at most WAIT_S seconds
    what="$1"; shift
    waited=0
    until "$@" >/dev/null 2>&1; do
        if [ "$waited" -ge "$WAIT_S" ]; then
            echo "start-slurm.sh: $what within ${WAIT_S}s; see $LOGS/" >&2; exit 1
        fi
        sleep 1; waited=$((waited + 1))
    done
}

# munge: every Slurm message is signed with the host's key.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key && chmod 600 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- munged
    wait_for "munged did not answer" sh -c 'munge -n | unmunge'
fi

# slurm.conf for this host: one node per slurmd, the host's CPUs and memory split between them
# (`slurmd -C` reports what slurmd will find; a node configured with more is drained).
host="$(hostname -s)"
cpus="$(slurmd -C | sed -n 's/.* CPUs=\([0-9]*\).*/\1/p')"
memory="$(slurmd -C | sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p')"
node_cpus=$((cpus / NODES)); [ "$node_cpus" -ge 1 ] || node_cpus=1
node_memory=$((memory / NODES))
nodes=""
conf="$(mktemp)"
trap 'rm -f "$conf"' EXIT
{
    echo "# Written by containers/start-slurm.sh for $host: $NODES node(s), $cpus CPU(s), $memory MiB"
    echo "ClusterName=lab"
    echo "SlurmctldHost=$host(127.0.0.1)"
    echo "SlurmUser=slurm"
    echo "AuthType=auth/munge"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core_Memory"
    echo "SchedulerType=sched/backfill"
    # A job whose dependency can no longer be met (a merge after a failed shard) is cancelled,
    # not left pending for ever.
    echo "SchedulerParameters=kill_invalid_depend"
    echo "MpiDefault=none"
    echo "ReturnToService=2"
    echo "StateSaveLocation=/var/spool/slurmctld"
    echo "SlurmdSpoolDir=/var/spool/slurmd/%n"
    echo "SlurmctldPidFile=/run/slurmctld.pid"
    echo "SlurmdPidFile=/run/slurmd-%n.pid"
    echo "SlurmctldLogFile=$LOGS/slurmctld.log"
    echo "SlurmdLogFile=$LOGS/slurmd-%n.log"
    i=1
    while [ "$i" -le "$NODES" ]; do
        name="lab$i"
        [ "$NODES" = 1 ] && name="$host"
        echo "NodeName=$name NodeHostname=$host NodeAddr=127.0.0.1 Port=$((FIRST_PORT + i - 1)) CPUs=$node_cpus RealMemory=$node_memory State=UNKNOWN"
        nodes="$nodes $name"
        i=$((i + 1))
    done
    echo "PartitionName=lab Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
} >"$conf"

all_ready() {  # every node of the config answers, idle or running jobs
    states="$(sinfo -h -N -o '%N %t' 2>/dev/null)" || return 1
    for name in $nodes; do
        echo "$states" | grep -Eqx "$name (idle|mix|alloc)" || return 1
    done
}

if cmp -s "$conf" "$CONF" && all_ready; then
    echo "slurm already runs:$nodes ready"; exit 0
fi

stop() {  # stop PIDFILE: the daemon this script started earlier, by its pid
    pid="$(cat "$1" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
        waited=0
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$WAIT_S" ]; do sleep 1; waited=$((waited + 1)); done
    fi
    rm -f "$1"
}

if ! cmp -s "$conf" "$CONF"; then
    # A new configuration: the daemons started with the old one are restarted.
    for pidfile in /run/slurmd-*.pid /run/slurmctld.pid; do
        [ -e "$pidfile" ] && stop "$pidfile"
    done
    mkdir -p "$(dirname "$CONF")"
    cp "$conf" "$CONF"
    chmod 644 "$CONF"
    echo "wrote $CONF:$nodes"
fi

mkdir -p /var/spool/slurmctld "$LOGS"
chown slurm:slurm /var/spool/slurmctld "$LOGS"
if ! scontrol ping 2>/dev/null | grep -q UP; then
    slurmctld
    wait_for "slurmctld did not answer" sh -c 'scontrol ping | grep -q UP'
fi
for name in $nodes; do
    pidfile="/run/slurmd-$name.pid"
    if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        continue
    fi
    mkdir -p "/var/spool/slurmd/$name"
    slurmd -N "$name"
done
wait_for "the nodes$nodes were not all ready" all_ready
echo "slurm runs:$nodes ready ($node_cpus CPU(s), $node_memory MiB each)"
