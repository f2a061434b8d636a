// Submissions day by day (bars) and the running total (line), drawn with ECharts from the page's JSON data.
(function () {
  const holder = document.getElementById("submission-chart");
  const source = document.getElementById("submission-data");
  if (!holder || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = window.echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    textStyle: { fontFamily: "Sarabun, sans-serif" },
    tooltip: { trigger: "axis" },
    legend: { data: [data.labels.daily, data.labels.cumulative], bottom: 0 },
    grid: { left: 48, right: 48, top: 16, bottom: 56 },
    xAxis: { type: "category", data: data.days },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: data.expected || null, minInterval: 1 }],
    series: [
      { name: data.labels.daily, type: "bar", data: data.daily, itemStyle: { color: "#9fb8d9" } },
      { name: data.labels.cumulative, type: "line", yAxisIndex: 1, data: data.cumulative, showSymbol: false, itemStyle: { color: "#1d4e89" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
