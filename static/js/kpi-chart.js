// Draws the dashboard's trend chart with Chart.js from the figures the page holds in a JSON script element. The same
// figures are in the table beside it, for anyone who cannot see the chart; the canvas is hidden from screen readers.
const source = document.getElementById("kpi-chart-data");
const canvas = document.getElementById("kpi-chart");
if (source && canvas && window.Chart) {
  const data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{ label: data.name, data: data.values.map(Number), borderColor: "#1d70b8", backgroundColor: "#1d70b8", tension: 0 }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: false } },
    },
  });
}
