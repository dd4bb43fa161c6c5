"""Driver failures → one clear Japanese (and English) message naming the server, never the password.

Every call of the Neo4j adapter runs inside :func:`store_errors`: a server that cannot be reached, a login that is
refused, a database that does not exist, a server that went away or restarted and did not come back within the
driver's retry time all become :class:`~graphsvc.domain.errors.StoreUnavailableError` (HTTP 503 in the API, exit
status 2 in the CLI) whose text names the URI (and the database). Programming errors (Cypher syntax, a wrong
parameter) are not translated: they are bugs and must surface as such.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from neo4j.exceptions import (
    AuthError,
    ClientError,
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graphsvc.domain.errors import StoreUnavailableError

__all__ = ["DATABASE_NOT_FOUND", "public_uri", "store_errors", "translate"]

DATABASE_NOT_FOUND = "Neo.ClientError.Database.DatabaseNotFound"
_USERINFO = re.compile(r"^([a-z+]+://)[^@/]*@", re.IGNORECASE)


def public_uri(uri: str | None) -> str:
    """The URI as shown to people: any ``user:password@`` part removed; ``(NEO4J_URI 未設定)`` when unset."""
    if not uri:
        return "(NEO4J_URI 未設定)"
    return _USERINFO.sub(r"\1", uri)


def translate(
    err: BaseException, *, uri: str | None, database: str | None = None, user: str | None = None
) -> StoreUnavailableError | None:
    """The user-facing error for a driver failure, or ``None`` when ``err`` is not a connection problem."""
    where = public_uri(uri)
    db = database or "(既定 default)"
    if isinstance(err, AuthError):
        who = f"ユーザー「{user}」" if user else "ユーザー"
        return _error(
            f"グラフデータベース {where} にログインできません: {who}の名前かパスワードが違います"
            " (NEO4J_USER / NEO4J_PASSWORD を確認してください)",
            f"the graph database {where} refused the login of user {user or '?'}: wrong user name or password "
            "(check NEO4J_USER / NEO4J_PASSWORD)",
            "NEO4J_PASSWORD",
        )
    if isinstance(err, ClientError) and getattr(err, "code", None) == DATABASE_NOT_FOUND:
        return _error(
            f"グラフデータベース {where} にデータベース「{db}」がありません (NEO4J_DATABASE を確認してください)",
            f"the graph database {where} has no database {db!r} (check NEO4J_DATABASE)",
            "NEO4J_DATABASE",
        )
    if isinstance(err, ServiceUnavailable | SessionExpired | DatabaseUnavailable | ConnectionError | OSError):
        return _error(
            f"グラフデータベース {where} に接続できません。サーバーが起動しているか確認し、"
            "しばらくしてから再試行してください (書きかけの変更は保存されていません)",
            f"the graph database {where} cannot be reached; check that the server runs and retry later "
            f"(nothing of the interrupted change was saved) [{type(err).__name__}]",
            "NEO4J_URI",
        )
    if isinstance(err, TransientError):
        return _error(
            f"グラフデータベース {where} が一時的に応答できません。しばらくしてから再試行してください"
            " (書きかけの変更は保存されていません)",
            f"the graph database {where} is temporarily unable to answer; retry later (nothing was saved) "
            f"[{getattr(err, 'code', type(err).__name__)}]",
            "NEO4J_URI",
        )
    return None


def _error(ja: str, en: str, field: str) -> StoreUnavailableError:
    return StoreUnavailableError.one(ja, en, field=field)  # type: ignore[return-value]


@contextmanager
def store_errors(*, uri: str | None, database: str | None = None, user: str | None = None) -> Iterator[None]:
    """Translate connection problems raised inside the block (see :func:`translate`)."""
    try:
        yield
    except StoreUnavailableError:
        raise
    except Exception as err:
        mapped = translate(err, uri=uri, database=database, user=user)
        if mapped is None:
            raise
        raise mapped from err
