"""``tsunagari keys create|list|revoke``: API keys for the HTTP API (shown once, stored hashed)."""

from __future__ import annotations

import typer

from graphsvc.cli.app import app, console, handle_errors, open_container

keys_app = typer.Typer(help="APIキーの発行・一覧・失効 (API keys)", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


@keys_app.command("create")
@handle_errors
def create(
    role: str = typer.Option(..., help="coordinator / multiagency / community / case_system / admin"),
    name: str = typer.Option(..., help="名前 (担当者名・システム名)"),
    town: str = typer.Option("*", help="町 (カンマ区切り、* はすべて)"),
    persons: str = typer.Option("", help="coordinator: 担当の本人ID (カンマ区切り) か all"),
    system_id: str = typer.Option("", help="case_system: システムID (省略時はキーID)"),
) -> None:
    """APIキーを発行 (the key is printed once; only its hash is kept)."""
    from graphsvc.api.security import ALL

    people = [ALL] if persons.strip().lower() in ("all", "*") else _split(persons)
    with open_container() as c:
        key, info = c.system().keys.create(
            name=name, role=role, towns=_split(town) or [ALL], persons=people, system_id=system_id or None
        )
    console.print(
        f"キーID (key id): {info.key_id}  役割 (role): {info.role.value}  町 (towns): {','.join(info.towns)}"
    )
    console.print("APIキー (この一度だけ表示します / shown only once):", highlight=False)
    print(key)


@keys_app.command("list")
@handle_errors
def list_keys() -> None:
    """APIキーの一覧 (no secrets)."""
    with open_container() as c:
        for k in c.system().keys.list():
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
def revoke(key_id: str = typer.Argument(..., help="キーID")) -> None:
    """APIキーを失効 (revoke)."""
    with open_container() as c:
        info = c.system().keys.revoke(key_id)
    console.print(f"失効しました (revoked): {info.key_id} {info.name} {info.revoked_at}")
