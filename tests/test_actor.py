"""Who may do what: admins and responders are (workspace, user) pairs, outsiders may do nothing."""

from __future__ import annotations

from bot.core.actor import Actor, People


def member(user: str, *, team: str = "T0001", admins: str = "", responders: str = "") -> Actor:
    return Actor(
        user_id=user,
        team_id=team,
        name=user,
        workspace="T0001",
        external=team != "T0001",
        admins=People.parse(admins),
        responders=People.parse(responders),
    )


def test_a_bare_admin_id_matches_only_that_user_of_the_installing_workspace() -> None:
    assert member("U0BOSS", admins="U0BOSS").may_add_notes
    assert not member("U0BOSS", team="T0OTHER", admins="U0BOSS").may_add_notes
    assert not member("U0ALICE", admins="U0BOSS").may_add_notes


def test_a_workspace_qualified_admin_matches_that_pair_only() -> None:
    assert member("U0BOSS", admins="T0001:U0BOSS, T0001:U0LEAD").may_add_notes
    assert not member("U0BOSS", admins="T0999:U0BOSS").may_add_notes


def test_responders_limit_resolve_and_escalate_and_admins_stay_responders() -> None:
    assert member("U0ANY").may_respond  # no list: every member
    assert not member("U0ANY", responders="U0ONCALL").may_respond
    assert member("U0ONCALL", responders="U0ONCALL").may_respond
    assert member("U0BOSS", responders="U0ONCALL", admins="U0BOSS").may_respond
    assert not member("U0ONCALL", team="T0CUSTOMER", responders="U0ONCALL").may_respond


def test_an_outsider_may_neither_note_nor_respond_whatever_the_lists_say() -> None:
    outsider = member("U0OUT", team="T0CUSTOMER", admins="T0CUSTOMER:U0OUT", responders="T0CUSTOMER:U0OUT")
    assert not outsider.may_add_notes and not outsider.may_respond
