"""``tsunagari keys create|list|revoke``: API keys for the HTTP API (shown once, stored hashed).

The commands act as an admin inside its town line (:mod:`graphsvc.services.admin`): with ``--admin-key`` (or
``TSUNAGARI_ADMIN_KEY``) as that admin key — only keys whose towns are within its own are listed, created or
revoked — and without one as the operator at the server (an all-towns admin: they hold the system database
file). Either way, creating and revoking a key is written to the audit log under that name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container

if TYPE_CHECKING:
    from graphsvc.access.principals import Principal
    from graphsvc.bootstrap import Container

keys_app = typer.Typer(help="APIキーの発行・一覧・失効 (API keys)", no_args_is_help=True)
app.add_typer(keys_app, name="keys")

ADMIN_KEY = typer.Option(
    "",
    "--admin-key",
    envvar="TSUNAGARI_ADMIN_KEY",
    help="この管理者キーとして操作 (その町の範囲のキーだけ); 省略時はサーバーの操作者 (すべての町)",
    show_default=False,
)


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _acting(c: Container, admin_key: str) -> Principal:
    """The admin the command acts as: the given admin key, or the local operator."""
    from graphsvc.access.principals import Role
    from graphsvc.domain.errors import AccessDenied, Problem
    from graphsvc.services.admin import local_operator

    if not admin_key.strip():
        return local_operator()
    principal = c.system().keys.verify(admin_key)
    if principal is None or principal.role is not Role.ADMIN:
        raise AccessDenied(
            [
                Problem(
                    "--admin-key は有効な管理者 (admin) のキーを指定してください",
                    "--admin-key must be a valid admin key",
                    field="admin_key",
                )
            ]
        )
    return principal


@keys_app.command("create")
@handle_errors
def create(
    role: str = typer.Option(..., help="coordinator / multiagency / community / case_system / admin"),
    name: str = typer.Option(..., help="名前 (担当者名・システム名)"),
    town: str = typer.Option("*", help="町 (カンマ区切り、* はすべて)"),
    persons: str = typer.Option("", help="coordinator: 担当の本人ID (カンマ区切り) か all"),
    system_id: str = typer.Option("", help="case_system: システムID (省略時はキーID)"),
    admin_key: str = ADMIN_KEY,
) -> None:
    """APIキーを発行 (the key is printed once; only its hash is kept)."""
    from graphsvc.access.principals import ALL
    from graphsvc.services.admin import KeyAdmin

    people = [ALL] if persons.strip().lower() in ("all", "*") else _split(persons)
    with open_container() as c:
        key, info = KeyAdmin(c.system()).create(
            _acting(c, admin_key),
            name=name,
            role=role,
            towns=_split(town) or [ALL],
            persons=people,
            system_id=system_id or None,
        )
    console.print(
        f"キーID (key id): {info.key_id}  役割 (role): {info.role.value}  町 (towns): {','.join(info.towns)}"
    )
    console.print("APIキー (この一度だけ表示します / shown only once):", highlight=False)
    print(key)


@keys_app.command("list")
@handle_errors
def list_keys(admin_key: str = ADMIN_KEY) -> None:
    """APIキーの一覧 (no secrets; only keys within the acting admin's towns)."""
    from graphsvc.services.admin import KeyAdmin

    with open_container() as c:
        for k in KeyAdmin(c.system()).list(_acting(c, admin_key)):
            state = f"失効 {k.revoked_at}" if k.revoked_at else "有効"
            persons = ",".join(k.persons) if k.persons else "-"
            console.print(
                f"{k.key_id}\t{k.role.value}\t{k.name}\t町={','.join(k.towns)}\t担当={persons}\t"
                f"system={k.system_id or '-'}\t{k.created_at}\t{state}",
                highlight=False,
                markup=False,
            )


@keys_app.command("revoke")
@handle_errors
def revoke(key_id: str = typer.Argument(..., help="キーID"), admin_key: str = ADMIN_KEY) -> None:
    """APIキーを失効 (revoke; only a key within the acting admin's towns)."""
    from graphsvc.services.admin import KeyAdmin

    with open_container() as c:
        info = KeyAdmin(c.system()).revoke(_acting(c, admin_key), key_id)
    console.print(f"失効しました (revoked): {info.key_id} {info.name} {info.revoked_at}", markup=False)
