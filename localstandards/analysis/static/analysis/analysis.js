// National results: bars by area and by type, and the province map, drawn with ECharts from the page's JSON.
// Colours: one blue for bars, and the cividis scale for the map (readable with the common colour-vision deficiencies).
(function () {
  // A select whose options are addresses opens the chosen one (the round picker).
  document.querySelectorAll("select[data-navigate]").forEach((select) => {
    select.addEventListener("change", () => { if (select.value) window.location.href = select.value; });
  });
  const source = document.getElementById("analysis-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const font = { fontFamily: "Sarabun, sans-serif" };
  const charts = [];

  function bars(id, rows) {
    const holder = document.getElementById(id);
    if (!holder || !rows.length) return;
    const chart = window.echarts.init(holder, null, { renderer: "svg" });
    chart.setOption({
      textStyle: font,
      tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? data.labels.noData : v.toFixed(1) + "%") },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, name: "%" },
      yAxis: { type: "category", inverse: true, data: rows.map((r) => r.name), axisLabel: { width: 220, overflow: "truncate" } },
      series: [{ type: "bar", name: data.labels.share, data: rows.map((r) => r.value), itemStyle: { color: "#1d4e89" },
        label: { show: true, position: "right", formatter: (p) => (p.value == null ? "–" : p.value.toFixed(1)) } }],
    });
    charts.push(chart);
  }

  bars("areas-chart", data.items);
  bars("types-chart", data.types);

  const mapHolder = document.getElementById("province-map");
  if (mapHolder) {
    fetch(mapHolder.dataset.shapes, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((shapes) => {
        if (!shapes) return;
        window.echarts.registerMap("thailand", shapes);
        const names = {};
        shapes.features.forEach((f) => { names[f.properties.name] = f.properties.name_th; });
        const chart = window.echarts.init(mapHolder, null, { renderer: "svg" });
        chart.setOption({
          textStyle: font,
          tooltip: { formatter: (p) => names[p.name] + ": " + (p.value == null || isNaN(p.value) ? data.labels.noData : p.value.toFixed(1) + "%") },
          visualMap: { min: 0, max: 100, left: 0, bottom: 0, calculable: true, formatter: (v) => Math.round(v) + "%",
            inRange: { color: ["#00204d", "#414d6b", "#7c7b78", "#bcaf6f", "#ffea46"] } },
          series: [{ type: "map", map: "thailand", roam: false, aspectScale: 0.95,
            itemStyle: { areaColor: "#d9d9d9", borderColor: "#ffffff", borderWidth: 0.6 },
            emphasis: { label: { show: false }, itemStyle: { borderColor: "#000", borderWidth: 1.2 } },
            data: Object.keys(data.map).map((code) => ({ name: code, value: data.map[code] })) }],
        });
        charts.push(chart);
      });
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
