"""The extractor reads code, message, status and request id out of every wrapper an error comes in.

Each text below is written the way the tool in question prints it (SDK sources, curl, Terraform,
KooCLI, loggers), not copied from the evaluation set.
"""

from __future__ import annotations

import pytest

from knowledge.matching.clean import clean
from knowledge.matching.extract import extract
from knowledge.matching.scan import FIELD, MESSAGE, TOKEN, URL, Mention


def only(text: str) -> Mention:
    found = [m for m in extract(text) if m.code is not None]
    assert len(found) == 1, found
    return found[0]


def test_python_sdk_str_keeps_a_message_with_commas_and_colons() -> None:
    text = (
        "ClientRequestException - {status_code:403,request_id:5c1f0a9b8e7d6c5b4a39281706f5e4d3,"
        "error_code:APIGW.0301,error_msg:Incorrect IAM authentication information: decrypt token fail, "
        "token expired,encoded_authorization_message:None }"
    )
    m = only(text)
    assert m.code == "APIGW.0301"
    assert m.message == "Incorrect IAM authentication information: decrypt token fail, token expired"
    assert m.status == 403
    assert m.request_id == "5c1f0a9b8e7d6c5b4a39281706f5e4d3"
    assert m.kind == FIELD


def test_python_sdk_raw_body_in_error_msg_gives_the_inner_code_and_the_status() -> None:
    # The SDK could not parse the body: error_code holds the HTTP status, error_msg the body.
    text = (
        "ServerResponseException - {status_code:500,request_id:77aa,error_code:500,"
        'error_msg:{"error_code":"ModelArts.0203","error_msg":"Invalid token."} }'
    )
    m = only(text)
    assert (m.code, m.message, m.status) == ("ModelArts.0203", "Invalid token.", 500)


def test_go_sdk_error_message_key_and_escaped_body_inside_it() -> None:
    text = (
        '{"status_code":401,"request_id":"0f9e8d7c6b5a","error_code":"",'
        '"error_message":"{\\"error\\":{\\"code\\":\\"APIGW.0101\\",'
        '\\"message\\":\\"The API does not exist\\"}}",'
        '"encoded_authorization_message":""}'
    )
    m = only(text)
    assert (m.code, m.message, m.status, m.request_id) == (
        "APIGW.0101",
        "The API does not exist",
        401,
        "0f9e8d7c6b5a",
    )


def test_java_sdk_to_string_block() -> None:
    text = (
        "ClientRequestException {\n"
        "    httpStatusCode: 404\n"
        "    errorCode: ModelArts.4706\n"
        "    errorMsg: The OBS file does not exist.\n"
        "    requestId: 1b2c3d4e5f60\n"
        "}"
    )
    m = only(text)
    assert (m.code, m.message, m.status, m.request_id) == (
        "ModelArts.4706",
        "The OBS file does not exist.",
        404,
        "1b2c3d4e5f60",
    )


def test_node_sdk_object_literal_with_single_quotes() -> None:
    text = (
        "ClientRequestException: Failed to parse the token.\n"
        "    at ExceptionUtil.generalException (/srv/node_modules/@huaweicloud/core/EU.js:31:20) {\n"
        "  httpStatusCode: 400,\n"
        "  errorMsg: 'Failed to parse the token.',\n"
        "  errorCode: 'ModelArts.4102',\n"
        "  requestId: '9a8b7c6d5e4f'\n"
        "}"
    )
    m = only(text)
    assert (m.code, m.message, m.status, m.request_id) == (
        "ModelArts.4102",
        "Failed to parse the token.",
        400,
        "9a8b7c6d5e4f",
    )


def test_nested_error_object_and_camel_case_keys() -> None:
    assert only('{"error": {"code": "APIG.0308", "message": "Too fast"}}').message == "Too fast"
    m = only('{"errorCode":"AIS.0013","errorMessage":"Method not allowed","requestId":"abc123def456"}')
    assert (m.code, m.message, m.request_id) == ("AIS.0013", "Method not allowed", "abc123def456")


def test_python_dict_repr_with_double_quoted_message_holding_an_apostrophe() -> None:
    m = only("{'error_code': 'AIS.0030', 'error_msg': \"Job can't be found\", 'status': 400}")
    assert (m.code, m.message, m.status) == ("AIS.0030", "Job can't be found", 400)


def test_curl_headers_give_status_and_request_id_to_the_body_below() -> None:
    text = (
        "HTTP/2 429\n"
        "x-request-id: 6e5d4c3b2a1f0e9d\n"
        "content-type: application/json\n"
        "\n"
        '{"error_code":"APIGW.0308","error_msg":"The request is throttled."}'
    )
    m = only(text)
    assert (m.code, m.status, m.request_id) == ("APIGW.0308", 429, "6e5d4c3b2a1f0e9d")


def test_terraform_frame_characters_do_not_hide_the_body() -> None:
    text = (
        "\u2577\n"
        "\u2502 Error: error creating job: Bad request with: [POST https://ais.example.com/v2/jobs], "
        'error message: {"error_code":"AIS.0031","error_msg":"Too many jobs"}\n'
        "\u2502 \n"
        "\u2575"
    )
    m = only(text)
    assert (m.code, m.message) == ("AIS.0031", "Too many jobs")


def test_koocli_error_centre_link_keyword_is_a_code() -> None:
    m = only("see https://console.example.com/apiexplorer/#/errorcenter/ECS?keyword=Ecs.0114&lang=en")
    assert (m.code, m.kind) == ("Ecs.0114", URL)


def test_slack_link_markup_keeps_the_url_and_entities_are_decoded() -> None:
    text = "<https://console.example.com/errorcenter?keyword=IAM.0005|IAM.0005 details> &amp; more"
    assert clean(text) == "https://console.example.com/errorcenter?keyword=IAM.0005 IAM.0005 details & more"
    assert [m.code for m in extract(text)] == ["IAM.0005", "IAM.0005"]
    m = only("{&quot;error_code&quot;:&quot;AIS.0022&quot;}")
    assert m.code == "AIS.0022"


def test_smart_quotes_and_full_width_punctuation_from_chinese_input() -> None:
    m = only(
        "\u201cerror_code\u201d\uff1a\u201cAIS.0029\u201d\uff0c"
        "\u201cerror_msg\u201d\uff1a\u201cdownload failed\u201d"
    )
    assert (m.code, m.message) == ("AIS.0029", "download failed")
    m = only("接口报错了，错误码：ModelArts.4601，错误信息：外部URL无效")
    assert (m.code, m.message) == ("ModelArts.4601", "外部URL无效")


def test_log_line_key_equals_value() -> None:
    text = 'level=error msg="call failed" error_code=AIS.0404 request_id=req-7c6b5a49 status=502'
    m = only(text)
    assert (m.code, m.status, m.request_id) == ("AIS.0404", 502, "req-7c6b5a49")


def test_code_in_running_text_with_its_message_in_parentheses() -> None:
    m = only("prod is throwing ModelArts.4203 (No access permission.) since the deploy")
    assert (m.code, m.message, m.kind) == ("ModelArts.4203", "No access permission.", TOKEN)
    assert m.strong


def test_truncated_json_still_yields_the_code() -> None:
    assert (
        only('{"error_msg": "The file stored in OBS is empty.", "error_code": "AIS.0025", "requ').code
        == "AIS.0025"
    )
    assert only('{"error_code": "AIS.0025", "error_msg": "The file sto').message == "The file sto"


def test_two_errors_each_keep_their_own_message() -> None:
    text = (
        '{"error_code":"AIS.0002","error_msg":"first"}\nthen {"error_msg":"second","error_code":"AIS.0003"}'
    )
    assert [(m.code, m.message) for m in extract(text)] == [("AIS.0002", "first"), ("AIS.0003", "second")]


def test_a_message_field_without_a_code_is_a_message_mention() -> None:
    found = extract('{"message": "The token is empty.", "details": []}')
    assert [(m.code, m.message, m.kind) for m in found] == [(None, "The token is empty.", MESSAGE)]


@pytest.mark.parametrize(
    "text",
    [
        "we are on sdk version 3.1.17",
        "v2.0363 released",
        "python3.11 and node 18.04",
        "can someone review AIS-4693?",
        "OPS-2982 is blocked by MA-1436",
        "server 10.0.171.253 rebooted at 10:30:45",
        "error rate 0.0326% after the fix",
        "HTTP 502 from the gateway",
        "PR #2191 merged",
        "build 2025.0314 is out",
        "see lib/python3.11/site-packages/huaweicloudsdkcore/client.py, line 452",
    ],
)
def test_chatter_carries_no_code(text: str) -> None:
    assert [m for m in extract(text) if m.code is not None and m.strong] == []


def test_lowercase_dotted_words_are_weak_tokens() -> None:
    (m,) = extract("open file.1234 now")
    assert m.code == "file.1234" and not m.strong


def test_numeric_error_code_is_a_status_not_a_code() -> None:
    found = extract("error_code: 502, error_msg: Bad Gateway")
    assert [(m.code, m.message, m.kind) for m in found] == [(None, "Bad Gateway", MESSAGE)]


def test_xml_error_body() -> None:
    text = (
        "<Error><Code>AIS.0027</Code><Message>The account has been frozen.</Message>"
        "<RequestId>0a1b2c3d4e</RequestId></Error>"
    )
    m = only(text)
    assert (m.code, m.message, m.request_id, m.kind) == (
        "AIS.0027",
        "The account has been frozen.",
        "0a1b2c3d4e",
        FIELD,
    )


def test_python_sdk_message_may_hold_words_that_look_like_keys() -> None:
    text = (
        "ClientRequestException - {status_code:400,request_id:ab12cd34ef,error_code:AIS.0011,"
        "error_msg:Invalid parameter, status: 3, code: x,encoded_authorization_message:None }"
    )
    m = only(text)
    assert (m.code, m.message, m.status) == ("AIS.0011", "Invalid parameter, status: 3, code: x", 400)


def test_terraform_wraps_long_lines_inside_the_body() -> None:
    text = (
        "\u2502 Error: error creating job: Bad request with: [POST\n"
        '\u2502 https://x.example.com/v3/p/jobs], error message: {"error_code":"AIS.0005","error_msg":"The\n'
        '\u2502 service does not exist."}\n'
    )
    m = only(text)
    assert (m.code, m.message) == ("AIS.0005", "The service does not exist.")
