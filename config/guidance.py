"""Guidance pages for providers' developers: the Markdown files of `docs/guidance/`, rendered as HTML.

Every `*.md` file there is a page, its slug the file name. A page is ordered by its `Order:` header line
(Markdown meta data; pages without one come last, by title), and titled by its first `# ` heading.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

import markdown
from django.conf import settings
from django.http import HttpResponseNotFound
from django.shortcuts import render
from django.utils.safestring import mark_safe

GUIDANCE_DIR = Path(settings.BASE_DIR) / "docs" / "guidance"
EXTENSIONS = ["meta", "fenced_code", "tables", "toc", "sane_lists"]


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str
    order: int
    html: str


@functools.lru_cache(maxsize=64)
def _render(path: Path, modified: float) -> Page:
    converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs={"toc": {"permalink": False}})
    html = converter.convert(path.read_text(encoding="utf-8"))
    meta = converter.Meta  # lower-cased keys, list of lines each
    source = path.read_text(encoding="utf-8").splitlines()
    title = next((line[2:].strip() for line in source if line.startswith("# ")), path.stem.replace("-", " "))
    order = int(meta.get("order", ["1000"])[0])
    summary = " ".join(meta.get("summary", [""])).strip()
    return Page(slug=path.stem, title=title, summary=summary, order=order, html=html)


def pages() -> list[Page]:
    found = [_render(path, path.stat().st_mtime) for path in GUIDANCE_DIR.glob("*.md")]
    return sorted(found, key=lambda page: (page.order, page.title))


def index(request):
    return render(request, "guidance/index.html", {"pages": pages()})


def page(request, slug):
    all_pages = pages()
    for position, found in enumerate(all_pages):
        if found.slug == slug:
            return render(
                request,
                "guidance/page.html",
                {
                    "page": found,
                    "body": mark_safe(found.html),  # our own Markdown files, from the repository
                    "pages": all_pages,
                    "previous": all_pages[position - 1] if position > 0 else None,
                    "next": all_pages[position + 1] if position + 1 < len(all_pages) else None,
                },
            )
    # A plain 404 (the API's error middleware answers it as its JSON 404, like any unknown /api/ path).
    return HttpResponseNotFound()
