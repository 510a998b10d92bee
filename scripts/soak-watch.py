#!/usr/bin/env python3
"""Run a soak guest and turn a stall into a result.

  soak-watch.py CONSOLE SILENCE MONITOR-SOCKET SYSTEM.MAP -- QEMU-BOOT-COMMAND...

Runs the command (scripts/qemu-boot.sh with '-monitor unix:SOCKET'),
writes its output to CONSOLE and shows the guest's 'soak:' lines as they
come. When the guest prints nothing for SILENCE seconds, it asks QEMU's
monitor for every vCPU's registers five times, half a second apart, prints
where each vCPU was (program counter and, on arm64, link register, as
addresses and as kernel symbols from SYSTEM.MAP; '?' outside vmlinux, as
in modules), ends QEMU, and exits with status 3. When the guest reports a
stall itself ('soak: STALL'), it prints the same report and lets the
guest finish.
Otherwise the command's exit status is its own.
"""
import bisect
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time


def load_map(path):
    addrs, names = [], []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[1] in "tTwW":
                    addrs.append(int(parts[0], 16))
                    names.append(parts[2])
    except OSError:
        pass
    order = sorted(range(len(addrs)), key=addrs.__getitem__)
    return [addrs[i] for i in order], [names[i] for i in order]


def symbol(symbols, addr):
    addrs, names = symbols
    i = bisect.bisect_right(addrs, addr) - 1
    if i < 0 or addr - addrs[i] > 0x100000:
        return "?"
    return "%s+0x%x" % (names[i], addr - addrs[i])


def monitor(path, command):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    data = b""
    while b"(qemu)" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise OSError("monitor closed")
        data += chunk
    s.sendall(command.encode() + b"\n")
    data = b""
    while data.count(b"(qemu)") < 1:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", data.decode(errors="replace"))


def where(sock, symbols):
    text = monitor(sock, "info registers -a")
    cpus = {}
    for block in re.split(r"(?=CPU#\d+)", text):
        m = re.match(r"CPU#(\d+)", block)
        if not m:
            continue
        pc = re.search(r"\b(?:PC|RIP)=([0-9a-f]+)", block)
        lr = re.search(r"\bX30=([0-9a-f]+)", block)
        desc = "pc %s" % ("%s (%s)" % (symbol(symbols, int(pc.group(1), 16)), pc.group(1))
                          if pc else "?")
        if lr:
            desc += ", lr %s (%s)" % (symbol(symbols, int(lr.group(1), 16)), lr.group(1))
        cpus[int(m.group(1))] = desc
    return cpus


def report(sock, symbols, why):
    lines = ["=== HOST: %s: where each vCPU was" % why]
    for n in range(5):
        try:
            for cpu, desc in sorted(where(sock, symbols).items()):
                lines.append("=== HOST: sample %d: vCPU %d: %s" % (n, cpu, desc))
        except OSError as e:
            lines.append("=== HOST: monitor: %s" % e)
            break
        time.sleep(0.5)
    return "\n".join(lines) + "\n"


def main():
    console, silence, sock, sysmap = sys.argv[1:5]
    silence = float(silence)
    cmd = sys.argv[sys.argv.index("--") + 1:]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    last = time.monotonic()
    partial = b""
    with open(console, "wb") as out:
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 5)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                out.write(chunk)
                out.flush()
                last = time.monotonic()
                partial += chunk
                *lines, partial = partial.split(b"\n")
                for line in lines:
                    text = line.decode(errors="replace").rstrip("\r")
                    if text.startswith("soak: ") and not text.startswith(("soak: pmu ", "soak: task ")):
                        print("    guest: " + text[6:], flush=True)
                    if text.startswith("soak: STALL"):
                        # arm64 6.1 cannot print other CPUs' backtraces:
                        # where the vCPUs are is the host's to tell.
                        rep = report(sock, load_map(sysmap), "the guest reports a stall")
                        out.write(rep.encode())
                        out.flush()
                        print("    " + rep.replace("\n", "\n    ").rstrip(), flush=True)
                continue
            if proc.poll() is not None:
                break
            if time.monotonic() - last < silence:
                continue
            text = report(sock, load_map(sysmap), "no console output for %.0f s" % silence)
            out.write(text.encode())
            out.flush()
            print("    " + text.replace("\n", "\n    ").rstrip(), flush=True)
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            return 3
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
