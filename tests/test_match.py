"""The matcher names the right known error, or says it does not know, and never guesses.

Built from the bundled seed page (no database) and, for variants and services, from entries
made by hand.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from knowledge.importer.rows import entries_from_rows
from knowledge.matching.entries import bundled_entries
from knowledge.matching.findings import HOW_CODE, HOW_FUZZY_CODE, HOW_KEYWORDS, HOW_MESSAGE, Finding
from knowledge.matching.matcher import Matcher
from knowledge.types import EntryData


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(bundled_entries())


def confident(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings if f.confident]


# -- pastes in every format ------------------------------------------------------------------

PASTES = {
    "go sdk": (
        '2025/03/14 03:12:44 moderation failed: {"status_code":400,"request_id":"5b2c1e9f0a8d4c7e",'
        '"error_code":"AIS.0027","error_message":"The account has been frozen.",'
        '"encoded_authorization_message":""}',
        "AIS.0027",
    ),
    "java to-string": (
        "ServiceResponseException {\n    httpStatusCode: 400\n    errorCode: AIS.0012\n"
        "    errorMsg: The request parameter is not supported.\n    requestId: 0a1b2c3d4e5f\n}",
        "AIS.0012",
    ),
    "node object": (
        "{ httpStatusCode: 400, errorMsg: 'The token is empty.', errorCode: 'ModelArts.4101', "
        "requestId: 'ab12cd34' }",
        "ModelArts.4101",
    ),
    "curl -v": (
        "< HTTP/1.1 400 Bad Request\n< X-Request-Id: 9f8e7d6c5b4a3928\n<\n"
        '{"error_msg":"The URL is invalid.","error_code":"AIS.0022","request_id":"9f8e7d6c5b4a3928"}',
        "AIS.0022",
    ),
    "terraform": (
        "\u2577\n\u2502 Error: error creating job: Bad request with: [POST https://x.example.com/v3/p/jobs], "
        'request_id: 4b3f2a1c, error message: {"error_code":"AIS.0005",'
        '"error_msg":"The service does not exist."}'
        "\n\u2502 \n\u2502   with huaweicloud_x.test,\n\u2575",
        "AIS.0005",
    ),
    "golangsdk expected code": (
        "Error: Expected HTTP response code [200] when accessing [POST https://ma.example.com/v1/services], "
        'but got 400 instead\n{"error": {"code": "ModelArts.4204", '
        '"message": "The API is not subscribed to."}}',
        "ModelArts.4204",
    ),
    "koocli json and error centre": (
        'hcloud ModelArts ShowService --service_id=x\n{\n  "error_code": "ModelArts.4203",\n'
        '  "error_msg": "No access permission.",\n  "request_id": "3c2b1a0f"\n}\n'
        "https://console.example.com/apiexplorer/#/errorcenter/ModelArts?keyword=ModelArts.4203",
        "ModelArts.4203",
    ),
    "koocli chinese": (
        "[OPENAPI_ERROR] 远程API调用失败，错误码：ModelArts.4105，错误信息：请求体JSON格式错误",
        "ModelArts.4105",
    ),
    "log line": (
        'time="2025-03-14T03:12:44Z" level=error msg="call failed" error_code=AIS.0023 status=400',
        "AIS.0023",
    ),
    "python dict repr": (
        "resp = {'error_code': 'AIS.0026', 'error_msg': 'Incorrect token type.'}",
        "AIS.0026",
    ),
    "smart quotes": (
        "{\u201cerror_code\u201d: \u201cAIS.0021\u201d, \u201cerror_msg\u201d: \u201cnope\u201d}",
        "AIS.0021",
    ),
    "slack escaped": ("{&quot;error_code&quot;:&quot;AIS.0014&quot;} &lt;- from prod", "AIS.0014"),
    "fenced pretty json": ('look:\n```\n{\n    "error_code": "ModelArts.4702"\n}\n```', "ModelArts.4702"),
    "chinese around": ("客户说一直报错 {'error_code': 'AIS.0501'} 怎么办", "AIS.0501"),
    "sentence": ("is anyone else seeing APIG.0101 on the gateway today?", "APIG.0101"),
    "truncated": ('{"error_code": "ModelArts.4704", "error_msg": "Failed to ob', "ModelArts.4704"),
    "python sdk raw body": (
        "ClientRequestException - {status_code:400,request_id:77aa,error_code:400,"
        'error_msg:{"error_code":"AIS.0030","error_msg":"Job not found"},'
        "encoded_authorization_message:None }",
        "AIS.0030",
    ),
    "java sdk older to-string": (
        "ServiceResponseException{httpStatusCode=400, errorCode='AIS.0028', "
        "errorMsg='The job is not owned by the current user.', requestId='abc123def456'}",
        "AIS.0028",
    ),
    "go struct printed with %+v": (
        "&{StatusCode:400 RequestId:0a1b2c3d4e ErrorCode:ModelArts.4106 "
        "ErrorMessage:The account is restricted. EncodedAuthorizationMessage:}",
        "ModelArts.4106",
    ),
    "slack italics": ("prod is down with _AIS.0031_ again", "AIS.0031"),
    "code glued to chinese": ("错误码AIS.0024请看一下", "AIS.0024"),
    "java caused-by, message only": (
        "Caused by: com.huaweicloud.sdk.core.exception.ServerResponseException: An internal error occurs.",
        "AIS.0405",
    ),
    "lombok to-string": (
        "SdkErrorMessage(errorCode=AIS.0027, errorMsg=The account has been frozen., requestId=0a1b2c3d4e5f)",
        "AIS.0027",
    ),
    "kubernetes json log with an escaped body": (
        '{"log":"ERROR call failed {\\"error_code\\":\\"ModelArts.4203\\",'
        '\\"error_msg\\":\\"No access permission.\\"}\\n","stream":"stderr"}',
        "ModelArts.4203",
    ),
    ".net stack trace, message only": (
        "HuaweiCloud.SDK.Core.ClientRequestException: The monthly free calls have been used up.\n"
        "   at HuaweiCloud.SDK.Core.DefaultHttpClient.InitHttpRequest()",
        "AIS.0032",
    ),
    "java stack trace, message only": (
        "com.huaweicloud.sdk.core.exception.ClientRequestException: The account has been frozen.\n"
        "\tat com.huaweicloud.sdk.core.exception.ServiceResponseException.mapException(SRE.java:92)",
        "AIS.0027",
    ),
    "logback line, message only": (
        "2025-03-14 03:12:44.123 ERROR 1 --- [exec-1] c.e.ModerationService : The token is empty.",
        "ModelArts.4101",
    ),
}


@pytest.mark.parametrize("name", sorted(PASTES))
def test_paste_formats_give_the_code_confidently(matcher: Matcher, name: str) -> None:
    text, code = PASTES[name]
    assert confident(matcher.match(text, "paste")) == [code]


def test_request_id_and_status_travel_with_the_finding(matcher: Matcher) -> None:
    (f,) = matcher.match(PASTES["curl -v"][0])
    assert (f.request_id, f.status, f.message) == ("9f8e7d6c5b4a3928", 400, "The URL is invalid.")
    assert f.entry is not None and f.entry.code == "AIS.0022" and f.how == HOW_CODE and f.known


def test_a_message_only_finding_says_how_it_was_found(matcher: Matcher) -> None:
    (f,) = matcher.match(PASTES["java stack trace, message only"][0])
    assert f.how == HOW_MESSAGE and f.confident and f.code == "AIS.0027"


def test_known_code_wins_over_a_message_of_another_code(matcher: Matcher) -> None:
    findings = matcher.match('{"error_code": "AIS.0004", "error_msg": "The image file has been damaged."}')
    assert confident(findings) == ["AIS.0004"]
    assert len(findings) == 1


def test_api_gateway_wire_prefix_names_the_documented_code(matcher: Matcher) -> None:
    findings = matcher.match('{"error_code":"APIGW.0308","error_msg":"too fast"}')
    assert confident(findings) == ["APIG.0308"]


def test_unknown_code_is_a_gap_with_did_you_mean_never_a_substitute(matcher: Matcher) -> None:
    (f,) = matcher.match('{"error_code": "AIS.0503", "error_msg": "The image is damaged."}')
    assert (f.code, f.known, f.confident, f.entry) == ("AIS.0503", False, False, None)
    assert f.score < 0.8
    assert "AIS.0403" in [c.code for c in f.candidates[:3]]


def test_unknown_service_prefix_in_running_text_is_reported_as_unknown(matcher: Matcher) -> None:
    (f,) = matcher.match("customer gets IAM.0005 when logging in")
    assert (f.code, f.known, f.confident, f.service) == ("IAM.0005", False, False, None)


def test_an_unknown_code_belongs_to_the_service_that_alone_has_its_prefix(matcher: Matcher) -> None:
    (f,) = matcher.match('{"error_code": "AIS.0006"}')
    assert (f.known, f.service) == (False, "content-moderation")


def test_paste_does_not_forgive_a_code_the_service_did_not_write(matcher: Matcher) -> None:
    (f,) = matcher.match('{"error_code": "AIS.00027"}')
    assert not f.confident and not f.known


def test_a_code_cut_off_by_the_end_of_the_paste_is_completed_by_its_message(matcher: Matcher) -> None:
    text = '{"error_msg": "The API does not exist or has not been published.", "error_code": "APIG.01'
    assert confident(matcher.match(text)) == ["APIG.0101"]


def test_a_code_cut_off_alone_offers_the_codes_it_begins_and_is_no_knowledge_gap(matcher: Matcher) -> None:
    (f,) = matcher.match('{"error_code": "ModelArts.460')
    assert f.known and not f.confident
    assert [c.code for c in f.candidates] == ["ModelArts.4601", "ModelArts.4603"]


def test_a_message_cut_off_mid_word_still_names_its_entry(matcher: Matcher) -> None:
    assert confident(matcher.match('{"error_msg": "The account has been fro')) == ["AIS.0027"]
    (f,) = matcher.match('{"error_msg": "The file stored in OBS is')
    assert not f.confident and {c.code for c in f.candidates} == {"AIS.0023", "AIS.0025"}


def test_one_finding_per_code_in_order_of_first_appearance(matcher: Matcher) -> None:
    text = (
        "first ModelArts.4103 then AIS.0010, again ModelArts.4103\n"
        "ClientRequestException: The monthly free calls have been used up."
    )
    assert [f.code for f in matcher.match(text)] == ["ModelArts.4103", "AIS.0010", "AIS.0032"]


@pytest.mark.parametrize(
    "text",
    [
        "ticket 9194 is closed",
        "AIS team standup at 9:30",
        "deploying build 3086 to staging now",
        "we are on sdk version 3.1.17",
        "can someone review AIS-4693?",
        "OPS-2982 is blocked by OPS-3680",
        "server 10.0.171.253 rebooted",
        "latency p99 is 613 ms, p50 135 ms",
        "error rate dropped to 0.0326% after the fix",
        "v2.0363 is out",
        "status code 400 again on the moderation endpoint?",
        "HTTP 502 from the gateway for a minute",
        "the job id is 51febbb647d2789eae0ff40dc59c6c07",
        "meeting moved to 10.30 tomorrow",
        "<@U09162> can you look at the ModelArts notebook quota?",
        "the upload failed with invalid token, retrying",
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='x.example.com', port=443): "
        "Read timed out.",
        "ServerResponseException - {status_code:502,request_id:a1b2c3d4,error_code:502,"
        "error_msg:<html><body>502 Bad Gateway</body></html>,encoded_authorization_message:None }",
    ],
)
def test_paste_stays_silent_on_chatter(matcher: Matcher, text: str) -> None:
    assert matcher.match(text, "paste") == []


# -- lookups ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ais 27", "AIS.0027"),
        ("AIS0027", "AIS.0027"),
        ("AIS.027", "AIS.0027"),
        ("AlS.0027", "AIS.0027"),
        ("A1S 0011", "AIS.0011"),
        ("modelart.4101", "ModelArts.4101"),
        ("Model Arts 4202", "ModelArts.4202"),
        ("ModleArts-4104", "ModelArts.4104"),
        ("modelarts_0203", "ModelArts.0203"),
        ("apigw 308", "APIG.0308"),
        ("`AIS.00404`", "AIS.0404"),
        ("what does ModelArts.4706 mean?", "ModelArts.4706"),
        ("AIS:0027", "AIS.0027"),
        ("error ais 27 in prod", "AIS.0027"),
        ("Model Arts 4202 again", "ModelArts.4202"),
        ("ais27 pls", "AIS.0027"),
        ("code AIS 27", "AIS.0027"),
    ],
)
def test_lookup_forgives_how_people_type_codes(matcher: Matcher, typed: str, code: str) -> None:
    (f,) = matcher.match(typed, "lookup")
    assert (f.code, f.confident, f.known) == (code, True, True)
    assert f.score >= 0.8


def test_lookup_of_a_forgiven_code_says_it_was_fuzzy(matcher: Matcher) -> None:
    assert matcher.match("ais 27", "lookup")[0].how == HOW_FUZZY_CODE
    assert matcher.match("AIS.0027", "lookup")[0].how == HOW_CODE


@pytest.mark.parametrize("typed", ["AIS.0006", "AIS 6", "ModelArts.9876", "APIG.0999"])
def test_lookup_of_an_unknown_number_offers_neighbours(matcher: Matcher, typed: str) -> None:
    (f,) = matcher.match(typed, "lookup")
    assert not f.known and not f.confident
    prefix = f.code.split(".")[0]
    assert f.candidates and all(c.code.startswith(prefix) for c in f.candidates)


@pytest.mark.parametrize(
    ("typed", "code"),
    [("CCE.01400001", "CCE.01400001"), ("DEV.CH.10001", "DEV.CH.10001"), ("iam_0002", "IAM.0002")],
)
def test_lookup_of_a_service_we_do_not_hold_is_unknown(matcher: Matcher, typed: str, code: str) -> None:
    (f,) = matcher.match(typed, "lookup")
    assert (f.code, f.known, f.confident) == (code, False, False)


def test_unknown_code_under_the_wire_prefix_is_reported_as_written(matcher: Matcher) -> None:
    (f,) = matcher.match('{"error_code": "APIGW.0999", "error_msg": "The gateway is on fire."}')
    assert (f.code, f.known, f.confident) == ("APIGW.0999", False, False)
    assert f.candidates and all(c.code.startswith("APIG.") for c in f.candidates)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("token is empty", "ModelArts.4101"),
        ("INVALID TOKEN.", "ModelArts.0203"),
        ("the request is unauthorized", "AIS.0004"),
        ("An internal error occurs", "AIS.0405"),
    ],
)
def test_lookup_of_an_exact_message_is_confident(matcher: Matcher, typed: str, code: str) -> None:
    assert confident(matcher.match(typed, "lookup")) == [code]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("acount frozen", "AIS.0027"),
        ("picture format unsupported", "AIS.0402"),
        ("too many jobs not finished", "AIS.0031"),
        ("body too large", "AIS.0020"),
        ("obs agency query failed", "ModelArts.4702"),
        ("temporary ak sk", "ModelArts.4107"),
    ],
)
def test_lookup_by_keywords_offers_the_entry_among_the_first_three(
    matcher: Matcher, typed: str, code: str
) -> None:
    findings = matcher.match(typed, "lookup")
    assert len(findings) == 1
    f = findings[0]
    assert f.how in (HOW_KEYWORDS, HOW_MESSAGE)
    assert code in [c.code for c in f.candidates[:3]]
    assert not f.confident or f.code == code


def test_lookup_of_a_bare_number_offers_the_codes_with_it_but_is_not_sure(matcher: Matcher) -> None:
    (f,) = matcher.match("4101", "lookup")
    assert not f.confident and [c.code for c in f.candidates] == ["ModelArts.4101"]
    assert matcher.match("4101", "paste") == []


@pytest.mark.parametrize("typed", ["we got 400 from ais", "top 10 errors", "build 2025 failed"])
def test_lookup_does_not_make_codes_of_numbers_in_words(matcher: Matcher, typed: str) -> None:
    assert not [f for f in matcher.match(typed, "lookup") if f.how in (HOW_CODE, HOW_FUZZY_CODE)]


def test_lookup_of_nonsense_finds_nothing(matcher: Matcher) -> None:
    assert matcher.match("lunch?", "lookup") == []
    assert matcher.match("   ", "lookup") == []


# -- variants and services --------------------------------------------------------------------


def entry(code: str, variant: int, status: int, message: str, service: str = "api-gateway") -> EntryData:
    return EntryData(service, code, variant, status, message, message, "Check the request.")


@pytest.fixture(scope="module")
def gateway() -> Matcher:
    return Matcher(
        [
            entry("APIG.0201", 0, 413, "Request entity too large."),
            entry("APIG.0201", 1, 400, "Bad request."),
            entry("APIG.0201", 2, 502, "Backend unavailable."),
            entry("APIG.0201", 3, 400, "The request body is oversized."),
            entry("AIS.0005", 0, 400, "The service does not exist.", "content-moderation"),
            entry("AIS.0005", 0, 400, "The image service does not exist.", "image-recognition"),
        ]
    )


def test_variant_is_chosen_by_message(gateway: Matcher) -> None:
    (f,) = gateway.match('{"error_code":"APIG.0201","error_msg":"Backend unavailable"}')
    assert f.entry is not None and (f.entry.variant, f.entry.status) == (2, 502)


def test_variant_is_chosen_by_status_when_there_is_no_message(gateway: Matcher) -> None:
    (f,) = gateway.match('HTTP/1.1 413 Payload Too Large\n\n{"error_code":"APIG.0201"}')
    assert f.entry is not None and f.entry.variant == 0


def test_service_named_in_the_text_breaks_a_tie(gateway: Matcher) -> None:
    (f,) = gateway.match("image-recognition call returned AIS.0005")
    assert (f.code, f.service, f.confident) == ("AIS.0005", "image-recognition", True)


def test_a_message_two_services_share_is_not_confident() -> None:
    m = Matcher(
        [
            entry("SVC.0001", 0, 400, "The quota has been used up for today."),
            entry("OTH.0001", 0, 400, "The quota has been used up for today.", "other"),
        ]
    )
    (f,) = m.match("ERROR c.e.App - The quota has been used up for today.")
    assert not f.confident and {c.code for c in f.candidates} == {"SVC.0001", "OTH.0001"}


def test_a_message_with_a_placeholder_matches_whatever_fills_it() -> None:
    m = Matcher([entry("ModelArts.0116", 0, 400, "The expected {0} exceeds the quota limit.", "modelarts")])
    assert confident(m.match("WARN Job rejected: The expected GPU count exceeds the quota limit.")) == [
        "ModelArts.0116"
    ]


def test_the_title_of_a_title_and_detail_message_names_the_entry(matcher: Matcher) -> None:
    # APIG.0301's cell lists causes ("1. Incorrect IAM authentication information: Failed to
    # decrypt the token. ..."); the gateway returns the title with other details.
    text = "2025-03-14 ERROR c.e.App - Incorrect IAM authentication information: verify aksk signature fail"
    assert confident(matcher.match(text)) == ["APIG.0301"]


def test_a_message_in_running_text_counts_only_where_its_clause_ends(matcher: Matcher) -> None:
    assert confident(matcher.match("I think the request body is oversized, we send 20MB images")) == [
        "APIG.0201"
    ]
    assert matcher.match("the token is invalid for this project, says the customer") == []


def test_a_short_template_with_a_placeholder_is_never_enough_on_its_own() -> None:
    m = Matcher([entry("ModelArts.9001", 0, 400, "Request API error. %s", "modelarts")])
    assert m.match("ERROR - Request API error. timeout") == []
    assert not confident(m.match("Request API error. timeout", "lookup"))


def test_an_empty_knowledge_base_reports_codes_as_unknown() -> None:
    (f,) = Matcher([]).match('{"error_code": "AIS.0027"}')
    assert (f.code, f.known, f.confident, f.candidates) == ("AIS.0027", False, False, ())


def test_concurrent_reads_give_the_same_answers(matcher: Matcher) -> None:
    texts = [text for text, _ in PASTES.values()]
    expected = [matcher.match(t) for t in texts]
    results: list[list[list[Finding]]] = []

    def work() -> None:
        results.append([matcher.match(t) for t in texts])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


@pytest.mark.parametrize(
    ("text", "variant", "status"),
    [
        ('{"error_code":"APIGW.0201","error_msg":"Request entity too large"}', 1, 413),
        ('HTTP/1.1 502 Bad Gateway\n\n{"error_code":"APIG.0201","error_msg":"Backend unavailable"}', 4, 502),
        ('HTTP/1.1 504 Gateway Timeout\n\n{"error_code":"APIGW.0201"}', 5, 504),
    ],
)
def test_real_api_gateway_page_variants_are_chosen_by_message_and_status(
    shared_dir: Path, text: str, variant: int, status: int
) -> None:
    from knowledge.importer.formats import parse_page

    name = "api-gateway-error-codes.html"
    page = parse_page((shared_dir / "seeds" / "otc" / name).read_text(), name)
    m = Matcher(bundled_entries() + entries_from_rows(page.rows, "api-gateway"))
    (f,) = m.match(text)
    assert f.confident and f.code == "APIG.0201"
    assert f.entry is not None and (f.entry.service, f.entry.variant, f.entry.status) == (
        "api-gateway",
        variant,
        status,
    )
