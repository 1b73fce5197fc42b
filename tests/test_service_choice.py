"""The service a paste shows outranks the wording of two services' pages; a code several services
have, with nothing to tell them apart, is confident about the code and open about the service."""

from __future__ import annotations

import json

import pytest

from knowledge.matching.jsonl import run_jsonl
from knowledge.matching.matcher import Matcher
from knowledge.services import display_name, normalise_service
from knowledge.types import EntryData


def entry(service: str, code: str, message: str, variant: int = 0, status: int | None = 400) -> EntryData:
    return EntryData(service, code, variant, status, message, message, "Check the request.")


@pytest.fixture(scope="module")
def estate() -> Matcher:
    """Three AI services sharing the gateway codes (worded differently), and API Gateway."""
    return Matcher(
        [
            entry("ocr", "ModelArts.4204", "Request API error."),
            entry("content-moderation", "ModelArts.4204", "The API is not subscribed to."),
            entry("modelarts", "ModelArts.4204", "The API is not subscribed to yet."),
            entry(
                "modelarts",
                "ModelArts.4706",
                "Can not start data analysis task, dataset version must be normal",
            ),
            entry("content-moderation", "ModelArts.4706", "The OBS file does not exist."),
            entry("api-gateway", "APIG.0301", "Incorrect IAM authentication information.", status=401),
            entry("content-moderation", "APIG.0301", "Authentication failed.", status=401),
            entry("api-gateway", "APIG.1001", "Refresh token is expired", status=401),
            entry(
                "api-gateway-management", "APIG.1001", "Session expired. Please try again later.", status=401
            ),
            entry("iam", "1113", "签名错误。"),
        ]
    )


def only(findings: list) -> tuple[str, str | None, tuple[str, ...]]:  # type: ignore[type-arg]
    (f,) = [f for f in findings if f.confident]
    return f.code, f.service, f.services


@pytest.mark.parametrize(
    ("text", "service"),
    [
        # the host of the endpoint, though the message is another page's wording
        (
            "> Host: ocr.cn-north-4.myhuaweicloud.com\n"
            '{"error_code":"ModelArts.4204","error_msg":"The API is not subscribed to."}',
            "ocr",
        ),
        # the Python SDK package and the Java client class
        (
            'File "/venv/site-packages/huaweicloudsdkocr/v1/ocr_client.py", line 9\n'
            "ClientRequestException - {status_code:400,error_code:ModelArts.4204,"
            "error_msg:The API is not subscribed to.}",
            "ocr",
        ),
        (
            "errorCode: ModelArts.4204\n"
            "\tat com.huaweicloud.sdk.moderation.v3.ModerationClient.runText(ModerationClient.java:1)",
            "content-moderation",
        ),
        # the logger, the Terraform resource type, KooCLI, an endpoint path
        ('{"logger": "HuaweiCloud-SDK-OcrClient", "msg": "error_code:ModelArts.4204"}', "ocr"),
        ("with huaweicloud_modelarts_dataset.test,\nerror_code: ModelArts.4204", "modelarts"),
        ('$ hcloud Moderation RunTextModeration\n{"error_code": "ModelArts.4204"}', "content-moderation"),
        (
            '"POST /v2/0123456789abcdef0123456789abcdef/training-jobs" 400\nerror_code=ModelArts.4204',
            "modelarts",
        ),
        # the product in prose, English and Chinese; the management API's host
        ('Our Content Moderation job fails: {"error_code":"ModelArts.4204"}', "content-moderation"),
        ('调用文字识别接口报错：{"error_code":"ModelArts.4204"}', "ocr"),
        (
            'url: https://apig.cn-north-4.myhuaweicloud.com/v2/p/apigw/instances\n{"error_code":"APIG.1001"}',
            "api-gateway-management",
        ),
        # a VPC call the gateway refused: the gateway, which answers in front of every service
        (
            "huaweicloudsdkvpc/v2/vpc_client.py\nerror_code:APIGW.0301,error_msg:decrypt token fail",
            "api-gateway",
        ),
        # nothing named, but the message is one page's wording only
        (
            "400\na655b0fec686e6ddb30b9f9dfba2108a\nModelArts.4706\nThe OBS file does not exist.",
            "content-moderation",
        ),
    ],
)
def test_the_service_the_paste_shows_decides(estate: Matcher, text: str, service: str) -> None:
    code, got, left_open = only(estate.match(text))
    assert (got, left_open) == (service, ())


def test_a_codes_own_prefix_is_not_the_service(estate: Matcher) -> None:
    # "ModelArts" is only the prefix here: nothing says which of the three services answered.
    assert only(estate.match("seeing ModelArts.4204 since this morning")) == (
        "ModelArts.4204",
        None,
        ("content-moderation", "modelarts", "ocr"),
    )


def test_the_server_header_every_response_carries_is_no_evidence(estate: Matcher) -> None:
    text = 'HTTP/1.1 401 Unauthorized\nServer: api-gateway\n\n{"error_code":"APIG.0301"}'
    assert only(estate.match(text))[1:] == (None, ("api-gateway", "content-moderation"))


def test_a_channels_default_service_decides_only_when_the_paste_does_not(estate: Matcher) -> None:
    assert (
        only(estate.match("APIG.1001 again", hints=("api-gateway-management",)))[1]
        == "api-gateway-management"
    )
    shown = '$ hcloud Moderation RunText\n{"error_code": "ModelArts.4204"}'
    assert only(estate.match(shown, hints=("ocr",)))[1] == "content-moderation"


def test_a_channel_hint_only_breaks_ties_between_the_services_that_have_the_code(estate: Matcher) -> None:
    # A code one service alone has stays that service's, whatever the channel is about.
    assert only(estate.match('{"error_code":"1113","error_msg":"x"}', hints=("ocr",)))[1] == "iam"
    # A hint for a service without the code decides nothing: the service stays open.
    assert only(estate.match("APIG.1001 again", hints=("ocr",)))[1:] == (
        None,
        ("api-gateway", "api-gateway-management"),
    )
    # The first hint that has the code decides: the channel's default before the services seen lately.
    hints = ("ocr", "api-gateway", "api-gateway-management")
    assert only(estate.match("APIG.1001 again", hints=hints))[1] == "api-gateway"
    # The service the paste names in its words outranks the channel.
    named = 'Content Moderation keeps failing: {"error_code": "ModelArts.4204"}'
    assert only(estate.match(named, hints=("ocr",)))[1] == "content-moderation"


def test_jsonl_reports_an_open_service_as_null_with_the_services() -> None:
    m = Matcher(
        [entry("a-svc", "APIG.0201", "Backend timeout."), entry("b-svc", "APIG.0201", "Backend timeout.")]
    )
    (line,) = run_jsonl(
        m, [json.dumps({"id": 1, "text": '{"error_code":"APIG.0201","error_msg":"Backend timeout."}'})]
    )
    (f,) = json.loads(line)["findings"]
    assert (f["code"], f["confident"], f["service"], f["services"]) == (
        "APIG.0201",
        True,
        None,
        ["a-svc", "b-svc"],
    )


def test_a_single_service_code_keeps_the_interface_as_it_was(estate: Matcher) -> None:
    (line,) = run_jsonl(estate, [json.dumps({"id": 1, "text": '{"error_code":"1113","error_msg":"x"}'})])
    (f,) = json.loads(line)["findings"]
    assert (f["code"], f["service"], "services" in f) == ("1113", "iam", False)


@pytest.mark.parametrize("phrase", ["Bad Request", "Service Unavailable", "File not found"])
def test_a_reason_phrase_alone_is_never_a_confident_match(phrase: str) -> None:
    m = Matcher(
        [entry("api-gateway", "APIG.0602", f"{phrase}."), entry("obs", "OBS.0001", "File not found.")]
    )
    text = f"ObsException: status 400 -- {phrase}"
    assert [f for f in m.match(text) if f.confident] == []
    assert [f for f in m.match(phrase, "lookup") if f.confident] == []


@pytest.mark.parametrize(
    ("text", "code", "service"),
    [
        (
            "<Error><Code>NoSuchBucket</Code><Message>No bucket</Message></Error> ObsException",
            "NoSuchBucket",
            "obs",
        ),
        ("ObsException: Error Code: AccessDenied, Error Message: Access Denied", "AccessDenied", "obs"),
        ('{"error_code":"InferHub.001001005.400","error_msg":"x"}', "InferHub.001001005.400", None),
        (
            "got InferHub.001001005.400 from > Host: ocr.cn-north-4.myhuaweicloud.com",
            "InferHub.001001005.400",
            "ocr",
        ),
        ("CCE.01400001 on the cluster", "CCE.01400001", None),
        ("DEV.CH.10001 in the pipeline", "DEV.CH.10001", None),
        ("Ecs.0319 from the console", "Ecs.0319", None),
    ],
)
def test_every_code_shape_unknown_to_the_knowledge_base_is_a_gap(
    estate: Matcher, text: str, code: str, service: str | None
) -> None:
    (f,) = estate.match(text)
    assert (f.code, f.known, f.confident, f.service) == (code, False, False, service)


def test_a_bare_number_in_a_code_field_is_a_code_only_when_known(estate: Matcher) -> None:
    assert only(estate.match('{"error_code":"1113","error_msg":"签名错误。"}'))[:2] == ("1113", "iam")
    assert estate.match('{"code": 1001, "msg": "bad"}') == []
    assert only(estate.match("1113", "lookup"))[:2] == ("1113", "iam")


@pytest.mark.parametrize(
    ("typed", "slug", "display"),
    [
        ("OCR", "ocr", "Optical Character Recognition"),
        ("Optical Character Recognition", "ocr", "Optical Character Recognition"),
        ("content_moderation", "content-moderation", "Content Moderation"),
        ("Content Moderation", "content-moderation", "Content Moderation"),
        ("My Billing Thing", "my-billing-thing", "My Billing Thing"),
    ],
)
def test_service_names_are_normalised_to_one_slug(typed: str, slug: str, display: str) -> None:
    assert normalise_service(typed) == slug
    assert display_name(slug) == display
