"""The fake provider endpoints, on the providers' own paths under /simulator/: Graph API
(WhatsApp, Messenger), Instagram Graph API, Viber REST Bot API, and the file URLs.

Sync views that only touch the database: they never call our own server (see `emission`).
"""

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from simulator import provider_api
from simulator.answers import Answer, graph_error
from simulator.models import SimulatorMedia
from simulator.provider_api import GRAPH_SURFACE, INSTAGRAM_SURFACE, ApiCall

# Never recorded: the credentials a call presents.
SECRET_HEADERS = {"authorization", "x-viber-auth-token", "cookie", "x-csrftoken"}


@csrf_exempt
@require_POST
def graph_messages(request: HttpRequest, version: str, node_id: str) -> JsonResponse:
    call = _api_call(request, _json(request), _bearer(request))
    answer = provider_api.graph_message_send(call=call, surface=GRAPH_SURFACE, node_id=node_id)
    return _respond(answer)


@csrf_exempt
@require_POST
def instagram_messages(request: HttpRequest, version: str, node_id: str) -> JsonResponse:
    call = _api_call(request, _json(request), _bearer(request))
    answer = provider_api.graph_message_send(call=call, surface=INSTAGRAM_SURFACE, node_id=node_id)
    return _respond(answer)


@csrf_exempt
@require_POST
def graph_media_upload(request: HttpRequest, version: str, node_id: str) -> JsonResponse:
    upload = request.FILES.get("file")
    body = request.POST.dict()
    if upload is not None:
        body["file"] = {
            "name": upload.name,
            "content_type": upload.content_type,
            "size": upload.size,
        }
    call = _api_call(request, body, _bearer(request))
    return _respond(provider_api.whatsapp_media_upload(call=call, node_id=node_id, upload=upload))


@require_GET
def graph_node(request: HttpRequest, version: str, node_id: str) -> JsonResponse:
    """`GET /{id}`: a Messenger customer's profile when `fields` are asked for, else WhatsApp's
    media info."""
    call = _api_call(request, {}, _bearer(request))
    if fields := request.GET.get("fields"):
        answer = provider_api.graph_profile(
            call=call, surface=GRAPH_SURFACE, user_id=node_id, fields=fields
        )
        return _respond(answer)
    return _respond(provider_api.whatsapp_media_info(call=call, media_id=node_id))


@require_GET
def instagram_profile(request: HttpRequest, version: str, node_id: str) -> JsonResponse:
    """`GET /{IGSID}?fields=…`: an Instagram customer's profile."""
    call = _api_call(request, {}, _bearer(request))
    fields = request.GET.get("fields", "id")
    answer = provider_api.graph_profile(
        call=call, surface=INSTAGRAM_SURFACE, user_id=node_id, fields=fields
    )
    return _respond(answer)


@csrf_exempt
@require_POST
def viber_send_message(request: HttpRequest) -> JsonResponse:
    token = request.headers.get("X-Viber-Auth-Token", "")
    call = _api_call(request, _json(request), token)
    return _respond(provider_api.viber_send_message(call=call))


@require_GET
def lookaside(request: HttpRequest, media_id: str) -> HttpResponse:
    """WhatsApp's download URL: the bytes, for the token of the account that owns them."""
    media = provider_api.whatsapp_media(media_id)
    if media is None:
        raise Http404("no such media")
    if _bearer(request) != media.channel_account.access_token:
        return _respond(graph_error("whatsapp", 190))
    return _file(media)


@require_GET
def cdn(request: HttpRequest, media_id: str) -> HttpResponse:
    """A public file URL, as Messenger's, Instagram's and Viber's CDNs serve attachments."""
    return _file(get_object_or_404(SimulatorMedia, media_id=media_id))


def _file(media: SimulatorMedia) -> HttpResponse:
    return HttpResponse(bytes(media.content), content_type=media.content_type)


def _api_call(request: HttpRequest, body: dict | None, token: str) -> ApiCall:
    headers = {
        name: value for name, value in request.headers.items() if name.lower() not in SECRET_HEADERS
    }
    return ApiCall(
        method=request.method, path=request.path, headers=headers, body=body, token=token
    )


def _bearer(request: HttpRequest) -> str:
    """Graph API tokens come as `Authorization: Bearer …` or `?access_token=…`."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    return request.GET.get("access_token", "")


def _json(request: HttpRequest) -> dict | None:
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _respond(answer: Answer) -> JsonResponse:
    return JsonResponse(answer.body, status=answer.status)
