"""moto's server, with DynamoDB's and SQS's per-request atomicity restored.

`python -m moto.server` serves requests on several threads, and moto's DynamoDB and SQS backends
do not lock: two concurrent TransactWriteItems can both pass an `attribute_not_exists` condition,
and two concurrent SendMessage calls can both slip past a FIFO deduplication id. Real DynamoDB and
SQS never allow either, and our idempotency tests exist precisely to exercise those races. So each
mutating backend call is serialized here; everything else, including long-polling ReceiveMessage,
stays concurrent. Arguments are moto.server's own (-H host, -p port).

ReceiveMessage is serialized too, but not its long-poll wait: moto picks a FIFO queue's deliverable
messages from a snapshot of its in-flight groups, so two receives on two threads could each take a
message of one group (two pollers sending one conversation's replies side by side, out of order),
which SQS never does. Each receive is a zero-wait pick under the lock, repeated until a message
comes or the wait ends.

And one cost moto adds that DynamoDB does not: before a TransactWriteItems, moto deep-copies a
table for its rollback once per ITEM of the transaction, so a 100-item transaction (one Cloud API
batch) copied the tables 100 times and grew slower with every item stored. Here each table is
copied once per transaction, which is all the rollback needs (the copies are taken before any write),
and without deep-copying its stream's records (the event relay's streams), which never change.
"""

import copy
import functools
import sys
import threading
import time

import moto.dynamodb.models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.server import main
from moto.sqs.models import SQSBackend

_lock = threading.RLock()

_SERIALIZED = {
    DynamoDBBackend: ("put_item", "update_item", "delete_item", "transact_write_items"),
    SQSBackend: ("send_message", "send_message_batch", "delete_message", "change_message_visibility"),
}


def _serialized(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _lock:
            return method(*args, **kwargs)

    return wrapper


for backend, names in _SERIALIZED.items():
    for name in names:
        setattr(backend, name, _serialized(getattr(backend, name)))


_receive_message = SQSBackend.receive_message
_RECEIVE_POLL_SECONDS = 0.05


@functools.wraps(_receive_message)
def _receive_message_one_pick_at_a_time(self, queue_name, count, wait_seconds_timeout, visibility_timeout, message_attribute_names=None):
    deadline = time.monotonic() + float(wait_seconds_timeout or 0)
    while True:
        with _lock:
            messages = _receive_message(self, queue_name, count, 0, visibility_timeout, message_attribute_names)
        if messages or time.monotonic() >= deadline:
            return messages
        time.sleep(_RECEIVE_POLL_SECONDS)


SQSBackend.receive_message = _receive_message_one_pick_at_a_time


class _CopyOncePerTransaction:
    """`copy` as moto's DynamoDB module sees it: inside a transaction, one deep copy per object."""

    def __init__(self):
        self.copies = None

    def deepcopy(self, value, memo=None):
        if self.copies is None:
            return copy.deepcopy(value, _without_stream_history(value, memo))
        if id(value) not in self.copies:
            self.copies[id(value)] = copy.deepcopy(value, _without_stream_history(value, None))
        return self.copies[id(value)]

    def __getattr__(self, name):
        return getattr(copy, name)


def _without_stream_history(value, memo):
    """A table's stream records are never changed once written, so its copy may share them: only the
    list is copied (a rollback still drops what the failed transaction appended). Deep-copying them
    made every transaction on a streamed table cost as much as all the writes the table ever had."""
    memo = {} if memo is None else memo
    shard = getattr(value, "stream_shard", None)
    if shard is not None:
        memo[id(shard.items)] = list(shard.items)
    return memo


_copier = _CopyOncePerTransaction()
dynamodb_models.copy = _copier
_transact_write_items = DynamoDBBackend.transact_write_items


@functools.wraps(_transact_write_items)
def _transact_write_items_copying_once(*args, **kwargs):
    # Serialized above (the lock is re-entrant), so one transaction at a time uses the cache.
    with _lock:
        _copier.copies = {}
        try:
            return _transact_write_items(*args, **kwargs)
        finally:
            _copier.copies = None


DynamoDBBackend.transact_write_items = _transact_write_items_copying_once

if __name__ == "__main__":
    main(sys.argv[1:])
