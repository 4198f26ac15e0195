"""The `reviewqa` command line: each command a thin layer over one Service call.

    main.py        the parser and the entry point (errors -> one line and exit code 2)
    search.py      search and digest, with the filter flags
    collection.py  parse, build, stats, add, remove, list
    tools.py       serve (the app and the API) and eval (the benchmark)
    output.py      what is printed, made safe for a terminal
"""

from .main import main
from .output import terminal_safe

__all__ = ["main", "terminal_safe"]
