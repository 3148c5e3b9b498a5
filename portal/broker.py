"""kombu's file-system transport, with messages that appear whole.

The stock transport creates a message file and then writes into it; a worker polling in between
reads an empty file, fails to decode it and its consumer stops. Here a message is written under
a name no consumer picks up (``….msg.part``) and renamed into place, which is atomic on one file
system: a consumer sees the whole message or nothing.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


# The URL scheme of this transport (``portalfs://``), known to kombu once this module is loaded.
SCHEME = "portalfs"
TRANSPORT_ALIASES[SCHEME] = f"{__name__}:Transport"
