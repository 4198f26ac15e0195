"""The optional parts of an install (pyproject.toml's extras) and what each command needs from them,
so that a missing one is a sentence with the fix, not an ImportError."""

from __future__ import annotations

from importlib.util import find_spec

from .errors import ReviewQAError

EXTRAS = {
    "web": ("gradio", "fastapi", "uvicorn", "multipart", "openpyxl"),
    "ingest": ("pypdfium2", "PIL", "docx", "trafilatura", "lxml"),
    "eval": ("ranx",),
}


def require(extra: str, what: str) -> None:
    """Raise ReviewQAError naming the pip command when a module of `extra` is not installed."""
    missing = [module for module in EXTRAS[extra] if find_spec(module) is None]
    if missing:
        raise ReviewQAError(f"{what} needs the '{extra}' part of reviewqa, which is not installed "
                            f"({', '.join(missing)} missing); install it with: pip install 'reviewqa[{extra}]'")
