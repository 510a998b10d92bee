#!/usr/bin/env python3
"""Run a soak guest and turn a stall into a result.

  soak-watch.py CONSOLE SILENCE MONITOR-SOCKET SYSTEM.MAP -- QEMU-BOOT-COMMAND...

Runs the command (scripts/qemu-boot.sh with '-monitor unix:SOCKET'),
writes its output to CONSOLE and shows the guest's 'soak:' lines as they
come. When the guest prints nothing for SILENCE seconds, it asks QEMU's
monitor for every vCPU's registers five times, half a second apart, prints
where each vCPU was (program counter and, on arm64, link register, with
the kernel symbol from SYSTEM.MAP), ends QEMU, and exits with status 3.
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
        data += s.recv(65536)
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
        desc = "pc %s" % (symbol(symbols, int(pc.group(1), 16)) if pc else "?")
        if lr:
            desc += ", lr %s" % symbol(symbols, int(lr.group(1), 16))
        cpus[int(m.group(1))] = desc
    return cpus


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
                    if text.startswith("soak: ") and not text.startswith("soak: pmu "):
                        print("    guest: " + text[6:], flush=True)
                continue
            if proc.poll() is not None:
                break
            if time.monotonic() - last < silence:
                continue
            report = ["=== HOST: no console output for %.0f s: where each vCPU was" % silence]
            symbols = load_map(sysmap)
            for n in range(5):
                try:
                    for cpu, desc in sorted(where(sock, symbols).items()):
                        report.append("=== HOST: sample %d: vCPU %d: %s" % (n, cpu, desc))
                except OSError as e:
                    report.append("=== HOST: monitor: %s" % e)
                    break
                time.sleep(0.5)
            text = "\n".join(report) + "\n"
            out.write(text.encode())
            out.flush()
            print("    " + text.replace("\n", "\n    ").rstrip(), flush=True)
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
            return 3
    return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
