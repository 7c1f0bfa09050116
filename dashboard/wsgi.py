"""WSGI entry for a production server: ``gunicorn dashboard.wsgi:server``."""

from dashboard.app import create_app, settle_for_serving
from models.config import load_config

server = create_app(load_config()).server
settle_for_serving(server)
