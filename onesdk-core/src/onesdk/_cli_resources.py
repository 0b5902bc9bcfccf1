"""The ``onesdk cache`` and ``onesdk files`` commands: context caches, cache tags and files.

Part of ``onesdk.cli``; standard library only at import time.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._cli_support import (
    Handler,
    add_command,
    client,
    emit,
    positive_int,
    print_json,
    print_record,
    print_table,
)
from .errors import InvokeBadRequestError

__all__ = ["add_resource_commands"]

DEFAULT_PROVIDER = "kimi"
CACHE_COLUMNS = ("id", "status", "tokens", "model", "name", "expired_at")
TAG_COLUMNS = ("tag", "cache_id", "created_at")
FILE_COLUMNS = ("id", "bytes", "filename", "purpose", "status", "created_at")


def key_value(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


class AddMessage(argparse.Action):
    """``--system TEXT`` / ``--user TEXT``: append a message, keeping the command-line order."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        messages = list(getattr(namespace, self.dest, None) or [])
        messages.append({"role": self.const, "content": values})
        setattr(namespace, self.dest, messages)


def provider(args: argparse.Namespace) -> str:
    """PROVIDER (first positional) or ``--provider``, else the default."""
    given, option = args.provider_arg, args.provider_opt
    if given and option and given != option:
        args.parser.error(f"PROVIDER {given!r} and --provider {option!r} disagree")
    return str(option or given or DEFAULT_PROVIDER)


def metadata(args: argparse.Namespace) -> dict[str, str] | None:
    return dict(args.metadata) if args.metadata else None


def show_one(args: argparse.Namespace, data: dict[str, Any]) -> int:
    return emit(args, data, lambda: print_record(data, summarize=("messages", "tools")))


def show_many(args: argparse.Namespace, rows: list[dict[str, Any]], columns: Sequence[str]) -> int:
    return emit(args, rows, lambda: print_table(rows, columns))


def show_deleted(args: argparse.Namespace, data: dict[str, Any], what: str) -> int:
    return emit(args, data, lambda: print(f"deleted {what}"))


def paging(args: argparse.Namespace) -> dict[str, Any]:
    return {"limit": args.limit, "order": args.order, "after": args.after, "before": args.before}


def load_messages(args: argparse.Namespace) -> tuple[list[Any], list[dict[str, Any]] | None]:
    """The cache's messages (and tools) from ``--system``/``--user`` or ``--file``."""
    if args.file and args.messages:
        args.parser.error("give messages with --system/--user or with --file, not both")
    if not args.file:
        if not args.messages:
            args.parser.error("give the cache's messages: --system/--user TEXT or --file FILE")
        return list(args.messages), None
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise InvokeBadRequestError(f"cannot read {args.file!r}: {reason}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvokeBadRequestError(f"{args.file!r} is not valid JSON: {exc}") from None
    tools = None
    if isinstance(data, dict):  # {"messages": [...], "tools": [...]} also works
        tools = data.get("tools")
        data = data.get("messages")
    if not isinstance(data, list):
        raise InvokeBadRequestError(
            f"{args.file!r} must hold a JSON list of messages, or an object with a "
            "'messages' list (and optional 'tools')"
        )
    return data, tools


# --- cache --------------------------------------------------------------------------------


def cache_create(args: argparse.Namespace) -> int:
    messages, tools = load_messages(args)
    with client(args, provider(args)) as sdk:
        cache = sdk.create_cache(
            args.model,
            messages,
            name=args.name,
            description=args.description,
            metadata=metadata(args),
            tools=tools,
            ttl=args.ttl,
            expired_at=args.expired_at,
            tags=args.tag,
            wait=not args.no_wait,
        )
    return show_one(args, cache.to_dict())


def cache_list(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        caches = sdk.list_caches(**paging(args), metadata=metadata(args))
    return show_many(args, [cache.to_dict() for cache in caches], CACHE_COLUMNS)


def cache_get(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        cache = sdk.get_cache(args.cache_id)
    return show_one(args, cache.to_dict())


def cache_update(args: argparse.Namespace) -> int:
    if args.metadata is None and args.ttl is None and args.expired_at is None:
        args.parser.error("give --metadata, --ttl or --expired-at")
    with client(args, provider(args)) as sdk:
        cache = sdk.update_cache(
            args.cache_id, metadata=metadata(args), ttl=args.ttl, expired_at=args.expired_at
        )
    return show_one(args, cache.to_dict())


def cache_delete(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        deleted = sdk.delete_cache(args.cache_id)
    return show_deleted(args, deleted.to_dict(), args.cache_id)


def tag_create(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        tag = sdk.create_cache_tag(args.tag, args.cache_id)
    return show_one(args, tag.to_dict())


def tag_list(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        tags = sdk.list_cache_tags(**{k: v for k, v in paging(args).items() if v is not None})
    return show_many(args, [tag.to_dict() for tag in tags], TAG_COLUMNS)


def tag_get(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        found = sdk.get_cache_tag_content(args.tag) if args.content else sdk.get_cache_tag(args.tag)
    return show_one(args, found.to_dict())


def tag_delete(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        deleted = sdk.delete_cache_tag(args.tag)
    return show_deleted(args, deleted.to_dict(), args.tag)


# --- files --------------------------------------------------------------------------------


def files_upload(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        uploaded = sdk.upload_file(args.path, purpose=args.purpose)
    return show_one(args, uploaded.to_dict())


def files_list(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        files = sdk.list_files()
    return show_many(args, [item.to_dict() for item in files], FILE_COLUMNS)


def files_get(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        found = sdk.get_file(args.file_id)
    return show_one(args, found.to_dict())


def files_content(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        text = sdk.get_file_content(args.file_id)
    if args.json:
        print_json({"id": args.file_id, "content": text})
    else:
        print(text if text.endswith("\n") else text + "\n", end="", flush=True)
    return 0


def files_delete(args: argparse.Namespace) -> int:
    with client(args, provider(args)) as sdk:
        deleted = sdk.delete_file(args.file_id)
    return show_deleted(args, deleted.to_dict(), args.file_id)


# --- parsers ------------------------------------------------------------------------------


def _group(commands: Any, name: str, help_text: str) -> Any:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help_text, description=help_text
    )
    parser.set_defaults(handler=None, parser=parser)
    return parser.add_subparsers(title="actions", metavar="ACTION")


def _action(
    actions: Any, name: str, handler: Handler, help_text: str, *positionals: str
) -> argparse.ArgumentParser:
    """An action taking an optional leading PROVIDER, then ``positionals`` (metavars)."""
    usage = " ".join(("%(prog)s [PROVIDER]", *positionals, "[options]"))
    parser = add_command(actions, name, handler, help_text, usage=usage)
    parser.add_argument(
        "provider_arg",
        nargs="?",
        metavar="PROVIDER",
        help=f"provider name (default {DEFAULT_PROVIDER}); must come first",
    )
    for metavar in positionals:
        parser.add_argument(metavar.lower(), metavar=metavar)
    parser.add_argument("--provider", dest="provider_opt", metavar="NAME", help="provider name")
    return parser


def _metadata_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--metadata", type=key_value, action="append", metavar="KEY=VALUE", help=help_text
    )


def _expiry_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ttl", type=positive_int, metavar="SECONDS", help="time to live")
    parser.add_argument(
        "--expired-at", type=positive_int, metavar="UNIX_TIME", help="expiry time (not with --ttl)"
    )


def _paging_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=positive_int, metavar="N", help="at most N items")
    parser.add_argument("--order", choices=("asc", "desc"), help="by creation time")
    parser.add_argument("--after", metavar="ID", help="items after this one")
    parser.add_argument("--before", metavar="ID", help="items before this one")


def add_resource_commands(commands: Any) -> None:
    """Add ``cache`` (with ``cache tag``) and ``files`` to the ``onesdk`` subcommands."""
    actions = _group(commands, "cache", "context caches: create, list, get, update, delete, tag")
    sub = _action(actions, "create", cache_create, "store messages as a context cache")
    sub.add_argument("-m", "--model", required=True, help="model, e.g. moonshot-v1-8k")
    for role in ("system", "user"):
        sub.add_argument(
            f"--{role}",
            dest="messages",
            action=AddMessage,
            const=role,
            metavar="TEXT",
            help=f"a {role} message (repeatable; order kept)",
        )
    sub.add_argument("--file", metavar="FILE", help="JSON list of messages (- for stdin)")
    sub.add_argument("--name", help="a name for the cache")
    sub.add_argument("--description", help="a description")
    _metadata_option(sub, "metadata entry (repeatable)")
    sub.add_argument("--tag", action="append", help="bind this tag to the cache (repeatable)")
    _expiry_options(sub)
    sub.add_argument("--no-wait", action="store_true", help="return while still pending")

    sub = _action(actions, "list", cache_list, "list context caches")
    _paging_options(sub)
    _metadata_option(sub, "only caches with this metadata (repeatable)")
    for name, handler, help_text in (
        ("get", cache_get, "show a context cache"),
        ("delete", cache_delete, "delete a context cache"),
    ):
        _action(actions, name, handler, help_text, "CACHE_ID")
    sub = _action(
        actions, "update", cache_update, "change a cache's metadata or expiry", "CACHE_ID"
    )
    _metadata_option(sub, "new metadata entry (repeatable)")
    _expiry_options(sub)

    tags = _group(actions, "tag", "cache tags: names bound to caches")
    _action(tags, "create", tag_create, "bind a tag to a cache", "TAG", "CACHE_ID")
    _paging_options(_action(tags, "list", tag_list, "list cache tags"))
    sub = _action(tags, "get", tag_get, "show a tag", "TAG")
    sub.add_argument("--content", action="store_true", help="show the tagged cache instead")
    _action(tags, "delete", tag_delete, "delete a tag", "TAG")

    actions = _group(commands, "files", "uploaded files: upload, list, get, content, delete")
    sub = _action(actions, "upload", files_upload, "upload a file", "PATH")
    sub.add_argument("--purpose", default="file-extract", help="default: file-extract")
    _action(actions, "list", files_list, "list uploaded files")
    for name, handler, help_text in (
        ("get", files_get, "show a file"),
        ("content", files_content, "print the text extracted from a file"),
        ("delete", files_delete, "delete a file"),
    ):
        _action(actions, name, handler, help_text, "FILE_ID")
