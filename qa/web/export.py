"""The app's export buttons: the latest answer, the whole conversation or a trainer's selection, written
by qa/exports to a new file in the app's export folder."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from ..conversation import Turn
from ..errors import ReviewQAError
from ..exports import FORMATS, Clip, Pick, clips_for, clips_of_turn, conversation_clips, write_clips

SCOPES = ("results", "conversation", "selection")


def write_export(conversation: Sequence[Turn], scope: str, fmt: str, folder: Path,
                 picks: Sequence[Pick] = (), kept: Sequence[Clip] | None = None) -> str:
    """Write the latest answer ("results"), every turn with each passage once ("conversation") or the
    picked passages ("selection": `kept` clips as they are, or `picks` found in the conversation) as `fmt`
    (csv, xlsx, md, docx); the new file's path."""
    if f".{fmt}" not in FORMATS or scope not in SCOPES:
        raise ReviewQAError(f"There is no {scope} export as {fmt}.")
    if scope == "selection" and kept is not None:
        if not kept:
            raise ReviewQAError("Keep some passages first; the selection is empty.")
        return _write(list(kept), None, scope, fmt, folder)
    if not conversation:
        raise ReviewQAError("Ask a question first; there is nothing to export yet.")
    asked = None
    if scope == "results":
        clips = clips_of_turn(conversation[-1], len(conversation))
    elif scope == "conversation":
        asked, clips = conversation_clips(conversation)
    else:
        if not picks:
            raise ReviewQAError("Pick some passages first; the selection is empty.")
        clips = clips_for(conversation, picks)
    return _write(clips, asked, scope, fmt, folder)


def _write(clips: list[Clip], asked, scope: str, fmt: str, folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    # A new file every time (mkstemp): two people exporting in the same second never share one.
    handle, name = tempfile.mkstemp(dir=folder, prefix=f"reviewqa-{scope}-{time.strftime('%Y%m%d-%H%M%S')}-",
                                    suffix=f".{fmt}")
    os.close(handle)
    write_clips(clips, Path(name), asked)
    return name
