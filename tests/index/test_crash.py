"""Real build processes killed with SIGKILL at many moments, and at every rename a build makes (with
strace's fault injection): the index in use is always a complete generation, and the next build
cleans up whatever the killed one left."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from qa.index import build_index, open_index, store
from tests.helpers import ROOT, FakeEmbedder

pytestmark = pytest.mark.slow

BUILD = """
import sys, time
sys.path.insert(0, {root!r})
from tests.conftest import FakeEmbedder
from qa.index import build_index
from qa.settings import Settings

class SlowEmbedder(FakeEmbedder):
    def encode(self, texts, **kwargs):
        vectors = super().encode(texts, **kwargs)
        time.sleep({delay})
        return vectors

settings = Settings(root=sys.argv[1], model="fake-hash-64", chunk_tokens=24, paragraph_tokens=48)
build_index(settings, SlowEmbedder(), force=True, progress=False)
print("committed", flush=True)
"""


def build_command(settings, delay=0.0):
    return [sys.executable, "-c", BUILD.format(root=str(ROOT), delay=delay), str(settings.root)]


def assert_usable_and_complete(settings, generations_allowed):
    """CURRENT names a complete generation that opens and verifies."""
    index = open_index(settings)
    assert index.folder.name in generations_allowed
    assert len(index.reviews) == 9
    return index.folder.name


def assert_clean_after_next_build(settings):
    build_index(settings, FakeEmbedder(), progress=False)
    build_index(settings, FakeEmbedder(), force=True, progress=False)
    leftovers = [p.name for p in store.generations_dir(settings.index_dir).iterdir()
                 if p.name.endswith(store.PARTIAL)]
    assert leftovers == []
    assert not [p for p in settings.index_dir.iterdir() if p.name.startswith(".CURRENT")]
    cache = settings.index_dir / "cache"
    assert not [p for p in cache.rglob(".*") if p.is_file()], "temporary cache files left behind"


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.4, 0.6, 0.8, 0.95])
def test_kill_9_at_any_moment_leaves_the_previous_index_in_use(built, fraction):
    first = store.current_generation(built.index_dir).name
    # Time one undisturbed build so that the kill lands at `fraction` of it.
    started = time.perf_counter()
    subprocess.run(build_command(built, delay=0.5), check=True, capture_output=True, timeout=120)
    duration = time.perf_counter() - started
    second = store.current_generation(built.index_dir).name
    process = subprocess.Popen(build_command(built, delay=0.5), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(duration * fraction)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # Either the killed build never committed (the previous generation is in use) or it had.
    names = {first, second, f"{int(second) + 1:06d}"}
    assert_usable_and_complete(built, names)
    assert_clean_after_next_build(built)


def renames_in_a_build(settings) -> int:
    trace = settings.root / "trace.txt"
    subprocess.run(["strace", "-f", "-qq", "-o", str(trace), "-e", "trace=rename,renameat,renameat2",
                    *build_command(settings)], check=True, capture_output=True, timeout=120)
    calls = [line for line in trace.read_text().splitlines() if "rename" in line and "= 0" in line]
    return len(calls)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed (make install installs it)")
def test_kill_at_every_rename_of_a_build(built):
    """Every step of a build that publishes something is a rename: cache entries, the generation
    folder, and the CURRENT pointer. Kill the process exactly at each one in turn."""
    count = renames_in_a_build(built)
    assert count >= 3  # at least: cache entries, the generation folder, the pointer
    for when in range(1, count + 1):
        before = store.current_generation(built.index_dir).name
        result = subprocess.run(
            ["strace", "-f", "-qq", "-o", os.devnull,
             "-e", f"inject=rename,renameat,renameat2:signal=KILL:when={when}", *build_command(built)],
            capture_output=True, text=True, timeout=120)
        assert "committed" not in result.stdout, f"the build survived a kill at rename {when}"
        # The kill fires before the rename takes effect, so the previous generation is still in use.
        assert_usable_and_complete(built, {before})
    assert_clean_after_next_build(built)
