/** A chat watched silently: its lines fetched again whenever the monitor's socket says it
 * changed. */
import { url } from "cc/urls.js";
import { monitorSocket } from "supervision/monitor_socket.js";

const root = document.querySelector("[data-activity-id]");
const activityId = Number(root.dataset.activityId);
const lines = document.getElementById("watch-lines");

async function refresh() {
  const response = await fetch(url("supervision:watch-lines", { activity_id: activityId }), { credentials: "same-origin" });
  if (response.ok) lines.innerHTML = await response.text();
}

monitorSocket({
  watching: activityId,
  onState: (text) => { document.getElementById("monitor-connection").textContent = text; },
  onFrame: (frame) => {
    if (frame.type === "activity.changed" || frame.type === "snapshot") refresh();
  },
});
