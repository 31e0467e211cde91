"""``autolog server`` (with ``server tokens create|list|revoke``) and ``autolog ui``."""

from __future__ import annotations

import os

__all__ = ["add_server_parsers"]


def _store_arguments(parser) -> None:
    parser.add_argument("--backend-store-uri", default=None, metavar="URI",
                        help="store to serve (default: --tracking-uri, $AUTOLOG_TRACKING_URI or ./mlruns)")


def _store_uri(args) -> str:
    return args.backend_store_uri or getattr(args, "tracking_uri", None) or os.environ.get(
        "AUTOLOG_TRACKING_URI") or "./mlruns"


def _serve(args, out) -> None:
    from ..server.serve import serve

    serve(_store_uri(args), args.artifacts_destination, args.host, args.port, args.workers,
          auth=args.auth, insecure=args.insecure, max_upload_bytes=args.max_upload_bytes)


def _ui(args, out) -> None:
    from ..server.serve import serve

    serve(_store_uri(args), None, "127.0.0.1", args.port, 1, auth=False)


def _open_store(args):
    from ..server.app import open_server_store

    uri = _store_uri(args)
    return open_server_store(uri if "://" in uri else os.path.abspath(uri))[0]


def _tokens_create(args, out) -> None:
    record, secret = _open_store(args).create_access_token(args.name, args.role)
    print(f"Created {record.role} token {record.name!r} (id {record.token_id}). It is shown only once:", file=out)
    print(secret, file=out)


def _tokens_list(args, out) -> None:
    from .tables import format_table, format_time

    tokens = _open_store(args).list_access_tokens(include_revoked=args.all)
    rows = [[t.token_id, t.name, t.role, format_time(t.created_time),
             format_time(t.revoked_time) if t.revoked_time else ""] for t in tokens]
    print(format_table(["id", "name", "role", "created", "revoked"], rows), file=out)


def _tokens_revoke(args, out) -> None:
    count = _open_store(args).revoke_access_token(args.name)
    print(f"Revoked {count} token(s) named {args.name!r}", file=out)


def _add_token_parsers(server) -> None:
    actions = server.add_subparsers(dest="server_action")
    tokens = actions.add_parser(
        "tokens", help="create, list and revoke access tokens").add_subparsers(dest="tokens_action", required=True)
    create = tokens.add_parser("create", help="create a token (shown once)")
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=("read", "write", "admin"), default="write")
    create.set_defaults(handler=_tokens_create)
    listing = tokens.add_parser("list", help="active tokens")
    listing.add_argument("--all", action="store_true", help="include revoked tokens")
    listing.set_defaults(handler=_tokens_list)
    revoke = tokens.add_parser("revoke", help="revoke a token by name or id")
    revoke.add_argument("name")
    revoke.set_defaults(handler=_tokens_revoke)
    for parser in (create, listing, revoke):
        _store_arguments(parser)
    from .server_permissions import add_permission_parsers

    add_permission_parsers(actions, _store_arguments)


def add_server_parsers(groups) -> None:
    """Register ``server`` and ``ui`` on the top-level subparsers."""
    server = groups.add_parser("server", help="serve a store over MLflow's REST API (needs autolog[server])")
    _store_arguments(server)
    server.add_argument("--artifacts-destination", "--default-artifact-root", default=None, metavar="URI",
                        help="where artifacts live (default: the store's artifacts directory)")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=5000)
    server.add_argument("--workers", type=int, default=1)
    server.add_argument("--auth", action="store_true", default=None, help="require tokens (default off on loopback)")
    server.add_argument("--no-auth", dest="auth", action="store_false", help="serve without tokens")
    server.add_argument("--insecure", action="store_true", help="allow --no-auth on a non-loopback address")
    server.add_argument("--max-upload-bytes", type=int, default=None, metavar="N")
    server.set_defaults(handler=_serve)
    _add_token_parsers(server)
    ui = groups.add_parser("ui", help="browse a local store in the browser at http://127.0.0.1:PORT")
    _store_arguments(ui)
    ui.add_argument("--port", type=int, default=5000)
    ui.set_defaults(handler=_ui)
