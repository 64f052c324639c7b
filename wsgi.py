"""The app for a WSGI server, configured from the environment only (docs/deploy.md):

    gunicorn -k eventlet -w 1 -b 127.0.0.1:5001 wsgi:app

gunicorn's eventlet worker monkey-patches before it imports this module. One worker per
process: Flask-SocketIO keeps each connection's state in the process that accepted it.
"""

from facilitator import create_app

app = create_app()
