"""Static files under ASGI: WhiteNoise answers with a synchronous file iterator, which Django's ASGI handler
must consume in a thread (and warns about). Our static files are small (CSS, htmx, a little JS), so the
body is read once and sent as an ordinary response; WhiteNoise still supplies caching headers, compression
negotiation and 304s."""

from __future__ import annotations

from django.http import HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    @staticmethod
    def serve(static_file, request):
        response = WhiteNoiseMiddleware.serve(static_file, request)
        if not response.streaming:
            return response
        try:
            body = b"".join(response.streaming_content)
        finally:
            response.close()
        plain = HttpResponse(body, status=response.status_code)
        for header, value in response.items():
            plain[header] = value
        return plain
