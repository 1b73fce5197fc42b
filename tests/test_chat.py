"""`hwerror chat`, the shell adapter, as a real process: the same pipeline and records as Slack."""

from __future__ import annotations

from sqlalchemy import Engine, select

from bot.core.models import EscalationRequest, FeedbackVote, KnowledgeGap
from knowledge.bundled import load_bundled
from knowledge.db import transaction
from knowledge.models import AuditEvent, TeamNote
from testing.cli import run_cli


def _loaded(engine: Engine) -> None:
    with transaction(engine) as session:
        load_bundled(session)


def test_the_shell_answers_lookups_and_pastes_with_the_same_cards(engine: Engine, db_url: str) -> None:
    _loaded(engine)
    script = (
        "\n".join(
            [
                "/hwerror AIS.0027",
                '{"error_code": "AIS.0005",',
                ' "error_msg": "The service does not exist."} and AIS.0999',
                "",
                "/hwerror",
                "/quit",
            ]
        )
        + "\n"
    )
    r = run_cli("chat", db_url=db_url, stdin=script)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "AIS.0027" in out and "Check whether the account is in arrears" in out
    assert "AIS.0005" in out and "The service does not exist" in out
    assert "AIS.0999" in out and "Not in the knowledge base yet" in out
    assert "/hwerror QUERY" in out  # the bare command explains usage
    with engine.connect() as conn:
        assert conn.scalar(select(KnowledgeGap.count).where(KnowledgeGap.code == "AIS.0999")) == 1


def test_feedback_escalation_and_notes_work_through_prompts(engine: Engine, db_url: str) -> None:
    _loaded(engine)
    script = (
        "\n".join(
            [
                "/hwerror AIS.0013",
                "/helpful",
                "/unhelpful 1",
                "/escalate",
                "/note",
                "Seen when the image URL is on a private bucket.",
                "/note",
                "",
                "/hwerror AIS.0013",
            ]
        )
        + "\n"
    )
    r = run_cli("chat", db_url=db_url, stdin=script, extra_env={"USER": "carol", "LOGNAME": "carol"})
    assert r.returncode == 0, r.stderr
    assert "Recorded on AIS.0013: not helpful (0 helpful, 1 not helpful)" in r.stdout
    assert "Escalated AIS.0013: ticket HW-1 is open" in r.stdout
    assert "Team note saved on AIS.0013" in r.stdout and "no note saved" in r.stdout
    assert r.stdout.count("Seen when the image URL is on a private bucket.") == 1  # on the card shown last
    with engine.connect() as conn:
        votes = conn.execute(select(FeedbackVote.user_id, FeedbackVote.helpful)).all()
        note = conn.execute(select(TeamNote)).one()
        audit = conn.execute(select(AuditEvent).where(AuditEvent.action == "note_added")).one()
        escalation = conn.execute(select(EscalationRequest)).one()
    assert len(votes) == 1 and votes[0].helpful is False and votes[0].user_id.startswith("shell:")
    assert note.author.endswith("(shell)") and audit.actor == note.author
    assert escalation.code == "AIS.0013" and escalation.requested_by == note.author


def test_team_subcommands_work_in_the_shell_and_incidents_are_recorded(engine: Engine, db_url: str) -> None:
    from bot.core.incidents.models import Incident, Ticket

    _loaded(engine)
    script = (
        "\n".join(
            [
                "/hwerror AIS.0027",
                "/escalate",
                "/hwerror tickets",
                "/hwerror stats AIS.0027",
                "/hwerror digest",
                "/hwerror resolve HW-1",
                "/hwerror resolve HW-77",
            ]
        )
        + "\n"
    )
    r = run_cli("chat", db_url=db_url, stdin=script, extra_env={"USER": "erin", "LOGNAME": "erin"})
    assert r.returncode == 0, r.stderr
    assert "Escalated AIS.0027: ticket HW-1 is open" in r.stdout
    assert "Open tickets (1)" in r.stdout and "escalated by erin (shell)" in r.stdout
    # One lookup and one escalation request: one sighting (the press is not counted again).
    assert "Stats for AIS.0027" in r.stdout and "24 h: 1" in r.stdout
    assert "hwerror weekly digest" in r.stdout and "AIS.0027" in r.stdout
    assert "HW-1 (AIS.0027) is resolved" in r.stdout and "there is no ticket HW-77" in r.stdout
    with engine.connect() as conn:
        sources = sorted(conn.scalars(select(Incident.source)).all())
        status = conn.scalar(select(Ticket.status))
    assert sources == ["shell"] and status == "resolved"
