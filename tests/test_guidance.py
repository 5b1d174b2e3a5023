"""The guidance pages at /api/guidance: every Markdown file of docs/guidance is a page that loads, is linked from
the index, the API reference and the README, and whose `curl -g` examples really work.

Each page's examples run in order, as a reader would type them, against a small sandbox world (a provider with
its token, a participant, delivery partners, a school and a statement): every `curl` is translated to the
Django test client and must answer 2xx, or the status its `# answers NNN` comment announces. Ids a reader
would take from an earlier answer (a new declaration's or partnership's) are taken from it the same way.
"""

import datetime as dt
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from config.guidance import GUIDANCE_DIR, pages
from tests.factories.declarations import output_statement
from tests.factories.participants import enrol
from tests.factories.partnerships import (
    DeliveryPartnerFactory,
    LeadProviderFactory,
    LeadProviderTokenFactory,
    ProviderRelationshipFactory,
    SchoolFactory,
    cohort,
)
from tests.served_schema import served, validate_response

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
API = "http://testserver"
SLUGS = sorted(path.stem for path in GUIDANCE_DIR.glob("*.md"))
CODE_BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED = re.compile(r"^#\s*answers\s+(\d{3})\b")
VARIABLE = re.compile(r"\$\{?([A-Z_]+)\}?")


def curl_examples(markdown: str) -> list[tuple[str, int | None]]:
    """Every curl command of the page's shell blocks, with the status announced by a `# answers NNN` line."""
    examples = []
    for block in CODE_BLOCK.findall(markdown):
        expected = None
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            announced = EXPECTED.match(line)
            if announced:
                expected = int(announced.group(1))
            elif line.startswith("curl "):
                examples.append((line, expected))
                expected = None
    return examples


def parse_curl(command: str) -> dict:
    words = shlex.split(command)
    assert words[0] == "curl"
    request = {"method": None, "headers": {}, "body": None, "url": None, "globoff": False}
    position = 1
    while position < len(words):
        word = words[position]
        if word == "-g":
            request["globoff"] = True
        elif word == "-X":
            position += 1
            request["method"] = words[position]
        elif word == "-H":
            position += 1
            name, _, value = words[position].partition(":")
            request["headers"][name.strip()] = value.strip()
        elif word == "-d":
            position += 1
            request["body"] = words[position]
        elif word.startswith("-"):
            raise AssertionError(f"the test does not know the curl option {word} of: {command}")
        else:
            request["url"] = word
        position += 1
    request["method"] = request["method"] or ("POST" if request["body"] is not None else "GET")
    return request


def run(client: Client, command: str, variables: dict[str, str]):
    unknown = {name for name in VARIABLE.findall(command) if name not in variables}
    assert not unknown, f"{command} uses {unknown}, which the page never says how to get"
    expanded = VARIABLE.sub(lambda match: variables[match.group(1)], command)
    request = parse_curl(expanded)
    assert request["globoff"], f"query brackets need `curl -g`: {command}"
    url = urlsplit(request["url"])
    assert f"{url.scheme}://{url.netloc}" == API, f"every example starts with $API: {command}"
    headers = dict(request["headers"])
    content_type = headers.pop("Content-Type", "application/octet-stream")
    path = url.path + (f"?{url.query}" if url.query else "")
    response = client.generic(
        request["method"], path, data=request["body"] or "", content_type=content_type, headers=headers
    )
    validate_response(response)
    return request, response


@pytest.fixture
def sandbox():
    """A provider's small world, with what the pages' examples name."""
    provider = LeadProviderFactory(name="Guidance Provider")
    _, token = LeadProviderTokenFactory.issue(provider)
    cohort(2025)
    induction = enrol(lead_provider=provider, year=2025, schedule_identifier="ecf-standard-september")
    partners = [DeliveryPartnerFactory(), DeliveryPartnerFactory()]
    for partner in partners:
        ProviderRelationshipFactory(lead_provider=provider, delivery_partner=partner, cohort=cohort(2025))
    school = SchoolFactory()
    statement = output_statement(provider, 2025, deadline=dt.date(2025, 10, 31))
    return {
        "API": API,
        "TOKEN": token,
        "PARTICIPANT_ID": str(induction.training_record.participant_id),
        "SCHOOL_ID": str(school.pk),
        "SCHOOL_URN": school.urn,
        "DELIVERY_PARTNER_ID": str(partners[0].pk),
        "OTHER_DELIVERY_PARTNER_ID": str(partners[1].pk),
        "PARTNERSHIP_ID": str(induction.induction_programme.partnership_id),
        "STATEMENT_ID": str(statement.pk),
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_curl_examples_of_the_page_work_against_the_sandbox(slug, sandbox):
    markdown = (GUIDANCE_DIR / f"{slug}.md").read_text()
    examples = curl_examples(markdown)
    assert examples, f"{slug} has no curl example"
    commands = re.findall(r"^\s*curl ", markdown, re.MULTILINE)
    assert len(commands) == len(examples), f"{slug} has a curl outside a shell block"
    client = Client()
    for command, expected in examples:
        request, response = run(client, command, sandbox)
        if expected is None:
            assert 200 <= response.status_code < 300, (command, response.status_code, response.content[:500])
        else:
            assert response.status_code == expected, (command, response.status_code, response.content[:500])
        # Later examples use the ids of what earlier ones created, as a reader would.
        if request["method"] == "POST" and 200 <= response.status_code < 300:
            created = response.json()["data"]
            if created["type"] == "participant-declaration":
                sandbox["DECLARATION_ID"] = created["id"]
            elif created["type"] == "partnership":
                sandbox["PARTNERSHIP_ID"] = created["id"]


def test_curl_example_parsing():
    examples = curl_examples(
        '```sh\n# answers 422\ncurl -g -X PUT -H "A: b" -d \'{"x": 1}\' "$API/p"\ncurl -g "$API/q"\n```\n'
    )
    assert examples == [
        ('curl -g -X PUT -H "A: b" -d \'{"x": 1}\' "$API/p"', 422),
        ('curl -g "$API/q"', None),
    ]
    parsed = parse_curl(examples[0][0])
    assert parsed == {
        "method": "PUT",
        "headers": {"A": "b"},
        "body": '{"x": 1}',
        "url": "$API/p",
        "globoff": True,
    }
    with pytest.raises(AssertionError, match="option --data"):
        parse_curl('curl --data x "$API/p"')


def test_index_links_every_page_and_every_page_loads(client):
    index = client.get("/api/guidance")
    assert index.status_code == 200
    html = index.content.decode()
    found = pages()
    assert len(found) >= 6
    assert [page.slug for page in found] == [
        "getting-started",
        "syncing-participants",
        "syncing-with-cursors",
        "training-changes",
        "partnerships",
        "declarations",
        "statements",
        "errors-and-rate-limits",
        "versions",
        "release-notes",
    ]
    for page in found:
        assert f'href="/api/guidance/{page.slug}"' in html
        response = client.get(f"/api/guidance/{page.slug}")
        assert response.status_code == 200, page.slug
        body = response.content.decode()
        assert "<h1" in body and page.title in body
        assert "cdn" not in body.lower()
        assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", body), "no assets from elsewhere"


def test_pages_render_markdown_tables_code_and_the_declaration_state_diagram(client):
    body = client.get("/api/guidance/declarations").content.decode()
    assert "<table>" in body
    assert '<pre><code class="language-text">' in body
    assert "awaiting-clawback" in body and "clawed-back" in body
    assert "Order:" not in body  # the page's ordering header is not shown


def test_unknown_page_is_a_404(client):
    assert client.get("/api/guidance/no-such-page").status_code == 404


def test_guidance_is_linked_from_the_api_reference_and_the_readme(client):
    for version in ("v1", "v2", "v3"):
        assert "/api/guidance" in served(version)["info"]["description"]
    readme = (ROOT / "README.md").read_text()
    for slug in SLUGS:
        assert f"/api/guidance/{slug}" in readme, f"README does not link {slug}"


def test_guidance_is_not_rate_limited_or_authenticated(client, settings):
    settings.API_RATE_LIMIT = "2/5m"
    for _ in range(4):
        assert client.get("/api/guidance").status_code == 200
        assert client.get("/api/docs/v3/api_spec.yml").status_code == 200


def test_pages_keep_implementation_vocabulary_out():
    for path in GUIDANCE_DIR.glob("*.md"):
        text = path.read_text()
        assert not re.search(r"§|\bD\d{1,2}\b|get_queryset|selector|\bspec\b|ECF app/", text), path.name
