"""The embedded broker: a message being written is never read half-way."""

import json
import os

import pytest
from kombu import Connection


@pytest.fixture
def connection(tmp_path):
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)}
    with Connection(transport="portal.broker:Transport", transport_options=options) as conn:
        yield conn


def test_a_message_is_delivered_whole(connection, tmp_path):
    queue = connection.SimpleQueue("jobs")
    queue.put({"task": "relay", "args": [1, 2]})
    # Only the finished message is in the folder: nothing is left under a temporary name.
    assert [name.endswith(".jobs.msg") for name in os.listdir(tmp_path)] == [True]
    assert queue.get(timeout=1).payload == {"task": "relay", "args": [1, 2]}
    queue.close()


def test_a_message_still_being_written_is_left_until_it_is_complete(connection, tmp_path):
    queue = connection.SimpleQueue("jobs")
    queue.put({"n": 1})
    (written,) = os.listdir(tmp_path)
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
