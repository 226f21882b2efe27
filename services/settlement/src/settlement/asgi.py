"""The API as an ASGI app for process managers: ``uvicorn settlement.asgi:app --workers N``.

``python -m settlement api`` serves one process; this module lets uvicorn (or gunicorn) run
several, each with its own connection pool. Settings come from the environment.
"""

from medins_common.service import create_app
from settlement.bootstrap import SERVICE

app = create_app(SERVICE)
