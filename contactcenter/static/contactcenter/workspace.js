/** The agent workspace page: wires the live connection to the top bar. */
import { AgentSocket } from "cc/agent_socket.js";

const STATE_TEXT = {
  connecting: () => "Connecting…",
  connected: () => "Connected",
  down: ({ retryInMs }) => `Disconnected, retrying in ${Math.ceil(retryInMs / 1000)} s`,
};

function showConnectionState(indicator, detail) {
  indicator.textContent = STATE_TEXT[detail.state](detail);
  indicator.className = `connection connection--${detail.state}`;
}

const root = document.querySelector(".workspace");
const indicator = document.getElementById("connection-state");
const scheme = window.location.protocol === "https:" ? "wss" : "ws";
const socket = new AgentSocket({
  url: `${scheme}://${window.location.host}${root.dataset.socketPath}`,
  loginUrl: root.dataset.loginUrl,
});
socket.addEventListener("state", (event) => showConnectionState(indicator, event.detail));
socket.start();
