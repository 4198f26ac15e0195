"""The web app. conversation.py (turns and follow-ups, no UI), followup.py (reading follow-up
messages), render.py (HTML, all text escaped), export.py (CSV and Markdown), ui.py (Gradio wiring)."""


def serve(*args, **kwargs):
    # Imported on call: the CLI's other commands must not pay for importing Gradio.
    from .ui import serve as _serve

    return _serve(*args, **kwargs)
