"""The weekly digest in Slack: the message, then its chart in the message's thread."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.digest.compute import Digest
from bot.core.digest.post import PublishFailed
from bot.slack.blocks.digest import digest_message


class SlackDigestPublisher:
    def __init__(self, client: WebClient, channel: str) -> None:
        self.client = client
        self.channel = channel

    def publish(self, digest: Digest) -> str:
        try:
            answer = self.client.chat_postMessage(
                channel=self.channel, unfurl_links=False, **digest_message(digest).kwargs()
            )
            ts = str(answer["ts"])
            from bot.core.digest.chart import chart_png  # matplotlib: loaded only by the process that posts

            png = chart_png(digest)
            if png is not None:
                # In the digest's thread, so the chart sits beside the figures without a second ping.
                self.client.files_upload_v2(
                    channel=self.channel,
                    thread_ts=ts,
                    content=png,
                    filename=f"hwerror-{digest.week.label}.png",
                    title=f"Incidents per day, {digest.week.label}",
                )
        except SlackApiError as exc:
            raise PublishFailed(exc.response.get("error") or str(exc)) from exc
        except OSError as exc:
            raise PublishFailed(str(exc)) from exc
        return ts
