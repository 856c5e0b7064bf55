"""The peers `python -m bench stream --peer NAME` compares V7 with. Each runs from its own venv
(`make bench-peers` builds `.bench-peers/`), never the project's: its app and client files are
run by that venv's python, and only the glue (`chainlit_peer.py`) is imported here."""
