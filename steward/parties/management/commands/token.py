"""`steward token create USERNAME --name NAME` and `steward token revoke PREFIX`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.core.errors import ApplicationError
from steward.parties.models import User
from steward.parties.tokens import token_create, token_revoke


class Command(BaseCommand):
    help = "Create or revoke API bearer tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="What the token is for")
        revoke = sub.add_parser("revoke", help="Revoke the token with this prefix.")
        revoke.add_argument("prefix", help="The token's first 8 characters")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                user = User.objects.filter(username=options["username"]).first()
                if user is None:
                    raise CommandError(f"No user called {options['username']!r}.")
                issued = token_create(user=user, name=options["name"])
                self.stdout.write(
                    f"Token {issued.token.name!r} for {user.username} (shown once; store it now):"
                )
                self.stdout.write(issued.raw)
            else:
                token = token_revoke(prefix=options["prefix"])
                self.stdout.write(f"Revoked {token}.")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
