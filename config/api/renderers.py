from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer


class JsonApiRenderer(JSONRenderer):
    """JSON with the media type `application/vnd.api+json` and no charset."""

    media_type = "application/vnd.api+json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return super().render(data, accepted_media_type, renderer_context)


class FirstRendererNegotiation(BaseContentNegotiation):
    """Clients' `Accept` headers vary; the contract answers JSON:API media whatever they ask for.

    A `.csv` format suffix (v1/v2) still selects the CSV renderer.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        if format_suffix:
            for renderer in renderers:
                if renderer.format == format_suffix:
                    return renderer, renderer.media_type
        renderer = renderers[0]
        return renderer, renderer.media_type
