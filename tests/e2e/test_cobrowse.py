"""#14: co-browsing video rooms for real, in two Chromium windows with fake camera and
microphone: the agent opens a room from the chat, the customer enters it from its URL, and each
sees and hears the other over WebRTC (daphne relays the signaling); the controls stop and
restart what each side sends; the screen is shared by replacing the video track; leaving and
disconnecting close the connections and are in the chat's history.

Chromium cannot grant a real screen capture headless, so `getDisplayMedia` is a canvas stream
here (an init script): the track replacement and the negotiation it needs are still real."""

import re
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserType, Page, expect

from cobrowse.models import Room
from contactcenter.models import QueueWidget
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path
from tests.e2e.test_content_security_policy import WATCH_VIOLATIONS
from tests.e2e.workspace import chat, sign_in, tab
from tests.factories import (
    ChannelAccountFactory,
    CustomerActivityFactory,
    IdentityFactory,
    OnlineAgentFactory,
    ParticipantFactory,
    QueueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
SLOW = 20_000
# The shared "screen": a canvas of its own size (the fake camera's is 640x480), always moving.
CANVAS_SCREEN = """
navigator.mediaDevices.getDisplayMedia = async () => {
  const canvas = Object.assign(document.createElement("canvas"), { width: 1024, height: 576 });
  const context = canvas.getContext("2d");
  let frame = 0;
  setInterval(() => {
    frame += 1;
    context.fillStyle = `hsl(${(frame * 3) % 360} 55% 45%)`;
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = "#fff";
    context.font = "48px sans-serif";
    context.fillText(`Shared screen, frame ${frame}`, 60, 300);
  }, 50);
  return canvas.captureStream(20);
};
"""
# The call of the page (rtc.js keeps them in window.cobrowseCalls) and its one peer.
CALL = "[...window.cobrowseCalls].at(-1)"
PEER = f"[...{CALL}.peers.values()][0]"
# What a failed wait prints: each connection's negotiation so far and its transceivers.
TRANSCEIVERS = f"""[...{CALL}.peers.values()].map((peer) => [peer.log.join(" "),
    peer.pc.connectionState, peer.pc.signalingState, peer.negotiations, peer.polite,
    ...peer.pc.getTransceivers().map(
    (t) => [t.mid, t.receiver.track.kind, t.direction, t.currentDirection, t.receiver.track.muted,
            t.sender.track?.readyState])])"""


@pytest.fixture(scope="module")
def media_browser(browser_type: BrowserType) -> Iterator[Browser]:
    """Chromium as the suite launches it, plus a fake camera and microphone granted to every
    page (the suite's shared browser has neither)."""
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium")
    browser = browser_type.launch(executable_path=path, args=[*CHROMIUM_ARGS, *FAKE_MEDIA])
    yield browser
    browser.close()


@pytest.fixture
def jana():
    """Alice's open chat with Jana, who wrote an hour ago on WhatsApp, in a queue whose screen
    has the Co-browsing widget."""
    queue = QueueFactory(number=200, name="Support")
    QueueWidget.objects.create(queue=queue, kind="cobrowse", position=0)
    alice = OnlineAgentFactory(user__username="alice", display_name="Alice Novak", queue=queue)
    identity = IdentityFactory(
        channel_account=ChannelAccountFactory(name="Shop", queue=queue),
        provider_user_id="16505551234",
        display_name="Jana Dvořák",
        last_inbound_at=timezone.now() - timedelta(hours=1),
    )
    return CustomerActivityFactory(owner=alice, queue=queue, identity=identity, title="Jana")


def window(browser: Browser, width: int = 1280, height: int = 720) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(CANVAS_SCREEN)
    context.add_init_script(WATCH_VIOLATIONS)
    return context.new_page()


def agent_in_chat(browser: Browser, base_url: str, username: str = "alice") -> Page:
    page = window(browser)
    sign_in(page, base_url, username)
    expect(page.locator("#connection-state")).to_have_text("Connected", timeout=SLOW)
    tab(page, "Jana Dvořák").click()
    return page


def widget(page: Page):
    return page.locator(".screen:not([hidden]) .widget--cobrowse")


def room_created(agent: Page) -> str:
    """Create video room in the agent's widget: the new room's number."""
    widget(agent).get_by_role("button", name="Create video room").click()
    room_url = widget(agent).get_by_role("textbox", name="Room URL")
    expect(room_url).to_have_value(re.compile(r"/external/conference/#\d{10}$"), timeout=SLOW)
    return room_url.input_value().rsplit("#", 1)[1]


def customer_joins(browser: Browser, base_url: str, number: str) -> Page:
    """The customer's page opened at the room's URL, in the call with Alice."""
    customer = window(browser)
    customer.goto(f"{base_url}/external/conference/#{number}")
    expect(customer.get_by_role("status")).to_have_text("In the call with Alice Novak",
                                                        timeout=SLOW)  # fmt: skip
    return customer


def wait_true(page: Page, script: str, timeout: int = SLOW) -> None:
    """Until `script` (an expression, or a promise of one) is true, for at most `timeout` ms.
    Polled with evaluate: the pages' Content-Security-Policy forbids the eval that
    wait_for_function needs for a string."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"still false after {timeout} ms: {script}; " + str(
            page.evaluate(TRANSCEIVERS)
        )
        page.wait_for_timeout(100)


def everyone_plays(page: Page, others: int) -> None:
    """The page has a connection to each of `others` people, and each one's video moves on."""
    peers = f"[...{CALL}.peers.values()]"
    wait_true(page, f"{peers}.length === {others} && {peers}.every((peer) => "
                    "peer.video.videoWidth > 0 && peer.video.currentTime > 0)")  # fmt: skip
    start = page.evaluate(f"{peers}.map((peer) => peer.video.currentTime)")
    wait_true(page, f"{peers}.every((peer, i) => peer.video.currentTime > {start}[i] + 0.5)")


def remote_video_plays(page: Page) -> None:
    """The one other's video has a picture, and it moves on."""
    everyone_plays(page, 1)


def received(page: Page, kind: str) -> int:
    """Bytes of RTP `kind` ("audio", "video") received from the other so far (getStats'
    inbound-rtp)."""
    return page.evaluate(f"{CALL}.received().then((each) => each[0].{kind}Bytes)")


def arrives(page: Page, kind: str) -> None:
    """RTP of `kind` from the other keeps coming in."""
    first = received(page, kind)
    wait_true(page, f"{CALL}.received().then(([entry]) => entry.{kind}Bytes > {first} + 1000)")


def stopped(page: Page, kind: str) -> None:
    """Nothing of `kind` comes from the other any more (a second's quiet, once it has
    stopped)."""
    wait_true(page, f"{PEER}.stream.getTracks().find((t) => t.kind === '{kind}').muted")
    before = received(page, kind)
    page.wait_for_timeout(1000)
    assert received(page, kind) == before


def remote_video_width(page: Page) -> int:
    return page.evaluate(f"{PEER}.video.videoWidth")


def descriptions(page: Page, start: int = 0) -> list[str]:
    """The offers and answers this page sent (`offer>`) and received (`<answer` and the state
    it came in) for its one peer, in order, from its log's entry `start` on."""
    return page.evaluate(f"{PEER}.log.slice({start}).filter((entry) => !entry.includes('cand'))")


def only_the_newcomer_offered(newcomer: Page, there: Page) -> None:
    """The call began with one offer, the newcomer's, and one answer: no crossed offers (after
    rolling its own back, Chrome sometimes gathered no candidates again: no picture at all)."""
    assert descriptions(newcomer)[:2] == ["offer>", "<answer have-local-offer"]
    assert descriptions(there)[:2] == ["<offer stable", "answer>"]


def take_screenshots(agent: Page, customer: Page, screenshots) -> None:
    """Both sides mid-call, at a laptop's and a desktop's size, and the customer's on a phone."""
    for width, height in ((1280, 720), (1920, 1080)):
        for page, name in ((agent, "agent-widget"), (customer, "customer-page")):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=screenshots / f"cobrowse-{name}-{width}x{height}.png")
    agent.set_viewport_size({"width": 1280, "height": 720})
    customer.set_viewport_size({"width": 390, "height": 844})
    customer.screenshot(path=screenshots / "cobrowse-customer-page-phone.png")
    customer.set_viewport_size({"width": 1280, "height": 720})


# One whole call in two browsers, every step bounded by SLOW: about 30 s on a quiet machine,
# more than the suite's minute per test on a loaded one.
@pytest.mark.timeout(180)
def test_agent_and_customer_see_and_hear_each_other_and_control_what_they_send(
    media_browser, worker, jana, screenshots
):
    asgi_server = worker
    # given: Alice in Jana's chat
    agent = agent_in_chat(media_browser, asgi_server)
    # when: she creates a video room
    widget(agent).get_by_role("button", name="Create video room").click()
    room_url = widget(agent).get_by_role("textbox", name="Room URL")
    expect(room_url).to_have_value(re.compile(r"/external/conference/#\d{10}$"), timeout=SLOW)
    number = room_url.input_value().rsplit("#", 1)[1]
    # and sends it to the customer through the chat
    widget(agent).get_by_role("button", name="Send to customer").click()
    expect(chat(agent)).to_contain_text(
        f"Join me in a video call: {room_url.input_value()}", timeout=SLOW
    )
    expect(
        widget(agent).get_by_text("The link is sent to the customer in the chat.")
    ).to_be_visible()
    expect(widget(agent).get_by_role("status")).to_have_text(
        "Waiting for the customer to join…", timeout=SLOW
    )
    # and the customer opens its URL
    customer = customer_joins(media_browser, asgi_server, number)
    # then: each sees the other's video playing, and receives the other's sound
    expect(widget(agent).get_by_role("status")).to_have_text(
        "In the call with Customer", timeout=SLOW
    )
    for page in (agent, customer):
        remote_video_plays(page)
        arrives(page, "audio")
    only_the_newcomer_offered(customer, agent)
    take_screenshots(agent, customer, screenshots)
    # the customer hears the agent only once they unmute (the browser's rule for sound)
    assert customer.evaluate(f"{PEER}.video.muted") is True
    customer.get_by_role("button", name="Unmute agent").click()
    expect(customer.get_by_role("button", name="Unmute agent")).to_be_hidden()
    assert customer.evaluate(f"{PEER}.video.muted") is False
    assert agent.evaluate(f"{PEER}.video.muted") is False

    # when: the customer turns the camera off
    customer.get_by_role("button", name="Camera").click()
    # then: their camera track is stopped and sent no more, and the agent sees it
    wait_true(
        customer, f"{CALL}.camera === null && {PEER}.transceivers.video.sender.track === null"
    )
    expect(widget(agent).locator(".cobrowse__tile--remote")).to_have_attribute(
        "data-camera", "off", timeout=SLOW
    )
    stopped(agent, "video")
    expect(widget(agent).locator(".cobrowse__tile--remote figcaption")).to_contain_text(
        "camera off"
    )
    # and back on: the picture comes again (the transceiver renegotiated back to sending)
    customer.get_by_role("button", name="Camera").click()
    expect(widget(agent).locator(".cobrowse__tile--remote")).to_have_attribute(
        "data-camera", "on", timeout=SLOW
    )
    arrives(agent, "video")
    remote_video_plays(agent)

    # when: the agent turns the microphone off, the customer sees it, and no sound comes
    widget(agent).get_by_role("button", name="Microphone").click()
    wait_true(
        agent, f"{CALL}.microphone === null && {PEER}.transceivers.audio.sender.track === null"
    )
    expect(customer.locator(".cobrowse__tile--remote")).to_have_attribute(
        "data-microphone", "off", timeout=SLOW
    )
    stopped(customer, "audio")
    # and back on: the sound comes again
    widget(agent).get_by_role("button", name="Microphone").click()
    expect(customer.locator(".cobrowse__tile--remote")).to_have_attribute(
        "data-microphone", "on", timeout=SLOW
    )
    arrives(customer, "audio")

    # when: the agent shares the screen: the camera's track is replaced on the same sender
    camera_sender = agent.evaluate_handle(f"{PEER}.transceivers.video.sender")
    negotiations = agent.evaluate(f"{PEER}.negotiations")
    widget(agent).get_by_role("button", name="Share screen").click()
    expect(customer.locator(".cobrowse__tile--remote")).to_have_attribute(
        "data-screen", "on", timeout=SLOW
    )
    wait_true(customer, f"{PEER}.video.videoWidth === 1024")
    remote_video_plays(customer)
    assert agent.evaluate(
        f"(sender) => sender === {PEER}.transceivers.video.sender "
        f"&& sender.track === {CALL}.screen",
        camera_sender,
    )
    assert agent.evaluate(f"{PEER}.negotiations") == negotiations  # replaceTrack: none needed
    # and stops: the camera again
    widget(agent).get_by_role("button", name="Share screen").click()
    wait_true(customer, f"{PEER}.video.videoWidth === 640")

    # when: the customer, camera off, shares the screen: a track to send again, negotiated
    customer.get_by_role("button", name="Camera").click()
    expect(widget(agent).locator(".cobrowse__tile--remote")).to_have_attribute(
        "data-camera", "off", timeout=SLOW
    )
    negotiations = customer.evaluate(f"{PEER}.negotiations")
    customer.get_by_role("button", name="Share screen").click()
    wait_true(agent, f"{PEER}.video.videoWidth === 1024")
    remote_video_plays(agent)
    wait_true(customer, f"{PEER}.negotiations > {negotiations}")
    widget(agent).screenshot(path=screenshots / "cobrowse-agent-widget-customer-screen.png")

    # when: the customer leaves
    customer.get_by_role("button", name="Leave").click()
    # then: both close their connection, and the chat says so
    expect(customer.get_by_role("heading", name="You left the video room.")).to_be_visible()
    wait_true(customer, f"{CALL}.finished && [...{CALL}.peers.values()].every("
              "(peer) => peer.pc.signalingState === 'closed')")  # fmt: skip
    wait_true(agent, f"{CALL}.peers.size === 0")
    expect(widget(agent).get_by_role("status")).to_have_text(
        "Waiting for the customer to join…", timeout=SLOW
    )
    expect(chat(agent)).to_contain_text(f"Video room {number}: created by Alice Novak",
                                        timeout=SLOW)  # fmt: skip
    expect(chat(agent)).to_contain_text(f"Video room {number}: Customer joined")
    expect(chat(agent)).to_contain_text(f"Video room {number}: Customer left", timeout=SLOW)

    # when: the customer comes back by the general URL and the number
    again = window(media_browser)
    again.goto(f"{asgi_server}/external/conference/")
    again.get_by_label("Room number").fill(number)
    again.get_by_role("button", name="Join").click()
    expect(again.get_by_role("status")).to_have_text("In the call with Alice Novak",
                                                     timeout=SLOW)  # fmt: skip
    remote_video_plays(again)
    remote_video_plays(agent)
    assert descriptions(again)[:2] == ["offer>", "<answer have-local-offer"]
    # and the agent disconnects: the room ends for both
    agent_peer = agent.evaluate_handle(PEER)
    widget(agent).get_by_role("button", name="Disconnect").click()
    expect(again.get_by_role("heading", name="The video room has ended.")).to_be_visible(
        timeout=SLOW
    )
    wait_true(again, f"{CALL}.finished && [...{CALL}.peers.values()].every("
              "(peer) => peer.pc.signalingState === 'closed')")  # fmt: skip
    assert agent.evaluate("(peer) => peer.pc.signalingState", agent_peer) == "closed"
    expect(widget(agent).get_by_role("button", name="Create video room")).to_be_visible(
        timeout=SLOW
    )
    expect(chat(agent)).to_contain_text(f"Video room {number}: ended by Alice Novak",
                                        timeout=SLOW)  # fmt: skip
    room = Room.objects.get(number=number)
    assert room.ended_at is not None
    assert [(p.label, p.left_at is not None) for p in room.participants.all()] == [
        ("Alice Novak", True), ("Customer", True), ("Customer", True)
    ]  # fmt: skip
    # and the number admits nobody any more
    late = window(media_browser)
    late.goto(f"{asgi_server}/external/conference/#{number}")
    expect(late.get_by_role("alert")).to_have_text("This video room has ended.", timeout=SLOW)
    # all of it within the pages' Content-Security-Policy
    for page in (agent, customer, again, late):
        assert page.evaluate("window.cspViolations") == []


@pytest.mark.timeout(120)
def test_a_customer_without_camera_or_microphone_still_sees_and_hears_the_agent(
    media_browser, browser, worker, jana
):
    # given: Alice in a video room, and a customer whose browser has no camera or microphone
    agent = agent_in_chat(media_browser, worker)
    number = room_created(agent)
    # when: the customer comes in by the room's URL
    customer = customer_joins(browser, worker, number)
    # then: sending nothing, the customer still makes the call's one offer, and Alice's
    # answer sends her picture and sound
    remote_video_plays(customer)
    arrives(customer, "audio")
    only_the_newcomer_offered(customer, agent)
    assert customer.evaluate(f"{CALL}.camera === null && {CALL}.microphone === null")
    # and Alice sees that the customer sends nothing
    expect(widget(agent).locator(".cobrowse__tile--remote figcaption")).to_contain_text(
        "(camera off, microphone off)", timeout=SLOW
    )


@pytest.mark.timeout(150)
def test_an_invited_colleague_joins_the_call_and_the_three_see_each_other(
    media_browser, worker, jana, screenshots
):
    # given: Alice's call with the customer, and Bob invited to her chat
    bob_agent = OnlineAgentFactory(user__username="bob", display_name="Bob Horvat",
                                   queue=jana.queue)  # fmt: skip
    ParticipantFactory(activity=jana, agent=bob_agent)
    agent = agent_in_chat(media_browser, worker)
    number = room_created(agent)
    customer = customer_joins(media_browser, worker, number)
    # when: Bob opens the chat and joins the room from his widget
    bob = agent_in_chat(media_browser, worker, "bob")
    widget(bob).get_by_role("button", name="Join video room").click()
    # then: each of the three has a connection to the two others, and sees both
    expect(customer.get_by_role("status")).to_have_text(
        "In the call with Alice Novak, Bob Horvat", timeout=SLOW
    )
    expect(widget(agent).get_by_role("status")).to_have_text(
        "In the call with Customer, Bob Horvat", timeout=SLOW
    )
    expect(widget(bob).get_by_role("status")).to_contain_text("In the call with", timeout=SLOW)
    for page in (agent, customer, bob):
        everyone_plays(page, 2)
    # and Bob's connections began with his offers, the newcomer's, answered by each
    assert bob.evaluate(
        f"[...{CALL}.peers.values()].map((peer) => peer.log.find((e) => !e.includes('cand')))"
    ) == ["offer>", "offer>"]
    bob.screenshot(path=screenshots / "cobrowse-colleague-in-a-call-of-three.png")
    # when: Bob leaves the room, the two others go on without him
    widget(bob).get_by_role("button", name="Leave call").click()
    expect(customer.get_by_role("status")).to_have_text("In the call with Alice Novak",
                                                        timeout=SLOW)  # fmt: skip
    everyone_plays(customer, 1)
    everyone_plays(agent, 1)
    expect(widget(bob).get_by_role("button", name="Join video room")).to_be_visible()


# Each side's incoming signals held back, then let go: offers made meanwhile cross for sure.
HOLD = f"""(() => {{ const peer = {PEER}; peer.held = [];
    peer.signal = (frame) => {{ peer.held.push(frame); return Promise.resolve(); }}; }})()"""
RELEASE = f"""(() => {{ const peer = {PEER}; const held = peer.held; delete peer.signal;
    return Promise.all(held.map((frame) => peer.signal(frame))).then(() => held.length); }})()"""


@pytest.mark.timeout(120)
def test_offers_crossing_when_both_turn_their_cameras_off_at_once_settle(
    media_browser, worker, jana
):
    # given: Alice and the customer in a call
    agent = agent_in_chat(media_browser, worker)
    customer = customer_joins(media_browser, worker, room_created(agent))
    expect(widget(agent).get_by_role("status")).to_have_text(
        "In the call with Customer", timeout=SLOW
    )
    for page in (agent, customer):
        remote_video_plays(page)
    # when: both turn their cameras off at once, each offering before the other's offer arrives
    pages = (agent, customer)
    start = {page: page.evaluate(f"{PEER}.log.length") for page in pages}
    for page in pages:
        page.evaluate(HOLD)
    widget(agent).get_by_role("button", name="Camera").click()
    customer.get_by_role("button", name="Camera").click()
    for page in pages:  # each made its offer, and holds the other's
        wait_true(page, f"{PEER}.log.slice({start[page]}).includes('offer>') && "
                        f"{PEER}.held.some((frame) => frame.description)")  # fmt: skip
    for page in pages:
        page.evaluate(RELEASE)
    # then: the impolite side ignored the other's offer; the polite one took its own back and
    # answered; both settle with video going neither way, and neither's picture comes any more
    impolite, polite = sorted(pages, key=lambda page: page.evaluate(f"{PEER}.polite"))
    assert descriptions(impolite, start[impolite])[:3] == [
        "offer>", "<offer have-local-offer", "ignored"
    ]  # fmt: skip
    assert descriptions(polite, start[polite])[:3] == [
        "offer>", "<offer have-local-offer", "answer>"
    ]  # fmt: skip
    for page in pages:
        wait_true(page, f"{PEER}.pc.signalingState === 'stable' && "
                        f"{PEER}.transceivers.video.currentDirection === 'inactive'")  # fmt: skip
        stopped(page, "video")
    # and when both turn them on again, each sees the other's picture
    widget(agent).get_by_role("button", name="Camera").click()
    customer.get_by_role("button", name="Camera").click()
    for page in pages:
        arrives(page, "video")
        remote_video_plays(page)
