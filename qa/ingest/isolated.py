"""Parse a file in a child process with bounded memory and time.

PDFium, python-docx and lxml inflate what a file holds into memory; a decompression bomb (a few MB
on disk, gigabytes inflated) or a file that makes a parser loop must not take down the process that
asked: the CLI, or the server with everyone's searches in it. So the bytes, already read by the
parent (qa/ingest/files.py: regular files only), are piped to `python -m qa.ingest.isolated`, which
caps its own address space and CPU time before it reads them, parses them and writes the result
as JSON. A child that runs out of memory or time is killed or dies; the parent reports one clear
sentence about the file and carries on.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from ..errors import DocumentError
from ..settings import ParseLimits
from ..text import megabytes
from .parsed import ParsedFile, parsed_from_json, parsed_to_json

log = logging.getLogger("reviewqa.ingest")
_HEADER_BYTES = 64 * 1024


def parse_isolated(data: bytes, name: str, limits: ParseLimits) -> ParsedFile:
    """`data` (read from a file called `name`) parsed in a child process under `limits`."""
    header = json.dumps({"name": name, "limits": limits.to_json()}).encode("utf-8") + b"\n"
    try:
        completed = subprocess.run([sys.executable, "-m", "qa.ingest.isolated"], input=header + data,
                                   capture_output=True, timeout=limits.seconds, env=_child_environment())
    except subprocess.TimeoutExpired:
        raise DocumentError(f"'{name}' took longer than {limits.seconds:.0f} s to read and was stopped; it may be "
                            "damaged or built to overload a reader. Save it again (for example print it to PDF) "
                            "and add that.") from None
    except OSError as error:
        raise DocumentError(f"'{name}' could not be read: the reader process did not start ({error.strerror}).") \
            from None
    try:
        result = json.loads(completed.stdout)
    except ValueError:
        result = None
    if not isinstance(result, dict) or not ({"parsed", "error"} & set(result)):
        log.warning("the reader of %s ended with status %s: %s", name, completed.returncode,
                    completed.stderr.decode("utf-8", "replace")[-2000:])
        raise DocumentError(f"'{name}' could not be read within the limit of {megabytes(limits.memory_bytes)} of "
                            "memory; it may be a decompression bomb (a small file that inflates to gigabytes) or "
                            "damaged. Save it again (for example print it to PDF) and add that.")
    if "error" in result:
        raise DocumentError(str(result["error"]))
    return parsed_from_json(result["parsed"])


def _child_environment() -> dict:
    """The parent's environment, with this package importable even when it is not installed."""
    environment = dict(os.environ)
    here = str(Path(__file__).resolve().parents[2])
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (here, environment.get("PYTHONPATH")) if p)
    return environment


def _limit_resources(limits: ParseLimits) -> None:
    import resource

    memory = int(limits.memory_bytes)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = int(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))


def main() -> int:
    from .formats import parse_data

    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline(_HEADER_BYTES))
    name = str(header["name"])
    limits = ParseLimits.from_json(header["limits"])
    _limit_resources(limits)
    result: dict[str, object]
    try:
        data = stdin.read(limits.max_file_bytes + 1)
        result = {"parsed": parsed_to_json(parse_data(data, Path(name), limits))}
    except DocumentError as error:
        result = {"error": str(error)}
    except MemoryError:
        result = {"error": f"'{name}' needs more than {megabytes(limits.memory_bytes)} of memory to read; it may be "
                           "a decompression bomb (a small file that inflates to gigabytes). Save it again (for "
                           "example print it to PDF) and add that."}
    except RecursionError:
        result = {"error": f"'{name}' is nested too deeply to read; save it again in a simpler form (for example "
                           "print it to PDF) and add that."}
    except Exception as error:  # noqa: BLE001 - any parser failure is a fault of this file, reported as such
        import traceback

        traceback.print_exc()
        result = {"error": f"'{name}' could not be read ({type(error).__name__}); check that it opens in its usual "
                           "program, or save it again and add it."}
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
