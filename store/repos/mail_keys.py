"""The key that signs unsubscribe links, kept in the table so every server process and every
job run signs and checks with the same one.

`KEY` / `UNSUBSCRIBE` holds 32 random bytes, created by whichever process needs it first (a
conditional put: of two processes racing, one key wins and both use it). It is never exported,
logged or sent; deleting the item invalidates every unsubscribe link already mailed.
"""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING

from store.errors import ConditionFailed
from store.table import Absent

if TYPE_CHECKING:
    from store.table import Table

PK = "KEY"
SK = "UNSUBSCRIBE"
KEY_BYTES = 32


async def unsubscribe_key(table: Table) -> bytes:
    """The unsubscribe-link key, created on first use. Raises the store's errors."""
    item = await table.get(PK, SK)
    if item is None:
        fresh = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
        try:
            item = await table.put({"pk": PK, "sk": SK, "secret": fresh}, condition=Absent())
        except ConditionFailed:
            item = await table.get(PK, SK)
        if item is None:  # created and deleted between our two reads: nobody holds a key
            raise ConditionFailed(PK, SK, "the unsubscribe key vanished while it was created")
    return base64.b64decode(str(item["secret"]))
