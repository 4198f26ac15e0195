"""The web edge: one uvicorn process serving the HTTP API at /api and the Gradio app at /.

    server.py   serve(): access, the temp folder, the index, the app, uvicorn, signals
    access.py   who may use it: an API token, UI logins, loopback only by default
    guards.py   request size limits and upload checks, before any handler runs
    api.py      the REST API (an APIRouter answering from the Service)
    ui.py       the Gradio Blocks, one function per panel
    forms.py    the values behind the app's components, to and from Filters and turns
    uploads.py  files added through the app (only uploads to this server)
    render.py   HTML, every piece of text escaped
    export.py   CSV and Markdown exports
"""
