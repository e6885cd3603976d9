"""moto's server with one request at a time through its backends.

moto applies a DynamoDB transaction item by item and, when one fails, restores a copy of the whole
table taken when it began: two transactions at once can see each other's halves or erase each
other's writes. DynamoDB itself is serializable. The race tests (ten claims of one kit, twenty
sign-ups with one email) must test this project's conditions, not moto's missing isolation, so
every request here holds one lock while moto handles it. Connections are still served in
parallel; only the backend work is serialized.

moto also rolls a failed transaction back from a deep copy of every table the transaction
touches, taken before it starts: a cost in time and memory that grows with the table (seconds per
transaction, and an out-of-memory kill, once a table holds 10,000 accounts, as the job-scale test's
does). With requests serialized, a copy of the few items the transaction touches rolls it back as
well, so that is what runs here (`journal_transactions`; moto's version is pinned in
requirements-test.txt).

Usage: python scripts/moto-server.py HOST PORT
"""

import copy
import sys
import threading

import moto.dynamodb.models as dynamodb_models
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
from werkzeug.serving import run_simple


class _TablesNotCopied:
    """Stands in for the `copy` module inside moto's DynamoDB backend: tables are not copied."""

    @staticmethod
    def deepcopy(value, memo=None):
        if isinstance(value, dynamodb_models.Table):
            return value
        return copy.deepcopy(value, memo)


def journal_transactions() -> None:
    """A failed TransactWriteItems is rolled back from copies of the items it touched."""
    dynamodb_models.copy = _TablesNotCopied
    backend = dynamodb_models.DynamoDBBackend
    transact = backend.transact_write_items

    def transact_write_items(self, transact_items):
        before = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            key = op.get("Key") or {
                name: op["Item"][name]
                for name in (table.hash_key_attr, table.range_key_attr)
                if name and name in op.get("Item", {})
            }
            try:
                hash_key, range_key = self.get_keys_value(table, key)
            except Exception:
                continue  # moto refuses the malformed key itself
            item = table.get_item(hash_key, range_key)
            before.append((table, hash_key, range_key, copy.deepcopy(item)))
        try:
            return transact(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(before):
                table.delete_item(hash_key, range_key)
                if item is not None:
                    table.put_item(item.to_json()["Attributes"], overwrite=True)
            raise

    backend.transact_write_items = transact_write_items


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    journal_transactions()
    moto = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            # Consume the body inside the lock: moto does its work while it is produced.
            return [b"".join(moto(environ, start_response))]

    run_simple(host, port, serialized, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
