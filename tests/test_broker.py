"""The embedded broker: a message being written is never read half-way."""

import json
import os
import uuid

import pytest
from kombu import Connection


@pytest.fixture
def name():
    """A queue of the test's own: kombu remembers declared queues across connections."""
    return f"jobs-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def connection(tmp_path):
    control = tmp_path / "control"
    options = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(control),
    }
    with Connection(transport="portal.broker:Transport", transport_options=options) as conn:
        yield conn


def test_a_message_is_delivered_whole(connection, tmp_path, name):
    queue = connection.SimpleQueue(name)
    queue.put({"task": "relay", "args": [1, 2]})
    # Only the finished message is in the folder: nothing is left under a temporary name.
    messages = [message for message in os.listdir(tmp_path) if message != "control"]
    assert [message.endswith(f".{name}.msg") for message in messages] == [True]
    assert queue.get(timeout=1).payload == {"task": "relay", "args": [1, 2]}
    queue.close()


def test_a_message_still_being_written_is_left_until_it_is_complete(connection, tmp_path, name):
    queue = connection.SimpleQueue(name)
    queue.put({"n": 1})
    (written,) = [message for message in os.listdir(tmp_path) if message != "control"]
    body = (tmp_path / written).read_bytes()
    # The sender has created the file under its temporary name and written nothing yet.
    partial = tmp_path / (written + ".part")
    (tmp_path / written).rename(partial)
    partial.write_bytes(b"")
    with pytest.raises(queue.Empty):
        queue.get(timeout=0.3)
    assert partial.exists()
    # Once written and renamed into place, the consumer reads it whole.
    partial.write_bytes(body)
    partial.rename(tmp_path / written)
    assert queue.get(timeout=1).payload == {"n": 1}
    assert json.loads(body)  # the whole message, as the transport wrote it
    queue.close()
