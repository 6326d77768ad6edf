"""`steward users …`: list, invite, change and deactivate people from the command line.

    steward users list [--agency SLUG] [--inactive]
    steward users invite EMAIL --role ROLE [--agency SLUG | --provider SLUG] [--first-name ..]
    steward users set-role USERNAME ROLE
    steward users deactivate USERNAME --reason "left the agency"
    steward users reactivate USERNAME
    steward users reset-two-factor USERNAME

Every change is made as `--by USERNAME` (an administrator or agency administrator; default:
the first active superuser) and kept in the account's history. Accounts are never deleted.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from steward.core.errors import ApplicationError
from steward.parties.models import Role, User
from steward.parties.services import (
    person_deactivate,
    person_invite,
    person_reactivate,
    person_two_factor_reset,
    person_update,
)


class Command(BaseCommand):
    help = "List, invite, change and deactivate people (accounts are never deleted)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--by", help="Act as this administrator (default: a superuser)")
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List accounts")
        listing.add_argument("--agency", help="Only this agency's staff (slug)")
        listing.add_argument("--inactive", action="store_true", help="Only deactivated accounts")
        invite = sub.add_parser("invite", help="Create an account and email an invitation")
        invite.add_argument("email")
        invite.add_argument("--role", required=True, choices=Role.values)
        invite.add_argument("--agency", help="Agency slug (agency staff)")
        invite.add_argument("--provider", help="Provider slug (a provider's user)")
        invite.add_argument("--first-name", default="")
        invite.add_argument("--last-name", default="")
        invite.add_argument("--job-title", default="")
        invite.add_argument("--jurisdiction", default="", help="Oversight officers only")
        invite.add_argument("--username", default="")
        set_role = sub.add_parser("set-role", help="Change a person's role")
        set_role.add_argument("username")
        set_role.add_argument("role", choices=Role.values)
        deactivate = sub.add_parser("deactivate", help="Stop a person signing in")
        deactivate.add_argument("username")
        deactivate.add_argument("--reason", required=True)
        reactivate = sub.add_parser("reactivate", help="Let a deactivated person sign in again")
        reactivate.add_argument("username")
        reset = sub.add_parser("reset-two-factor", help="Forget a person's authenticator app")
        reset.add_argument("username")

    def _actor(self, username: str | None) -> User:
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user called {username!r}.")
            return actor
        actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError(
                "No administrator to act as: create one with `steward createsuperuser`, "
                "or name one with --by."
            )
        return actor

    @staticmethod
    def _person(username: str) -> User:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"No user called {username!r}.")
        return person

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "list":
                self._list(options)
                return
            actor = self._actor(options.get("by"))
            if action == "invite":
                data = {
                    "email": options["email"],
                    "role": options["role"],
                    "agency": options.get("agency") or None,
                    "provider": options.get("provider") or None,
                    "first_name": options["first_name"],
                    "last_name": options["last_name"],
                    "job_title": options["job_title"],
                    "jurisdiction": options["jurisdiction"],
                    "username": options["username"],
                }
                person = person_invite(
                    actor=actor, data={k: v for k, v in data.items() if v not in (None, "")}
                )
                self.stdout.write(f"Invited {person.username} <{person.email}>.")
            elif action == "set-role":
                person = person_update(
                    actor=actor,
                    person=self._person(options["username"]),
                    data={"role": options["role"]},
                )
                self.stdout.write(f"{person.username} is now {person.get_role_display()}.")
            elif action == "deactivate":
                person = person_deactivate(
                    actor=actor, person=self._person(options["username"]), reason=options["reason"]
                )
                self.stdout.write(f"Deactivated {person.username}.")
            elif action == "reactivate":
                person = person_reactivate(actor=actor, person=self._person(options["username"]))
                self.stdout.write(f"Reactivated {person.username}.")
            elif action == "reset-two-factor":
                person = self._person(options["username"])
                removed = person_two_factor_reset(actor=actor, person=person)
                self.stdout.write(
                    f"{person.username} registers a new authenticator app at the next sign-in."
                    if removed
                    else f"{person.username} had no authenticator app registered."
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _list(self, options: dict[str, Any]) -> None:
        people = User.objects.select_related("agency", "provider").order_by("username")
        if options.get("agency"):
            people = people.filter(agency__slug=options["agency"])
        if options.get("inactive"):
            people = people.filter(is_active=False)
        for person in people:
            status = "active" if person.is_active else "deactivated"
            self.stdout.write(
                f"{person.username}\t{person.get_full_name()}\t{person.email}\t"
                f"{person.get_role_display()}\t{person.organisation_name}\t{status}"
            )
