"""Helpers of the reliability suite: child processes to kill, and a small disk to fill."""

import os
import subprocess
import sys
import textwrap
import time

import pytest


def spawn(tmp_path, body: str, store, name="child.py") -> subprocess.Popen:
    """Start a Python child running ``body`` against the store ``store``; stdout is a pipe of lines."""
    script = tmp_path / name
    script.write_text("import os, sys, autolog\nautolog.set_tracking_uri(sys.argv[1])\n" + textwrap.dedent(body))
    return subprocess.Popen([sys.executable, str(script), str(store)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)


def read_until(process: subprocess.Popen, prefix: str, timeout: float = 60) -> str:
    """The first line of the child's stdout starting with ``prefix``; fails when the child ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"the child ended before printing {prefix!r}: {process.stderr.read()[-2000:]}")
        if line.startswith(prefix):
            return line.strip()
    pytest.fail(f"no {prefix!r} from the child within {timeout} s")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the child and reap it."""
    process.kill()
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()


@pytest.fixture()
def small_disk(tmp_path):
    """A 4 MiB tmpfs mounted at ``tmp_path/disk`` (needs root; skipped otherwise, with the reason)."""
    if os.geteuid() != 0:
        pytest.skip("a full disk is simulated with a small tmpfs, which only root can mount")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def fill(directory) -> str:
    """Fill the file system holding ``directory`` to the last byte; return the filler's path."""
    filler = os.path.join(directory, "filler.bin")
    with open(filler, "wb", buffering=0) as handle:
        for size in (65536, 512, 1):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError:
                pass
    return filler
