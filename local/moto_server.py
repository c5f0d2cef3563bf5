"""moto's server, with DynamoDB's and SQS's per-request atomicity restored.

`python -m moto.server` serves requests on several threads, and moto's DynamoDB and SQS backends
do not lock: two concurrent TransactWriteItems can both pass an `attribute_not_exists` condition,
and two concurrent SendMessage calls can both slip past a FIFO deduplication id. Real DynamoDB and
SQS never allow either, and our idempotency tests exist precisely to exercise those races. So each
mutating backend call is serialized here; everything else, including long-polling ReceiveMessage,
stays concurrent. Arguments are moto.server's own (-H host, -p port).
"""

import functools
import sys
import threading

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

if __name__ == "__main__":
    main(sys.argv[1:])
