"""moto's server with one request at a time through its backends.

moto applies a DynamoDB transaction item by item and, when one fails, restores a copy of the whole
table taken when it began: two transactions at once can see each other's halves or erase each
other's writes. DynamoDB itself is serializable. The race tests (ten claims of one kit, twenty
sign-ups with one email) must test this project's conditions, not moto's missing isolation, so
every request here holds one lock while moto handles it. Connections are still served in
parallel; only the backend work is serialized.

Usage: python scripts/moto-server.py HOST PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
from werkzeug.serving import run_simple


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    moto = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            # Consume the body inside the lock: moto does its work while it is produced.
            return [b"".join(moto(environ, start_response))]

    run_simple(host, port, serialized, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
