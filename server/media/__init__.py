"""Climbers' photos and videos: the object stores (`store`, `s3`, `local`), which files are
allowed (`kinds`), the upload form reader (`multipart`) and the storage accounting
(`library`). The REST routes are in `server/routes/media.py`."""
