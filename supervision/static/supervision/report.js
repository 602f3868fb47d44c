/**
 * The report's chart: offered, accepted and unanswered chats as bars per row, the service
 * level as a line on its own axis. The figures come from the page (json_script), the library
 * from the vendored Chart.js.
 */
const data = JSON.parse(document.getElementById("report-chart-data")?.textContent ?? "null");
const canvas = document.getElementById("report-chart");

if (data && canvas && window.Chart) {
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "Offered", data: data.offered, backgroundColor: "#79aec8" },
        { type: "bar", label: "Accepted", data: data.accepted, backgroundColor: "#417690" },
        { type: "bar", label: "Unanswered", data: data.unanswered, backgroundColor: "#ba2121" },
        {
          type: "line", label: "Service level %", data: data.service_level, yAxisID: "percent",
          borderColor: "#e0a800", backgroundColor: "#e0a800", spanGaps: true,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: {
        y: { beginAtZero: true, grace: "10%", title: { display: true, text: "Chats" }, ticks: { precision: 0 } },
        percent: { position: "right", min: 0, max: 100, title: { display: true, text: "Service level %" }, grid: { drawOnChartArea: false } },
      },
    },
  });
}
