"""The web app: FastAPI with server-rendered pages and a JSON API under /api."""
